"""A campaign whose units are areas: a city collecting its counties' roll-ups (campaign/rollup.py).

A city's roster names counties (单位类型 县, 区, 县级市…: form/levels.py), and what they send are
roll-up returns whose ``_meta`` says their level and every unit they sum. Its overview then calls
its units 县（市、区）, not 单位, and says how many units each county's roll-up sums, so that the city
sees at a glance that a county sent the total of all its units and not of a few. An ordinary
county campaign (units of the form's types, returns without a level) is shown as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from xltool.form.levels import LEVEL_KEY, LEVELS, is_area
from xltool.workbook.read import Return

UNIT_NOUN = "单位"
# What a campaign calls its units when they are areas, by the level of the units' own roll-ups.
AREA_NOUNS = {"县": "县（市、区）", "市": "市（州、盟）", "省": "省（区、市）"}
SOURCE_UNIT = "source_unit:"  # a roll-up's _meta: "source_unit:0", …: one summed unit each, "name\tversion\tsha256"


@dataclass(frozen=True)
class AreaView:
    """What the campaign calls its units, and how many units each area's current roll-up sums."""

    noun: str = UNIT_NOUN
    sums: Mapping[str, int] = field(default_factory=dict)  # area -> units its current roll-up sums

    @property
    def areas(self) -> bool:
        return self.noun != UNIT_NOUN

    def row_dict(self, unit: str) -> dict[str, Any]:
        """What a unit row of ``status --json`` adds (nothing in an ordinary county campaign)."""
        return {"sums_units": self.sums.get(unit)} if self.areas else {}


def area_view(unit_types: Iterable[str], returns: Mapping[str, Return]) -> AreaView:
    """The view of a campaign with units of ``unit_types`` (the roster's) and current ``returns``:
    areas when every typed unit is an area (and one is) or any return is a roll-up."""
    types = [t for t in unit_types if t.strip()]
    levels = {unit: r.meta.get(LEVEL_KEY, "") for unit, r in returns.items()}
    rolled = {unit: level for unit, level in levels.items() if level in LEVELS}
    if not rolled and not (types and all(is_area(t) for t in types)):
        return AreaView()
    level = max(rolled.values(), key=LEVELS.index, default=LEVELS[0])
    sums = {unit: len(source_units(returns[unit].meta)) for unit in rolled}
    return AreaView(AREA_NOUNS[level], sums)


def source_units(meta: Mapping[str, str]) -> list[tuple[str, int, str]]:
    """(unit, version, sha256) of each unit a roll-up's _meta says it sums."""
    out = []
    i = 0
    while (line := meta.get(f"{SOURCE_UNIT}{i}")) is not None:
        unit, version, sha = (line.split("\t") + ["", ""])[:3]
        out.append((unit, int(version) if version.isdigit() else 0, sha))
        i += 1
    return out
