"""The county's totals (``xltool aggregate``): the current, error-free returns aggregated cell by cell.

Only a return that passed every error check (warnings allowed), is the unit's one current file, and
is of the campaign's year is counted; every other unit is listed with the reason it was left out.
Each cell is aggregated as the form says (form/aggregation.py: inputs summed or averaged, formula
cells recomputed from the aggregated parts, constants and text not added up). The county's figures
are then checked with the very checks a unit's return goes through, less those about a unit's own
answers and those the form exempts: the loader refused every rule that could fail only because
figures were aggregated (form/onsums.py), so the aggregate of valid returns must pass every error
rule. When it does not, the fault is xltool's own, and the result says so plainly instead of
handing out wrong totals. The workbook a clerk opens is written by ``aggregate_book``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from xltool.campaign.register import STANDING_ZH
from xltool.campaign.status import StatusResult, UnitRow, field_number
from xltool.checks.schemas import check_returns
from xltool.errors import XltoolError
from xltool.form.aggregation import SUM, Aggregated, aggregate_values, answers_text, is_formula
from xltool.form.model import Check, Field, Form, Grid, Row
from xltool.form.onsums import shapes, skipped
from xltool.form.period import Period
from xltool.form.problems import Problem
from xltool.workbook.meta import MAGIC, form_map
from xltool.workbook.read import Return, Value

OUTCOMES_ROLE = "outcomes"  # the form's total of the outcome rows (the chart of applications by outcome)


@dataclass(frozen=True)
class Flag:
    """A unit's value that a warning rule questions (A3: 收费按元填写?), summed all the same: the
    county's figures that include it are marked with the unit and the code."""

    unit: str
    key: str  # the number field
    value: float
    code: str
    message: str

    def line(self) -> str:
        return f"{self.unit}：{number_text(self.value)}（【{self.code}】{self.message}）"

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "field": self.key, "value": self.value, "code": self.code, "message": self.message}


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class Included:
    """A unit whose current return is summed, and where its numbers come from."""

    unit: str
    unit_type: str
    standing: str  # "pass" | "warn"
    file: str
    version: int
    sha256: str
    received: str | None
    values: Mapping[str, float]  # its number fields that hold a number: inputs as read, totals recomputed
    flags: tuple[Flag, ...] = ()  # its values a warning questions
    answers: Mapping[str, str] = field(default_factory=dict)  # its answers in a table's choice cells

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "unit_type": self.unit_type, "standing": self.standing,
                "standing_zh": STANDING_ZH[self.standing], "file": self.file, "version": self.version,
                "sha256": self.sha256, "received": self.received}  # fmt: skip


@dataclass(frozen=True)
class Excluded:
    unit: str
    unit_type: str
    reason: str
    contact: str = ""
    email: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "unit_type": self.unit_type, "reason": self.reason}


@dataclass
class AggregateResult:
    title: str
    county: str
    year: int | None
    form: Form = field(repr=False)
    included: list[Included]
    excluded: list[Excluded]
    totals: dict[str, float]  # every number field of the form with a county figure
    problems: list[Problem] = field(default_factory=list)  # the county's figures checked by the form's rules
    checks: int = 0  # how many rule checks were run on them
    unit_types: bool = True  # False when the form has no unit types: no 单位类型 column (StatusResult's)
    counted: dict[str, int] = field(default_factory=dict)  # a "mean" cell: how many units it averages
    answers: dict[str, dict[str, int]] = field(default_factory=dict)  # a table's choice cell: units per answer
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (code, why) of rules the aggregate does not run
    period: Period | None = None  # a form not collected yearly: the half, quarter or month summed
    area: str = "全县"  # what the total calls its whole area (全县, 全区; 全市 for a city's: campaign/areas.py)

    def cell_text(self, key: str) -> str | None:
        """What the county's table shows in a cell without a figure: the answers' counts of a choice."""
        return answers_text(self.answers[key]) if key in self.answers else None

    def skipped_text(self) -> str:
        if not self.skipped:
            return ""
        return "汇总数未检查的规则：" + "；".join(f"【{code}】{why}" for code, why in self.skipped) + "。"

    @property
    def inconsistencies(self) -> list[Problem]:
        """Error rules the sum of valid returns breaks: a fault of xltool, never of the units."""
        return [p for p in self.problems if p.is_error]

    @property
    def ok(self) -> bool:
        return not self.inconsistencies

    def inconsistency_text(self) -> str:
        if self.ok:
            return ""
        broken = "；".join(f"【{p.code}】{p.message}" for p in self.inconsistencies)
        return (
            f"内部错误：各单位的报表都已通过校验，但它们的合计不满足表单的规则（{broken}）。"
            "这是 xltool 汇总程序的缺陷，不是单位的问题：请不要使用这份汇总数，"
            "把汇总表和这段提示发给技术支持人员。"
        )

    def flagged(self) -> dict[str, list[Flag]]:
        """Number field -> the units' questioned values its county figure includes: directly, or
        through the parts of a total (a total of a row with a questioned cell is marked too)."""
        direct: dict[str, list[Flag]] = {}
        for unit in self.included:
            for flag in unit.flags:
                direct.setdefault(flag.key, []).append(flag)
        found: dict[str, list[Flag]] = {}

        def of(key: str) -> list[Flag]:
            if key not in found:
                parts = self.form.fields[key].parts
                found[key] = list(dict.fromkeys([*direct.get(key, []), *(f for p in parts for f in of(p))]))
            return found[key]

        return {f.key: of(f.key) for f in number_fields(self.form) if of(f.key)}

    def applications(self) -> float | None:
        key = self.form.role("applications")
        return self.totals.get(key) if key else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "county": self.county,
            "year": self.year,
            "included": [i.to_dict() for i in self.included],
            "excluded": [x.to_dict() for x in self.excluded],
            "totals": self.totals,
            "checks": self.checks,
            "consistent": self.ok,
            "inconsistency": self.inconsistency_text() or None,
            "problems": [p.to_dict() for p in self.problems],
            "flagged": [f.to_dict() for u in self.included for f in u.flags],
            **({"counted": self.counted} if self.counted else {}),
            **({"answers": self.answers} if self.answers else {}),
            **({"skipped": [{"code": c, "reason": r} for c, r in self.skipped]} if self.skipped else {}),
        }


