"""Sending out and reminding: one mail per unit with its template and the notice (``xltool
distribute``), and a reminder (``xltool remind``) to each unit that has not sent, must fix its
return, or must clear up a version held for review — naming what is missing.

Each mail answers a state of its unit (``notice``; ``missing`` and, once the deadline has passed,
``missing:overdue``; ``fix:<version>``; ``review:<version>``) and is kept once per unit, kind and
state (``mailbook``): a rerun drafts and sends nothing new, a unit whose state changed gets a new
reminder. Drafts are .eml files in ``<campaign>/notices/<unit>/``, never overwritten; a unit without
an address gets its draft too, for a person to send (需人工通知).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Any

from xltool.campaign.mailbook import MAILING_KINDS, Mailbook, Mailing
from xltool.campaign.register import Register, UnitRecord, UnitStatus
from xltool.campaign.reply import XLSX_TYPE
from xltool.campaign.settings import TEMPLATES, Campaign, default_signature
from xltool.campaign.smtp import Delivered, SmtpServer, address, deliver, message_id
from xltool.form.model import Form
from xltool.form.notice import Notice
from xltool.outputs import write_output
from xltool.workbook.filenames import safe_filename, template_filename

NOTICES_DIR = "notices"
# Who is reminded, by where the unit stands (UnitStatus.standing), and of what; a version held for
# review because the sender filled in another unit's template is the sender's to redo ("review").
REMINDED = {"missing": "missing", "fix": "fix"}
ABOUT_A_VERSION = ("fix", "review")  # reminders about the current version (its number is in the state)
STATE_ZH = {"notice": "下发通知", "missing": "未报送", "fix": "待修改", "review": "待核实"}


@dataclass(frozen=True)
class MailingDraft:
    """One unit's notice or reminder, as written (``eml_path``) and recorded (``mailing_id``)."""

    unit: str
    kind: str  # "distribute" | "remind"
    state: str
    to_addr: str  # "" when the unit has no address: a person sends it (需人工通知)
    subject: str
    message: EmailMessage
    attachment: str = ""  # the template's file name, "" when none is attached
    eml_path: Path | None = None
    mailing_id: int | None = None

    @property
    def manual(self) -> bool:
        return not self.to_addr

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "kind": self.kind, "state": self.state, "to": self.to_addr,
                "subject": self.subject, "attachment": self.attachment, "eml": str(self.eml_path or ""),
                "manual": self.manual}  # fmt: skip


