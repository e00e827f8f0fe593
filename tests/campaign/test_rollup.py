"""`xltool aggregate --as-return`: a county's totals as a return of the form, collected by the city.

Three county campaigns of three units each are collected from real mail; each county's roll-up
return must verify clean, say its level and sources, carry the county paragraphs and the 来源 of its
numbers; a city campaign whose roster names the three counties collects the three roll-ups, and its
totals must equal the sum over all nine units, which the test adds up itself from the values it wrote.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.campaign.rollupfixtures import CITY, COUNTIES, run
from tests.returns import default_form, saved_by_libreoffice
from xltool.form.aggregation import SUM
from xltool.form.levels import source_units
from xltool.workbook.meta import META_SHEET
from xltool.workbook.read import read_return


@pytest.fixture
def world(rollup_world: dict[str, Any]) -> dict[str, Any]:
    return rollup_world


def test_each_rollup_verifies_clean(world: dict[str, Any]) -> None:
    for county, path in world["rolled"].items():
        done = run("verify", str(path))
        assert done.exit_code == 0, done.output
        assert "【" not in done.output, done.output  # no problem at all, not even a warning
        ret = read_return(path, default_form())
        assert ret.meta["unit"] == county and ret.meta["unit_type"] == ""


def test_a_rollup_says_its_level_and_sources(world: dict[str, Any]) -> None:
    area = world["counties"][0]
    ret = read_return(world["rolled"][area.name], default_form())
    assert ret.meta["level"] == "县"
    assert area.name in ret.meta["source"]
    units = source_units(ret.meta)
    assert sorted(u for u, _, _ in units) == sorted(area.values)
    assert all(version == 1 and re.fullmatch(r"[0-9a-f]{64}", sha) for _, version, sha in units)


def test_the_level_cannot_be_edited_unseen(world: dict[str, Any], tmp_path: Path) -> None:
    """The level is part of the fingerprint: a roll-up turned back into a unit's own return is H2."""
    path = world["rolled"][COUNTIES[0]]
    book = openpyxl.load_workbook(path)
    meta = book[META_SHEET]
    row = next(r for r in meta.iter_rows() if r[0].value == "level")
    row[1].value = "市"
    edited = tmp_path / "改过层级.xlsx"
    book.save(edited)
    done = run("verify", str(edited))
    assert done.exit_code == 1 and ("【H2】" in done.output or "【H4】" in done.output), done.output


def test_the_text_fields_hold_the_county_paragraphs(world: dict[str, Any]) -> None:
    ret = read_return(world["rolled"][COUNTIES[0]], default_form())
    on_request = str(ret.values["s1.on_request"].value)
    assert on_request.startswith("2025年，全县3个单位共收到政府信息公开申请"), on_request
    received = sum(v["t3.new.natural"] + v["t3.new.commercial"] + v["t3.new.research"] + v["t3.new.nonprofit"]
                   + v["t3.new.legal"] + v["t3.new.other"] for v in world["counties"][0].values.values())  # fmt: skip
    assert f"共收到政府信息公开申请{received}件" in on_request
    oversight = str(ret.values["s1.oversight"].value)
    assert "全县" in oversight and oversight.startswith("一是将政务公开工作纳入")  # the government's own text first
    assert ret.values["info.unit_name"].value == COUNTIES[0]


def test_each_number_carries_its_sources(world: dict[str, Any]) -> None:
    area = world["counties"][0]
    form = default_form()
    f = form.fields["t2.licensing.decisions"]
    book = openpyxl.load_workbook(world["rolled"][area.name])
    cell = book[form.sheet(f.sheet).name][f.cell]
    assert cell.comment is not None
    for unit, values in area.values.items():
        assert f"{unit}：{values[f.key]}" in cell.comment.text
    assert cell.value == sum(v[f.key] for v in area.values.values())


