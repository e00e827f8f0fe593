"""Where every unit of the roster stands (``xltool status``): who has not sent, whose return is
wrong, who is done — from the campaign register, or from a plain folder of returns and a roster for
counties that collect by other means.

One row per roster unit, sorted so that the units to call come first. Two returns of one unit that
cannot be told apart (received at the same moment, or two different files in a plain folder) and
returns of units not on the roster are listed apart, never silently counted or dropped. Lateness is
judged by the first version a unit sent: a unit that sent in time and corrected later was on time.
A campaign's rows are made from its register alone: the numbers the page's chart and the quality
view need are kept there when a version is checked (``facts``), so that no file is read for the board
(a version checked by an older xltool is read, as before). The current returns themselves are read
only for the callers that sum or roll them up (``StatusResult.returns``, read when first asked for),
so that ``aggregate`` uses the very file the row describes. Pages and lists for the clerk are written
by ``status_files``.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xltool.campaign.areas import AreaView, area_view
from xltool.campaign.collect import workbook_unit
from xltool.campaign.register import (
    STANDING_ZH,
    STATE_ZH,
    Register,
    Submission,
    UnitRecord,
    UnitStatus,
    Verdict,
    now_iso,
    verdict_key,
)
from xltool.campaign.review import Review, needs_review
from xltool.campaign.settings import Campaign
from xltool.checks.outliers import figure_keys
from xltool.checks.verify import Facts, VerifyOptions, facts_of, facts_of_result, verify_returns
from xltool.errors import XltoolError
from xltool.form.calc import is_number
from xltool.form.model import Form
from xltool.form.period import Period
from xltool.roster import Roster
from xltool.workbook.files import collect_paths
from xltool.workbook.meta import MAGIC
from xltool.workbook.read import Return, read_return

ORDER = tuple(STANDING_ZH)  # missing, unchecked, fix, warn, pass: the units to call first
APPLICATIONS_ROLE = "applications"  # the form's field of new applications received (the page's chart)


@dataclass(frozen=True)
class UnitRow:
    """One roster unit: the register's view of it plus what the clerk needs to act."""

    status: UnitStatus
    first_received: str | None  # the first version's time (ISO, UTC): lateness is judged by it
    days_left: int | None  # not yet sent: days to the deadline (negative: days overdue)
    days_late: int | None  # sent: days after the deadline the first version came (0: in time)
    applications: float | None  # the form's applications field in the current return, when readable
    duplicate: bool = False  # its current version cannot be told from another one
    replies: bool = True  # False in a plain folder: nothing is known about replies

    @property
    def name(self) -> str:
        return self.status.unit.name

    @property
    def standing(self) -> str:
        return self.status.standing

    @property
    def codes(self) -> tuple[str, ...]:
        """Check codes of the current version's problems, errors first, each once."""
        problems = self.status.verdict.problems if self.status.verdict else ()
        ordered = sorted(problems, key=lambda p: p.get("severity") != "error")
        return tuple(dict.fromkeys(str(p.get("code", "")) for p in ordered))

    @property
    def error_codes(self) -> tuple[str, ...]:
        problems = self.status.verdict.problems if self.status.verdict else ()
        return tuple(dict.fromkeys(str(p.get("code", "")) for p in problems if p.get("severity") == "error"))

    def timing_zh(self) -> str:
        if self.days_left is not None:
            if self.days_left > 0:
                return f"距截止还有 {self.days_left} 天"
            return "今天截止" if self.days_left == 0 else f"已逾期 {-self.days_left} 天"
        if self.days_late is not None:
            return f"逾期 {self.days_late} 天报送" if self.days_late > 0 else "按时报送"
        return ""

    def reply_zh(self) -> str:
        """How far the answer to the current version has got ("" when there is nothing to answer)."""
        if not self.replies or self.status.current is None:
            return ""
        text = STATE_ZH[self.status.state]
        reply = self.status.reply
        if reply is not None and reply.status == "sent" and reply.sent_at:
            text += f"（{local_time(reply.sent_at)}）"
        return text

    def to_dict(self) -> dict[str, Any]:
        s, current = self.status, self.status.current
        return {
            **s.to_dict(),
            "unit_type": s.unit.unit_type,
            "contact": s.unit.contact,
            "email": s.unit.email,
            "version": current.version_no if current else None,
            "sha256": current.sha256 if current else None,
            "first_received": self.first_received,
            "errors": s.verdict.errors if s.verdict else None,
            "warnings": s.verdict.warnings if s.verdict else None,
            "codes": list(self.codes),
            "days_left": self.days_left,
            "days_late": self.days_late,
            "timing_zh": self.timing_zh(),
            "reply_zh": self.reply_zh() or None,
            "applications": self.applications,
            "duplicate": self.duplicate,
            "review": current.review if current and current.held else None,  # 待核实: why
        }