def number_fields(form: Form) -> list[Field]:
    """The fields summed for the county: every number field, in the form's order."""
    return [f for f in form.fields.values() if f.numeric]


def answer_fields(form: Form) -> list[Field]:
    """The choice cells of the form's tables: the county's table counts the units' answers."""
    return [f for f in form.fields.values() if f.choices and f.grid]


def aggregate(status: StatusResult, form: Form) -> AggregateResult:
    """Sum the current, error-free returns of ``status``; say why every other unit is left out."""
    included, excluded = [], []
    for row in status.rows:
        ret = status.returns.get(row.name)
        reason = _left_out(status, form, row, ret)
        u = row.status.unit
        if reason or ret is None or row.status.current is None:
            excluded.append(Excluded(u.name, u.unit_type, reason or "未报送", u.contact, u.email))
            continue
        cur = row.status.current
        values = {f.key: field_number(form, ret, f.key) for f in number_fields(form)}
        missing = [form.fields[k].label for k, v in values.items() if v is None and form.fields[k].aggregate == SUM]
        if missing:  # a valid return has every number; a form without the "filled" rule may not
            excluded.append(Excluded(u.name, u.unit_type, f"有空白数字：{missing[0]}等 {len(missing)} 项", u.contact,
                                     u.email))  # fmt: skip
            continue
        summed = {k: float(v) for k, v in values.items() if v is not None}
        answers = {f.key: str(v.value) for f in answer_fields(form) if (v := ret.values.get(f.key)) and v.value}
        included.append(Included(u.name, u.unit_type, row.standing, cur.stored_path, cur.version_no, cur.sha256,
                                 cur.received, summed, _flags(row, summed), answers))  # fmt: skip
    if not included:
        raise XltoolError(
            "没有可以汇总的报表：名单中的单位都还没有通过校验的报表。请先用 xltool status 查看各单位情况。"
        )
    county = county_figures(form, included)
    problems, checks, passed_over = recheck(form, county.values, status.year, status.county, status.period)
    when = status.period.heading_zh if status.period else f"{status.year}年度" if status.year else ""
    area = status.areas.whole(status.county)
    title = f"{status.county}{when}{form.name}{area}汇总"
    return AggregateResult(title, status.county, status.year, form, included, excluded, county.values, problems,
                           checks, status.unit_types, county.counted, county.answers, passed_over,
                           status.period, area)  # fmt: skip


def _flags(row: UnitRow, values: Mapping[str, float]) -> tuple[Flag, ...]:
    """The warnings of a unit's current version that question one of its summed numbers, its values
    far from its peers' (G1) among them: a campaign's verdicts carry them (campaign/peers.py), as
    the verdicts of a folder checked together do."""
    problems = row.status.verdict.problems if row.status.verdict else ()
    return tuple(
        Flag(row.name, str(p["field"]), values[str(p["field"])], str(p.get("code", "")), str(p.get("message", "")))
        for p in problems
        if p.get("severity", "warning") == "warning" and p.get("field") in values
    )