def test_the_city_collects_the_rollups_like_returns(world: dict[str, Any]) -> None:
    done = run("status", str(world["city"]), "--json")
    assert done.exit_code == 0, done.output
    rows = json.loads(done.output)["units"]
    assert sorted(r["unit"] for r in rows) == sorted(COUNTIES)
    assert {r["unit_type"] for r in rows} == {"县"}
    assert {r["standing"] for r in rows} == {"pass"}


def test_the_city_total_is_the_sum_over_all_units(world: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "南阳市汇总报表.xlsx"
    done = run("aggregate", str(world["city"]), "--as-return", str(out), "--json")
    assert done.exit_code == 0, done.output
    result = json.loads(done.output)
    totals, form = result["totals"], default_form()
    units = [v for area in world["counties"] for v in area.values.values()]
    assert len(units) == 9
    summed = [f for f in form.fields.values() if f.numeric and f.aggregate == SUM]
    assert summed
    for f in summed:
        assert totals[f.key] == pytest.approx(sum(v[f.key] for v in units), abs=1e-9), f.key
    assert result["as_return"]["level"] == "市"
    ret = read_return(out, form)
    assert ret.meta["level"] == "市" and ret.meta["unit"] == CITY
    assert sorted(u for u, _, _ in source_units(ret.meta)) == sorted(COUNTIES)
    for f in summed:
        if f.editable:
            assert ret.values[f.key].value == pytest.approx(totals[f.key]), f.key


def test_a_county_has_no_unit_type_so_type_rules_do_not_fire(world: dict[str, Any], tmp_path: Path) -> None:
    """A3-max (a town's fee over 1000 万元) is for towns only: a county's large total is no finding."""
    form = default_form()
    county = world["counties"][0]
    big = {**county.values[f"{county.name}城关镇人民政府"], "t2.fees.amount": 0}
    assert big["t2.fees.amount"] == 0
    path = world["rolled"][county.name]
    ret = read_return(path, form)
    assert "t2.fees.amount" in ret.values
    done = run("verify", str(path), "--json")
    codes = {p["code"] for f in json.loads(done.output)["files"] for p in f["problems"]}
    assert "A1" not in codes and "A3" not in codes


def test_as_return_needs_an_output(world: dict[str, Any]) -> None:
    done = run("aggregate", str(world["counties"][0].root))
    assert done.exit_code == 2 and "--as-return" in done.output


def test_dates(world: dict[str, Any]) -> None:
    ret = read_return(world["rolled"][COUNTIES[0]], default_form())
    assert ret.values["info.date"].value == dt.date.today()


def test_libreoffice_recalculates_the_rollup_as_verify_does(
    world: dict[str, Any], tmp_path: Path, soffice: str
) -> None:
    """The totals and rates of a roll-up are the template's formulas: real LibreOffice recalculates
    them to what verify computes, and the saved roll-up still verifies clean at its level."""
    form = default_form()
    path = world["rolled"][COUNTIES[1]]
    saved = saved_by_libreoffice(path, tmp_path / "saved")
    ours, theirs = read_return(path, form), read_return(saved, form)
    assert theirs.meta["level"] == "县"
    formulas = [k for k, f in form.fields.items() if f.numeric and not f.editable and k in ours.values]
    assert formulas
    computed = ours.complete_totals()
    for key in formulas:
        assert theirs.values[key].raw == pytest.approx(computed[key]), key
    done = run("verify", str(saved))
    assert done.exit_code == 0 and "【" not in done.output, done.output


def test_a_city_template_for_a_county_has_no_unit_type(world: dict[str, Any]) -> None:
    """init wrote the city's templates for the counties of its roster (单位类型 县): no unit type."""
    templates = sorted((world["city"] / "templates").rglob("*.xlsx"))
    assert len(templates) == len(COUNTIES)
    metas = [read_return(t, default_form()).meta for t in templates]
    assert {m["unit"] for m in metas} == set(COUNTIES)
    assert {m["unit_type"] for m in metas} == {""}