@dataclass(frozen=True)
class Duplicate:
    """Returns of one unit that cannot be told apart: which one counts is a person's decision."""

    unit: str
    files: tuple[str, ...]
    received: tuple[str, ...]
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "files": list(self.files), "received": list(self.received), "note": self.note}


@dataclass(frozen=True)
class Stray:
    """A workbook that is no roster unit's: its ``_meta`` names another unit, or none at all."""

    file: str
    unit: str  # the unit the workbook names ("" when it names none)
    sender: str
    received: str | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "unit": self.unit, "sender": self.sender, "received": self.received,
                "reason": self.reason}  # fmt: skip


@dataclass
class StatusResult:
    title: str
    mode: str  # "campaign" | "folder"
    root: Path  # the campaign folder, or the folder of returns: files are named relative to it
    year: int | None
    county: str
    deadline: dt.date | None
    today: dt.date
    rows: list[UnitRow]
    duplicates: list[Duplicate] = field(default_factory=list)
    strays: list[Stray] = field(default_factory=list)
    applications_label: str = ""  # "" when the form marks no field as the applications received
    returns: Mapping[str, Return] = field(default_factory=dict, repr=False)  # unit -> its current return
    unit_types: bool = True  # False when the form has no unit types: no 单位类型 column anywhere
    applications_unit: str = ""  # what the applications are counted in (their field type's unit, "件")
    reviews: list[Review] = field(default_factory=list)  # versions held for the clerk's review (待核实)
    period: Period | None = None  # a form not collected yearly: the half, quarter or month (None: the year)
    facts: dict[str, Facts] = field(default_factory=dict, repr=False)  # unit -> its current return's facts
    strays_more: int = 0  # unmatched workbooks not listed in ``strays`` (a stray_limit: the console's board)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(ORDER, 0)
        for row in self.rows:
            out[row.standing] += 1
        return out

    @functools.cached_property
    def areas(self) -> AreaView:
        """What the units are called (县（市、区） in a city's campaign of counties) and how many units
        each county's current roll-up sums (campaign/areas.py)."""
        rollups = {unit: (f.level, f.sums) for unit, f in self.facts.items()}
        return area_view((r.status.unit.unit_type for r in self.rows), rollups)

    def path_of(self, row: UnitRow) -> Path | None:
        return self.root / row.status.current.stored_path if row.status.current else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "mode": self.mode,
            "root": str(self.root),
            "year": self.year,
            "county": self.county,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "today": self.today.isoformat(),
            "counts": self.counts(),
            "counts_zh": {STANDING_ZH[k]: n for k, n in self.counts().items()},
            "applications_label": self.applications_label or None,
            **({"unit_noun": self.areas.noun} if self.areas.areas else {}),
            "units": [{**r.to_dict(), **self.areas.row_dict(r.name)} for r in self.rows],
            "duplicates": [d.to_dict() for d in self.duplicates],
            "strays": [s.to_dict() for s in self.strays],
            "needs_review": [r.to_dict() for r in self.reviews],
            **({"period": self.period.code, "period_zh": self.period.label_zh} if self.period else {}),
        }