def _left_out(status: StatusResult, form: Form, row: UnitRow, ret: Return | None) -> str:
    """Why a unit's current return is not summed ("" when it is)."""
    standing = row.standing
    if standing == "missing":
        return "未报送"
    if standing == "unchecked":
        return "待校验：收到的报表还没有校验，请重新运行 xltool collect"
    if standing == "fix":
        return "有错误：" + "、".join(row.error_codes)
    if row.duplicate:
        return "重复报送：有多个不同的文件，无法确定以哪个为准"
    if ret is None or not ret.readable:
        return "报表无法读取"
    current = row.status.current
    if current is not None and current.sha256 and ret.sha256 != current.sha256:
        return "报表文件在登记后被改动或替换，请重新收取"
    if status.period and ret.period != status.period:
        return f"报告期不符：是{ret.period.label_zh if ret.period else '其他报告期'}的报表"
    if status.year and ret.year and ret.year != status.year:
        return f"年度不符：是 {ret.year} 年度的报表"
    return ""


def county_figures(form: Form, included: list[Included]) -> Aggregated:
    """Every cell aggregated as the form says (inputs summed or averaged, formula cells recomputed
    from the aggregated parts by the form's own formulas, constants and text not added up)."""
    return aggregate_values(form, [{**u.values, **u.answers} for u in included])


def county_totals(form: Form, included: list[Included]) -> dict[str, float]:
    """The county's number figures (see ``county_figures``)."""
    return county_figures(form, included).values


def county_return(
    form: Form, totals: Mapping[str, float], year: int | None, county: str, period: Period | None = None
) -> Return:
    """The county's figures as a return of the form (its own field map, no unit type: rules meant
    for one kind of unit do not apply to a county), so the checks of any return can run on it."""
    values: dict[str, Value] = {}
    for f in number_fields(form):
        value = totals.get(f.key)
        if value is not None:  # a formula cell is recomputed by the checks, as any return's is
            values[f.key] = Value(f.key, value, None, "SUM") if is_formula(f) else Value(f.key, value, value)
    year_key = form.role("year")
    if year_key and year:
        values[year_key] = Value(year_key, year, year)
    meta = {"magic": MAGIC, "form_id": form.id, "form_version": form.version, "year": str(year or ""),
            "unit": county or "全县", **({"period": period.code} if period else {})}  # fmt: skip
    return Return(Path(f"{county}全县汇总"), meta=meta, values=values, readable=True,
                  unit_field=form.role("unit_name"), fields={m.key: m for m in form_map(form)},
                  layout_current=True)  # fmt: skip


def recheck(
    form: Form, totals: Mapping[str, float], year: int | None, county: str, period: Period | None = None
) -> tuple[list[Problem], int, list[tuple[str, str]]]:
    """The county's figures through the checks every return goes through, but for those that do not
    apply to an aggregate (cross-year ones: there is no county return of last year to compare with;
    those on a unit's own answers; those the form exempts). The problems, how many checks ran and
    (code, why) of each rule passed over."""
    run, passed_over = aggregate_checks(form)
    county_form = form if len(run) == len(form.checks) else replace(form, checks=run)
    problems = check_returns(county_form, [county_return(form, totals, year, county, period)])[0]
    return problems, sum(1 for c in run if not c.rule.cross_year), passed_over


def aggregate_checks(form: Form) -> tuple[tuple[Check, ...], list[tuple[str, str]]]:
    """The form's checks the aggregate runs, and (code, why) of each rule it passes over."""
    known = shapes(form.fields, form.rules, form.role("year"))
    run: list[Check] = []
    passed_over: dict[str, str] = {}
    for check in form.checks:
        why = skipped(check, known)
        if why:
            passed_over.setdefault(check.rule.code, why)
        else:
            run.append(check)
    return tuple(run), list(passed_over.items())


# ------------------------------------------------------------------ the outcome chart's groups
def locate(form: Form, key: str) -> tuple[Grid, Row, int] | None:
    """The grid, row and column index of a grid field (None for a field outside every grid)."""
    for g in form.grids:
        for row in g.rows:
            for j, col in enumerate(g.columns):
                if g.field_key(row, col) == key:
                    return g, row, j
    return None


def outcome_groups(form: Form) -> list[tuple[str, tuple[str, ...]]]:
    """(label, field keys) of each outcome group: the rows the form's outcomes total adds up,
    grouped by their label one level below the total's own (so "（三）不予公开" gathers its eight
    reasons). Empty when the form marks no such total."""
    key = form.role(OUTCOMES_ROLE)
    found = locate(form, key) if key else None
    if found is None:
        return []
    grid, total_row, j = found
    if not total_row.sum:
        return []
    rows = {r.key: r for r in grid.rows}
    level = max(len(total_row.path) - 1, 0)
    groups: dict[str, list[str]] = {}
    for part in total_row.sum:
        row = rows[part]
        label = row.path[level] if len(row.path) > level else "/".join(row.path)
        groups.setdefault(label, []).append(grid.field_key(row, grid.columns[j]))
    return [(label, tuple(keys)) for label, keys in groups.items()]
