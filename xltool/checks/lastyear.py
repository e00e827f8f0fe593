"""Last year's returns for the cross-year checks: read once, matched to this year's by unit, and
what could not be used said in the batch's notes.

Reading is a hook (``LastYearReader``): the checks read last year's spreadsheets themselves; the
importer, above the checks, offers a reader that imports published reports too (``verify --previous``
and ``audit --previous`` pass it). Published titles name a unit in full ("桐柏县安棚镇人民政府")
where the roster may not ("安棚镇人民政府"), so returns are looked up by ``UnitMap``, which also finds
a unit under such a variant of its name when exactly one name fits.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from xltool.form.model import PREVIOUS, Form
from xltool.workbook.files import collect_paths
from xltool.workbook.read import Return, read_return

V = TypeVar("V")
_SUFFIXES = ("人民政府", "政府", "办事处")

LastYearReader = Callable[[Sequence[Path], Form], list[Return]]


def read_last_year(paths: Sequence[Path], form: Form) -> list[Return]:
    """Every spreadsheet under ``paths`` read by its own field map (an older form version serves too)."""
    return [read_return(p, form, any_version=True) for p in collect_paths(paths)]


class LastYear:
    """Last year's returns (--previous), read once and matched to this year's by unit; says in
    ``notes`` what could not be used and why."""

    def __init__(
        self, form: Form, previous: Sequence[Path], notes: list[str], read: LastYearReader = read_last_year
    ) -> None:
        self.form, self.notes, self.given, self.matched = form, notes, bool(previous), 0
        self.by_unit: dict[str, Return] = UnitMap()
        if not previous:
            return
        if not any(r.cross_year for r in form.rules):
            notes.append(f"“{form.name}”没有跨年度检查，上年度报表未使用。")
            self.given = False
            return
        for r in read(previous, form):
            if not r.readable:
                reason = r.problems[0].message if r.problems else "无法读取"
                notes.append(f"上年报表 {r.path} 无法使用：{reason}")
                continue
            flawed = [p for p in r.problems if p.is_error]
            if flawed:
                notes.append(
                    f"上年报表 {r.path.name} 有问题（【{flawed[0].code}】{flawed[0].message}），仍按其中的数字比对，请核实。"
                )
            self.by_unit.setdefault(r.meta.get("unit", ""), r)

    @classmethod
    def of_units(cls, form: Form, by_unit: dict[str, Return], notes: list[str]) -> LastYear:
        """Last year's returns already read (in a worker process: the parent read them once)."""
        last = cls(form, (), notes)
        last.by_unit, last.given = by_unit, bool(by_unit)
        return last

    def match(self, returns: Sequence[Return]) -> dict[int, Return]:
        matched: dict[int, Return] = {}
        for i, r in enumerate(returns):
            prev = self.by_unit.get(r.meta.get("unit", "")) if r.readable else None
            if prev is None:
                continue
            if r.year is not None and prev.year != r.year - 1:
                self.notes.append(
                    f"{prev.path} 是 {prev.year} 年度的报表，不是 {r.path.name} 的上一年度（{r.year - 1}），未作跨年度比对。"
                )
                continue
            matched[i] = prev
            self.notes.extend(n for n in _keys_not_in(self.form, prev) if n not in self.notes)
        self.matched += len(matched)
        return matched

    def finish(self) -> None:
        if self.given and not self.matched:
            codes = "、".join(dict.fromkeys(r.code for r in self.form.rules if r.cross_year))
            self.notes.append(f"没有找到与本次报表对应的上年度报表（按单位匹配），{codes} 未检查。")


def _keys_not_in(form: Form, prev: Return) -> list[str]:
    """Last year's return is of another version: the cross-year comparisons it cannot serve."""
    missing = {
        k.removeprefix(PREVIOUS): c.rule.code
        for c in form.checks
        if c.rule.cross_year
        for k in c.expr.fields
        if k.startswith(PREVIOUS) and k.removeprefix(PREVIOUS) not in prev.fields
    }
    version = prev.meta.get("form_version", "")
    return [
        f"上年报表 {prev.path.name}（表单版本 {version}）中没有“{form.fields[k].label}”（{k}），{code} 的这一项未比较。"
        for k, code in missing.items()
    ]


def name_key(name: str) -> str:
    name = "".join(unicodedata.normalize("NFKC", name).split())
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


class UnitMap(dict[str, V]):
    """Unit name -> value; a name not present finds the one entry whose name is the same up to
    blanks, a county prefix or "人民政府" ("安棚镇" finds "桐柏县安棚镇人民政府"), else nothing."""

    def lookup(self, name: object) -> str | None:
        if not isinstance(name, str) or not name:
            return None
        if dict.__contains__(self, name):
            return name
        want = name_key(name)
        if len(want) < 2:
            return None
        fits = [k for k in self if _fits(name_key(k), want)]
        return fits[0] if len(fits) == 1 else None

    def get(self, name: Any, default: Any = None) -> Any:
        found = self.lookup(name)
        return dict.__getitem__(self, found) if found is not None else default

    def __contains__(self, name: object) -> bool:
        return self.lookup(name) is not None


def _fits(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if len(short) < 3 or not long.endswith(short):
        return False
    return bool(re.search(r"[县市区旗]$", long[: -len(short)])) or short[0] in "县市区旗"
