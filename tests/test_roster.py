"""Tests for xltool.roster: the sample rosters load, every bad roster gives one clear Chinese line."""

from __future__ import annotations

import random
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest

from xltool.errors import RosterError
from xltool.form.loader import load_form
from xltool.roster import (
    Roster,
    Unit,
    lacking_county,
    lacking_county_warning,
    likely_name,
    load_roster,
    safe_filename,
)

UNITS = load_form().units  # the annual report's unit types and how clerks type them
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
HEADER = ["单位名称", "单位类型", "联系邮箱", "联系人"]


def xlsx(tmp_path: Path, rows: Sequence[Sequence[object]], name: str = "名单.xlsx") -> Path:
    """Write ``rows`` (row 1 first) to a one-sheet workbook."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def csv_file(tmp_path: Path, text: str, encoding: str = "utf-8-sig") -> Path:
    path = tmp_path / "名单.csv"
    path.write_bytes(text.encode(encoding))
    return path


def raises(path: Path) -> str:
    with pytest.raises(RosterError) as info:
        load_roster(path, UNITS)
    message = str(info.value)
    assert "\n" not in message and message
    return message


# --- the samples -----------------------------------------------------------------------------


def test_sample_xlsx_and_csv_hold_the_same_units() -> None:
    from_xlsx = load_roster(SAMPLES / "roster.xlsx", UNITS)
    from_csv = load_roster(SAMPLES / "roster.csv", UNITS)
    assert from_xlsx.units == from_csv.units
    assert len(from_xlsx) == 37
    assert {u.unit_type for u in from_xlsx} == {"乡镇", "部门", "其他"}
    assert sum(u.unit_type == "乡镇" for u in from_xlsx) == 16


def test_sample_lookup_and_to_dict() -> None:
    roster = load_roster(SAMPLES / "roster.xlsx", UNITS)
    anpeng = roster.by_name(" 安棚镇人民政府\u3000")
    assert anpeng == Unit("安棚镇人民政府", "乡镇", "anpeng@example.org", "朱琳")
    assert anpeng.to_dict() == {
        "name": "安棚镇人民政府",
        "unit_type": "乡镇",
        "email": "anpeng@example.org",
        "contact": "朱琳",
    }
    assert roster.by_name("不存在的单位") is None
    assert roster.source == SAMPLES / "roster.xlsx"
    assert roster.to_dict()["count"] == 37
    assert [u.name for u in roster][:2] == ["城关镇人民政府", "淮源镇人民政府"]


# --- good rosters in awkward shapes ----------------------------------------------------------


def test_header_on_row_2_below_a_title_and_extra_columns(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path,
        [
            ["某县2025年度报送单位名单"],
            ["序号", "联系人", "单位名称", "备注", "联系邮箱", "单位类型"],
            [1, "张三", "安棚镇人民政府", "", "anpeng@example.org", "镇"],
            [2, "李四", "桐柏县教育局", "无", "tbjyj@example.org", "县直单位"],
        ],
    )
    roster = load_roster(path, UNITS)
    assert [(u.name, u.unit_type, u.contact) for u in roster] == [
        ("安棚镇人民政府", "乡镇", "张三"),
        ("桐柏县教育局", "部门", "李四"),
    ]


def test_roster_on_a_later_sheet_after_instructions(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["填表说明：单位类型填乡镇、街道、部门或其他"])
    wb.create_sheet("名单").append(HEADER)
    wb["名单"].append(["安棚镇人民政府", "乡镇", "anpeng@example.org", "张三"])
    wb.save(tmp_path / "名单.xlsx")
    assert load_roster(tmp_path / "名单.xlsx", UNITS).units[0].name == "安棚镇人民政府"


def test_row_numbers_in_messages_are_sheet_rows_when_header_is_lower(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path,
        [
            ["标题"],
            [],
            HEADER,
            ["安棚镇人民政府", "乡镇", "anpeng@example.org", "张三"],
            ["安棚镇人民政府", "乡镇", "anpeng2@example.org", "李四"],
        ],
    )
    assert "名单第4行与第5行的单位名称重复：安棚镇人民政府" in raises(path)


def test_spaces_and_fullwidth_spaces_in_headers_and_values(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path,
        [
            [" 单位名称\u3000", "单位 类型", "\u3000联系邮箱", "联系人 "],
            ["\u3000安棚镇人民政府 ", " 乡镇人民政府", " anpeng＠example．org ", "\u3000张三"],
        ],
    )
    (unit,) = load_roster(path, UNITS).units
    assert unit == Unit("安棚镇人民政府", "乡镇", "anpeng@example.org", "张三")


def test_blank_rows_and_rows_with_only_a_number_are_skipped(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path,
        [
            ["序号", *HEADER],
            [1, "安棚镇人民政府", "乡镇", "anpeng@example.org", "张三"],
            [],
            [None, "  ", None, "", None],
            [2, "桐柏县教育局", "部门", "tbjyj@example.org", "李四"],
            [3],
            [4],
        ],
    )
    assert len(load_roster(path, UNITS)) == 2


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("乡镇", "乡镇"),
        ("镇", "乡镇"),
        ("乡", "乡镇"),
        ("乡镇人民政府", "乡镇"),
        ("街道", "街道"),
        ("街道办事处", "街道"),
        ("街道办", "街道"),
        ("县直部门", "部门"),
        ("县直单位", "部门"),
        ("政府部门", "部门"),
        ("部门", "部门"),
        ("开发区", "其他"),
        ("管委会", "其他"),
        ("园区", "其他"),
        ("其它", "其他"),
    ],
)
def test_unit_type_variants_are_normalised(tmp_path: Path, typed: str, expected: str) -> None:
    path = xlsx(tmp_path, [HEADER, ["某单位", typed, "a@example.org", "张三"]])
    assert load_roster(path, UNITS).units[0].unit_type == expected
    assert expected in UNITS.names


def test_gbk_csv_from_chinese_excel_loads(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "单位名称,单位类型,联系邮箱,联系人\r\n"
        "安棚镇人民政府,乡镇,anpeng@example.org,张三\r\n"
        "南阳市生态环境局桐柏分局,部门,tbsthj@example.org,李四\r\n",
        encoding="gbk",
    )
    roster = load_roster(path, UNITS)
    assert [u.name for u in roster] == ["安棚镇人民政府", "南阳市生态环境局桐柏分局"]


def test_utf16_tab_separated_text_from_excel_loads(tmp_path: Path) -> None:
    path = csv_file(
        tmp_path,
        "\ufeff单位名称\t单位类型\t联系邮箱\t联系人\r\n安棚镇人民政府\t乡镇\tanpeng@example.org\t张三\r\n",
        encoding="utf-16-le",
    )
    assert load_roster(path, UNITS).units[0].name == "安棚镇人民政府"


def test_wrong_dimension_written_by_wps_is_ignored(tmp_path: Path) -> None:
    good = xlsx(
        tmp_path,
        [HEADER, *[[f"单位{i}", "部门", f"u{i}@example.org", "张三"] for i in range(1, 6)]],
    )
    wps = tmp_path / "wps.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(wps, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<dimension ref="A1:D6"/>', b'<dimension ref="A1:A1"/>')
                assert b'ref="A1:A1"' in data
            dst.writestr(item, data)
    assert len(load_roster(wps, UNITS)) == 5


# --- bad rosters -----------------------------------------------------------------------------


def test_missing_column(tmp_path: Path) -> None:
    path = xlsx(tmp_path, [["单位名称", "单位类型", "联系人"], ["安棚镇人民政府", "乡镇", "张三"]])
    assert raises(path) == "名单缺少列：联系邮箱。需要的列：单位名称、单位类型、联系邮箱（联系人可选）"


def test_no_header_row_at_all(tmp_path: Path) -> None:
    path = xlsx(tmp_path, [["名称", "类型"], ["安棚镇人民政府", "乡镇"]])
    assert "名单缺少列：单位名称、单位类型、联系邮箱（" in raises(path)


def test_duplicate_column(tmp_path: Path) -> None:
    path = xlsx(tmp_path, [[*HEADER, "联系邮箱"], ["安棚镇人民政府", "乡镇", "a@example.org", "张三"]])
    assert "“联系邮箱”" in raises(path)


def test_duplicate_unit_names_name_both_rows(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path,
        [
            HEADER,
            ["安棚镇人民政府", "乡镇", "anpeng@example.org", "张三"],
            ["桐柏县教育局", "部门", "tbjyj@example.org", "李四"],
            ["安棚镇人民政府\u3000", "乡镇", "anpeng@example.org", "王五"],
        ],
    )
    assert raises(path) == "名单第2行与第4行的单位名称重复：安棚镇人民政府"


def test_names_that_become_the_same_file_name(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path,
        [
            HEADER,
            ["某县/开发区", "其他", "a@example.org", "张三"],
            ["某县:开发区", "其他", "b@example.org", "李四"],
        ],
    )
    assert "名单第2行与第3行" in raises(path)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_empty_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"名单{suffix}"
    path.write_bytes(b"")
    assert "名单文件是空的" in raises(path)


def test_header_only_xlsx(tmp_path: Path) -> None:
    assert "没有任何单位" in raises(xlsx(tmp_path, [HEADER]))


def test_header_only_csv(tmp_path: Path) -> None:
    assert "没有任何单位" in raises(csv_file(tmp_path, "单位名称,单位类型,联系邮箱,联系人\r\n,,,\r\n"))


def test_sheet_without_any_content(tmp_path: Path) -> None:
    assert "没有任何内容" in raises(xlsx(tmp_path, []))


def test_missing_file(tmp_path: Path) -> None:
    assert "找不到名单文件" in raises(tmp_path / "没有这个文件.xlsx")


def test_directory_instead_of_file(tmp_path: Path) -> None:
    folder = tmp_path / "名单.xlsx"
    folder.mkdir()
    assert "文件夹" in raises(folder)


def test_docx_renamed_to_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "名单.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    message = raises(path)
    assert message.startswith("名单文件不是有效的 .xlsx 表格：")
    assert "Word 文档" in message
    assert "请用 Excel/WPS 另存为 .xlsx 或 .csv 后重试" in message


def test_random_bytes_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "名单.xlsx"
    path.write_bytes(random.Random(1).randbytes(2000))
    assert "名单文件不是有效的 .xlsx 表格" in raises(path)


def test_random_bytes_named_csv(tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    path.write_bytes(random.Random(2).randbytes(2000))
    assert "名单文件不是有效的 .csv 表格" in raises(path)


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_old_xls_binary(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"名单{suffix}"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504)
    assert "旧版 .xls" in raises(path)


def test_xlsx_saved_with_csv_extension(tmp_path: Path) -> None:
    good = xlsx(tmp_path, [HEADER, ["安棚镇人民政府", "乡镇", "a@example.org", "张三"]])
    renamed = good.rename(tmp_path / "名单.csv")
    assert "扩展名是 .csv" in raises(renamed)


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "名单.docx"
    path.write_bytes(b"PK\x03\x04")
    assert "名单文件类型不支持" in raises(path)


def test_truncated_xlsx(tmp_path: Path) -> None:
    good = xlsx(tmp_path, [HEADER, ["安棚镇人民政府", "乡镇", "a@example.org", "张三"]])
    data = good.read_bytes()
    for cut in range(100, len(data), max(1, len(data) // 25)):
        good.write_bytes(data[:cut])
        assert "名单文件不是有效的 .xlsx 表格" in raises(good)


def test_unknown_unit_type_names_the_row(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path,
        [
            HEADER,
            ["安棚镇人民政府", "乡镇", "anpeng@example.org", "张三"],
            ["桐柏县教育局", "局", "tbjyj@example.org", "李四"],
        ],
    )
    assert raises(path) == "名单第3行（桐柏县教育局）的单位类型“局”无法识别。可填：乡镇、街道、部门、其他"


def test_missing_unit_type(tmp_path: Path) -> None:
    path = xlsx(tmp_path, [HEADER, ["桐柏县教育局", "", "tbjyj@example.org", "李四"]])
    assert "名单第2行（桐柏县教育局）没有填单位类型" in raises(path)


@pytest.mark.parametrize(
    "email",
    [
        "anpeng.example.org",
        "anpeng@example",
        "anpeng@@example.org",
        "a@b@example.org",
        "anpeng@example.org; tbjyj@example.org",
        "张三 anpeng@example.org",
        "anpeng@.org",
        "anpeng@example.org.",
        "anpeng@example.o_rg",
        "an peng@example.org",
        "@example.org",
        "anpeng@",
        "无",
        "张三",
        "anpeng@example.123",
    ],
)
def test_malformed_email_names_the_row(tmp_path: Path, email: str) -> None:
    path = xlsx(tmp_path, [["标题"], HEADER, ["安棚镇人民政府", "乡镇", email, "张三"]])
    message = raises(path)
    assert message.startswith("名单第3行（安棚镇人民政府）的联系邮箱")
    assert "格式不对" in message


def test_a_unit_without_contact_or_its_column_is_allowed(tmp_path: Path) -> None:
    rows = [HEADER, ["安棚镇人民政府", "乡镇", "ap@x.org", None], ["城关镇人民政府", "乡镇", None, ""]]
    assert [u.contact for u in load_roster(xlsx(tmp_path, rows), UNITS)] == ["", ""]
    no_column = xlsx(tmp_path, [HEADER[:3], ["安棚镇人民政府", "乡镇", "ap@x.org"]], "无联系人.xlsx")
    assert [(u.name, u.email, u.contact) for u in load_roster(no_column, UNITS)] == [("安棚镇人民政府", "ap@x.org", "")]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("a@b.c", "a@b.c"),
        ("Zhang.San+gk@Example.GOV.cn", "Zhang.San+gk@Example.GOV.cn"),
        ("123456789@qq.com", "123456789@qq.com"),
        ("a_b-c@mail-1.example.org", "a_b-c@mail-1.example.org"),
        ("张三 <zs@example.org>", "zs@example.org"),
        ("<zs@example.org>", "zs@example.org"),
        ("mailto:zs@example.org", "zs@example.org"),
        (" zs＠example．org ", "zs@example.org"),
        ("gk@例子.中国", "gk@例子.中国"),
    ],
)
def test_lenient_email_forms(tmp_path: Path, typed: str, kept: str) -> None:
    path = xlsx(tmp_path, [HEADER, ["安棚镇人民政府", "乡镇", typed, "张三"]])
    assert [u.email for u in load_roster(path, UNITS)] == [kept]


def test_units_lacking_the_county(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["安棚镇人民政府", "乡镇", "", ""],
        ["桐柏县教育局", "部门", "", ""],
        ["桐柏县 城关镇人民政府", "乡镇", "", ""],
    ]
    roster = load_roster(xlsx(tmp_path, rows), UNITS)
    assert [u.name for u in lacking_county(roster, "桐柏县")] == ["安棚镇人民政府"]
    assert lacking_county(roster, "") == []
    warning = lacking_county_warning(roster, "桐柏县")
    assert warning.startswith("警告：名单中有 1 个单位的名称不含“桐柏县”：安棚镇人民政府。")
    assert "桐柏县安棚镇人民政府" in warning
    assert lacking_county_warning(roster, "") == ""
    many = load_roster(SAMPLES / "roster.xlsx", UNITS)
    lacking = lacking_county(many, "桐柏县")
    warning = lacking_county_warning(many, "桐柏县")
    assert len(lacking) > 5 and "…" not in warning and all(u.name in warning for u in lacking)  # never cut


@pytest.mark.parametrize(
    ("county", "name", "likely"),
    [
        ("泌阳县", "沁阳县教育局", "泌阳县教育局"),  # a character typed wrong
        ("泌阳县", "泌县教育局", "泌阳县教育局"),  # left out
        ("桐柏县", "桐柏柏县财政局", "桐柏县财政局"),  # added
        ("上城区", "上成区民政局", "上城区民政局"),  # any county, not one list
        ("桐柏县", "桐柏镇人民政府", ""),  # a town named after its county is no typo
        ("桐柏县", "安棚镇人民政府", ""),
        ("泌阳县", "沁源县教育局", ""),  # two characters off: not a likely typo
    ],
)
def test_the_likely_typo_of_the_county(county: str, name: str, likely: str) -> None:
    assert likely_name(name, county) == likely


def test_the_warning_names_the_typo_and_suggests_the_name(tmp_path: Path) -> None:
    rows = [
        HEADER,
        ["泌阳县财政局", "部门", "", ""],
        ["沁阳县教育局", "部门", "", ""],
        ["泌阳县司法局", "部门", "", ""],
    ]
    warning = lacking_county_warning(load_roster(xlsx(tmp_path, rows), UNITS), "泌阳县")
    assert "名单中有 1 个单位的名称不含“泌阳县”：沁阳县教育局（是否应为 泌阳县教育局？）。" in warning


def test_a_unit_without_email_is_allowed(tmp_path: Path) -> None:
    """Its replies are drafted for sending by hand (xltool reply, xltool status say so)."""
    path = xlsx(
        tmp_path, [HEADER, ["安棚镇人民政府", "乡镇", None, "张三"], ["城关镇人民政府", "乡镇", "cg@x.org", "李四"]]
    )
    roster = load_roster(path)
    assert [u.email for u in roster] == ["", "cg@x.org"]


def test_row_with_data_but_no_unit_name(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path,
        [
            HEADER,
            ["安棚镇人民政府", "乡镇", "anpeng@example.org", "张三"],
            ["", "部门", "tbjyj@example.org", "李四"],
        ],
    )
    assert "名单第3行没有填单位名称" in raises(path)


@pytest.mark.parametrize("seed", range(20))
def test_never_a_traceback_for_garbage(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    blob = rng.choice([b"PK\x03\x04", b"\xef\xbb\xbf", b"", "单位名称,".encode()]) + rng.randbytes(rng.randint(1, 3000))
    for suffix in (".xlsx", ".csv"):
        path = tmp_path / f"x{suffix}"
        path.write_bytes(blob)
        raises(path)


# --- Roster and safe_filename ----------------------------------------------------------------


def test_roster_is_a_sequence_of_units(tmp_path: Path) -> None:
    roster = Roster(units=(Unit("甲", "部门", "a@example.org", "张三"),), source=tmp_path / "r.xlsx")
    assert len(roster) == 1
    assert list(roster) == list(roster.units)
    assert roster.by_name("甲") is roster.units[0]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("安棚镇人民政府", "安棚镇人民政府"),
        ("桐柏县人民政府（县政府办公室）", "桐柏县人民政府（县政府办公室）"),
        ('a\\b/c:d*e?f"g<h>i|j', "a_b_c_d_e_f_g_h_i_j"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("..", "未命名单位"),
        ("  .安棚镇. ", "安棚镇"),
        ("安棚\x00镇\n", "安棚_镇_"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("", "未命名单位"),
    ],
)
def test_safe_filename(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_safe_filename_limits_length() -> None:
    result = safe_filename("很长的单位名称" * 40)
    assert len(result.encode("utf-8")) <= 150
    assert result.startswith("很长的单位名称")


def test_a_form_without_unit_types_needs_no_type_column(tmp_path: Path) -> None:
    path = csv_file(tmp_path, "单位名称,联系邮箱,联系人\n安棚镇人民政府,ap@example.org,王明\n")
    (unit,) = load_roster(path).units  # no unit types: the form of tests/forms/mini
    assert (unit.name, unit.unit_type, unit.email) == ("安棚镇人民政府", "", "ap@example.org")
    assert "单位类型" in raises(path)  # the annual report's types make the column required
