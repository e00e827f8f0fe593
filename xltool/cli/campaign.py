"""`xltool init`, `xltool collect`, `xltool reply`: the county's campaign folder, mail in, answers out."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from xltool.cli.main import CONTEXT, TerminalProgress, form_option, handle_errors, main, roster_option
from xltool.errors import XltoolError

TLS_CHOICE = click.Choice(["ssl", "starttls", "none"])
FOLDER = click.Path(path_type=Path, file_okay=False)
CAFILE = click.option("--cafile", type=click.Path(path_type=Path, dir_okay=False, exists=True), metavar="文件",
                      help="服务器证书（自签名证书时使用）。")  # fmt: skip
SEND_COLOURS = {"failed": "red", "unknown": "yellow"}


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"“{value}”不是日期，应写成 2026-01-31 的形式。") from None


@main.command(context_settings=CONTEXT)
@click.argument("folder", type=FOLDER, metavar="文件夹")
@click.option("--year", type=click.IntRange(2000, 2100), metavar="年份", help="报告年度，如 2025（按年度报送的表单）。")
@click.option(
    "--period",
    metavar="报告期",
    help="报告期：按季度、半年或月份报送的表单必填，如 2025Q1（第一季度）、2025H1（上半年）、2025-03（3月）。",
)
@roster_option(
    "全县报送单位名单（.xlsx 或 .csv，列：单位名称、联系邮箱、联系人；表单有单位类型时另有单位类型列，如年度报告）。",
    required=True,
)
@click.option(
    "--county",
    default="",
    metavar="名称",
    help="县（市、区）名称，用于回复邮件的落款，如“桐柏县”；名单中名称不含它的单位会被提示（不影响生成）。",
)
@click.option("--deadline", callback=_date, metavar="日期", help="报送截止日期，如 2026-01-31。")
@click.option(
    "--previous",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    metavar="文件夹",
    help="上年度各单位的报表：表单有跨年度规则时，模板按上年报表预填，并在单元格批注中给出上年数字"
    "（如年度报告按上年“结转下年度”预填“上年结转”）。",
)
@click.option(
    "--from", "from_addr", default="", metavar="邮箱", help="回复邮件的发件地址（也可以以后在设置文件中填写）。"
)
@click.option("--password", default="", metavar="密码", help="模板的工作表保护密码。")
@form_option
@handle_errors
def init(
    folder: Path,
    year: int | None,
    period: str | None,
    roster: Path,
    county: str,
    deadline: dt.date | None,
    previous: Path | None,
    from_addr: str,
    password: str,
    form_spec: str | None,
) -> None:
    """创建一次报送工作的文件夹。

    文件夹中有：设置文件 xltool.toml（不含任何密码）、单位名单的副本、每个单位的模板
    （templates/）和登记簿 register.sqlite（记录收到的每封邮件、每个附件、每个版本、
    校验结果和回复）。之后的 collect、reply 等命令都只需给出这个文件夹。

    \b
    示例：
      xltool init 2025年报 --year 2025 --roster 名单.xlsx --county 桐柏县 --deadline 2026-01-31
      xltool init 2025年报 --year 2025 --roster 名单.xlsx --previous 2024年报/returns
      xltool init 2025Q1热线 --period 2025Q1 --roster 名单.xlsx --form 季报.toml --county 桐柏县
    """
    from xltool.app.campaign import InitOptions
    from xltool.app.campaign import init as run_init

    options = InitOptions(folder, year, roster, county, deadline, previous, from_addr, password, form_spec,
                          period or "")  # fmt: skip
    with TerminalProgress("生成模板") as progress:
        done = run_init(options, progress)
    click.echo(f"已创建报送工作文件夹：{folder}")
    when = done.made.campaign.when
    shown = f"{when.year} 年度" if when.yearly else when.label_zh
    click.echo(f"  名单中的 {done.made.units} 个单位的 {shown}模板在 {folder / 'templates'}")
    if done.prefilled_shown:
        click.echo(f"  其中 {done.made.prefilled} 个模板已按上年度报表预填或批注上年数字（表单的跨年度规则）")
    click.echo(
        f"下一步：把模板发给各单位；收到回复后运行  xltool collect {folder} --mbox 邮箱导出.mbox  或 --imap-host …"
    )
    if done.warning:
        click.secho(done.warning, fg="yellow", err=True)


@main.command(context_settings=CONTEXT)
@click.argument("folder", type=FOLDER, metavar="文件夹")
@click.option("--eml", "eml", multiple=True, type=click.Path(path_type=Path, exists=True), metavar="文件",
              help="一封或多封 .eml 邮件（或存放 .eml 的文件夹），可重复。")  # fmt: skip
@click.option("--mbox", type=click.Path(path_type=Path, dir_okay=False, exists=True), metavar="文件",
              help="邮箱导出的 mbox 文件（Thunderbird、Foxmail 等可导出）。")  # fmt: skip
@click.option("--maildir", type=click.Path(path_type=Path, file_okay=False, exists=True), metavar="文件夹",
              help="Maildir 邮件文件夹。")  # fmt: skip
@click.option("--imap-host", metavar="服务器", help="IMAP 收信服务器，如 imap.qiye.163.com。")
@click.option(
    "--imap-port", type=click.IntRange(1, 65535), metavar="端口", help="端口（默认 ssl 为 993，其他为 143）。"
)
@click.option("--imap-user", metavar="用户名", help="邮箱账号；密码从环境变量 XLTOOL_IMAP_PASSWORD 读取，没有时询问。")
@click.option("--imap-folder", default="INBOX", show_default=True, metavar="邮件夹", help="要收取的邮件夹。")
@click.option("--tls", type=TLS_CHOICE, default="ssl", show_default=True, help="加密方式。")
@click.option("--since", callback=_date, metavar="日期", help="只收取该日期（含）以后到达的邮件，如 2026-01-01。")
@CAFILE
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（供其他程序使用）。")
@handle_errors
def collect(
    folder: Path,
    eml: tuple[Path, ...],
    mbox: Path | None,
    maildir: Path | None,
    imap_host: str | None,
    imap_port: int | None,
    imap_user: str | None,
    imap_folder: str,
    tls: str,
    since: dt.date | None,
    cafile: Path | None,
    as_json: bool,
) -> None:
    """从邮箱收取各单位报送的报表，登记每个版本并逐一校验。

    每封邮件原样保存；附件中的报表（包括转发邮件和压缩包中的）按模板隐藏信息、
    发件人邮箱、文件名依次认定单位，认定不了的单独列出，绝不猜测。重复运行不会重复登记。

    \b
    示例：
      xltool collect 2025年报 --mbox 收件箱.mbox
      xltool collect 2025年报 --eml 邮件1.eml --eml 邮件2.eml
      XLTOOL_IMAP_PASSWORD=授权码 xltool collect 2025年报 --imap-host imap.qq.com --imap-user gk@qq.com
    """
    from xltool.app.campaign import collect as run_collect
    from xltool.app.mail import MailSettings, MailSource
    from xltool.app.wording import collect_item, collect_summary
    from xltool.campaign.settings import load_campaign

    campaign = load_campaign(folder)
    if sum([bool(eml), mbox is not None, maildir is not None, imap_host is not None]) != 1:
        raise click.UsageError("请指定一个邮件来源：--eml、--mbox、--maildir 或 --imap-host。")
    imap = None
    if imap_host is not None:
        if not imap_user:
            raise click.UsageError("使用 --imap-host 时请用 --imap-user 指定邮箱账号。")
        password = _password("XLTOOL_IMAP_PASSWORD", f"{imap_user} 的邮箱密码（或授权码）")
        imap = MailSettings(imap_host, imap_port, imap_user, password, tls, imap_folder)
    source = MailSource(eml, mbox, maildir, imap, since, cafile)
    with TerminalProgress("收取邮件", shown=not as_json) as progress:
        result = run_collect(campaign, source, progress)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    for item in result.items:
        if item.outcome == "known":
            continue
        line = collect_item(item)
        if item.what and item.outcome == "other":
            line += f"——{item.what}"
        click.echo(line)
        if item.flag:
            click.secho(f"    注意：{item.flag}", fg="yellow")
    click.echo(collect_summary(result, zeros=True))
    click.echo(f"下一步：xltool reply {folder}（起草给各单位的回复）。")


def _password(variable: str, prompt: str) -> str:
    """From the environment, else asked for without echo; never an option, never logged."""
    value = os.environ.get(variable)
    if value:
        return value
    if not sys.stdin.isatty():
        raise XltoolError(f"没有密码：请设置环境变量 {variable}，或在终端中运行以便输入。")
    return str(click.prompt(prompt, hide_input=True))


@main.command(context_settings=CONTEXT)
@click.argument("folder", type=FOLDER, metavar="文件夹")
@click.option("--from", "from_addr", default="", metavar="邮箱", help="发件地址（默认取设置文件中的 [mail] from）。")
@click.option("--send", is_flag=True, help="通过 SMTP 发出（默认只生成 .eml 草稿，保存在 replies/ 中）。")
@click.option("--smtp-host", metavar="服务器", help="SMTP 发信服务器，如 smtp.qiye.163.com。")
@click.option(
    "--smtp-port", type=click.IntRange(1, 65535), metavar="端口", help="端口（默认 ssl 为 465，其他为 587）。"
)
@click.option(
    "--smtp-user",
    metavar="用户名",
    help="账号（不填则不登录，如单位内部的转发服务器）；密码从环境变量 XLTOOL_SMTP_PASSWORD 读取，没有时询问。",
)
@click.option("--tls", type=TLS_CHOICE, default="ssl", show_default=True, help="加密方式。")
@CAFILE
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果。")
@handle_errors
def reply(
    folder: Path,
    from_addr: str,
    send: bool,
    smtp_host: str | None,
    smtp_port: int | None,
    smtp_user: str | None,
    tls: str,
    cafile: Path | None,
    as_json: bool,
) -> None:
    """给每个单位起草（或发送）回复：校验结论、问题清单和标注了问题的报表。

    同一版本的同一结论只回复一次；没有邮箱地址的单位生成草稿，需人工发送。

    \b
    示例：
      xltool reply 2025年报                       只生成 .eml 草稿（replies/ 文件夹）
      XLTOOL_SMTP_PASSWORD=授权码 xltool reply 2025年报 --send --smtp-host smtp.qq.com --smtp-user gk@qq.com
    """
    from xltool.app.campaign import draft
    from xltool.app.campaign import send as run_send
    from xltool.app.wording import send_lines, send_summary
    from xltool.campaign.settings import load_campaign

    campaign = load_campaign(folder)
    drafted = draft(campaign, from_addr, option="--from")
    if not send:
        _report_drafts(drafted, as_json, folder)
        return
    settings = smtp_settings(campaign, smtp_host, smtp_port, smtp_user, tls)
    done = run_send(campaign, settings, cafile=cafile)
    if as_json:
        click.echo(json.dumps({**drafted.to_dict(), **done.to_dict()}, ensure_ascii=False, indent=2))
    else:
        for line in send_lines(done.result):
            click.secho(line.text, fg=SEND_COLOURS.get(line.kind))
        click.echo(send_summary(done.result))
    if not done.ok:
        sys.exit(1)


def _report_drafts(drafted: Any, as_json: bool, folder: Path) -> None:
    from xltool.app.wording import NO_DRAFTS, draft_line

    if as_json:
        click.echo(json.dumps(drafted.to_dict(), ensure_ascii=False, indent=2))
        return
    for d in drafted.drafts:
        click.echo(f"{draft_line(d)}：{d.eml_path}")
    if not drafted.drafts:
        click.echo(NO_DRAFTS)
    else:
        click.echo(f"已起草 {len(drafted.drafts)} 封回复，保存在 {folder / 'replies'}；发出请加 --send 及 SMTP 设置。")


def smtp_settings(campaign: Any, host: str | None, port: int | None, user: str | None, tls: str) -> Any:
    """The SMTP settings of a `--send` (reply, distribute, remind): the options given, the campaign's
    [mail] for the rest; the password from XLTOOL_SMTP_PASSWORD or a prompt, never an option."""
    from xltool.app.mail import mail_settings

    given = {"host": host or "", "port": str(port or ""), "user": user or "", "tls": tls}
    settings = mail_settings(campaign, "smtp", given, required=False)
    if not settings.host:
        raise click.UsageError("使用 --send 时请用 --smtp-host 指定发信服务器。")
    if settings.user:  # none: a relay without login
        password = _password("XLTOOL_SMTP_PASSWORD", f"{settings.user} 的邮箱密码（或授权码）")
        settings = dataclasses.replace(settings, password=password)
    return settings
