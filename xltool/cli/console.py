"""`xltool serve`: the campaign in the clerk's browser (the local web console)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import click

from xltool.cli.main import CONTEXT, handle_errors, main

FOLDER = click.Path(path_type=Path, file_okay=False, exists=True)


@main.command(context_settings=CONTEXT)
@click.argument("folder", type=FOLDER, metavar="文件夹")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, metavar="端口",
              help="控制台的端口（0 表示任选一个空闲端口）。")  # fmt: skip
@click.option("--host", default="127.0.0.1", show_default=True, metavar="地址",
              help="监听的地址。默认只有本机能访问；改为其他地址（如 0.0.0.0）时必须设置密码。")  # fmt: skip
@click.option("--password", default=None, metavar="密码",
              help="访问控制台的密码（也可用环境变量 XLTOOL_CONSOLE_PASSWORD）；--host 不是本机时必须设置。")  # fmt: skip
@click.option("--token", is_flag=True, help="由程序生成一个随机密码并显示出来（代替 --password）。")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器。")
@handle_errors
def serve(folder: Path, port: int, host: str, password: str | None, token: bool, no_browser: bool) -> None:
    """在浏览器中办理整个报送工作：收取邮件、查看校验结果、回复、汇总和生成报告。

    启动一个只在本机运行的网页控制台（不需要联网，也不需要安装其他软件），并用默认浏览器打开。
    总览页列出每个单位的报送情况和图表，可以收取邮件、生成回复、汇总、生成全部报告；单位页列出
    每个版本的问题（工作表、单元格、栏目、填写值、问题和修改建议），可下载标注了问题的报表、
    修改和发送回复、下载报告；“拖入报表”页可以直接拖入报表或邮件。按 Ctrl+C 停止。

    默认只有本机（127.0.0.1）能访问。用 --host 让其他电脑访问时必须设置密码，并会醒目提示。

    \b
    示例：
      xltool serve 2025年报
      xltool serve 2025年报 --port 9000 --no-browser
      xltool serve 2025年报 --host 0.0.0.0 --token
    """
    from xltool.console.safety import is_loopback
    from xltool.console.server import make_console

    password = password or os.environ.get("XLTOOL_CONSOLE_PASSWORD") or None
    if token and not password:
        password = secrets.token_urlsafe(12)
    console = make_console(folder, host, port, password)
    click.secho(f"xltool 控制台已启动：{console.url}", fg="green", bold=True)
    if not is_loopback(host):
        click.secho(
            f"警告：控制台对 {host} 开放，同一网络中的其他电脑都可以访问它。只在确有需要时这样做，用完请按 Ctrl+C 停止。",
            fg="red",
            bold=True,
            err=True,
        )
    if password and (token or not is_loopback(host)):
        shown = password if token else "（启动时设置的密码）"
        click.secho(f"访问密码：{shown}", fg="yellow", bold=True, err=True)
    click.echo(f"报送工作文件夹：{folder}。按 Ctrl+C 停止。")
    if not no_browser:
        import webbrowser

        webbrowser.open(console.url)
    try:
        console.serve_forever()
    except KeyboardInterrupt:
        click.echo("\n控制台已停止。")
    finally:
        console.stop()
