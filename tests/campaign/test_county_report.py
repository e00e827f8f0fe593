"""The county's own report: its unit's return plus county-wide paragraphs from the totals."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tests.campaign.campaignfixtures import MARKET, mail, make_campaign
from xltool.campaign.collect import collect
from xltool.campaign.register import Register
from xltool.campaign.settings import load_campaign
from xltool.cli import main
from xltool.form.loader import load_form
from xltool.workbook.read import read_return


def test_the_county_report_adds_the_totals_of_the_error_free_returns(tmp_path: Path, returns: dict[str, bytes]) -> None:
    camp = make_campaign(tmp_path / "c")
    collect(load_campaign(camp), mail(returns), "test")
    form = load_form()
    received, units = 0, 0
    with Register.for_campaign(camp) as reg:
        for unit in reg.units():
            current = reg.current(unit.id)
            verdict = reg.verdict(current.id) if current else None
            if current is None or verdict is None or verdict.verdict == "fix":
                continue
            units += 1
            received += int(read_return(camp / current.stored_path, form).complete_totals()["t3.new.total"] or 0)
    out = tmp_path / "county.md"
    result = CliRunner().invoke(main, ["report", str(camp), "--county", "--unit", MARKET, "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert f"全县{units}个单位" in text and f"共收到政府信息公开申请{received}件" in text
    assert "共4个报送单位" in text  # one unit was left out, and the report says so


def test_the_county_report_needs_the_unit_and_a_campaign(tmp_path: Path) -> None:
    camp = make_campaign(tmp_path / "c")
    runner = CliRunner()
    no_unit = runner.invoke(main, ["report", str(camp), "--county", "-o", str(tmp_path / "x.md")])
    assert no_unit.exit_code == 2 and "--unit" in no_unit.output
    not_sent = runner.invoke(main, ["report", str(camp), "--county", "--unit", MARKET, "-o", str(tmp_path / "x.md")])
    assert not_sent.exit_code == 1 and "尚未报送" in not_sent.output