def local_time(iso: str | None) -> str:
    """An ISO time as the clerk's clock shows it ("2026-01-16 09:30"); "" for none."""
    return dt.datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M") if iso else ""


def _local_date(iso: str) -> dt.date:
    return dt.datetime.fromisoformat(iso).astimezone().date()


def field_number(form: Form, ret: Return | None, key: str) -> float | None:
    """A number field of a return: an input as read, a total recomputed from the inputs; None when
    the return was not read or a number behind it is missing."""
    if ret is None or not ret.readable or not key or key not in ret.values:
        return None
    if not form.fields[key].editable:
        return ret.complete_totals().get(key)
    value = ret.values[key].value
    return value if is_number(value) else None


def _row(
    form: Form,
    status: UnitStatus,
    versions: Sequence[Submission],
    ret: Return | None,
    deadline: dt.date | None,
    today: dt.date,
    *,
    duplicate: bool = False,
    replies: bool = True,
    facts: Facts | None = None,
) -> UnitRow:
    first = min((v.received for v in versions), default=None)
    days_left = (deadline - today).days if deadline and status.current is None else None
    days_late = max(0, (_local_date(first) - deadline).days) if deadline and first else None
    key = form.role(APPLICATIONS_ROLE)
    applications = field_number(form, ret, key) if facts is None else facts.figures.get(key) if key else None
    return UnitRow(status, first, days_left, days_late, applications, duplicate, replies)


def _sorted(rows: Iterable[UnitRow]) -> list[UnitRow]:
    """The units to call first; within a state, the roster's order."""
    return sorted(rows, key=lambda r: ORDER.index(r.standing))  # a stable sort keeps the roster order


def _title(county: str, year: int | None, form: Form, period: Period | None = None) -> str:
    when = period.heading_zh if period else f"{year}年度" if year else ""
    return f"{county}{when}{form.name}报送情况"


def _applications_label(form: Form) -> str:
    key = form.role(APPLICATIONS_ROLE)
    return form.fields[key].label if key else ""


def _applications_unit(form: Form) -> str:
    key = form.role(APPLICATIONS_ROLE)
    return form.unit_of(key) if key else ""


