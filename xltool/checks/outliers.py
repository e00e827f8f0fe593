"""Peer and history checks (rule kinds "peer" and "history", form/kinds/outlier.py) over a batch.

Peers: one pass collects, per rule, field and group, the numbers of the fields the rules watch
(each return gives a few floats, kept as ``Figures``; its cells and text are long gone), then each
group's median and MAD, then the flags. History compares a return with the same unit's last year
and needs nothing but the two returns. Each flag is a warning of the rule's code at the cell, with
the value and what it was compared with; ``score`` says how far out it is (the county's view sorts by it).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from xltool.form.kinds import kind_of
from xltool.form.kinds.outlier import HistoryKind, PeerKind
from xltool.form.model import Form, Rule
from xltool.form.problems import Problem, make_problem
from xltool.workbook.read import Return

_MAD_TO_SD = 1.4826  # a normal spread's standard deviation over its MAD
_MEAN_AD_TO_SD = 1.2533  # ... over its mean absolute deviation (when more than half the values are equal)


@dataclass(frozen=True)
class Figures:
    """What a peer check keeps of one return: its unit, unit type and the watched numbers."""

    index: int
    unit: str
    unit_type: str
    values: Mapping[str, float]


@dataclass(frozen=True)
class Flag:
    """A flagged value: the return it is in, the problem, and how far out it is."""

    index: int
    problem: Problem
    score: float  # peers: the robust z-score; last year: the ratio (the difference when it was 0)
    compared: Mapping[str, int | float] = field(default_factory=dict)  # median, low, high, peers | last_year


def peer_rules(form: Form) -> list[Rule]:
    return [r for r in form.rules if isinstance(kind_of(r), PeerKind)]


def history_rules(form: Form) -> list[Rule]:
    return [r for r in form.rules if isinstance(kind_of(r), HistoryKind)]


def watched(form: Form) -> frozenset[str]:
    """The field keys some peer rule looks at."""
    return frozenset(k for r in peer_rules(form) for k in r.params["fields"])


def figure_keys(form: Form) -> frozenset[str]:
    """The numbers a register keeps of each checked version, so that the county's views never read a
    file again: the fields the peer and history rules watch, and the applications received (the
    board's chart; the role the status page names)."""
    history = {k for r in history_rules(form) for k in r.params["fields"]}
    return watched(form) | history | ({form.role("applications")} - {""})


def figures_of(numbers: Mapping[str, Any], keys: Iterable[str]) -> dict[str, float]:
    """The numbers among ``keys`` (a blank or a text is no figure), as read (an integer stays one:
    the board shows a stored figure as it showed the cell)."""
    out: dict[str, float] = {}
    for k in keys:
        v = numbers.get(k)
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
            out[k] = v
    return out


def peer_flags(form: Form, returns: Iterable[Figures]) -> list[Flag]:
    """Every value far from its group's median (robust z-score), for all the peer rules at once."""
    rules = peer_rules(form)
    groups: dict[tuple[str, str, str], list[tuple[int, float]]] = defaultdict(list)
    for fig in returns:  # the one pass over the returns
        for rule in rules:
            group = fig.unit_type if rule.params["groups"] else ""
            for key in rule.params["fields"]:
                if key in fig.values:
                    groups[(rule.id, key, group)].append((fig.index, fig.values[key]))
    by_id = {r.id: r for r in rules}
    flags = []
    for (rid, key, _), items in groups.items():
        flags += _flag_group(form, by_id[rid], key, items)
    return flags


def _flag_group(form: Form, rule: Rule, key: str, items: list[tuple[int, float]]) -> list[Flag]:
    p = rule.params
    if len(items) < p["min_peers"]:
        return []
    values = [v for _, v in items]
    mid = median(values)
    spread = _spread(values, mid)
    low, high = min(values), max(values)
    flags = []
    for index, v in items:
        off = abs(v - mid)
        if off <= p["floor"] or spread == 0:
            continue
        z = off / spread
        if z > p["z"]:
            compared = {"median": _num(mid), "low": _num(low), "high": _num(high), "peers": len(items)}
            flags.append(Flag(index, make_problem(form, rule.id, key, _num(v), found=_num(v), **compared), z, compared))
    return flags


def _spread(values: list[float], mid: float) -> float:
    """The robust standard deviation: from the MAD, or (when most values are equal, as in a field of
    mostly zeros) from the mean absolute deviation."""
    mad = median(abs(v - mid) for v in values)
    if mad > 0:
        return mad * _MAD_TO_SD
    return sum(abs(v - mid) for v in values) / len(values) * _MEAN_AD_TO_SD


def history_flags(form: Form, now: Mapping[str, Any], before: Mapping[str, Any]) -> list[Flag]:
    """Each watched value that jumped against the same unit's last year."""
    flags = []
    for rule in history_rules(form):
        p = rule.params
        this, last = figures_of(now, p["fields"]), figures_of(before, p["fields"])
        for key in (k for k in p["fields"] if k in this and k in last):
            a, b = this[key], last[key]
            off = abs(a - b)
            if off <= p["floor"]:
                continue
            ratio = max(a, b) / min(a, b) if min(a, b) > 0 else math.inf
            if ratio >= p["factor"] or ("step" in p and off >= p["step"]):
                problem = make_problem(form, rule.id, key, _num(a), found=_num(a), expected=_num(b))
                flags.append(Flag(0, problem, ratio if math.isfinite(ratio) else off, {"last_year": _num(b)}))
    return flags


def _num(v: float) -> int | float:
    return int(v) if float(v).is_integer() else round(v, 2)


def numbers_of(form: Form, ret: Return) -> dict[str, Any]:
    """A return's number fields as the checks see them: its inputs and its complete totals."""
    numbers: dict[str, Any] = {k: v for k, v in ret.inputs().items() if k in form.fields and form.fields[k].numeric}
    numbers.update(ret.complete_totals())
    return numbers
