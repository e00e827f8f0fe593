"""The county's view of values that look wrong (``xltool status --quality``): every value the peer
(G1) and history (G2) rules flag across the units' current returns, farthest out first.

It works on the figures status has (a campaign's register keeps them with each verdict: no file is
read), so it needs no verdict; a campaign's stored verdicts carry the same G1 flags (campaign/peers.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xltool.campaign.status import StatusResult
from xltool.checks.lastyear import LastYear
from xltool.checks.outliers import (
    Figures,
    Flag,
    figures_of,
    history_flags,
    history_rules,
    numbers_of,
    peer_flags,
    peer_rules,
    watched,
)
from xltool.form.model import Form


@dataclass(frozen=True)
class QualityRow:
    """One flagged value: whose, which field, the value, what it was compared with, how far out."""

    unit: str
    unit_type: str
    code: str
    field: str
    label: str
    value: Any
    compared: dict[str, Any]
    score: float
    message: str
    peers: tuple[float, ...] = ()  # G1: the group's values (the console's chart), not in to_dict

    def compared_zh(self) -> str:
        c = self.compared
        if "last_year" in c:
            return f"上年 {c['last_year']}"
        return f"同类 {c['peers']} 家：中位数 {c['median']}，范围 {c['low']}–{c['high']}"

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "unit_type": self.unit_type, "code": self.code, "field": self.field,
                "label": self.label, "value": self.value, "compared": self.compared,
                "score": round(self.score, 2), "message": self.message}  # fmt: skip


@dataclass
class QualityResult:
    title: str
    rows: list[QualityRow]
    units: int  # the current returns looked at
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "units": self.units, "rows": [r.to_dict() for r in self.rows], "notes": self.notes}


def quality(form: Form, status: StatusResult, previous: Sequence[Path] = ()) -> QualityResult:
    """The flagged values of ``status``'s current returns (``previous``: last year's, for G2)."""
    types = {row.name: row.status.unit.unit_type for row in status.rows}
    units = list(status.facts.items())
    keys = watched(form)
    figures = [
        Figures(i, unit, types.get(unit) or facts.unit_type, figures_of(facts.figures, keys))
        for i, (unit, facts) in enumerate(units)
    ]  # a few floats a return
    peers = _Peers(form, figures)
    flagged = [(units[f.index][0], f) for f in peer_flags(form, figures)]
    notes: list[str] = []
    if previous and history_rules(form):
        last = LastYear(form, previous, notes)
        for unit, facts in units:
            prev = last.by_unit.get(unit)
            if prev is not None:  # the facts keep every field a history rule watches
                flagged += [(unit, f) for f in history_flags(form, facts.figures, numbers_of(form, prev))]
    rows = [_row(form, unit, types.get(unit, ""), f, peers.of(f)) for unit, f in flagged]
    rows.sort(key=lambda r: (-r.score, r.unit, r.field))
    return QualityResult(f"{status.title}：数据质量（与同类单位、与上年相比）", rows, len(units), notes)


class _Peers:
    """The values a peer flag was compared with (its rule's group), sorted, made once per group."""

    def __init__(self, form: Form, figures: Sequence[Figures]) -> None:
        self.grouped = {r.id: bool(r.params["groups"]) for r in peer_rules(form)}
        self.figures = figures
        self.made: dict[tuple[str, str | None], tuple[float, ...]] = {}

    def of(self, flag: Flag) -> tuple[float, ...]:
        rule, key = flag.problem.rule, flag.problem.field or ""
        if rule not in self.grouped or "peers" not in flag.compared:
            return ()  # a history flag
        group = self.figures[flag.index].unit_type if self.grouped[rule] else None
        if (key, group) not in self.made:
            found = (f.values[key] for f in self.figures if key in f.values and group in (None, f.unit_type))
            self.made[(key, group)] = tuple(sorted(found))
        return self.made[(key, group)]


def _row(form: Form, unit: str, unit_type: str, flag: Flag, peers: tuple[float, ...]) -> QualityRow:
    p = flag.problem
    label = form.fields[p.field].label if p.field and p.field in form.fields else p.field or ""
    return QualityRow(
        unit, unit_type, p.code, p.field or "", label, p.value, dict(flag.compared), flag.score, p.message, peers
    )
