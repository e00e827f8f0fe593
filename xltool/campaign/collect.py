"""``xltool collect``: messages from a mail source into the campaign register, every return verified.

For each message: the raw bytes are kept (``mail/``), every workbook found in it (also inside
forwards and zips) is tied to a unit — by the unit its ``_meta`` names, else by the sender's address
in the roster, else by the file name; never by a guess — and stored as a version of that unit's
return (``returns/<unit>/``) or, when no unit is certain, under ``unmatched/``. Files are written
first (atomically, at paths named by their content), then the message, its attachments and versions
are recorded in one transaction; versions not yet verified are verified at the end. A rerun — also
after a kill at any point — adds nothing that is there and finishes what was not.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from xltool.campaign.mail import Attachment, MailMessage, parse_message
from xltool.campaign.peers import refresh_peers
from xltool.campaign.records import WRONG_TEMPLATE
from xltool.campaign.register import Register, UnitRecord, mail_path, now_iso, return_path, store_bytes
from xltool.campaign.settings import Campaign
from xltool.checks.outliers import figure_keys
from xltool.checks.verify import Facts, VerifyOptions, facts_of, facts_of_result, verify_stream
from xltool.errors import XltoolError
from xltool.form.model import Form
from xltool.workbook.files import collect_paths
from xltool.workbook.limits import MAX_FILE_BYTES
from xltool.workbook.meta import MAGIC, read_meta
from xltool.workbook.read import read_return
from xltool.workbook.sniff import sniff
from xltool.workbook.xlsx import read_xlsx

UNMATCHED = "unmatched"
# How each attachment ended, for the closing summary (keys) and the clerk (Chinese).
OUTCOMES = {
    "new": "新收到",
    "duplicate": "重复",
    "unmatched": "无法识别单位",
    "other": "非表格附件",
    "known": "已是最新",
    "empty": "无附件邮件",
}


@dataclass(frozen=True)
class Item:
    """One attachment (or one message without any) and what became of it."""

    outcome: str  # a key of OUTCOMES
    sender: str
    subject: str
    name: str = ""
    unit: str = ""
    what: str = ""
    flag: str = ""
    version: int | None = None
    verdict: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "outcome_zh": OUTCOMES[self.outcome],
            "sender": self.sender,
            "subject": self.subject,
            "name": self.name,
            "unit": self.unit,
            "what": self.what,
            "flag": self.flag,
            "version": self.version,
            "verdict": self.verdict,
        }


@dataclass
class CollectResult:
    messages: int = 0
    items: list[Item] = field(default_factory=list)
    verified: int = 0

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(OUTCOMES, 0)
        for item in self.items:
            out[item.outcome] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "counts": self.counts(),
            "verified": self.verified,
            "items": [i.to_dict() for i in self.items],
        }


def collect(
    campaign: Campaign,
    messages: Iterable[bytes],
    source: str,
    progress: Callable[[MailMessage], None] | None = None,
) -> CollectResult:
    """Take every message of ``messages`` (raw bytes from one source, described by ``source``) into
    the campaign's register; verify every version that has no verdict yet."""
    result = CollectResult()
    new_versions: dict[int, str] = {}  # submission id -> unit, to fill in verdicts on the items
    unit_field = _unit_field(campaign)
    with campaign.register() as reg:
        units = reg.units()
        for raw in messages:
            msg = parse_message(raw)
            result.messages += 1
            result.items += _take(campaign.root, reg, units, msg, source, new_versions, unit_field)
            if progress:
                progress(msg)
        verdicts = verify_pending(campaign, reg)
        result.verified = len(verdicts)
    result.items = [
        replace(i, verdict=verdicts.get((i.unit, i.version), "")) if i.outcome == "new" else i for i in result.items
    ]
    return result


def _unit_field(campaign: Campaign) -> str:
    """The form's field of the unit's typed name ("" when the form cannot be loaded: collect still
    runs, and verify names the problem)."""
    try:
        return campaign.form().role("unit_name")
    except XltoolError:
        return ""


