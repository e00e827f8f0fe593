"""status and aggregate as use cases: where the returns are, how each unit stands, the totals, and the
files an output must never replace."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app.helpers import cli, cli_json
from tests.campaign.countyfixtures import CHENGGUAN, CIVIL, MARKET, POLICE, TODAY, County
from xltool.app.errors import UsageProblem
from xltool.app.overview import (
    StatusSource,
    aggregate,
    aggregate_campaign,
    overview,
    status,
    summary_path,
)
from xltool.campaign.settings import load_campaign
from xltool.errors import XltoolError


def test_a_campaign_folders_overview_counts_each_standing(county: County) -> None:
    ov = overview(StatusSource(folder=county.root, today=TODAY))
    assert ov.campaign is not None and ov.status.mode == "campaign"
    standing = {r.name: r.standing for r in ov.status.rows}
    assert standing[MARKET] == "pass" and standing[CHENGGUAN] == "fix"
    assert standing[CIVIL] == standing[POLICE] == "missing"
    assert sum(ov.status.counts().values()) == len(ov.status.rows) == 8
    assert ov.status.counts()["missing"] == 2
    assert county.root / "名单.csv" in ov.inputs or any(p.suffix == ".csv" for p in ov.inputs)
    assert any("returns" in p.parts for p in ov.inputs)  # every return kept is an input


def test_a_plain_folder_needs_its_roster(plain: County) -> None:
    ov = overview(StatusSource(returns=plain.root, roster=plain.roster))
    assert ov.campaign is None and ov.status.mode == "folder"
    assert plain.roster in ov.inputs
    with pytest.raises(XltoolError, match="不是报送工作文件夹"):
        overview(StatusSource(folder=plain.root))
    with pytest.raises(UsageProblem, match="--returns"):
        overview(StatusSource())


def test_a_campaign_folder_brings_its_own_roster(county: County) -> None:
    with pytest.raises(UsageProblem, match="不需要 --roster"):
        overview(StatusSource(folder=county.root, roster=county.roster))


def test_status_json_equals_the_use_cases(county: County) -> None:
    done = status(StatusSource(folder=county.root))
    code, out = cli_json("status", str(county.root), "--json")
    assert code == 0 and out == done.to_dict()


def test_status_never_writes_over_an_input(county: County) -> None:
    kept = next(p for p in (county.root / "returns").rglob("*.xlsx"))
    before = kept.read_bytes()
    with pytest.raises(XltoolError, match="不能写到"):
        status(StatusSource(folder=county.root), xlsx=kept, force=True)
    assert kept.read_bytes() == before
    done = status(
        StatusSource(folder=county.root), xlsx=county.root.parent / "s.xlsx", html=county.root.parent / "s.html"
    )
    assert [p.name for p in done.written] == ["s.xlsx", "s.html"]


def test_aggregate_sums_the_current_error_free_returns(county: County, tmp_path: Path) -> None:
    done = aggregate(StatusSource(folder=county.root), tmp_path / "a.xlsx")
    included = {i.unit for i in done.summed.included}
    excluded = {x.unit for x in done.summed.excluded}
    assert done.ok and done.out.is_file()
    assert CHENGGUAN in excluded and CIVIL in excluded and MARKET not in excluded
    assert len(included) + len(excluded) == len(done.status.rows)
    code, out = cli_json("aggregate", str(county.root), "-o", str(tmp_path / "b.xlsx"), "--json")
    assert code == 0 and {**out, "out": ""} == {**done.to_dict(), "out": ""}
    again = cli("aggregate", str(county.root), "-o", str(tmp_path / "a.xlsx"))
    assert again.exit_code == 1 and "--force" in again.output  # an existing output is kept


def test_the_consoles_totals_go_to_the_campaigns_summary(county: County) -> None:
    campaign = load_campaign(county.root)
    first = aggregate_campaign(campaign)
    assert first.out == summary_path(campaign) and first.out.parent.name == "汇总"
    assert aggregate_campaign(campaign).out == first.out  # replaced, not refused
