"""The county's totals as a return of the form itself (``xltool aggregate --as-return``): a roll-up.

The city collects each county's totals in the same national format, so the county's figures are
written into the form's own template (workbook/write.py), not into a summary book the city would
retype: every number a unit types holds the county's figure (aggregate.py works them out: summed,
averaged, constants kept; totals and rates are the template's own formulas over them), each with a
comment naming the units it comes from (来源). Its ``_meta`` says whose it is (the county), its level
(县, or 市 for a roll-up of counties' roll-ups: form/levels.py) and its source (the campaign and
every unit's version and SHA-256). A county has no unit type, so no rule meant for one kind of unit
applies to it.

The texts: a field the form writes a county-wide paragraph for ([[report.county]], "全县共收到…",
its {area} the roll-up's: 全县, 全区, 全市) holds that paragraph; the contact and the other texts are
the county government's own return's (app/rollup.py finds its unit); a paragraph the form drafts
from the numbers (report.narratives) is drafted from the county's figures, never taken from the
government's return (its numbers are not the county's). A choice outside the tables (是否收取信息
处理费) takes the units' answer that fits the county's figures by the form's rules. The roll-up is
then verified as any return is, and its problems are part of the result; the text cells verify
still finds wanting (no government return to take them from) are named for the office to fill.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xltool.campaign.aggregate import AggregateResult, Included, number_text
from xltool.campaign.status import StatusResult
from xltool.checks.verify import VerifyOptions, verify
from xltool.errors import XltoolError
from xltool.form.aggregation import MEAN
from xltool.form.levels import LEVEL_KEY, SOURCE_UNIT, area_word, next_level
from xltool.form.model import Field, Form
from xltool.form.problems import Problem
from xltool.report.build import county_texts, drafted_texts
from xltool.workbook.read import Return
from xltool.workbook.write import UnitInfo, write_template

SOURCE_KEY = "source"  # the _meta key of what a roll-up sums (the campaign)
NOTE_UNITS = 40  # the units a 来源 comment lists by name; the rest are counted


@dataclass(frozen=True)
class ToFill:
    """A text cell of a roll-up nothing could fill: the county office writes it before sending."""

    sheet: str
    cell: str
    label: str
    blank: bool = True  # False: a text taken from the government's return that verify finds wanting

    def to_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "cell": self.cell, "label": self.label, "blank": self.blank}


@dataclass
class RollUp:
    """A roll-up return written: where, for whom, at which level, and what verify says of it."""

    path: Path
    unit: str
    level: str
    units: int  # how many units' returns it sums
    texts: dict[str, str]  # the county paragraphs and drafted paragraphs written into text fields
    problems: list[Problem] = field(default_factory=list)
    government: str = ""  # the roster unit taken as the county government ("" when none was found)
    government_sent: bool = False  # whether its return was there to give the contact and texts
    to_fill: list[ToFill] = field(default_factory=list)  # the text cells verify still finds wanting

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_fill_line(self) -> str:
        """One line naming the cells the county office must fill in (or correct) itself ("" when none)."""
        blank = [c for c in self.to_fill if c.blank]
        taken = [c for c in self.to_fill if not c.blank]
        parts = [f"以下 {len(blank)} 处无法从各单位的报表得出，请在汇总报表中补写：{_cells(blank)}"] if blank else []
        if taken:
            parts.append(
                f"以下 {len(taken)} 处取自“{self.government}”报表的文字不适合汇总报表，请修改：{_cells(taken)}"
            )
        then = "、".join(w for w, cells in (("补写", blank), ("修改", taken)) if cells)
        return "；".join(parts) + f"。{then}后再上报。" if parts else ""

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "unit": self.unit, "level": self.level, "units": self.units,
                "texts": self.texts, "government": self.government or None, "government_sent": self.government_sent,
                "to_fill": [c.to_dict() for c in self.to_fill], "to_fill_line": self.to_fill_line() or None,
                "problems": [p.to_dict() for p in self.problems]}  # fmt: skip


def _cells(cells: Sequence[ToFill]) -> str:
    by_sheet: dict[str, list[str]] = {}
    for c in cells:
        by_sheet.setdefault(c.sheet, []).append(f"{c.cell}（{c.label}）")
    return "，".join(f"工作表“{sheet}” " + "、".join(cs) for sheet, cs in by_sheet.items())


def write_rollup(
    summed: AggregateResult,
    status: StatusResult,
    out: Path,
    *,
    government: Return | None = None,
    office: str = "",
    today: dt.date | None = None,
) -> RollUp:
    """Write the totals of ``summed`` to ``out`` as a return of the form; ``office``: the roster's
    unit of the county government, ``government``: its current return (its contact and texts)."""
    form, county = summed.form, summed.county
    if not county:
        raise XltoolError("写汇总报表需要县（市、区）的名称：请用 --county 指明，如 --county 桐柏县。")
    if summed.year is None:
        raise XltoolError("写汇总报表需要报告年度：请用 --year 指明，如 --year 2025。")
    sources = [status.returns[u.unit] for u in summed.included if u.unit in status.returns]
    level = rollup_level(sources)
    texts = county_texts(form, summed.totals, summed.year, len(summed.included), len(status.rows), summed.period,
                         area=area_word(level, county))  # fmt: skip
    values = {**numbers(form, summed), **_texts(form, government, texts, county, today or dt.date.today())}
    info = UnitInfo(county, "", summed.year, summed.period if summed.period and not summed.period.yearly else None)
    meta = source_meta(status, summed.included, level)
    notes = source_notes(form, summed.included)
    options = VerifyOptions(year=summed.year, period=summed.period)
    choices = {f.key: answers(f, sources) for f in _choices(form)}
    picked = {k: 0 for k in choices}
    while True:  # a choice the county's figures contradict (否 with a fee charged): the next answer
        values.update({k: c[picked[k]] if c else None for k, c in choices.items()})
        written = {**values, **_drafts(form, summed, values, texts)}
        write_template(form, info, out, values=written, notes=notes, meta=meta)
        problems = verify([out], form, options).files[0].problems
        wrong = next((k for k in choices if picked[k] + 1 < len(choices[k]) and _at(problems, k)), None)
        if wrong is None:
            drafted = {k: str(written[k]) for k in (*texts, *_drafts(form, summed, values, texts))}
            return RollUp(out, county, level, len(summed.included), drafted, problems, office,
                          government is not None, to_fill(form, problems, _own(form, government)))  # fmt: skip
        picked[wrong] += 1


def _own(form: Form, government: Return | None) -> set[str]:
    """The text fields the roll-up takes from the government's return (not those drafted from numbers)."""
    drafted = {n.field for n in form.report.narratives}
    own = government.values.items() if government is not None else ()
    return {k for k, v in own if k not in drafted and str(v.value or "").strip()}


