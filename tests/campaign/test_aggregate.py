"""`xltool aggregate`: the county's totals from the current, error-free returns only.

The returns are generated with numbers that differ per unit and the test sums them itself from the
values it wrote; xltool's sums must equal them, pass every check of the form, and come out the same
when real LibreOffice recalculates the summary workbook (whose numbers are formulas over the
per-unit sheet). Units left out are listed with their reason; a sum that breaks a rule is reported
as xltool's own fault, never handed out quietly.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from tests.campaign.countyfixtures import (
    CHENGGUAN,
    CIVIL,
    EDUCATION,
    MARKET,
    TODAY,
    TOWN,
    YUEHE,
    County,
    build_campaign,
    build_folder,
)
from tests.returns import default_form
from xltool.campaign import aggregate as aggregate_module
from xltool.campaign.aggregate import AggregateResult, aggregate, number_fields, outcome_groups
from xltool.campaign.aggregate_book import CHARTS, LEFT_OUT, SOURCES, SUMMARY, UNITS, write_aggregate
from xltool.campaign.aggregate_units import units_layout
from xltool.campaign.settings import load_campaign
from xltool.campaign.status import campaign_status, folder_status
from xltool.campaign.status_files import plain_label
from xltool.cli import main
from xltool.form.aggregation import Aggregated
from xltool.form.model import Form
from xltool.office import recalculate
from xltool.roster import load_roster


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> County:
    return build_folder(tmp_path_factory.mktemp("folder"))


@pytest.fixture(scope="module")
def result(folder: County) -> AggregateResult:
    form = default_form()
    return aggregate(folder_status(folder.root, load_roster(folder.roster, form.units), form, today=TODAY), form)


def independent_sums(form: Form, units: list[dict[str, Any]]) -> dict[str, float]:
    """Every number field summed from the values the test wrote; a total as the sum of its parts,
    taken from the definition the way a person reads the printed table."""

    def value(values: dict[str, Any], key: str) -> float:
        parts = form.fields[key].parts
        return sum(value(values, p) for p in parts) if parts else float(values[key])

    return {f.key: round(sum(value(u, f.key) for u in units), 6) for f in form.fields.values() if f.numeric}


def test_the_sums_equal_the_tests_own(folder: County, result: AggregateResult) -> None:
    form = default_form()
    assert sorted(u.unit for u in result.included) == sorted(folder.values)
    expected = independent_sums(form, list(folder.values.values()))
    assert result.totals == pytest.approx(expected)
    # three totals by hand, as a clerk would add the printed table
    units = folder.values.values()
    new = sum(v[f"t3.new.{c}"] for v in units for c in ("natural", "commercial", "research", "nonprofit", "legal",
                                                          "other"))  # fmt: skip
    assert result.totals["t3.new.total"] == new == result.applications()
    assert result.totals["t4.review.total"] == sum(
        v[f"t4.review.{c}"] for v in units for c in ("upheld", "corrected", "other", "pending")
    )
    assert result.totals["t2.fees.amount"] == pytest.approx(sum(v["t2.fees.amount"] for v in units))
    assert isinstance(result.totals["t3.new.total"], int)  # whole numbers stay whole


def test_units_left_out_are_listed_with_their_reason(result: AggregateResult) -> None:
    reasons = {x.unit: x.reason for x in result.excluded}
    assert reasons[CIVIL] == "未报送"
    assert reasons[CHENGGUAN].startswith("有错误：B1")
    assert reasons[EDUCATION] == "有错误：H3"  # last year's return
    assert reasons[YUEHE].startswith("重复报送")
    assert len(result.included) + len(result.excluded) == 10
    assert TOWN in {u.unit for u in result.included}  # a warning is no reason to leave a unit out


def test_the_county_passes_every_check_of_the_form(result: AggregateResult) -> None:
    assert result.ok and result.inconsistencies == [] and result.inconsistency_text() == ""
    assert result.checks == sum(1 for c in result.form.checks if not c.rule.cross_year) > 20


def test_a_sum_that_breaks_a_rule_is_reported_as_xltools_fault(
    folder: County, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real = aggregate_module.county_figures

    def broken(form: Form, included: list[Any]) -> Aggregated:
        county = real(form, included)
        county.values["t3.new.natural"] += 1  # the kind of slip a summing bug makes: B1 no longer holds
        return county

    monkeypatch.setattr(aggregate_module, "county_figures", broken)
    out = tmp_path / "汇总.xlsx"
    args = ["aggregate", "--returns", str(folder.root), "--roster", str(folder.roster), "-o", str(out)]
    cli = CliRunner().invoke(main, args)
    assert cli.exit_code == 1
    assert "内部错误" in cli.output and "【B1】" in cli.output and "不要使用这份汇总数" in cli.output
    alarm = openpyxl.load_workbook(out)[SUMMARY]["A3"].value
    assert alarm.startswith("内部错误") and "【B1】" in alarm


def test_the_workbook_recalculated_by_libreoffice_shows_the_same_totals(
    folder: County, result: AggregateResult, soffice: str, tmp_path: Path
) -> None:
    form = result.form
    out = write_aggregate(result, tmp_path / "桐柏县汇总.xlsx")
    recalculated = recalculate([out], tmp_path / "lo")[0]
    wb = openpyxl.load_workbook(recalculated, data_only=True)
    assert wb.sheetnames == [SUMMARY, UNITS, CHARTS, LEFT_OUT, SOURCES]
    expected = independent_sums(form, list(folder.values.values()))
    seen = {}
    for f in form.fields.values():
        if f.numeric:
            sheet, ref = next(wb.defined_names[f.defined_name].destinations)
            seen[f.key] = wb[sheet][ref.replace("$", "")].value
    assert seen == pytest.approx(expected)
    groups = outcome_groups(form)
    chart_values = [wb[CHARTS].cell(4 + i, 2).value for i in range(len(groups))]
    assert chart_values == [sum(expected[k] for k in keys) for _, keys in groups]
    assert sum(chart_values) == expected[form.role("outcomes")]


def test_the_workbook_keeps_units_reasons_and_provenance_and_is_protected(
    folder: County, result: AggregateResult, tmp_path: Path
) -> None:
    out = write_aggregate(result, tmp_path / "汇总.xlsx")
    wb = openpyxl.load_workbook(out)
    assert all(ws.protection.sheet and not ws.protection.password for ws in wb.worksheets)
    units = wb[UNITS]  # one column per unit, one row per number field: prints on a few landscape pages
    assert [units.cell(r, 1).value for r in (2, 3, 4)] == ["单位", "单位类型", "校验结论"]
    assert units.freeze_panes == "C5" and units.print_title_rows == "$2:$4"
    columns = {units.cell(2, c).value: c for c in range(3, 3 + len(result.included))}
    assert set(columns) == set(folder.values)
    assert (units.cell(3, columns[TOWN]).value, units.cell(4, columns[TOWN]).value) == ("乡镇", "有警告")
    row = units_layout(number_fields(result.form), ("单位", "单位类型", "校验结论"), len(columns)).rows[
        "t3.new.natural"
    ]
    assert units.cell(row + 1, 2).value == plain_label(result.form.fields["t3.new.natural"].col_label)
    assert {u: units.cell(row + 1, c).value for u, c in columns.items()} == {
        u: v["t3.new.natural"] for u, v in folder.values.items()
    }
    left = {r[0]: r[2] for r in wb[LEFT_OUT].iter_rows(min_row=2, values_only=True)}
    assert left == {x.unit: x.reason for x in result.excluded}
    sources = {r[0]: r for r in wb[SOURCES].iter_rows(min_row=2, values_only=True)}
    for unit, path in folder.files.items():
        assert sources[unit][5] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert (folder.root / sources[unit][3]).read_bytes() == path.read_bytes()
    assert wb[SUMMARY]["A1"].value == result.title and wb[SUMMARY]["A3"].value.startswith("复核：")
    charts = wb[CHARTS]._charts
    assert len(charts) == 2


def form_label(form: Form, key: str) -> str:
    return form.fields[key].label


def test_a_campaign_folder_through_the_command(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    county = build_campaign(tmp_path_factory.mktemp("campaign"))
    out = tmp_path / "全县汇总.xlsx"
    runner = CliRunner()
    cli = runner.invoke(main, ["aggregate", str(county.root), "-o", str(out), "--json"])
    assert cli.exit_code == 0, cli.output
    data = json.loads(cli.output)
    status = campaign_status(load_campaign(county.root), today=TODAY)
    library = aggregate(status, default_form()).to_dict()
    assert {k: v for k, v in data.items() if k != "out"} == json.loads(json.dumps(library, ensure_ascii=False))
    summed = {u: v for u, v in county.values.items() if u != CHENGGUAN}  # 城关镇's return fails B1
    assert sorted(u["unit"] for u in data["included"]) == sorted(summed)
    assert data["totals"] == pytest.approx(independent_sums(default_form(), list(summed.values())))
    # the corrected unit is summed by its second version, which is what the register holds
    assert {u["unit"]: u["version"] for u in data["included"]}[EDUCATION] == 2
    assert {u["unit"]: u["sha256"] for u in data["included"]}[MARKET] == hashlib.sha256(
        county.files[MARKET].read_bytes()
    ).hexdigest()
    again = runner.invoke(main, ["aggregate", str(county.root), "-o", str(out)])
    assert again.exit_code == 1 and "已存在" in again.output and "--force" in again.output
    text = runner.invoke(main, ["aggregate", str(county.root), "-o", str(out), "--force"])
    assert text.exit_code == 0 and "未汇总 4 个单位" in text.output and "全县合计" in text.output


def test_a_form_without_the_overview_roles_still_aggregates(tmp_path: Path) -> None:
    """The mini form (tests/forms/mini) marks no applications or outcomes: no chart, still sums."""
    from tests.forms.minifixtures import FORM, UNIT, valid_values
    from xltool.workbook.write import UnitInfo, write_template

    folder = tmp_path / "returns"
    units = [UNIT, "另一镇人民政府"]
    for i, name in enumerate(units):
        values = {**valid_values(), FORM.role("unit_name"): name}
        write_template(FORM, UnitInfo(name, "", 2025), folder / f"{i}.xlsx", values=values)
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称,联系邮箱,联系人\n" + "".join(f"{u},,\n" for u in units), encoding="utf-8")
    status = folder_status(folder, load_roster(roster, FORM.units), FORM)
    assert status.counts()["pass"] == 2 and status.applications_label == ""
    summed = aggregate(status, FORM)
    assert summed.ok and summed.applications() is None
    expected = independent_sums(FORM, [valid_values()] * 2)
    assert summed.totals == pytest.approx(expected)
    wb = openpyxl.load_workbook(write_aggregate(summed, tmp_path / "汇总.xlsx"))
    assert CHARTS not in wb.sheetnames and SUMMARY in wb.sheetnames
