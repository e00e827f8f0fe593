"""The peer checks (G1) in a campaign's stored verdicts (campaign/peers.py): a county of 40 units
collected for real; the planted values are flagged in their verdicts and replies with the value and
the peers' median, a corrected version clears its flag, the ordinary spread gets none, and a
campaign too small for the rule gets none at all."""

from __future__ import annotations

import shutil
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

from tests.outliercounty import PLANTED, make_county_campaign, make_peer_campaign
from tests.returns import make_return
from xltool.app.campaign import draft
from xltool.app.overview import StatusSource, overview
from xltool.app.unit import unit_view
from xltool.app.upload import Dropped, collect_dropped
from xltool.app.versions import decide
from xltool.campaign.aggregate import aggregate
from xltool.campaign.register import Register
from xltool.campaign.settings import load_campaign
from xltool.campaign.status import campaign_status

PEER_CODE = "G1"


def g1(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """unit -> the G1 problems of its current version's stored verdict (units with any)."""
    out = {}
    with Register.for_campaign(folder) as reg:
        for unit in reg.units():
            sub = reg.current(unit.id)
            verdict = reg.verdict(sub.id) if sub else None
            found = [p for p in (verdict.problems if verdict else ()) if p["code"] == PEER_CODE]
            if found:
                out[unit.name] = found
    return out


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_county_campaign(tmp_path_factory.mktemp("peers"))


@pytest.fixture
def camp(county: Path, tmp_path: Path) -> Path:
    """A copy of the collected county a test may change."""
    return Path(shutil.copytree(county, tmp_path / "campaign"))


def test_the_planted_values_and_only_they_are_flagged_in_the_stored_verdicts(county: Path) -> None:
    flagged = g1(county)
    assert {(u, p["field"], p["value"]) for u, ps in flagged.items() for p in ps} == {
        (unit, key, value) for unit, changes in PLANTED.items() for key, value in changes.items()
    }  # the other 36 units' ordinary spread: no G1
    penalty = flagged["单位03"][0]
    assert penalty["severity"] == "warning" and penalty["cell"] and "3000" in penalty["message"]
    assert "中位数" in penalty["message"]
    with Register.for_campaign(county) as reg:
        verdict = reg.verdict(reg.current("单位03").id)
        assert verdict.verdict == "warn" and verdict.warnings == len(verdict.problems) - verdict.errors


def test_the_reply_draft_names_the_value_and_the_peer_median(camp: Path) -> None:
    done = draft(load_campaign(camp), unit="单位03")
    (made,) = done.drafts
    assert made.eml_path is not None
    msg = BytesParser(policy=policy.default).parsebytes((camp / made.eml_path).read_bytes())
    assert isinstance(msg, EmailMessage)
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    median = g1(camp)["单位03"][0]["message"].split("中位数为 ")[1].split("，")[0]
    assert PEER_CODE in text
    assert "3000" in text and f"中位数为 {median}" in text


def test_the_board_and_the_unit_page_show_the_flag(county: Path) -> None:
    rows = {r.name: r for r in campaign_status(load_campaign(county)).rows}
    assert PEER_CODE in rows["单位03"].codes and PEER_CODE not in rows["单位04"].codes
    page = unit_view(load_campaign(county), "单位03")
    assert page.current is not None
    (shown,) = [p for p in page.current.problems if p.code == PEER_CODE]
    assert shown.value == "3000" and shown.cell and "中位数" in shown.message


def test_the_aggregate_marks_the_flagged_values_from_the_verdicts(county: Path) -> None:
    ov = overview(StatusSource(folder=county))
    summed = aggregate(ov.status, ov.form)
    flags = [(f.unit, f.key) for u in summed.included for f in u.flags if f.code == PEER_CODE]
    planted = {(u, k) for u, changes in PLANTED.items() for k in changes}
    assert set(flags) <= planted and len(flags) == len(set(flags))  # once each: no top-up of its own
    assert {("单位03", "t2.penalty.decisions"), ("单位11", "t2.fees.amount")} <= set(flags)


def test_a_corrected_version_clears_it_and_the_old_one_keeps_what_it_had(camp: Path, tmp_path: Path) -> None:
    fixed = make_return(tmp_path / "fixed", {"t2.penalty.decisions": 30}, unit="单位03", unit_type="部门",
                        name="单位03.xlsx")  # fmt: skip
    collect_dropped(load_campaign(camp), [Dropped("单位03更正.xlsx", fixed.read_bytes())])
    assert "单位03" not in g1(camp)
    with Register.for_campaign(camp) as reg:
        first = reg.verdict(reg.version("单位03", 1).id)
        assert any(p["code"] == PEER_CODE for p in first.problems)  # no longer current: kept as answered
    decide(load_campaign(camp), "单位03", void=2, reason="更正版填错了，仍用第 1 版")
    assert [p["value"] for p in g1(camp)["单位03"]] == [3000]  # current again: flagged again


def test_an_explained_value_counts_as_explained(camp: Path, tmp_path: Path) -> None:
    explained = make_return(tmp_path / "why", {"t2.penalty.decisions": 3000, "notes.explanation": "G1：本年专项整治，处罚确有3000件。"},
                            unit="单位03", unit_type="部门", name="单位03.xlsx")  # fmt: skip
    collect_dropped(load_campaign(camp), [Dropped("单位03说明.xlsx", explained.read_bytes())])
    (problem,) = g1(camp)["单位03"]
    assert problem["explanation"] and "专项整治" in problem["explanation"]


def test_a_campaign_smaller_than_the_rules_min_peers_gets_none(tmp_path: Path) -> None:
    folder = make_peer_campaign(tmp_path / "small", units=5)  # 单位03 ×100 among 5: fewer than 8 peers
    assert g1(folder) == {}