def _take(
    root: Path,
    reg: Register,
    units: list[UnitRecord],
    msg: MailMessage,
    source: str,
    new: dict[int, str],
    unit_field: str = "",
) -> list[Item]:
    if reg.has_message(msg.message_id, msg.sha256):
        return [Item("known", msg.sender, msg.subject)]
    store_bytes(root, mail_path(msg.sha256), msg.raw)  # files first: a kill leaves no record of a missing file
    placed = [(a, *_place(root, units, msg, a, unit_field)) for a in msg.attachments]
    items: list[Item] = []
    received = msg.date or datetime.now(UTC)
    with reg.transaction():
        message_row = reg.add_message(
            msg.message_id,
            msg.sha256,
            sender=msg.sender,
            sender_name=msg.sender_name,
            subject=msg.subject,
            date=msg.date.isoformat() if msg.date else None,
            refs=msg.references,
            received_at=now_iso(),
            source=source,
            raw_path=mail_path(msg.sha256),
            note="" if msg.attachments else "邮件没有附件",
        )
        for a, unit, how, flag, review, stored, named in placed:
            attachment_row = reg.add_attachment(
                message_row,
                name=a.name,
                safe_name=a.safe_name,
                sha256=a.sha256,
                kind=a.kind,
                what=a.what,
                via=a.via,
                stored_path=stored,
                unit=unit.name if unit else None,
                match=how,
                flag=flag or None,
                named=named,
            )
            item = Item("other", msg.sender, msg.subject, name=a.name or a.safe_name, what=a.what, flag=flag)
            if a.kind != "workbook":
                items.append(item)
            elif unit is None or stored is None:
                items.append(replace(item, outcome="unmatched"))
            else:
                review = review or _same_file(reg, unit, a.sha256)
                sub = reg.add_submission(unit.name, attachment_row, a.sha256, received, stored, review=review)
                if sub is None:
                    items.append(replace(item, outcome="duplicate", unit=unit.name))
                else:
                    new[sub.id] = unit.name
                    shown = _held_flag(item.flag, review)
                    items.append(replace(item, outcome="new", unit=unit.name, version=sub.version_no, flag=shown))
    return items or [Item("empty", msg.sender, msg.subject)]


def _held_flag(flag: str, review: str) -> str:
    """What the clerk is told of a version held for review."""
    if not review:
        return flag
    return f"{flag or review}；已记为待核实，不会替换没有错误的当前版本，请用 xltool versions 查看并处理"


def _same_file(reg: Register, unit: UnitRecord, sha256: str) -> str:
    """The review note of a file another unit sent too ("" when none did)."""
    others = reg.same_file_units(sha256, unit.id)
    return f"与{'、'.join(others)}报送的文件完全相同" if others else ""


def _place(
    root: Path, units: list[UnitRecord], msg: MailMessage, a: Attachment, unit_field: str = ""
) -> tuple[UnitRecord | None, str, str, str, str | None, str | None]:
    """(unit, how it was matched, flag, review note, stored path, the unit its ``_meta`` names) of one
    attachment; the workbook is stored."""
    if a.kind != "workbook":
        return None, "none", "", "", None, None  # kept inside the raw message, which is stored
    names = workbook_names(a.data, unit_field)  # read once: matching, and the board's list of strays
    unit, how, flag, review = identify(units, msg, a, unit_field, names)
    suffix = Path(a.safe_name).suffix.lower() or ".xlsx"
    rel = return_path(unit.file_stem, a.sha256, suffix) if unit else f"{UNMATCHED}/{a.sha256[:12]}{suffix}"
    store_bytes(root, rel, a.data)
    return unit, how, flag, review, rel, names[0]


def identify(
    units: list[UnitRecord],
    msg: MailMessage,
    a: Attachment,
    unit_field: str = "",
    names: tuple[str, str] | None = None,
) -> tuple[UnitRecord | None, str, str, str]:
    """Whose return this is: (unit or None, "meta" | "sender" | "filename" | "none", flag, review
    note). The workbook's own ``_meta`` first, then the sender's address, then the file name — each
    only when it points at exactly one roster unit. A workbook naming one unit and sent by another's
    address is held for review (待核实): as the sender's when the name typed in it is the sender's
    too (another unit's template filled in), else as the unit it names (a file sent by mistake).
    ``names``: ``workbook_names`` of the attachment, when the caller has read them."""
    by_sender = unit_of_address(units, msg.sender)
    named, typed = names if names is not None else workbook_names(a.data, unit_field)
    if named:
        unit = _one([u for u in units if _key(u.name) == _key(named)])
        if unit is None:
            return None, "none", f"报表中的单位“{named}”不在单位名单中", ""
        if by_sender is None or by_sender.id == unit.id:
            return unit, "meta", "", ""
        if _names(typed, by_sender.name) and not _names(typed, unit.name):
            flag = f"{by_sender.name}用了“{unit.name}”的模板（发件邮箱和填写的单位名称都是{by_sender.name}的），请核实"
            return by_sender, "sender", flag, WRONG_TEMPLATE.format(unit=unit.name)
        flag = f"报表中的单位为“{unit.name}”，发件邮箱却是“{by_sender.name}”的（{msg.sender}），请核实"
        return unit, "meta", flag, f"由{by_sender.name}的邮箱（{msg.sender}）发来"
    if by_sender is not None:
        return by_sender, "sender", "报表中没有模板的隐藏信息，按发件人邮箱认定单位", ""
    name = _key(a.name or a.safe_name)
    by_name = [u for u in units if _key(u.name) in name or (u.file_stem and _key(u.file_stem) in name)]
    longest = max((len(u.name) for u in by_name), default=0)
    unit = _one([u for u in by_name if len(u.name) == longest])
    if unit is not None:
        return unit, "filename", "报表中没有模板的隐藏信息，按文件名认定单位，请核实", ""
    return None, "none", "无法确定是哪个单位的报表（模板隐藏信息、发件邮箱和文件名都对不上名单）", ""


