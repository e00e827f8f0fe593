"""``xltool versions`` through the application layer and the command line: every example of its
help runs, ``--json`` equals the use case's ``to_dict()``, and ``status`` (text, .xlsx, .html,
``--json``) names every version held for review with the command that settles it."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from tests.app.helpers import cli, cli_json
from tests.campaign.versionfixtures import FINANCE, HOUSING, JUSTICE, MARKET, Mess, build_mess
from xltool.app.versions import decide, list_versions
from xltool.campaign.settings import load_campaign


@pytest.fixture(scope="module")
def mess_master(tmp_path_factory: pytest.TempPathFactory) -> Mess:
    return build_mess(tmp_path_factory.mktemp("app-mess"))


@pytest.fixture
def mess(mess_master: Mess, tmp_path: Path) -> Mess:
    root = tmp_path / mess_master.root.name
    shutil.copytree(mess_master.root, root)
    return Mess(root, mess_master.files, mess_master.values)


# Every example of `xltool versions -h` runs on the demo campaign in tests/test_cli_examples.py.


def test_json_equals_to_dict(mess: Mess) -> None:
    code, data = cli_json("versions", str(mess.root), HOUSING, "--json")
    assert code == 0 and data == list_versions(load_campaign(mess.root), HOUSING).to_dict()
    assert [(v["number"], v["current"], v["held"]) for v in data["versions"]] == [(1, True, False), (2, False, True)]
    code, data = cli_json("versions", str(mess.root), HOUSING, "--void", "2", "--reason", "误发", "--json")
    assert code == 0 and data["done"]["action"] == "void" and data["versions"][1]["voided"]
    assert data == {**list_versions(load_campaign(mess.root), HOUSING).to_dict(), "done": data["done"]}


def test_the_text_lists_versions_and_decisions(mess: Mess) -> None:
    done = cli("versions", str(mess.root), FINANCE, "--use", "1", "--reason", "已电话核实")
    assert done.exit_code == 0
    assert "已记入登记簿" in done.output and "已电话核实" in done.output and "第 1 版" in done.output
    assert "待核实" not in done.output.split("处理记录")[0].split("\n", 2)[2]  # confirmed
    assert f"用了{JUSTICE}的模板" in done.output  # the note stays shown


def test_usage_errors(mess: Mess) -> None:
    assert cli("versions", str(mess.root), HOUSING, "--void", "2").exit_code == 2  # no reason
    assert cli("versions", str(mess.root), HOUSING, "--use", "1", "--void", "2", "--reason", "x").exit_code == 2
    assert cli("versions", str(mess.root), HOUSING, "--move", "2", "--reason", "x").exit_code == 2  # no --to
    assert cli("versions", str(mess.root), HOUSING, "--use", "7", "--reason", "x").exit_code == 1
    assert cli("versions", str(mess.root), "没有这个单位").exit_code == 1
    with pytest.raises(Exception, match="--use"):
        decide(load_campaign(mess.root), HOUSING, reason="x")


def test_status_names_every_held_version_with_what_to_do(mess: Mess, tmp_path: Path) -> None:
    code, data = cli_json("status", str(mess.root), "--json")
    assert code == 0
    held = [(r["unit"], r["version"]) for r in data["needs_review"]]
    assert held == [(HOUSING, 2), (FINANCE, 1), (MARKET, 3)]
    assert next(u for u in data["units"] if u["unit"] == FINANCE)["review"] == f"用了{JUSTICE}的模板"
    text = cli("status", str(mess.root)).output
    assert "待核实" in text and f"xltool versions {mess.root} {HOUSING} --void 2" in text
    xlsx, html = tmp_path / "s.xlsx", tmp_path / "s.html"
    assert cli("status", str(mess.root), "--xlsx", str(xlsx), "--html", str(html)).exit_code == 0
    sheet = openpyxl.load_workbook(xlsx)["待核实"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert [r[0] for r in rows] == [HOUSING, FINANCE, MARKET] and "--use" in rows[0][4]
    page = html.read_text(encoding="utf-8")
    assert 'id="needs-review"' in page and f"用了{JUSTICE}的模板" in page
    cli("versions", str(mess.root), HOUSING, "--void", "2", "--reason", "误发")
    cli("versions", str(mess.root), FINANCE, "--use", "1", "--reason", "已核实")
    cli("versions", str(mess.root), MARKET, "--void", "3", "--reason", "转发错了")
    assert cli_json("status", str(mess.root), "--json")[1]["needs_review"] == []
