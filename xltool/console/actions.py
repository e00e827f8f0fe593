"""What each button does: the very library calls the command line makes, with the console's progress.

Nothing is decided here that the library does not decide for ``xltool collect``, ``reply``,
``aggregate`` and ``report``; each function returns the job's closing summary in Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xltool.campaign.collect import OUTCOMES, CollectResult
from xltool.campaign.settings import Campaign
from xltool.console.jobs import Reporter as Progress
from xltool.errors import XltoolError

REPORTS_DIR = "reports"  # every unit's report, as `xltool report DIR -o DIR/reports`
SUMMARY_DIR = "汇总"  # the county's totals
ANNOTATED_DIR = "annotated"  # annotated copies asked for on a unit's page
REPORT_FORMATS = ("docx", "html")


@dataclass(frozen=True)
class MailSettings:
    """IMAP or SMTP settings as the page sends them (defaults from the campaign's [mail])."""

    host: str
    port: int | None
    user: str
    password: str
    tls: str = "ssl"
    folder: str = "INBOX"


def mail_settings(campaign: Campaign, kind: str, form: dict[str, str]) -> MailSettings:
    """``kind`` "imap" or "smtp": what the page sent, else the campaign's settings."""
    m = campaign.mail

    def get(key: str, default: str = "") -> str:
        return (form.get(key) or "").strip() or str(m.get(f"{kind}_{key}", default))

    port = get("port")
    if port and not port.isdigit():
        raise XltoolError(f"端口“{port}”应为数字，如 993。")
    host = get("host")
    if not host:
        raise XltoolError(f"请填写{'收信（IMAP）' if kind == 'imap' else '发信（SMTP）'}服务器。")
    user = get("user")
    if kind == "imap" and not user:
        raise XltoolError("请填写邮箱账号。")
    return MailSettings(host, int(port) if port else None, user, form.get("password") or "", get("tls", "ssl"),
                        get("folder", "INBOX"))  # fmt: skip


def collect_lines(result: CollectResult, progress: Progress) -> str:
    """The items ``xltool collect`` prints, as the page's lines; the summary it ends with."""
    for item in result.items:
        if item.outcome == "known":
            continue
        who = item.unit or item.sender or "（无发件人）"
        text = f"[{OUTCOMES[item.outcome]}] {who}：{item.name or item.subject or '（无主题）'}"
        if item.version:
            text += f"（第 {item.version} 版{'，' + item.verdict if item.verdict else ''}）"
        if item.flag:
            text += f"——注意：{item.flag}"
        progress.line(text, "warn" if item.flag or item.outcome == "unmatched" else "")
    summary = "、".join(f"{OUTCOMES[k]} {n}" for k, n in result.counts().items() if n)
    return f"共处理 {result.messages} 封邮件：{summary or '没有新内容'}。"


def collect_imap(campaign: Campaign, s: MailSettings, progress: Progress) -> str:
    from xltool.campaign.collect import collect
    from xltool.campaign.sources import iter_imap

    messages = iter_imap(s.host, s.port, s.user, s.password, s.folder, s.tls)
    source = f"imap:{s.user}@{s.host}/{s.folder}"
    result = collect(campaign, messages, source, progress=lambda msg: progress.step(msg.subject))
    return collect_lines(result, progress)


def draft_all(campaign: Campaign, progress: Progress, unit: str | None = None) -> str:
    """``xltool reply``: a draft for every current version not yet answered (or only ``unit``'s)."""
    from xltool.campaign.register import VERDICT_ZH
    from xltool.campaign.reply import draft_replies, write_drafts

    sender = _sender(campaign)
    with campaign.register() as reg:
        drafts = draft_replies(reg, campaign.root, campaign.form(), from_addr=sender, county_name=campaign.county,
                               deadline=campaign.deadline, signature=campaign.reply_signature())  # fmt: skip
        drafts = [d for d in drafts if unit is None or d.unit == unit]
        written = write_drafts(reg, campaign.root, drafts)
    for d in written:
        to = d.to_addr or "没有邮箱地址，需人工发送"
        progress.line(f"[草稿] {d.unit}（{VERDICT_ZH[d.verdict]}）→ {to}", href=_unit_href(d.unit))
    if not written:
        return "没有需要回复的新版本。"
    return f"已起草 {len(written)} 封回复（保存在 replies 文件夹），可在各单位页面查看、修改和发送。"


def _sender(campaign: Campaign) -> str:
    sender = campaign.from_addr or str(campaign.mail.get("from", ""))
    if not sender:
        raise XltoolError(f"没有发件地址：请在 {campaign.root / 'xltool.toml'} 的 [mail] 中填写 from。")
    return sender


def send_pending(campaign: Campaign, s: MailSettings, progress: Progress, reply_id: int | None = None) -> str:
    """``xltool reply --send``: every draft not yet sent (or the one ``reply_id``)."""
    from xltool.campaign.reply import pending_drafts, send_replies

    with campaign.register() as reg:
        drafts = [d for d in pending_drafts(reg, campaign.root) if reply_id is None or d.reply_id == reply_id]
        if not drafts:
            return "没有待发送的回复。"
        progress.total(len(drafts))
        port = s.port or (465 if s.tls == "ssl" else 587)
        result = send_replies(reg, drafts, s.host, port, s.user or None, s.password or None, s.tls, None)
    for d in result.sent:
        progress.line(f"[已发送] {d.unit} → {d.to_addr}", "ok")
    for d, why in result.failed:
        progress.line(f"[发送失败] {d.unit} → {d.to_addr}：{why}", "bad")
    for d, why in result.unknown:
        progress.line(f"[结果不明] {d.unit} → {d.to_addr}：{why}（请到发件箱核实，不会自动重发）", "warn")
    for d, why in result.skipped:
        progress.line(f"[未发送] {d.unit}：{why}", "warn")
    return f"已发送 {len(result.sent)} 封，失败 {len(result.failed)} 封，未发送 {len(result.skipped)} 封。"


def aggregate_all(campaign: Campaign, progress: Progress) -> str:
    """``xltool aggregate DIR -o DIR/汇总/…xlsx``."""
    from xltool.campaign.aggregate import aggregate
    from xltool.campaign.aggregate_book import write_aggregate
    from xltool.campaign.status import campaign_status
    from xltool.campaign.status_files import number_text

    form = campaign.form()
    status = campaign_status(campaign, form=form)
    summed = aggregate(status, form)
    out = campaign.root / SUMMARY_DIR / f"{campaign.county}{campaign.year}年度汇总.xlsx"
    write_aggregate(summed, out, replace=True)
    progress.line(f"汇总表：{out.name}", "ok", href=file_href(campaign, out))
    applications = summed.applications()
    if applications is not None:
        progress.line(f"全县合计 {form.fields[form.role('applications')].label}：{number_text(applications)}")
    for x in summed.excluded:
        progress.line(f"未汇总 {x.unit}：{x.reason}", "warn", href=_unit_href(x.unit))
    if not summed.ok:
        progress.line(summed.inconsistency_text(), "bad")
    return f"已汇总 {len(summed.included)} 个单位的报表（名单共 {len(status.rows)} 个单位）。"


def report_jobs(campaign: Campaign, form: Any, only: str | None = None) -> tuple[list[Any], list[str]]:
    """(the current return of every unit as a report job, the units that sent nothing) — as
    ``xltool report DIR`` takes a campaign folder."""
    from xltool.report.batch import Job

    jobs, missing = [], []
    with campaign.register() as reg:
        for unit in reg.units():
            if only is not None and unit.name != only:
                continue
            current = reg.current(unit.id)
            if current is None:
                missing.append(unit.name)
                continue
            jobs.append(Job(campaign.root / current.stored_path, report_stem(campaign, form, unit.name), unit.name))
    return jobs, missing


def report_stem(campaign: Campaign, form: Any, unit: str) -> str:
    from xltool.workbook.write import template_filename

    return Path(template_filename(form, unit, campaign.year)).stem


def render_all(campaign: Campaign, progress: Progress, formats: Iterable[str] = REPORT_FORMATS,
               only: str | None = None) -> str:  # fmt: skip
    """``xltool report DIR -o DIR/reports --format docx,html --force``-less: returns with errors are
    refused and listed; existing reports of this folder are replaced by the new ones."""
    from xltool.report.batch import render_batch

    form = campaign.form()
    jobs, missing = report_jobs(campaign, form, only)
    if not jobs:
        raise XltoolError("还没有可生成报告的报表。" if only is None else f"“{only}”尚未报送报表。")
    progress.total(len(jobs))
    # one process: forking a threaded server can deadlock a child on a lock another thread held
    result = render_batch(form, jobs, campaign.root / REPORTS_DIR, list(formats), replace=True,
                          progress=lambda job: progress.step(job.unit), workers=1)  # fmt: skip
    for item in result.written:
        docx = next((p for p in item.paths if p.suffix == ".docx"), item.paths[0] if item.paths else None)
        progress.line(f"[已生成] {item.job.unit}", "ok", href=file_href(campaign, docx) if docx else "")
    for item in result.refused:
        progress.line(f"[未生成] {item.job.unit}：{item.refused}", "bad", href=_unit_href(item.job.unit))
    for unit in missing:
        progress.line(f"[未生成] {unit}：尚未报送", "warn")
    left = f"，另有 {len(missing)} 个单位尚未报送" if missing else ""
    return f"已生成 {len(result.written)} 份报告（{'、'.join(formats)}）；未生成 {len(result.refused)} 份{left}。"


def file_href(campaign: Campaign, path: Path) -> str:
    from urllib.parse import quote

    return "/file/" + quote(path.resolve().relative_to(campaign.root.resolve()).as_posix())


def _unit_href(unit: str) -> str:
    from urllib.parse import quote

    return "/unit/" + quote(unit, safe="")
