"""The levels of a return (a unit's own, a county's roll-up, a city's) and the area word a roll-up's
county sentences say ({area}: 全县, 全区, 全市)."""

from __future__ import annotations

import pytest

from xltool.form.levels import area_word, is_area, next_level


@pytest.mark.parametrize(
    ("level", "name", "word"),
    [
        ("县", "桐柏县", "全县"),
        ("县", "宛城区", "全区"),  # a district says 全区
        ("县", "邓州市", "全市"),  # a county-level city
        ("县", "科尔沁左翼中旗", "全旗"),
        ("县", "", "全县"),
        ("市", "南阳市", "全市"),  # a city's roll-up of county roll-ups
        ("市", "恩施土家族苗族自治州", "全州"),
        ("市", "南阳", "全市"),
        ("省", "河南省", "全省"),
        ("", "桐柏县", "全县"),  # a unit's own level ("") rolls up to 县
    ],
)
def test_the_area_word(level: str, name: str, word: str) -> None:
    assert area_word(level, name) == word


def test_a_city_level_never_says_全县() -> None:
    """A city whose name ends in 县 or 区 is not one: the kinds of area are the level's own."""
    assert area_word("市", "某某区") == "全市"


def test_levels_climb() -> None:
    assert next_level(["", ""]) == "县"
    assert next_level(["县", "县"]) == "市"
    assert next_level(["市"]) == "省"
    assert next_level(["省"]) == "省"


def test_areas_of_a_roster() -> None:
    assert is_area("县") and is_area(" 区 ") and is_area("县级市")
    assert not is_area("部门") and not is_area("乡镇")