@dataclass
class MailingRun:
    """What drafting found: the new drafts, the units mailed already for the same state, and the
    units left out with the reason (Chinese)."""

    kind: str
    drafted: list[MailingDraft] = field(default_factory=list)
    already: list[tuple[str, Mailing]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    manual: list[str] = field(default_factory=list)  # units due a mail and without an address: 需人工通知


# --- who is due what ------------------------------------------------------------------------------


def reminder_state(status: UnitStatus, overdue: bool) -> str | None:
    """The state a reminder to this unit would answer, None when the unit is not reminded."""
    current = status.current
    if current is not None and current.held and current.other_template:  # the unit must redo it
        return f"review:{current.version_no}"
    reason = REMINDED.get(status.standing)
    if reason is None:
        return None
    if reason == "missing":
        return "missing:overdue" if overdue else "missing"
    assert status.current is not None  # a standing about a version has one
    return f"{reason}:{status.current.version_no}"


def _open_problems(status: UnitStatus) -> list[Mapping[str, Any]]:
    """The problems the unit must still act on: errors, and warnings it has not explained; errors first."""
    problems = status.verdict.problems if status.verdict else ()
    return sorted((p for p in problems if not p.get("explanation")), key=lambda p: p.get("severity") != "error")


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _local_day(iso: str) -> dt.date:
    return dt.datetime.fromisoformat(iso).astimezone().date()


def text_values(campaign: Campaign, form: Form, today: dt.date) -> dict[str, Any]:
    """What the placeholders every unit's text shares are filled with (``form.notice``)."""
    deadline = campaign.deadline
    due = "按时" if deadline is None else "尽快" if today > deadline else f"于{_cn_date(deadline)}前"
    return {**campaign.when.names(), "county": campaign.county, "year": campaign.year, "form": form.name,
            "deadline": _cn_date(deadline) if deadline else "规定期限", "due": due,
            "office": campaign.signature.strip() or default_signature(campaign.county, form), "date": _cn_date(today)}  # fmt: skip


def _about_version(status: UnitStatus, *, needs_reply: bool) -> dict[str, Any] | str:
    """The values of a reminder about the current version, or why none can be sent yet (``needs_reply``:
    the reminder points to the reply, which must have gone out)."""
    assert status.current is not None
    reply = status.reply
    sent = reply is not None and reply.status == "sent" and bool(reply.sent_at)
    if needs_reply and not sent:
        return f"第 {status.current.version_no} 版的校验回复尚未发出：请先发送回复（xltool reply --send），再催报"
    problems = _open_problems(status)
    replied = f"{_cn_date(_local_day(reply.sent_at))}的回复邮件" if sent and reply and reply.sent_at else "校验回复"
    return {"version": status.current.version_no, "count": len(problems),
            "codes": "、".join(dict.fromkeys(str(p.get("code", "")) for p in problems)), "replied": replied}  # fmt: skip


def state_words(state: str) -> list[str]:
    """The state a mail answers in words: ["下发通知"], ["催报", "未报送", "已逾期"], ["催报", "待修改", "第2版"]."""
    reason, _, more = state.partition(":")
    if reason == "notice":
        return [STATE_ZH[reason]]
    return ["催报", STATE_ZH[reason], *(["已逾期"] if more == "overdue" else [f"第{more}版"] if more else [])]


# --- drafting -------------------------------------------------------------------------------------


def draft_mailings(
    campaign: Campaign, register: Register, book: Mailbook, kind: str, from_addr: str, today: dt.date | None = None
) -> MailingRun:
    """Draft (write and record) the mail of ``kind`` for every unit due one and not yet mailed for its state."""
    if kind not in MAILING_KINDS:
        raise ValueError(kind)
    today = today or dt.date.today()
    form = campaign.form()  # loaded once: a form takes a while to load and check
    notice, shared = campaign.notice(form), text_values(campaign, form, today)
    overdue = campaign.deadline is not None and today > campaign.deadline
    run = MailingRun(kind)
    for status in register.summary().units:
        state = "notice" if kind == "distribute" else reminder_state(status, overdue)
        if state is None:
            continue
        unit = status.unit
        found = book.find(unit.id, kind, state)
        prepared = _prepare(campaign, form, status, state, shared) if found is None else None
        if isinstance(prepared, str):
            run.skipped.append((unit.name, prepared))
            continue
        to_addr = address(unit.email) or (address(status.reply.to_addr) if status.reply else "")
        if not to_addr:
            run.manual.append(unit.name)
        if found is not None:
            run.already.append((unit.name, found))
            continue
        assert prepared is not None
        d = _compose(notice, kind, state, unit, to_addr, from_addr, *prepared)
        run.drafted.append(_keep(campaign.root, book, unit, d))
    return run


def _prepare(
    campaign: Campaign, form: Form, status: UnitStatus, state: str, shared: Mapping[str, Any]
) -> tuple[dict[str, Any], Path | None] | str:
    """The values of the unit's text and the template to attach (None: none), or why it gets no mail now."""
    reason = state.split(":")[0]
    template = campaign.root / TEMPLATES / template_filename(form, status.unit.name, campaign.when)
    values = {**shared, "unit": status.unit.name, "template": template.name}
    if reason in ABOUT_A_VERSION:
        more = _about_version(status, needs_reply=reason == "fix")
        if isinstance(more, str):
            return more
        values |= more
    if reason == "fix":  # the reply listed the problems and carried the annotated copy: no template
        return values, None
    if not template.is_file():
        return f"模板文件不存在：{TEMPLATES}/{template.name}（请用 xltool template 重新生成）"
    return values, template


def _compose(
    notice: Notice, kind: str, state: str, unit: UnitRecord, to_addr: str, from_addr: str,
    values: Mapping[str, Any], template: Path | None,
) -> MailingDraft:  # fmt: skip
    """The mail, as the replies are made: RFC 5322 headers, names encoded (RFC 2047, RFC 2231), UTF-8 text."""
    reason = state.split(":")[0]
    subject_key, body_key = ("subject", "body") if kind == "distribute" else ("remind_subject", f"remind_{reason}")
    subject = notice.fill(subject_key, values)
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = from_addr
    if to_addr:
        msg["To"] = formataddr((unit.name, to_addr))
    msg["Subject"] = subject
    msg["Date"] = format_datetime(dt.datetime.now().astimezone())
    msg["Message-ID"] = message_id(from_addr)
    msg.set_content(notice.fill(body_key, values), charset="utf-8", cte="base64")
    if template is not None:
        msg.add_attachment(template.read_bytes(), *XLSX_TYPE, filename=template.name)
    return MailingDraft(unit.name, kind, state, to_addr, subject, msg, template.name if template else "")


def _keep(root: Path, book: Mailbook, unit: UnitRecord, d: MailingDraft) -> MailingDraft:
    """The draft written (a new file, never over one) and then recorded: a kill between the two leaves
    a file the register does not know, and the rerun writes the next name."""
    label = "_".join(state_words(d.state))
    folder = root / NOTICES_DIR / safe_filename(unit.file_stem)
    path, n = folder / f"{label}.eml", 1
    while path.exists() or path.is_symlink():
        n += 1
        path = folder / f"{label}（{n}）.eml"
    write_output(path, lambda tmp: tmp.write_bytes(d.message.as_bytes()))
    rel = path.relative_to(root).as_posix()
    mailing = book.add(unit.id, d.kind, d.state, to_addr=d.to_addr, subject=d.subject, eml_path=rel)
    return replace(d, eml_path=path, mailing_id=mailing.id if mailing else None)


# --- sending --------------------------------------------------------------------------------------


def pending_mailings(root: Path, register: Register, book: Mailbook, kind: str) -> list[MailingDraft]:
    """The drafts of ``kind`` with an address not yet sent (failed ones too), read back from their .eml."""
    out = []
    for m in book.mailings(kind, "draft", "failed"):
        path = Path(root) / m.eml_path
        if not m.to_addr or not path.is_file():
            continue
        msg = BytesParser(policy=policy.SMTP).parsebytes(path.read_bytes())
        assert isinstance(msg, EmailMessage)
        attached = next((str(a.get_filename() or "") for a in msg.iter_attachments()), "")
        unit = register.unit(m.unit_id).name
        out.append(MailingDraft(unit, m.kind, m.state, m.to_addr, m.subject, msg, attached, path, m.id))
    return out


class _Ledger:
    """The mailings table as ``deliver`` records each mail."""

    def __init__(self, book: Mailbook) -> None:
        self.book = book

    def claim(self, d: MailingDraft) -> bool:
        return d.mailing_id is not None and self.book.claim(d.mailing_id)

    def sent(self, d: MailingDraft, answer: str) -> None:
        self.book.mark_sent(d.mailing_id or 0, answer)

    def failed(self, d: MailingDraft, answer: str) -> None:
        self.book.mark_failed(d.mailing_id or 0, answer)

    def unknown(self, d: MailingDraft, answer: str) -> None:
        self.book.mark_unknown(d.mailing_id or 0, answer)


def still_due(
    campaign: Campaign, statuses: Mapping[str, UnitStatus], d: MailingDraft, today: dt.date | None = None
) -> bool:
    """Whether a reminder drafted earlier still answers its unit's state (``statuses``: by unit name;
    a unit that has sent since is not reminded of it); a notice always is."""
    if d.kind == "distribute":
        return True
    today = today or dt.date.today()
    overdue = campaign.deadline is not None and today > campaign.deadline
    return (
        reminder_state(statuses[d.unit], overdue) == d.state
    )  # a reminder drafted before the deadline is not sent after it


def send_mailings(book: Mailbook, drafts: Sequence[MailingDraft], server: SmtpServer) -> Delivered[MailingDraft]:
    """Each draft through SMTP at most once (``deliver``); the mailings table says what was sent."""
    return deliver(list(drafts), _Ledger(book), server)