def _drafts(form: Form, summed: AggregateResult, values: Mapping[str, Any], texts: Mapping[str, str]) -> dict[str, str]:
    """The paragraphs the form drafts from the numbers ([[report.narratives]]), from the county's
    figures and answers, for the fields no county paragraph fills."""
    drafts = drafted_texts(form, {**summed.totals, **values}, summed.year or 0, summed.period)
    return {k: v for k, v in drafts.items() if k not in texts}


def to_fill(form: Form, problems: Sequence[Problem], taken: Collection[str] = ()) -> list[ToFill]:
    """The text inputs verify still finds wanting, each cell once: what no unit's return could give
    (blank, or a county paragraph alone missing its topic), or a text ``taken`` from the government's
    return that does not suit the county (its own figures, 我局)."""
    out: dict[tuple[str, str], ToFill] = {}
    for p in problems:
        f = form.fields.get(p.field or "")
        if f is not None and f.editable and not f.numeric and p.sheet and p.cell:
            out.setdefault((p.sheet, p.cell), ToFill(p.sheet, p.cell, f.label, blank=f.key not in taken))
    return list(out.values())


def rollup_level(sources: Sequence[Return]) -> str:
    """The level of a roll-up of ``sources``: 县 over units' own returns, 市 over counties' roll-ups."""
    return next_level(r.meta.get(LEVEL_KEY, "") for r in sources)


