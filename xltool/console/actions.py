"""What each button does: the use case of ``xltool.app`` the command line calls too, its result
rendered as the console's lines (with a tone and a link) and a closing summary in Chinese."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from xltool.app import campaign as use
from xltool.app import wording
from xltool.app.mail import MailSettings, MailSource
from xltool.app.mailings import mail_units
from xltool.app.overview import aggregate_campaign
from xltool.app.reports import REPORT_FORMATS, report_campaign
from xltool.campaign.collect import CollectResult
from xltool.campaign.settings import Campaign
from xltool.console.jobs import Reporter

TONES = {"sent": "ok", "failed": "bad", "unknown": "warn", "skipped": "warn", "refused": "bad", "missing": "warn",
         "unchecked": "bad"}  # fmt: skip


def collect_lines(result: CollectResult, progress: Reporter) -> str:
    """The items ``xltool collect`` prints, as the page's lines; the summary it ends with."""
    for item in result.items:
        if item.outcome == "known":
            continue
        text = wording.collect_item(item) + (f"——注意：{item.flag}" if item.flag else "")
        progress.line(text, "warn" if item.flag or item.outcome == "unmatched" else "")
    return wording.collect_summary(result)


def collect_imap(campaign: Campaign, s: MailSettings, progress: Reporter) -> str:
    return collect_lines(use.collect(campaign, MailSource(imap=s), progress), progress)


def draft_all(campaign: Campaign, progress: Reporter, unit: str | None = None) -> str:
    """``xltool reply``: a draft for every current version not yet answered (or only ``unit``'s)."""
    done = use.draft(campaign, unit=unit)
    for d in done.drafts:
        progress.line(wording.draft_line(d), href=_unit_href(d.unit))
    if not done.drafts:
        return wording.NO_DRAFTS
    return f"已起草 {len(done.drafts)} 封回复（保存在 replies 文件夹），可在各单位页面查看、修改和发送。"


def send_pending(campaign: Campaign, s: MailSettings, progress: Reporter, reply_id: int | None = None) -> str:
    """``xltool reply --send``: every draft not yet sent (or the one ``reply_id``)."""
    done = use.send(campaign, s, reply_id=reply_id, progress=progress)
    if not done.pending:
        return wording.NO_PENDING
    for line in wording.send_lines(done.result):
        progress.line(line.text, TONES[line.kind])
    return wording.send_summary(done.result)


def aggregate_all(campaign: Campaign, progress: Reporter) -> str:
    """``xltool aggregate DIR -o DIR/汇总/…xlsx``."""
    done = aggregate_campaign(campaign)
    progress.line(f"汇总表：{done.out.name}", "ok", href=file_href(campaign, done.out))
    if (applications := wording.applications_line(done.summed, done.form)) is not None:
        progress.line(applications)
    for x in done.summed.excluded:
        progress.line(f"未汇总 {x.unit}：{x.reason}", "warn", href=_unit_href(x.unit))
    if not done.ok:
        progress.line(done.summed.inconsistency_text(), "bad")
    return wording.aggregate_counted(done.summed, len(done.status.rows))


def render_all(campaign: Campaign, progress: Reporter, formats: Iterable[str] = REPORT_FORMATS,
               only: str | None = None, allow_errors: bool = False) -> str:  # fmt: skip
    """``xltool report DIR -o DIR/reports --format docx,html``: returns with errors are refused and
    listed (rendered, marked 未通过校验 and named with ``allow_errors``: the page's own checkbox);
    existing reports of this folder are replaced by the new ones."""
    done = report_campaign(campaign, list(formats), only=only, progress=progress, allow_errors=allow_errors)
    for item in done.result.written:
        docx = next((p for p in item.paths if p.suffix == ".docx"), item.paths[0] if item.paths else None)
        progress.line(f"[已生成] {item.job.unit}", "ok", href=file_href(campaign, docx) if docx else "")
    for line in wording.report_lines(done.result, done.missing):
        linked = line.kind in ("refused", "unchecked")
        progress.line(line.text, TONES[line.kind], href=_unit_href(line.unit) if linked else "")
    return wording.report_summary(done.result, done.formats, done.missing)


def mail_all(campaign: Campaign, kind: str, settings: MailSettings | None, progress: Reporter) -> str:
    """``xltool distribute`` / ``xltool remind`` (with ``settings``: ``--send``)."""
    done = mail_units(campaign, kind, settings, progress=progress)
    for line in done.lines():
        progress.line(line.text, TONES.get(line.kind, ""), href=_unit_href(line.unit) if line.unit else "")
    return done.summary()


def file_href(campaign: Campaign, path: Path) -> str:
    from urllib.parse import quote

    return "/file/" + quote(path.resolve().relative_to(campaign.root.resolve()).as_posix())


def _unit_href(unit: str) -> str:
    from urllib.parse import quote

    return "/unit/" + quote(unit, safe="")
