"""The county's view of values that look wrong: ``xltool status --quality`` lists the generated
county's planted outliers (G1 against peers, G2 against last year) farthest out first, its ``--json``
is the library's result, and the county's aggregate marks the totals that include them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.outliercounty import make_county
from tests.returns import default_form
from xltool.app.overview import StatusSource, data_quality, overview
from xltool.campaign.aggregate import aggregate
from xltool.cli import main


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return make_county(tmp_path_factory.mktemp("quality"))


def test_the_flagged_values_are_listed_farthest_out_first(county: tuple[Path, Path, Path]) -> None:
    returns, _, roster = county
    result = data_quality(StatusSource(returns=returns, roster=roster))
    got = [(r.unit, r.code, r.field, r.value) for r in result.rows]
    assert sorted(got) == [
        ("单位03", "G1", "t2.penalty.decisions", 3000),
        ("单位11", "G1", "t2.fees.amount", 3500),
        ("单位17", "G1", "t2.rules.in_force", 15),
        ("单位30", "G1", "t2.penalty.decisions", 4800),
    ]
    assert [r.score for r in result.rows] == sorted((r.score for r in result.rows), reverse=True)
    fees = next(r for r in result.rows if r.unit == "单位11")
    assert fees.compared["peers"] == 25 and fees.compared["low"] < fees.compared["median"] < 40
    assert fees.label == default_form().fields["t2.fees.amount"].label


def test_the_command_prints_them_and_its_json_is_the_librarys(county: tuple[Path, Path, Path]) -> None:
    returns, _, roster = county
    args = ["status", "--returns", str(returns), "--roster", str(roster), "--quality"]
    shown = CliRunner().invoke(main, args)
    assert shown.exit_code == 0, shown.output
    assert "【G1】单位11" in shown.output and "3500" in shown.output and "中位数" in shown.output
    as_json = CliRunner().invoke(main, [*args, "--json"])
    expected = data_quality(StatusSource(returns=returns, roster=roster)).to_dict()
    assert json.loads(as_json.output) == expected


def test_the_aggregate_marks_totals_that_include_a_flagged_value(county: tuple[Path, Path, Path]) -> None:
    returns, _, roster = county
    ov = overview(StatusSource(returns=returns, roster=roster))
    summed = aggregate(ov.status, ov.form)
    flags = [(f.unit, f.key) for u in summed.included for f in u.flags if f.code == "G1"]
    assert flags.count(("单位11", "t2.fees.amount")) == 1  # once: the verdict's and the peers' are one
    assert ("单位03", "t2.penalty.decisions") in flags
