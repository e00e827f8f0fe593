"""The levels a return of a form can be made at: a unit's own, or a roll-up of a lower level's returns.

A county (县) sums its units' returns into a return of the same form; the city (市) collects the
counties' roll-ups as its units' returns and rolls them up in turn, and so on to the province (省).
A roll-up's ``_meta`` says its level; a unit's own return has none. A roster of a higher level names
the lower level's areas, and its 单位类型 column may say which kind of area each is (县, 区, 县级市…):
such an area has no unit type of the form, so no rule meant for one kind of unit applies to it.
A roll-up's county-wide sentences say its area word ({area} in the form: 全县, 全区, 全市…), by its
level and, where the area's own name says which kind of area of that level it is, by its name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

LEVELS = ("县", "市", "省")  # the order a roll-up climbs
AREAS = ("县", "区", "县级市", "市", "旗", "自治县", "州", "盟", "省")  # what a roster may call a lower level's area
LEVEL_KEY = "level"  # the _meta key of a roll-up's level
SOURCE_UNIT = "source_unit:"  # a roll-up's _meta: "source_unit:0", …: one summed unit each, "name\tversion\tsha256"
# The kinds of area at each level, by the last character of an area's name (宛城区, 邓州市 at county
# level; 恩施州 at city level); the level itself when the name says none of them.
LEVEL_KINDS = {"县": ("县", "区", "市", "旗"), "市": ("市", "州", "盟"), "省": ("省", "区", "市")}


def is_area(unit_type: str) -> bool:
    """Whether a roster's 单位类型 names an area of a lower level rather than a kind of unit."""
    return "".join(unit_type.split()) in AREAS


def next_level(levels: Iterable[str]) -> str:
    """The level of a roll-up of returns made at ``levels`` ("" for a unit's own): one above the
    highest of them (a county's roll-up of units is 县, a roll-up of counties' roll-ups is 市)."""
    found = [LEVELS.index(x) for x in levels if x in LEVELS]
    return LEVELS[min(max(found) + 1, len(LEVELS) - 1)] if found else LEVELS[0]


def area_word(level: str, name: str = "") -> str:
    """What a roll-up at ``level`` calls its whole area in a sentence ("全县"; "全区" for 宛城区,
    "全市" for a county-level 邓州市 or for a city's roll-up)."""
    level = level if level in LEVELS else LEVELS[0]
    name = "".join(name.split())
    kind = next((k for k in LEVEL_KINDS[level] if name.endswith(k)), level)
    return f"全{kind}"


def source_units(meta: Mapping[str, str]) -> list[tuple[str, int, str]]:
    """(unit, version, sha256) of each unit a roll-up's _meta says it sums."""
    out = []
    i = 0
    while (line := meta.get(f"{SOURCE_UNIT}{i}")) is not None:
        unit, version, sha = (line.split("\t") + ["", ""])[:3]
        out.append((unit, int(version) if version.isdigit() else 0, sha))
        i += 1
    return out


def level_of(meta: Mapping[str, str]) -> str:
    """A return's level ("" for a unit's own return)."""
    level = str(meta.get(LEVEL_KEY, ""))
    return level if level in LEVELS else ""
