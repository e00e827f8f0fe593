"""The records of the campaign register, as the library hands them out (never raw sqlite rows), and
the Chinese words for their states."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

VERDICT_ZH = {"pass": "通过", "warn": "有警告", "fix": "待修改"}
REPLY_STATUSES = ("draft", "sending", "sent", "failed")  # "sending": claimed, the server's answer not yet known
STATE_ZH = {
    "missing": "未报送",
    "unchecked": "待校验",
    "unanswered": "待回复",
    "draft": "回复草稿待发送",
    "manual": "需人工发送（没有邮箱地址）",
    "sending": "发送结果不明，需人工核实",
    "failed": "发送失败",
    "sent": "已回复",
}
# Where a unit stands with its return (xltool status), in the order a clerk works through them: the
# units to call first. Unlike STATE_ZH (how far the answer to the unit has got) this is the verdict.
# The note collect gives a version filled in another unit's template (see ``other_template``).
WRONG_TEMPLATE = "用了{unit}的模板"
WRONG_TEMPLATE_NOTE = re.compile(re.escape(WRONG_TEMPLATE).replace(re.escape("{unit}"), "(.+)"))
STANDING_ZH = {"missing": "未报送", "unchecked": "待校验", "fix": "待修改", "warn": "有警告", "pass": "已通过"}


@dataclass(frozen=True)
class UnitRecord:
    id: int
    name: str
    unit_type: str
    email: str
    contact: str
    file_stem: str


DROPPED_SOURCE = "upload"  # a file dropped on the console ("upload:<file names>"), not a mail


@dataclass(frozen=True)
class Message:
    id: int
    message_id: str | None  # the Message-ID header (None when the mail had none)
    sha256: str
    sender: str
    sender_name: str
    subject: str
    date: str | None
    refs: str  # the References header
    received_at: str
    source: str
    raw_path: str | None
    note: str

    @property
    def dropped(self) -> bool:
        """A file dropped on the console: no unit wrote this message, nobody is answered on its thread."""
        return self.source.split(":", 1)[0] == DROPPED_SOURCE


@dataclass(frozen=True)
class Attachment:
    id: int
    message_id: int  # the messages row, not the header
    name: str
    safe_name: str
    sha256: str
    kind: str
    what: str
    via: str
    stored_path: str | None
    unit_id: int | None
    match: str
    flag: str | None
    named: str | None = None  # the unit a workbook's _meta names ("" none; None: not read, an older register)


@dataclass(frozen=True)
class Submission:
    id: int
    unit_id: int
    unit_name: str
    attachment_id: int
    sha256: str
    received: str  # ISO 8601, UTC
    stored_path: str  # relative to the campaign folder
    version_no: int
    review: str = ""  # why collect held it for the clerk (待核实), "" when it did not
    confirmed: int = 0  # 1: the clerk chose it (``versions --use``) or gave it to its unit (``--move``)
    voided: int = 0  # 1: set aside by the clerk (kept, never counts)

    @property
    def held(self) -> bool:
        """待核实: held for review and not yet confirmed by the clerk."""
        return bool(self.review) and not self.confirmed

    @property
    def other_template(self) -> str:
        """The unit whose template the sender filled in ("" when none): the sender must act (redo it
        in its own template), where other held versions wait for the clerk."""
        found = WRONG_TEMPLATE_NOTE.fullmatch(self.review)
        return found.group(1) if found else ""


ACTION_ZH = {"use": "设为当前版本", "void": "作废", "move": "移交"}


@dataclass(frozen=True)
class Action:
    """A decision of the clerk on a version (``xltool versions``), as the register keeps it."""

    id: int
    at: str  # ISO 8601, UTC
    action: str  # a key of ACTION_ZH
    submission_id: int
    unit_id: int
    unit_name: str  # the unit the version belonged to when the action was taken
    version_no: int
    to_unit_name: str | None  # a move: the unit it was given to, and its number there
    to_version_no: int | None
    reason: str
    seen: int  # the last version recorded when it was taken

    def line(self) -> str:
        """One line in Chinese, for ``xltool versions`` and the unit page."""
        what = f"{ACTION_ZH[self.action]}第 {self.version_no} 版"
        if self.action == "move":
            what = f"把{self.unit_name}的第 {self.version_no} 版移交给{self.to_unit_name}（成为第 {self.to_version_no} 版）"
        return f"{self.at}  {what}，理由：{self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "action": self.action,
            "action_zh": ACTION_ZH[self.action],
            "unit": self.unit_name,
            "version": self.version_no,
            "to_unit": self.to_unit_name,
            "to_version": self.to_version_no,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Verdict:
    submission_id: int
    verdict: str  # "pass" | "warn" | "fix"
    errors: int
    warnings: int
    problems: tuple[dict[str, Any], ...]  # Problem.to_dict() of each problem
    checked_at: str
    form_id: str
    form_version: str

    @property
    def zh(self) -> str:
        return VERDICT_ZH[self.verdict]


@dataclass(frozen=True)
class Reply:
    id: int
    submission_id: int
    verdict: str
    to_addr: str
    subject: str
    eml_path: str | None
    status: str  # "draft" | "sending" | "sent" | "failed"
    server_answer: str
    attempts: int
    created_at: str
    sent_at: str | None

    @property
    def manual(self) -> bool:
        """No address to send to: a person sends the draft (需人工发送)."""
        return self.status != "sent" and not self.to_addr


@dataclass(frozen=True)
class UnitStatus:
    unit: UnitRecord
    versions: int
    current: Submission | None
    verdict: Verdict | None
    reply: Reply | None  # the reply to the current version's verdict

    @property
    def state(self) -> str:
        if self.current is None:
            return "missing"
        if self.verdict is None:
            return "unchecked"
        if self.reply is None:
            return "unanswered"
        return "manual" if self.reply.manual else self.reply.status

    @property
    def standing(self) -> str:
        """A key of STANDING_ZH: missing, unchecked, or the current version's verdict."""
        if self.current is None:
            return "missing"
        return self.verdict.verdict if self.verdict else "unchecked"

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit.name,
            "versions": self.versions,
            "current": self.current.stored_path if self.current else None,
            "received": self.current.received if self.current else None,
            "verdict": self.verdict.verdict if self.verdict else None,
            "state": self.state,
            "state_zh": STATE_ZH[self.state],
            "standing": self.standing,
            "standing_zh": STANDING_ZH[self.standing],
        }


@dataclass(frozen=True)
class Summary:
    units: tuple[UnitStatus, ...]
    messages: int
    attachments: int
    unmatched: int  # attachments tied to no unit

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATE_ZH, 0)
        for u in self.units:
            out[u.state] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "attachments": self.attachments,
            "unmatched": self.unmatched,
            "counts": self.counts(),
            "units": [u.to_dict() for u in self.units],
        }


class HasName(Protocol):
    @property
    def name(self) -> str: ...


class HasUnitFields(Protocol):
    """A roster unit (xltool.roster.Unit)."""

    @property
    def name(self) -> str: ...
    @property
    def unit_type(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def contact(self) -> str: ...
