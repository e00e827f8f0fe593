"""``xltool versions`` and the unit page's version actions: every version of a unit's return, and the
clerk's decisions on them — use one (make it current), void one (set it aside, kept), move one to
the unit that really sent it. Each decision is one transaction of the register, recorded with its
time and reason; the register's ``current()`` then says what counts to everything downstream."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xltool.app.errors import UsageProblem
from xltool.campaign.collect import unit_of_address
from xltool.campaign.peers import refresh_peers
from xltool.campaign.register import VERDICT_ZH, Action, Register, Submission, return_path, store_bytes
from xltool.campaign.settings import Campaign, load_campaign
from xltool.campaign.status import local_time
from xltool.errors import XltoolError


@dataclass(frozen=True)
class VersionRow:
    """One version as the clerk sees it."""

    number: int
    received: str  # ISO 8601, UTC
    sender: str  # the address it came from
    sender_unit: str  # the roster unit of that address ("" when none)
    file: str  # the attachment's name
    stored_path: str
    verdict: str | None  # "pass" | "warn" | "fix", None before it is checked
    current: bool
    voided: bool
    held: bool  # 待核实: held for review, not yet confirmed
    review: str  # why it was held ("" when it was not)

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "received": self.received,
            "sender": self.sender,
            "sender_unit": self.sender_unit or None,
            "file": self.file,
            "stored_path": self.stored_path,
            "verdict": self.verdict,
            "verdict_zh": VERDICT_ZH[self.verdict] if self.verdict else "待校验",
            "current": self.current,
            "voided": self.voided,
            "held": self.held,
            "review": self.review or None,
        }

    def line(self) -> str:
        marks = [m for m, on in (("当前", self.current), ("已作废", self.voided), ("待核实", self.held)) if on]
        verdict = VERDICT_ZH[self.verdict] if self.verdict else "待校验"
        who = f"{self.sender_unit}（{self.sender}）" if self.sender_unit else self.sender or "（无发件人）"
        text = f"第 {self.number} 版  {local_time(self.received)}  {who}  {self.file}  {verdict}"
        text += f"  [{'、'.join(marks)}]" if marks else ""
        return text + (f"  请核实：{self.review}" if self.review else "")


@dataclass
class VersionsResult:
    """A unit's versions and the decisions taken on them; ``done``: the decision just taken."""

    unit: str
    versions: list[VersionRow]
    actions: list[Action] = field(default_factory=list)
    done: Action | None = None

    @property
    def current(self) -> VersionRow | None:
        return next((v for v in self.versions if v.current), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "current": self.current.number if self.current else None,
            "versions": [v.to_dict() for v in self.versions],
            "actions": [a.to_dict() for a in self.actions],
            "done": self.done.to_dict() if self.done else None,
        }

    def lines(self) -> list[str]:
        out = [f"{self.unit}：共 {len(self.versions)} 个版本"]
        if self.done is not None:
            out.insert(0, f"已记入登记簿：{self.done.line()}")
        out += [f"  {v.line()}" for v in self.versions] or ["  （还没有收到报表）"]
        if self.actions:
            out += ["处理记录：", *(f"  {a.line()}" for a in self.actions)]
        return out


def versions_in(folder: Path, unit: str, **decision: Any) -> VersionsResult:
    """``xltool versions 文件夹 单位 [--use N | --void N | --move N --to 单位] [--reason 文字]``."""
    campaign = load_campaign(folder)
    if all(decision.get(k) is None for k in ("use", "void", "move")):
        if decision.get("to") or decision.get("reason"):
            raise UsageProblem("--to、--reason 要和 --use、--void 或 --move 一起使用。")
        return list_versions(campaign, unit)
    return decide(campaign, unit, **decision)


def list_versions(campaign: Campaign, unit: str) -> VersionsResult:
    """``xltool versions 文件夹 单位``: XltoolError when the register has no such unit."""
    with Register.for_campaign(campaign.root, create=False) as reg:
        return _result(reg, unit)


def decide(
    campaign: Campaign,
    unit: str,
    *,
    use: int | None = None,
    void: int | None = None,
    move: int | None = None,
    to: str | None = None,
    reason: str = "",
) -> VersionsResult:
    """``xltool versions … --use N | --void N | --move N --to 单位``, with ``reason`` (required)."""
    chosen = [(k, n) for k, n in (("use", use), ("void", void), ("move", move)) if n is not None]
    if len(chosen) != 1:
        raise UsageProblem("--use、--void、--move 每次只能用一个。")
    if not reason.strip():
        raise UsageProblem("请用 --reason 写明理由，它会记入登记簿。", "--reason")
    kind, number = chosen[0]
    if (kind == "move") != bool(to):
        raise UsageProblem("--to 只和 --move 一起使用，写明把这个版本交给哪个单位。", "--to")
    with Register.for_campaign(campaign.root, create=False) as reg:
        if kind == "use":
            done = reg.use_version(unit, number, reason)
        elif kind == "void":
            done = reg.void_version(unit, number, reason)
        else:
            done = _move(campaign.root, reg, unit, number, str(to), reason)
        _refresh_peers(campaign, reg)
        result = _result(reg, done.to_unit_name or unit)
    result.done = done
    return result


def _refresh_peers(campaign: Campaign, reg: Register) -> None:
    """Another current version changes the peers of all (G1 in the stored verdicts); a form that
    cannot be loaded leaves them as they were (the next collect names the problem)."""
    try:
        form = campaign.form()
    except XltoolError:
        return
    refresh_peers(reg, form)


def _move(root: Path, reg: Register, unit: str, number: int, to: str, reason: str) -> Action:
    """The file is copied into the target unit's folder first (a kill before the register's
    transaction leaves only a file the register does not know, which a rerun reuses)."""
    sub, target = reg.version(unit, number), reg.unit(to)
    rel = return_path(target.file_stem, sub.sha256, Path(sub.stored_path).suffix or ".xlsx")
    store_bytes(root, rel, (root / sub.stored_path).read_bytes())
    return reg.move_version(unit, number, target.name, reason, rel)


def _result(reg: Register, unit: str) -> VersionsResult:
    record = reg.unit(unit)
    current = reg.current(record.id)
    units = reg.units()
    rows = [_row(reg, units, s, current) for s in reg.versions(record.id)]
    return VersionsResult(record.name, rows, reg.actions(record.id))


def _row(reg: Register, units: list[Any], sub: Submission, current: Submission | None) -> VersionRow:
    message, attachment = reg.origin(sub)
    verdict = reg.verdict(sub.id)
    by = unit_of_address(units, message.sender)
    return VersionRow(sub.version_no, sub.received, message.sender, by.name if by else "",
                      attachment.name or attachment.safe_name, sub.stored_path, verdict.verdict if verdict else None,
                      current is not None and current.id == sub.id, bool(sub.voided), sub.held, sub.review)  # fmt: skip