def workbook_unit(data: bytes) -> str:
    """The unit a workbook's ``_meta`` names ("" when it has none or cannot be read safely)."""
    return workbook_names(data)[0]


def workbook_names(data: bytes, unit_field: str = "") -> tuple[str, str]:
    """(the unit a workbook's ``_meta`` names, the unit name typed in its field ``unit_field``);
    "" for what it lacks or when it cannot be read safely."""
    if len(data) > MAX_FILE_BYTES or not sniff(data, ".xlsx").ok:
        return "", ""
    try:
        book = read_xlsx(data)
        meta, fields = read_meta(book)
    except Exception:  # noqa: BLE001 - an unreadable workbook names no unit; verify says why it is unreadable
        return "", ""
    if meta.get("magic") != MAGIC:
        return "", ""
    where = next((f for f in fields if f.key == unit_field), None) if unit_field else None
    cell = book.sheets[where.sheet].cells.get(where.cell) if where and where.sheet in book.sheets else None
    typed = cell.value if cell is not None and isinstance(cell.value, str) else ""
    return str(meta.get("unit", "")).strip(), typed.strip()


def _names(typed: str, unit: str) -> bool:
    """Whether a typed unit name is this unit's (the full name, or a part of it such as 财政局)."""
    a, b = _key(typed), _key(unit)
    return bool(a) and (a in b or b in a)


def verify_pending(campaign: Campaign, reg: Register) -> dict[tuple[str, int | None], str]:
    """Verify every version without a verdict (keeping its facts), fill in the facts a register of an
    older xltool lacks, then put the peer checks (G1) in the current verdicts; (unit, version
    number) -> verdict."""
    pending = reg.unverified()
    if not pending and not reg.lacks_facts():
        return {}
    form = campaign.form()
    previous = collect_paths([Path(campaign.previous)]) if campaign.previous else []
    options = VerifyOptions(year=campaign.year, roster=campaign.roster(form), previous=previous, period=campaign.when)
    paths = [campaign.root / s.stored_path for s in pending]
    for sub, result in zip(pending, verify_stream(paths, form, options), strict=True):
        facts = facts_of_result(form, result)
        reg.set_verdict(sub.id, result.to_dict(), form_id=form.id, form_version=form.version, facts=facts)
    fill_facts(campaign.root, reg, form)
    refresh_peers(reg, form)
    return {(s.unit_name, s.version_no): v.zh for s in pending if (v := reg.verdict(s.id)) is not None}


def fill_facts(root: Path, reg: Register, form: Form) -> None:
    """The facts of versions checked, and the units named by workbooks left unmatched, by an older
    xltool (read here once, so that status need not read them again)."""
    for sub in reg.versions_without_facts():
        try:
            facts = facts_of(form, read_return(root / sub.stored_path, form))
        except Exception:  # noqa: BLE001 - one file never sinks a batch: no numbers, as reading it gives
            facts = Facts({}, "", {}, figure_keys(form))
        reg.set_facts(sub.id, facts)
    for row in reg.stray_rows()[0]:
        if row.named is None:
            path = root / row.stored_path if row.stored_path else None
            reg.set_named(row.attachment_id, workbook_unit(path.read_bytes()) if path and path.is_file() else "")


def unit_of_address(units: list[UnitRecord], sender: str) -> UnitRecord | None:
    """The roster unit whose address sent a message (None when none or several)."""
    address = sender.strip().lower()
    return _one([u for u in units if u.email and address and _addresses(u.email) & {address}])


def _one(units: list[UnitRecord]) -> UnitRecord | None:
    return units[0] if len(units) == 1 else None


def _addresses(text: str) -> set[str]:
    """A roster cell may list several addresses ("a@x.cn；b@y.cn")."""
    for sep in "；;，, \n":
        text = text.replace(sep, " ")
    return {part.strip().lower() for part in text.split() if "@" in part}


def _key(text: str) -> str:
    """Names compared without width, case, spaces or the Unicode form they were typed in."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())