# ------------------------------------------------------------------ a campaign folder
class CurrentReturns(Mapping[str, Return]):
    """unit -> its current return, each read when first asked for (aggregate, the roll-up); the
    board never asks. Thread-safe: the console keeps a status between views."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.paths: dict[str, Path] = {}
        self._read: dict[str, Return] = {}
        self._lock = threading.Lock()

    def add(self, unit: str, path: Path, ret: Return | None = None) -> None:
        self.paths[unit] = path
        if ret is not None:
            self._read[unit] = ret

    def __getitem__(self, unit: str) -> Return:
        with self._lock:
            if unit not in self._read:
                self._read[unit] = read_return(self.paths[unit], self.form)  # KeyError: no such unit
            return self._read[unit]

    def __contains__(self, unit: object) -> bool:
        return unit in self.paths

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


def campaign_status(
    campaign: Campaign,
    *,
    form: Form | None = None,
    deadline: dt.date | None = None,
    today: dt.date | None = None,
    stray_limit: int | None = None,
) -> StatusResult:
    """Every unit of the campaign's register, as it stands (``stray_limit``: list only the last so
    many unmatched workbooks, a page's worth; nothing is written: the register is
    opened, read and closed)."""
    form = form or campaign.form()
    deadline = deadline or campaign.deadline
    today = today or dt.date.today()
    with Register.for_campaign(campaign.root, create=False) as reg:
        every = reg.all_versions()  # once: the summary and the reviews are made from it
        summary = reg.summary(every)
        versions = {u.unit.id: every.get(u.unit.id, []) for u in summary.units}
        stored = {i: f for i, f in reg.facts().items() if figure_keys(form) <= f.keys}  # else kept for another form
        strays, strays_more = _campaign_strays(reg, stray_limit)
        reviews = needs_review(reg, campaign.root, every)
    rows, duplicates, returns, facts = [], [], CurrentReturns(form), {}
    for status in summary.units:
        ret, kept = None, stored.get(status.current.id) if status.current else None
        if status.current is not None:
            if kept is None:  # checked by an older xltool (or not yet): read, as before
                ret = read_return(campaign.root / status.current.stored_path, form)
                kept = facts_of(form, ret)
            returns.add(status.unit.name, campaign.root / status.current.stored_path, ret)
            facts[status.unit.name] = kept
        same_time = [v for v in versions[status.unit.id] if status.current and v.received == status.current.received]
        if len(same_time) > 1:
            duplicates.append(
                Duplicate(
                    status.unit.name,
                    tuple(v.stored_path for v in same_time),
                    tuple(v.received for v in same_time),
                    f"同一时间收到 {len(same_time)} 个不同的文件，无法确定以哪个为准"
                    f"（暂按登记顺序取第 {status.current.version_no if status.current else ''} 版），请与单位核实后重新报送。",
                )
            )
        rows.append(_row(form, status, versions[status.unit.id], ret, deadline, today, duplicate=len(same_time) > 1,
                         facts=None if ret is not None else kept))  # fmt: skip
    return StatusResult(
        title=_title(campaign.county, campaign.year, form, campaign.when if campaign.period else None),
        mode="campaign",
        root=campaign.root,
        year=campaign.year,
        county=campaign.county,
        deadline=deadline,
        today=today,
        rows=_sorted(rows),
        duplicates=duplicates,
        strays=strays,
        strays_more=strays_more,
        applications_label=_applications_label(form),
        returns=returns,
        unit_types=bool(form.units.names),
        applications_unit=_applications_unit(form),
        reviews=reviews,
        period=campaign.when if campaign.period else None,
        facts=facts,
    )


def _campaign_strays(reg: Register, limit: int | None = None) -> tuple[list[Stray], int]:
    """Workbooks collect could tie to no roster unit (other attachments are no returns), with the unit
    each names as collect recorded it (read here only for a register of an older xltool): the last
    ``limit`` collected when given, and how many are left out."""
    out = []
    rows, total = reg.stray_rows(limit)
    for a in rows:
        named = a.named
        if named is None:
            path = reg.root / a.stored_path if a.stored_path else None
            named = workbook_unit(path.read_bytes()) if path is not None and path.is_file() else ""
        reason = a.flag or ("名单中没有这个单位" if named else "无法确定是哪个单位的报表")
        out.append(Stray(a.stored_path or a.safe_name, named, a.sender, a.received, reason))
    return out, total - len(out)


# ------------------------------------------------------------------ a plain folder and a roster
def folder_status(
    folder: Path,
    roster: Roster,
    form: Form,
    *,
    year: int | None = None,
    county: str = "",
    deadline: dt.date | None = None,
    today: dt.date | None = None,
) -> StatusResult:
    """The returns in ``folder`` verified now and matched to the roster by the unit their ``_meta``
    names. A file's time is its modification time (when it was saved from the mail)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise XltoolError(f"报表文件夹不存在：{folder}")
    today = today or dt.date.today()
    paths = collect_paths([folder])
    returns = [read_return(p, form) for p in paths]
    if year is None:  # the year most returns are of: a return of another year is then H3, as in a campaign
        year = next((y for y, _ in Counter(r.year for r in returns if r.year).most_common(1)), None)
    period = _usual_period(form, returns)
    results = verify_returns(returns, form, VerifyOptions(year=year, roster=roster, period=period)).files
    by_unit: dict[str, list[tuple[Path, Return, Any]]] = {}
    strays = []
    for path, ret, result in zip(paths, returns, results, strict=True):
        named = ret.meta.get("unit", "").strip() if ret.meta.get("magic") == MAGIC else ""
        unit = roster.by_name(named) if named else None
        if unit is None:
            strays.append(_folder_stray(folder, path, ret, named))
        else:
            by_unit.setdefault(unit.name, []).append((path, ret, result))
    rows, duplicates, current, facts = [], [], {}, {}
    for number, unit in enumerate(roster, start=1):
        record = UnitRecord(number, unit.name, unit.unit_type, unit.email, unit.contact, "")
        files = _distinct(by_unit.get(unit.name, []))
        if not files:
            rows.append(_row(form, UnitStatus(record, 0, None, None, None), (), None, deadline, today, replies=False))
            continue
        subs = [_submission(number, unit.name, folder, p, r, version) for version, (p, r, _) in enumerate(files, 1)]
        path, ret, result = files[-1]
        sub = subs[-1]
        verdict = Verdict(sub.id, verdict_key(result.errors, result.warnings), result.errors, result.warnings,
                          tuple(p.to_dict() for p in result.problems), now_iso(), form.id, form.version)  # fmt: skip
        status = UnitStatus(record, len(files), sub, verdict, None)
        if len(files) > 1:
            duplicates.append(
                Duplicate(
                    unit.name,
                    tuple(s.stored_path for s in subs),
                    tuple(s.received for s in subs),
                    f"文件夹中有 {len(files)} 个不同的文件都是这个单位的报表，无法确定以哪个为准"
                    f"（暂取修改时间最晚的 {sub.stored_path}）。请只保留一个。",
                )
            )
        current[unit.name] = ret
        facts[unit.name] = facts_of_result(form, result)
        rows.append(_row(form, status, subs, ret, deadline, today, duplicate=len(files) > 1, replies=False))
    return StatusResult(_title(county, year, form, period), "folder", folder, year, county, deadline, today,
                        _sorted(rows), duplicates, strays, _applications_label(form), current,
                        bool(form.units.names), _applications_unit(form), period=period, facts=facts)  # fmt: skip


