"""Templates pre-filled from last year's returns, so the cross-year rules hold by construction.

Nothing here names a field: the form's cross-year rules say it. A rule of the shape ``X == prev.Y``
("this year's 上年结转 equals last year's 结转下年度") pre-fills X with last year's Y; every other
cross-year rule gets a comment on its cell giving the figures of last year it is checked against
("上年（2024）报表：现行有效件数 12"), so the unit sees what the rule expects while filling in.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xltool.checks.lastyear import UnitMap
from xltool.form.calc import is_number
from xltool.form.model import PREVIOUS, Check, Form


@dataclass
class Fill:
    """What one unit's template starts with: values and comments, by field key."""

    values: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    source: Path | None = None  # last year's return it came from


def carried(check: Check) -> tuple[str, str] | None:
    """(this year's field, last year's field) when the rule is ``X == prev.Y``."""
    tree = check.expr.tree
    if not (isinstance(tree, ast.Compare) and len(tree.ops) == 1 and isinstance(tree.ops[0], ast.Eq)):
        return None
    sides = check.expr.sides()
    if sides is None:
        return None
    left, right = sides
    if left.fields != (left.text,) or right.fields != (right.text,) or not right.text.startswith(PREVIOUS):
        return None
    return left.text, right.text.removeprefix(PREVIOUS)


def uses_last_year(form: Form) -> bool:
    """Whether last year's returns put anything into this form's templates (its cross-year rules)."""
    return any(c.rule.cross_year for c in form.checks)


def last_year_fill(form: Form, previous: Path, year: int) -> dict[str, Fill]:
    """Unit name -> its Fill, from the returns for ``year - 1`` under ``previous`` (read by their own
    field maps; a return that cannot be read, or is of another year, is left out)."""
    rules = [c for c in form.checks if c.rule.cross_year]
    if not uses_last_year(form):
        return {}
    # published reports too; the importer (0.12 s to load) only for a campaign begun with --previous
    from xltool.importer.previous import last_year_returns

    fills: dict[str, Fill] = UnitMap()
    for prev in last_year_returns([previous], form):
        path = prev.path
        unit = prev.meta.get("unit", "")
        if not prev.readable or prev.year != year - 1 or not unit or unit in fills:
            continue
        numbers: dict[str, Any] = {k: v.value for k, v in prev.values.items()}
        numbers.update(prev.complete_totals())
        fills[unit] = _fill(form, rules, numbers, year - 1, path)
    return fills


def _fill(form: Form, rules: list[Check], numbers: Mapping[str, Any], last: int, path: Path) -> Fill:
    fill = Fill(source=path)
    lines: dict[str, list[str]] = {}
    for check in rules:
        pair = carried(check)
        if pair and pair[0] in form.fields and form.fields[pair[0]].editable and is_number(numbers.get(pair[1])):
            fill.values[pair[0]] = numbers[pair[1]]
            _add(
                lines, pair[0], f"已按上年（{last}）报表预填，请勿改动：{_label(form, pair[1])} {_n(numbers[pair[1]])}"
            )
            continue
        for key in (k.removeprefix(PREVIOUS) for k in check.expr.fields if k.startswith(PREVIOUS)):
            if is_number(numbers.get(key)):
                _add(lines, check.at, f"上年（{last}）报表：{_label(form, key)} {_n(numbers[key])}")
    fill.notes = {k: "\n".join(v) for k, v in lines.items()}
    return fill


def _add(lines: dict[str, list[str]], key: str, line: str) -> None:
    if line not in lines.setdefault(key, []):
        lines[key].append(line)


def _label(form: Form, key: str) -> str:
    f = form.fields.get(key)
    return f.label if f else key


def _n(v: Any) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)
