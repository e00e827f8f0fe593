"""`xltool distribute`, `xltool remind`: the notice with each unit's template, and the reminders."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from xltool.cli.campaign import CAFILE, FOLDER, SEND_COLOURS, TLS_CHOICE, smtp_settings
from xltool.cli.main import CONTEXT, TerminalProgress, handle_errors, main

TONES = {**SEND_COLOURS, "missing": "yellow", "skipped": "yellow"}


def smtp_options(func: Any) -> Any:
    """The options of `xltool reply --send`, shared by both commands."""
    for option in reversed((
        click.option("--from", "from_addr", default="", metavar="邮箱", help="发件地址（默认取设置文件中的 [mail] from）。"),
        click.option("--send", is_flag=True, help="通过 SMTP 发出（默认只生成 .eml 草稿，保存在 notices/ 中）。"),
        click.option("--smtp-host", metavar="服务器", help="SMTP 发信服务器，如 smtp.qiye.163.com。"),
        click.option("--smtp-port", type=click.IntRange(1, 65535), metavar="端口",
                     help="端口（默认 ssl 为 465，其他为 587）。"),
        click.option("--smtp-user", metavar="用户名", help="账号（不填则不登录，如单位内部的转发服务器）；"
                     "密码从环境变量 XLTOOL_SMTP_PASSWORD 读取，没有时询问。"),
        click.option("--tls", type=TLS_CHOICE, default="ssl", show_default=True, help="加密方式。"),
        CAFILE,
        click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果。"),
    )):  # fmt: skip
        func = option(func)
    return func


@main.command(context_settings=CONTEXT)
@click.argument("folder", type=FOLDER, metavar="文件夹")
@smtp_options
@handle_errors
def distribute(folder: Path, **options: Any) -> None:
    """给每个单位起草（或发送）下发通知：通知正文、报送截止日期和本单位的填报模板（附件）。

    通知的文字取自表单（[notice]），可在设置文件 xltool.toml 的 [notice] 中改写。
    每个单位只发一次：重复运行不会重复发送；没有邮箱地址的单位列为“需人工通知”，草稿照样生成。

    \b
    示例：
      xltool distribute 2025年报                  只生成 .eml 草稿（notices/ 文件夹）
      XLTOOL_SMTP_PASSWORD=授权码 xltool distribute 2025年报 --send --smtp-host smtp.qq.com --smtp-user gk@qq.com
    """
    _run("distribute", folder, **options)


@main.command(context_settings=CONTEXT)
@click.argument("folder", type=FOLDER, metavar="文件夹")
@smtp_options
@handle_errors
def remind(folder: Path, **options: Any) -> None:
    """给未报送和待修改的单位起草（或发送）催报邮件，写明缺什么。

    未报送的：截止日期，并再次附上填报模板；待修改的：尚未解决的问题个数和编号，
    并指向已发出的校验回复（回复尚未发出的单位先不催报）。同一单位同一情况只催报一次；
    情况变化后（如报送了新版本仍需修改，或已过截止日期仍未报送）再运行会再次催报。

    \b
    示例：
      xltool remind 2025年报                      只生成 .eml 草稿（notices/ 文件夹）
      XLTOOL_SMTP_PASSWORD=授权码 xltool remind 2025年报 --send --smtp-host smtp.qq.com --smtp-user gk@qq.com
    """
    _run("remind", folder, **options)


def _run(kind: str, folder: Path, *, from_addr: str, send: bool, smtp_host: str | None, smtp_port: int | None,
         smtp_user: str | None, tls: str, cafile: Path | None, as_json: bool) -> None:  # fmt: skip
    from xltool.app.mailings import mail_units
    from xltool.campaign.settings import load_campaign

    campaign = load_campaign(folder)
    settings = None
    if send:  # as `xltool reply --send`: the campaign's [mail] fills what is not given
        settings = smtp_settings(campaign, smtp_host, smtp_port, smtp_user, tls)
    with TerminalProgress("发送邮件", shown=not as_json) as progress:
        done = mail_units(campaign, kind, settings, from_addr=from_addr, option="--from", cafile=cafile,
                          progress=progress)  # fmt: skip
    if as_json:
        click.echo(json.dumps(done.to_dict(), ensure_ascii=False, indent=2))
    else:
        for line in done.lines():
            click.secho(line.text, fg=TONES.get(line.kind))
        click.echo(done.summary())
        if done.run.drafted and not send:
            click.echo(f"草稿保存在 {folder / 'notices'}；发出请加 --send 及 SMTP 设置。")
    if not done.ok:
        sys.exit(1)