def _usual_period(form: Form, returns: Sequence[Return]) -> Period | None:
    """The period most returns are of, for a form not collected yearly (a return of another period
    is then H3, as in a campaign); None for a yearly form."""
    if form.period == "year":
        return None
    return next((p for p, _ in Counter(r.period for r in returns if r.period).most_common(1)), None)


def _distinct(files: list[tuple[Path, Return, Any]]) -> list[tuple[Path, Return, Any]]:
    """One file per content (a copy of the same file is no second return), oldest first."""
    seen: dict[str, tuple[Path, Return, Any]] = {}
    for item in sorted(files, key=lambda f: (_mtime(f[0]), str(f[0]))):
        seen[item[1].sha256 or str(item[0])] = item  # the latest copy of each content
    return sorted(seen.values(), key=lambda f: (_mtime(f[0]), str(f[0])))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _submission(unit_id: int, unit: str, folder: Path, path: Path, ret: Return, version: int) -> Submission:
    when = dt.datetime.fromtimestamp(_mtime(path), dt.UTC).isoformat(timespec="seconds")
    rel = str(path.relative_to(folder)) if path.is_relative_to(folder) else str(path)
    return Submission(unit_id * 1000 + version, unit_id, unit, 0, ret.sha256, when, rel, version)


def _folder_stray(folder: Path, path: Path, ret: Return, named: str) -> Stray:
    rel = str(path.relative_to(folder)) if path.is_relative_to(folder) else str(path)
    when = dt.datetime.fromtimestamp(_mtime(path), dt.UTC).isoformat(timespec="seconds")
    if named:
        return Stray(rel, named, "", when, f"报表中的单位“{named}”不在单位名单中")
    why = ret.problems[0].message if ret.problems else "没有模板的隐藏信息"
    return Stray(rel, "", "", when, f"无法确定是哪个单位的报表：{why}")