def numbers(form: Form, summed: AggregateResult) -> dict[str, Any]:
    """The county's figure of every number a unit types (formula cells are the template's own)."""
    return {k: v for k, v in summed.totals.items() if form.fields[k].editable}


def _texts(
    form: Form, government: Return | None, texts: Mapping[str, str], county: str, today: dt.date
) -> dict[str, Any]:
    """The text inputs: the county paragraphs, else the government's own (not the paragraphs the
    report drafts from numbers: the county's numbers are not its own), the county's name, today."""
    own = {k: v.value for k, v in government.values.items()} if government is not None else {}
    drafted = {n.field for n in form.report.narratives}
    roles = {form.role("unit_name"): county, form.role("date"): today, form.role("unit_type"): None}
    out: dict[str, Any] = {}
    for f in form.inputs:
        if f.numeric or f.type == "year" or (f.type == "choice" and f.key not in roles):
            continue  # numbers are the county's; choices are answered by _choices
        if f.key in texts:  # after the government's own text, as the county's report prints it
            mine = "" if f.key in drafted else str(own.get(f.key) or "").strip()
            out[f.key] = "\n".join(filter(None, (mine, texts[f.key])))
        elif f.key in roles:
            out[f.key] = roles[f.key]
        elif f.key not in drafted and own.get(f.key) not in (None, ""):
            out[f.key] = own[f.key]
    out.pop("", None)
    return out


def _choices(form: Form) -> list[Field]:
    """Choices outside the tables a roll-up must answer (a table's choices count answers instead)."""
    kind = form.role("unit_type")
    return [f for f in form.inputs if f.type == "choice" and not f.grid and f.key != kind]


def answers(f: Field, sources: Sequence[Return]) -> list[str]:
    """``f``'s choices, the units' most given answer first (then the form's order)."""
    given = Counter(str(r.values[f.key].value) for r in sources if f.key in r.values and r.values[f.key].value)
    order = list(f.choices or ())
    return sorted(order, key=lambda c: (-given[c], order.index(c)))


def _at(problems: Sequence[Problem], key: str) -> bool:
    return any(p.field == key for p in problems)


def source_meta(status: StatusResult, included: Sequence[Included], level: str) -> dict[str, str]:
    """The roll-up's own _meta pairs: its level, the campaign it sums and each unit's version."""
    out = {LEVEL_KEY: level, SOURCE_KEY: f"{status.title}（{len(included)} 个单位）"}
    for i, u in enumerate(included):
        out[f"{SOURCE_UNIT}{i}"] = f"{u.unit}\t{u.version}\t{u.sha256}"
    return out


def source_notes(form: Form, included: Sequence[Included]) -> dict[str, str]:
    """来源: a comment on each number input naming the units' values it sums (or averages)."""
    out = {}
    for f in form.inputs:
        given = [(u.unit, u.values[f.key]) for u in included if f.key in u.values]
        if not f.numeric or not given:
            continue
        how = "平均" if f.aggregate == MEAN else "合计"
        nonzero = [(n, v) for n, v in given if v]
        lines = [f"{n}：{number_text(v)}" for n, v in nonzero[:NOTE_UNITS]]
        if len(nonzero) > NOTE_UNITS:
            lines.append(f"……另有 {len(nonzero) - NOTE_UNITS} 个单位")
        if len(nonzero) < len(given):
            lines.append(f"其余 {len(given) - len(nonzero)} 个单位为 0")
        out[f.key] = f"来源（{len(given)} 个单位{how}）：\n" + "\n".join(lines)
    return out
