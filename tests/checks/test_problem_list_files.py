"""The problem list names each file as the county officer gave it (the path inside the folder given,
or the file's name) and, with a roster, says whom to call: the unit's 联系人 and 联系邮箱."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.returns import ROSTER, load_copy, make_return, make_town_return
from xltool.checks.problem_files import (
    LANDSCAPE_UP_TO,
    LIST_HEADER,
    LIST_WIDTHS,
    PORTRAIT_UP_TO,
    SUMMARY_HEADER,
    SUMMARY_WIDTHS,
    display_names,
    roster_unit,
)
from xltool.cli.main import main
from xltool.roster import load_roster

UNBALANCED = {"t3.carried_out.natural": 2}  # 表三 no longer adds up: a problem in every return below
MARKET = ("彭亮", "tbscjgj@example.org")  # as samples/roster.xlsx gives them
TOWN = ("朱琳", "anpeng@example.org")
IN_TOWN = str(Path("安棚镇") / "报表.xlsx")


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """What a county officer collected: a return at the top, one in a town's subfolder (the town
    typed the county in front of the roster's name), one of a unit the roster does not know."""
    root = tmp_path / "收到的报表" / "2025"
    make_return(root, UNBALANCED, name="市场监管局.xlsx")
    make_town_return(root / "安棚镇", UNBALANCED, name="报表.xlsx")
    make_return(root, {**UNBALANCED, "info.unit_name": "某某有限公司"}, unit="某某有限公司", name="外单位.xlsx")
    return root


def _by_file(rows: list[list[object]]) -> dict[object, set[tuple[object, object]]]:
    """文件 -> the (联系人, 联系邮箱) pairs of its rows."""
    name, contact, email = (LIST_HEADER.index(c) for c in ("文件", "联系人", "联系邮箱"))
    out: dict[object, set[tuple[object, object]]] = {}
    for r in rows:
        out.setdefault(r[name], set()).add((r[contact] or "", r[email] or ""))
    return out


EXPECTED = {"市场监管局.xlsx": {MARKET}, IN_TOWN: {TOWN}, "外单位.xlsx": {("", "")}}


def test_the_list_names_files_inside_the_folder_and_gives_contacts(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "问题清单.xlsx"
    assert run("verify", folder, "--roster", ROSTER, "--out", out).exit_code == 1
    wb = load_copy(out)
    rows = [[c.value for c in row] for row in wb["问题清单"].iter_rows()]
    assert tuple(rows[0]) == LIST_HEADER
    assert _by_file(rows[1:]) == EXPECTED
    summary = [[c.value for c in row] for row in wb["汇总"].iter_rows()]
    assert tuple(summary[0]) == SUMMARY_HEADER
    assert {(r[0], r[6] or "", r[7] or "") for r in summary[1:]} == {(k, *v) for k, (v,) in EXPECTED.items()}


def test_the_csv_list_too(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "问题清单.csv"
    assert run("verify", folder, "--roster", ROSTER, "--out", out).exit_code == 1
    rows: list[list[object]] = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert tuple(rows[0]) == LIST_HEADER
    assert _by_file(rows[1:]) == EXPECTED


def test_without_a_roster_the_contact_columns_are_empty(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "问题清单.xlsx"
    assert run("verify", folder / "安棚镇", folder / "市场监管局.xlsx", "--out", out).exit_code == 1
    rows = [[c.value for c in row] for row in load_copy(out)["问题清单"].iter_rows(min_row=2)]
    assert _by_file(rows) == {"报表.xlsx": {("", "")}, "市场监管局.xlsx": {("", "")}}


def test_a_contact_from_the_roster_is_text_never_a_formula(tmp_path: Path) -> None:
    link = '=HYPERLINK("http://example.com/x","点此")'
    roster = tmp_path / "名单.csv"
    roster.write_text(
        f'单位名称,单位类型,联系邮箱,联系人\n桐柏县市场监督管理局,部门,a@example.org,"{link.replace(chr(34), chr(34) * 2)}"\n'
    )
    source = make_return(tmp_path / "报表", UNBALANCED, name="年报.xlsx")
    listing, text = tmp_path / "问题清单.xlsx", tmp_path / "问题清单.csv"
    assert run("verify", source, "--roster", roster, "--out", listing).exit_code == 1
    assert run("verify", source, "--roster", roster, "--out", text).exit_code == 1
    wb = load_copy(listing)
    cells = [wb["问题清单"].cell(2, LIST_HEADER.index("联系人") + 1), wb["汇总"].cell(2, 7)]
    assert [(c.value, c.data_type) for c in cells] == [(link, "s"), (link, "s")]
    row = next(csv.reader(text.read_text(encoding="utf-8-sig").splitlines()[1:]))
    assert row[LIST_HEADER.index("联系人")] == "'" + link  # Excel/WPS show it, never run it


# ------------------------------------------------------------------ how a file is named
def test_names_inside_a_folder_given(folder: Path) -> None:
    files = [folder / "市场监管局.xlsx", folder / "安棚镇" / "报表.xlsx"]
    assert display_names(files, [folder]) == {files[0]: "市场监管局.xlsx", files[1]: IN_TOWN}


def test_a_file_given_by_itself_is_named_by_its_name(folder: Path) -> None:
    town = folder / "安棚镇" / "报表.xlsx"
    inside = str(Path("2025") / IN_TOWN)
    assert display_names([town], [folder.parent, town]) == {town: inside}  # also in a folder given: inside it
    assert display_names([town], [town]) == {town: "报表.xlsx"}


def test_names_alike_keep_their_folder(tmp_path: Path) -> None:
    a, b = tmp_path / "第一批", tmp_path / "第二批"
    for d in (a, b):
        d.mkdir()
        (d / "年报.xlsx").write_bytes(b"")
    by_folder = display_names([a / "年报.xlsx", b / "年报.xlsx"], [a, b])
    assert by_folder == {a / "年报.xlsx": str(Path("第一批/年报.xlsx")), b / "年报.xlsx": str(Path("第二批/年报.xlsx"))}
    by_file = display_names([a / "年报.xlsx", b / "年报.xlsx"], [a / "年报.xlsx", b / "年报.xlsx"])
    assert sorted(by_file.values()) == [str(Path("第一批/年报.xlsx")), str(Path("第二批/年报.xlsx"))]


def test_the_current_folder_given_as_a_dot(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder)
    town = Path("安棚镇") / "报表.xlsx"
    assert display_names([town, Path("市场监管局.xlsx")], [Path(".")]) == {
        town: IN_TOWN,
        Path("市场监管局.xlsx"): "市场监管局.xlsx",
    }


def test_a_unit_typing_the_county_in_front_is_still_found() -> None:
    roster = load_roster(ROSTER)
    found = {name: roster_unit(roster, name) for name in ("安棚镇人民政府", "桐柏县安棚镇人民政府", "某某有限公司", "")}
    assert {name: unit.contact if unit else None for name, unit in found.items()} == {
        "安棚镇人民政府": "朱琳",
        "桐柏县安棚镇人民政府": "朱琳",
        "某某有限公司": None,
        "": None,
    }


# ------------------------------------------------------------------ it still prints
def test_the_columns_print_legibly() -> None:
    assert len(LIST_WIDTHS) == len(LIST_HEADER) and len(SUMMARY_WIDTHS) == len(SUMMARY_HEADER)
    assert PORTRAIT_UP_TO < sum(LIST_WIDTHS) <= LANDSCAPE_UP_TO  # landscape, no smaller than before the contacts
    assert sum(SUMMARY_WIDTHS) <= PORTRAIT_UP_TO  # the summary: portrait
