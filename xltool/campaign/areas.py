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

from xltool.form.levels import LEVELS, area_word, is_area, next_level

UNIT_NOUN = "单位"
# What a campaign calls its units when they are areas, by the level of the units' own roll-ups.
AREA_NOUNS = {"县": "县（市、区）", "市": "市（州、盟）", "省": "省（区、市）"}


@dataclass(frozen=True)
class AreaView:
    """What the campaign calls its units, and how many units each area's current roll-up sums."""

    noun: str = UNIT_NOUN
    sums: Mapping[str, int] = field(default_factory=dict)  # area -> units its current roll-up sums
    level: str = ""  # the level of the units' returns ("" for units' own returns, 县 for counties' roll-ups)

    def whole(self, name: str) -> str:
        """What the campaign's own total calls its whole area (全县; 全市 for a city's campaign of
        counties; 全区 for a county whose name ends in 区: form/levels.py)."""
        return area_word(next_level([self.level]), name)

    @property
    def areas(self) -> bool:
        return self.noun != UNIT_NOUN

    def row_dict(self, unit: str) -> dict[str, Any]:
        """What a unit row of ``status --json`` adds (nothing in an ordinary county campaign)."""
        return {"sums_units": self.sums.get(unit)} if self.areas else {}


def area_view(unit_types: Iterable[str], rollups: Mapping[str, tuple[str, int]]) -> AreaView:
    """The view of a campaign with units of ``unit_types`` (the roster's) whose current returns are
    of these (level, units summed) (the register keeps them: no file is read): areas when every
    typed unit is an area (and one is) or any return is a roll-up."""
    types = [t for t in unit_types if t.strip()]
    rolled = {unit: found for unit, found in rollups.items() if found[0] in LEVELS}
    if not rolled and not (types and all(is_area(t) for t in types)):
        return AreaView()
    level = max((lv for lv, _ in rolled.values()), key=LEVELS.index, default=LEVELS[0])
    return AreaView(AREA_NOUNS[level], {unit: sums for unit, (_, sums) in rolled.items()}, level)
