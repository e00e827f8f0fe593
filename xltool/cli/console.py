"""`xltool serve`: the campaign in the clerk's browser (the local web console)."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import Any

import click

from xltool.cli.main import CONTEXT, OneLineUsageError, handle_errors, main

FOLDER = click.Path(path_type=Path, file_okay=False, exists=True)


def _refuse_password(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value is not None:
        raise OneLineUsageError(
            "不能用 --password 给出密码：命令行在本机的进程列表中人人可见。"
            "请用环境变量 XLTOOL_CONSOLE_PASSWORD、启动时输入，或加 --token。"
        )


@main.command(context_settings=CONTEXT)
@click.argument("folder", type=FOLDER, metavar="文件夹")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, metavar="端口",
              help="控制台的端口（0 表示任选一个空闲端口）。")  # fmt: skip
@click.option("--host", default="127.0.0.1", show_default=True, metavar="地址",
              help="监听的地址。默认只有本机能访问；改为其他地址（如 0.0.0.0）时必须设置密码。")  # fmt: skip
@click.option("--password", hidden=True, expose_value=False, callback=_refuse_password)
@click.option("--token", is_flag=True, help="由程序生成一个随机密码，只在启动时显示一次。")
@click.option("--allow-host", multiple=True, metavar="名称",
              help="另外允许的访问地址（其他电脑用来访问本机的名称，可重复）；本机的名称和地址总是允许的。")  # fmt: skip
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器。")
@handle_errors
def serve(folder: Path, port: int, host: str, token: bool, allow_host: tuple[str, ...], no_browser: bool) -> None:
    """在浏览器中办理整个报送工作：收取邮件、查看校验结果、回复、汇总和生成报告。

    启动一个只在本机运行的网页控制台（不需要联网，也不需要安装其他软件），并用默认浏览器打开。
    总览页列出每个单位的报送情况和图表，可以收取邮件、生成回复、汇总、生成全部报告；单位页列出
    每个版本的问题（工作表、单元格、栏目、填写值、问题和修改建议），可下载标注了问题的报表、
    修改和发送回复、下载报告；“拖入报表”页可以直接拖入报表或邮件。按 Ctrl+C 停止。

    \b
    默认只有本机（127.0.0.1）能访问。用 --host 让其他电脑访问时必须设置至少 8 个字符的密码：
    用环境变量 XLTOOL_CONSOLE_PASSWORD 给出，或启动时按提示输入，或加 --token 由程序生成并只显示一次；
    密码不能写在命令行上（本机其他用户在进程列表中能看到）。访问地址只能是本机的名称和地址，
    其他名称须用 --allow-host 允许。同一台电脑连续输错 5 次密码后登录变慢，再试要等几分钟；
    登录空闲 8 小时或满 24 小时后自动退出，也可在页面上点“退出登录”。
    对网络开放时，页面上方列出已登录的电脑。

    \b
    示例：
      xltool serve 2025年报
      xltool serve 2025年报 --port 9000 --no-browser
      xltool serve 2025年报 --host 0.0.0.0 --token
      xltool serve 2025年报 --host 0.0.0.0 --token --allow-host baosong.local
    """
    from xltool.console.safety import is_loopback
    from xltool.console.server import make_console

    password = os.environ.get("XLTOOL_CONSOLE_PASSWORD") or None
    if token and not password:
        password = secrets.token_urlsafe(12)
    if not password and not is_loopback(host) and sys.stdin.isatty():
        password = click.prompt("请设置控制台密码（至少 8 个字符，输入时不显示）", hide_input=True,
                                confirmation_prompt="请再输入一次", err=True)  # fmt: skip
    console = make_console(folder, host, port, password, allow_hosts=allow_host)
    click.secho(f"xltool 控制台已启动：{console.url}", fg="green", bold=True)
    if not is_loopback(host):
        click.secho(
            f"警告：控制台对 {host} 开放，同一网络中的其他电脑都可以访问它。只在确有需要时这样做，用完请按 Ctrl+C 停止。",
            fg="red",
            bold=True,
            err=True,
        )
    if password and (token or not is_loopback(host)):
        shown = f"{password}（只显示这一次，请记下）" if token else "（启动时设置的密码）"
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
