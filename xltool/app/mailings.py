"""``xltool distribute`` and ``xltool remind``: the notice with each unit's template, and the
reminders to the units that have not sent or must still act — drafted, and with SMTP settings sent.

A mail is drafted once per unit and state and sent at most once (campaign/mailings); a reminder
drafted earlier whose unit has moved on since is not sent. Units without an address are listed as
需人工通知, with the draft a person sends by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xltool.app.mail import MailSettings, sender
from xltool.app.progress import SILENT, Progress
from xltool.app.wording import Line
from xltool.campaign.mailbook import MAILING_KINDS, Mailbook
from xltool.campaign.mailings import (
    MailingDraft,
    MailingRun,
    draft_mailings,
    pending_mailings,
    send_mailings,
    state_words,
    still_due,
)
from xltool.campaign.settings import Campaign
from xltool.campaign.smtp import Delivered, SmtpServer
from xltool.campaign.status import local_time

MANUAL = "需人工通知"
ALREADY = {"draft": "已起草，尚未发出", "failed": "上次发送失败，将再次发送", "sending": "发送结果不明，需人工核实（不会自动重发）",
           "sent": "已发出"}  # fmt: skip


@dataclass
class MailingDone:
    """A run of ``distribute`` or ``remind``: what was drafted, found mailed already, left out, and
    (with SMTP settings) sent, refused, in doubt, or not sent because the unit moved on."""

    run: MailingRun
    folder: Path
    sending: bool = False
    delivered: Delivered[MailingDraft] = field(default_factory=Delivered)
    stale: list[MailingDraft] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.run.kind

    @property
    def ok(self) -> bool:
        """Nothing failed and nothing is in doubt (units for a person to notify are no failure)."""
        return not (self.delivered.failed or self.delivered.unknown)

    def to_dict(self) -> dict[str, Any]:
        d, run = self.delivered, self.run
        pair = lambda m, why: {"unit": m.unit, "to": m.to_addr, "reason": why}  # noqa: E731
        return {
            "kind": self.kind,
            "drafted": [m.to_dict() for m in run.drafted],
            "already": [{"unit": u, **m.to_dict()} for u, m in run.already],
            "skipped": [{"unit": u, "reason": why} for u, why in run.skipped],
            "manual": list(run.manual),
            "sent": [{"unit": m.unit, "to": m.to_addr} for m in d.sent],
            "failed": [pair(m, why) for m, why in d.failed],
            "unknown": [pair(m, why) for m, why in d.unknown],
            "stale": [{"unit": m.unit, "state": m.state} for m in self.stale],
        }

    def lines(self) -> list[Line]:
        """One Chinese line per unit that something happened to (the kinds as ``wording.send_lines``)."""
        run, d, what = self.run, self.delivered, MAILING_KINDS[self.kind]
        lines = [_drafted(m, self.folder) for m in run.drafted]
        for unit, m in run.already:
            when = f"已于 {local_time(m.sent_at)} 发出" if m.status == "sent" and m.sent_at else ALREADY[m.status]
            lines.append(Line(f"[已有] {unit}：{_label(m.state)}{when}，同一情况不重复发送", "", unit))
        lines += [Line(f"[未起草] {unit}：{why}", "skipped", unit) for unit, why in run.skipped]
        lines += [Line(f"[已发送] {m.unit} → {m.to_addr}", "sent", m.unit) for m in d.sent]
        lines += [Line(f"[发送失败] {m.unit} → {m.to_addr}：{why}", "failed", m.unit) for m, why in d.failed]
        lines += [
            Line(f"[结果不明] {m.unit} → {m.to_addr}：{why}（请到发件箱核实，不会自动重发）", "unknown", m.unit)
            for m, why in d.unknown
        ]
        lines += [Line(f"[未发送] {m.unit}：情况已变化，这封{what}不再发送", "skipped", m.unit) for m in self.stale]
        already = {u for u, _ in run.already}  # the new drafts of units without an address say so themselves
        lines += [
            Line(f"[{MANUAL}] {u}：没有邮箱地址，请按草稿人工通知", "missing", u) for u in run.manual if u in already
        ]
        return lines

    def summary(self) -> str:
        run, what = self.run, MAILING_KINDS[self.kind]
        text = f"{what}：新起草 {len(run.drafted)} 封"
        if self.sending:
            d = self.delivered
            text += f"，已发送 {len(d.sent)} 封，失败 {len(d.failed)} 封"
        text += f"，已有 {len(run.already)} 个单位发过（或已起草），{len(run.skipped)} 个单位未起草"
        if run.manual:
            text += f"；{MANUAL} {len(run.manual)} 个单位：{'、'.join(run.manual)}"
        return text + "。"


def _label(state: str) -> str:
    """ "下发通知", "催报：未报送，已逾期", "催报：待修改，第2版"."""
    first, *rest = state_words(state)
    return first + ("（" + "，".join(rest) + "）" if rest else "")


def _drafted(m: MailingDraft, folder: Path) -> Line:
    where = m.eml_path.relative_to(folder).as_posix() if m.eml_path else ""
    if m.manual:
        return Line(f"[{MANUAL}] {m.unit}：没有邮箱地址，草稿 {where}", "missing", m.unit)
    return Line(f"[草稿] {m.unit}（{_label(m.state)}）→ {m.to_addr}：{where}", "", m.unit)


def distribute(
    campaign: Campaign, settings: MailSettings | None = None, *, from_addr: str = "", option: str = "",
    cafile: Path | None = None, today: dt.date | None = None, progress: Progress = SILENT,
) -> MailingDone:  # fmt: skip
    """``xltool distribute``: each unit's template with the notice; sent when ``settings`` are given."""
    return mail_units(campaign, "distribute", settings, from_addr=from_addr, option=option, cafile=cafile,
                      today=today, progress=progress)  # fmt: skip


def remind(
    campaign: Campaign, settings: MailSettings | None = None, *, from_addr: str = "", option: str = "",
    cafile: Path | None = None, today: dt.date | None = None, progress: Progress = SILENT,
) -> MailingDone:  # fmt: skip
    """``xltool remind``: a reminder to each unit not sent (未报送) or to fix (待修改), naming what is missing."""
    return mail_units(campaign, "remind", settings, from_addr=from_addr, option=option, cafile=cafile,
                      today=today, progress=progress)  # fmt: skip


def mail_units(
    campaign: Campaign, kind: str, settings: MailSettings | None, *, from_addr: str = "", option: str = "",
    cafile: Path | None = None, today: dt.date | None = None, progress: Progress = SILENT,
) -> MailingDone:  # fmt: skip
    """Draft the mails of ``kind`` due; with ``settings``, send every one not yet sent."""
    address = sender(campaign, from_addr, option=option)
    with campaign.register() as reg, Mailbook(reg.path) as book:
        run = draft_mailings(campaign, reg, book, kind, address, today)
        done = MailingDone(run, campaign.root, sending=settings is not None)
        if settings is None:
            return done
        pending = pending_mailings(campaign.root, reg, book, kind)
        statuses = {s.unit.name: s for s in reg.summary().units}
        done.stale = [m for m in pending if not still_due(campaign, statuses, m, today)]
        todo = [m for m in pending if m not in done.stale]
        progress.total(len(todo))
        s = settings
        server = SmtpServer(s.host, s.smtp_port(), s.user or None, s.password or None, s.tls, cafile)
        done.delivered = send_mailings(book, todo, server)
        for m in done.delivered.sent:
            progress.step(m.unit)
    return done
