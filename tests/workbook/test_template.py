"""The locked template written by xltool.template, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell
from openpyxl.utils.protection import hash_password
from openpyxl.workbook.workbook import Workbook

from xltool.errors import XltoolError
from xltool.form.calc import INCOMPLETE, NOT_FILLED, PASS, VERDICT_NOT_FILLED, VERDICT_PASS, check_status, totals
from xltool.form.layout import a1
from xltool.form.loader import load_form
from xltool.form.model import Form, workbook_rules
from xltool.workbook.fingerprint import fingerprint
from xltool.workbook.meta import META_SHEET, identity_row, unpack_fields
from xltool.workbook.write import UnitInfo, write_template

TOWN = UnitInfo("桐柏县安棚镇人民政府", "乡镇", 2025)
DEPT = UnitInfo("桐柏县教育局", "部门", 2025)

# Table 三 of a complete, balanced return: column -> {row: count}; every other cell is 0.
# natural: 5 new + 1 carried in = 3 open + 1 partial + 1 unable + 1 carried out.
T3 = {
    "natural": {"new": 5, "carried_in": 1, "r_open": 3, "r_partial": 1, "r_unable_1": 1,
                "carried_out": 1},
    "commercial": {"new": 2, "r_open": 1, "r_reject_2": 1},
    "legal": {"new": 1, "r_other_3": 1},
}  # fmt: skip
OTHERS = {
    "t2.normative.issued": 2,
    "t2.normative.repealed": 1,
    "t2.normative.in_force": 15,
    "t2.licensing.decisions": 120,
    "t2.penalty.decisions": 34,
    "t2.coercion.decisions": 3,
    "t2.fees.amount": 0.35,
    "t4.review.upheld": 1,
    "t4.review.pending": 1,
    "t4.suit_direct.upheld": 1,
    "info.filler": "张三",
    "info.phone": "0377-8123456",
    "info.date": dt.date(2026, 1, 15),
    "s1.proactive": "本年主动公开政府信息 120 条。",
    "s1.management": "落实信息发布审查制度。",
    "s1.platform": "维护政府网站信息公开专栏。",
    "s1.oversight": "开展政务公开培训 2 次。",
    "s5.problems": "公开内容有待丰富；下一步加强培训。",
    "s6.fee_charged": "否",
    "s6.fee_amount": 0,
}


def filling(form: Form, **changes: Any) -> dict[str, Any]:
    """A complete valid return (every numeric input filled, B1 balanced); ``changes`` override
    fields given as ``t3__new__legal=2``; a value of None leaves that field blank."""
    values: dict[str, Any] = {f.key: 0 for f in form.numeric_inputs}
    for col, rows in T3.items():
        values.update({f"t3.{row}.{col}": n for row, n in rows.items()})
    values.update(OTHERS)
    values.update({k.replace("__", "."): v for k, v in changes.items()})
    return {k: v for k, v in values.items() if v is not None}


# ------------------------------------------------------------------ reading helpers
def meta(wb: Workbook) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """The key/value rows of _meta and the rows of its field map (after the header)."""
    rows = list(wb[META_SHEET].iter_rows(values_only=True))
    pairs = {r[0]: r[1] for r in rows if r[0] is not None}
    return pairs, [f.row() for f in unpack_fields(pairs) or ()]


def visible(wb: Workbook) -> Iterator[Any]:
    return (ws for ws in wb.worksheets if ws.title != META_SHEET)


def editable_cells(form: Form) -> set[tuple[str, str]]:
    return {(form.sheet(f.sheet).name, f.cell) for f in form.fields.values() if f.editable}


def formula_cells(wb: Workbook) -> dict[tuple[str, str], str]:
    return {
        (ws.title, c.coordinate): c.value
        for ws in visible(wb)
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    }


def grid_check_cells(form: Form) -> dict[tuple[str, str], tuple[str, str]]:
    """(rule id, at field) -> (sheet name, A1) of the live check cells beside and below the grids.

    A check of a rule listed in ``checks_below`` sits under its field's column, one row per rule
    after the last data row; one in ``checks_right`` sits in its field's row, right of the data.
    """
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for g in form.grids:
        for check in form.checks:
            at = form.fields[check.at]
            inside = (
                at.grid == g.key
                and g.data_top <= at.row < g.data_top + len(g.rows)
                and g.data_left <= at.col < g.data_left + g.data_width
            )
            if not inside:
                continue
            name = form.sheet(g.sheet).name
            if check.rule.id in g.checks_below:
                row = g.data_top + len(g.rows) + g.checks_below.index(check.rule.id)
                out[(check.rule.id, check.at)] = (name, a1(row, at.col))
            if check.rule.id in g.checks_right:
                col = g.data_left + g.data_width + g.checks_right.index(check.rule.id)
                out[(check.rule.id, check.at)] = (name, a1(at.row, col))
    return out


def summary_cells(form: Form) -> dict[str, tuple[str, str]]:
    """Rule id (and "blank_numbers", "blank_texts", "overall") -> its result cell on 校验结果."""
    b = form.checks_block
    assert b is not None
    name = form.sheet(b.sheet).name
    rules = workbook_rules(form)
    out = {r.id: (name, a1(b.row0 + i, b.col0 + 3)) for i, r in enumerate(rules, start=1)}
    for k, what in enumerate(("blank_numbers", "blank_texts", "overall")):
        out[what] = (name, a1(b.row0 + len(rules) + 1 + k, b.col0 + 3))
    return out


def cached(wb: Workbook, where: tuple[str, str]) -> Any:
    return wb[where[0]][where[1]].value


# ------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def form() -> Form:
    return load_form()


@pytest.fixture(scope="module")
def books(form: Form, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("templates")
    cases: dict[str, tuple[UnitInfo, dict[str, Any] | None]] = {
        "town": (TOWN, None),
        "dept": (DEPT, None),
        "valid": (DEPT, filling(form)),
        # natural column: carried out 2 instead of 1, so 5 + 1 != 5 + 2.
        "b1": (DEPT, filling(form, t3__carried_out__natural=2)),
        "partial": (DEPT, filling(form, t3__r_open__research=None, t4__review__other=None)),
    }
    paths = {}
    for name, (unit, values) in cases.items():
        paths[name] = out / f"{name}.xlsx"
        result = write_template(form, unit, paths[name], values=values)
        assert result.path == paths[name]
    return paths


@functools.cache
def load(path: Path, data_only: bool = False) -> Workbook:
    """Loaded once per module: tests only read these workbooks (openpyxl loads are slow)."""
    return openpyxl.load_workbook(path, data_only=data_only)


# ------------------------------------------------------------------ protection
def test_sheets_and_structure_are_locked(form: Form, books: dict[str, Path]) -> None:
    wb = load(books["town"])
    assert wb.sheetnames == [s.name for s in form.sheets] + [META_SHEET]
    assert all(ws.protection.sheet for ws in wb.worksheets)
    assert wb.security is not None and wb.security.lockStructure
    assert wb[META_SHEET].sheet_state == "veryHidden"
    assert all(ws.sheet_state == "visible" for ws in visible(wb))


def test_every_editable_cell_is_unlocked(form: Form, books: dict[str, Path]) -> None:
    for case in ("town", "valid"):
        wb = load(books[case])
        for f in form.fields.values():
            if f.editable:
                cell = wb[form.sheet(f.sheet).name][f.cell]
                assert not isinstance(cell, MergedCell), f.key
                assert cell.protection.locked is False, (case, f.key)


def test_every_other_cell_is_locked(form: Form, books: dict[str, Path]) -> None:
    editable = editable_cells(form)
    wb = load(books["valid"])
    seen = 0
    for ws in visible(wb):
        # The hidden part of a merged input box (e.g. 本年处理决定数量 over three columns) takes
        # the lock state of its top-left cell, so it does not count.
        inside_input = {
            (ws.title, a1(r - 1, c - 1))
            for rng in ws.merged_cells.ranges
            if (ws.title, rng.coord.split(":")[0]) in editable
            for r, c in rng.cells
        }
        for row in ws.iter_rows():
            for c in row:
                where = (ws.title, c.coordinate)
                if where in editable or where in inside_input:
                    continue
                if c.value is not None or c.has_style:
                    seen += 1
                    assert c.protection.locked is not False, where
    assert seen > 350  # labels, headers, formulas and check cells


def test_password_is_hashed_into_the_protection(form: Form, tmp_path: Path) -> None:
    path = write_template(form, TOWN, tmp_path / "pw.xlsx", password="Gk-2025!").path
    wb = load(path)
    digest = hash_password("Gk-2025!")
    assert all(ws.protection.password == digest for ws in visible(wb))
    assert wb.security is not None and wb.security.workbookPassword == digest
    plain = load(write_template(form, TOWN, tmp_path / "plain.xlsx").path)
    assert all(ws.protection.password is None for ws in plain.worksheets)


# ------------------------------------------------------------------ _meta and names
def test_meta_header(form: Form, books: dict[str, Path]) -> None:
    pairs, _ = meta(load(books["town"]))
    assert pairs["magic"] == "xltool-meta"
    assert pairs["form_id"] == form.id
    assert pairs["form_version"] == form.version
    assert pairs["year"] == 2025
    assert pairs["unit"] == TOWN.name
    assert pairs["unit_type"] == "乡镇"
    assert pairs["field_count"] == len(form.fields)
    assert re.fullmatch(r"[0-9a-f]{64}", pairs["fingerprint"])


def test_meta_field_map_lists_every_field(form: Form, books: dict[str, Path]) -> None:
    _, rows = meta(load(books["town"]))
    assert rows == [
        (f.key, form.sheet(f.sheet).name, f.cell, f.kind, f.type, f.label, " ".join(f.parts))
        for f in form.fields.values()
    ]


def test_defined_names_match_the_field_map(form: Form, books: dict[str, Path]) -> None:
    wb = load(books["town"])
    _, rows = meta(wb)
    assert set(wb.defined_names) == {f.defined_name for f in form.fields.values()}
    for key, sheet, cell, *_ in rows:
        name = "F_" + key.replace(".", "_")
        col, row = re.fullmatch(r"([A-Z]+)(\d+)", cell).groups()  # type: ignore[union-attr]
        assert list(wb.defined_names[name].destinations) == [(sheet, f"${col}${row}")], key


def test_defined_names_do_not_look_like_cell_references(form: Form) -> None:
    a1_like = re.compile(r"^[A-Za-z]{1,3}[0-9]+$")
    r1c1_like = re.compile(r"^[Rr][0-9]*([Cc][0-9]*)?$|^[Cc][0-9]*$")
    for f in form.fields.values():
        name = f.defined_name
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name), name
        assert not a1_like.match(name) and not r1c1_like.match(name), name
        assert len(name) <= 255


# ------------------------------------------------------------------ fingerprint
def recomputed_fingerprint(form: Form, path: Path) -> str:
    """The locked content as the brief defines it, read independently with openpyxl."""
    wb = load(path)
    editable = editable_cells(form)
    cells, merges = [], []
    for ws in visible(wb):
        merges += [(ws.title, rng.coord) for rng in ws.merged_cells.ranges]
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None and (ws.title, c.coordinate) not in editable:
                    cells.append((ws.title, c.coordinate, str(c.value)))
    pairs, field_map = meta(wb)  # the map the reader relies on, and whose template it is, are locked too
    rows = [tuple("" if v is None else str(v) for v in r) for r in field_map] + [identity_row(pairs)]
    return fingerprint([ws.title for ws in visible(wb)], cells, merges, rows)


@pytest.mark.parametrize("case", ["town", "valid"])
def test_fingerprint_in_meta_matches_the_file(form: Form, books: dict[str, Path], case: str) -> None:
    pairs, _ = meta(load(books[case]))
    assert pairs["fingerprint"] == recomputed_fingerprint(form, books[case])


def test_fingerprint_detects_a_typed_total(form: Form, books: dict[str, Path], tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(books["valid"])
    wb[form.sheet("t3").name][form.fields["t3.new.total"].cell] = 8
    wb.save(tmp_path / "typed.xlsx")
    pairs, _ = meta(load(books["valid"]))
    assert recomputed_fingerprint(form, tmp_path / "typed.xlsx") != pairs["fingerprint"]


def test_same_template_for_every_unit_of_a_year(form: Form, books: dict[str, Path], tmp_path: Path) -> None:
    town, dept = load(books["town"]), load(books["dept"])
    prefilled = {(form.sheet(f.sheet).name, f.cell) for f in form.fields.values() if f.prefill}
    differ = []
    for a, b in zip(visible(town), visible(dept), strict=True):
        assert a.title == b.title
        assert sorted(map(str, a.merged_cells.ranges)) == sorted(map(str, b.merged_cells.ranges))
        for row in a.iter_rows(min_row=1, max_row=max(a.max_row, b.max_row)):
            for c in row:
                if c.value != b[c.coordinate].value:
                    differ.append((a.title, c.coordinate))
    assert set(differ) <= prefilled
    assert {form.fields["info.unit_name"].cell, form.fields["info.unit_type"].cell} == {cell for _, cell in differ}
    locked = lambda wb: {k: v for k, v in meta(wb)[0].items() if str(k).startswith("locked:")}  # noqa: E731
    assert locked(town) == locked(dept)  # the same locked content; the fingerprint also covers whose it is
    assert meta(town)[0]["fingerprint"] != meta(dept)[0]["fingerprint"]
    other_year = write_template(form, UnitInfo(TOWN.name, "乡镇", 2026), tmp_path / "y.xlsx")
    assert other_year.fingerprint != meta(town)[0]["fingerprint"]  # the guide names the year


# ------------------------------------------------------------------ validations
def validations(ws: Any) -> Iterator[tuple[Any, str]]:
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for r, c in rng.cells:
                yield dv, a1(r - 1, c - 1)


def test_numeric_inputs_have_exactly_their_validation(form: Form, books: dict[str, Path]) -> None:
    wb = load(books["town"])
    seen: dict[tuple[str, str], Any] = {}
    for ws in visible(wb):
        for dv, cell in validations(ws):
            assert (ws.title, cell) not in seen, f"two validations on {ws.title}!{cell}"
            seen[(ws.title, cell)] = dv
    numeric = {(form.sheet(f.sheet).name, f.cell): f for f in form.numeric_inputs}
    assert len(numeric) == 167  # 166 table inputs + the 信息处理费 amount
    year = form.fields["info.year"]
    number_checked = {w for w, dv in seen.items() if dv.type in ("whole", "decimal")}
    assert number_checked == set(numeric) | {(form.sheet(year.sheet).name, year.cell)}
    for where, f in numeric.items():
        dv = seen[where]
        assert dv.type == ("whole" if f.type == "int" else "decimal"), f.key
        assert (dv.operator, dv.formula1) == ("greaterThanOrEqual", "0"), f.key
        assert dv.showInputMessage and re.search(r"[\u4e00-\u9fff]", dv.prompt or ""), f.key
        assert dv.showErrorMessage and dv.errorStyle in (None, "stop") and dv.error, f.key
    assert "万元" in seen[next(w for w, f in numeric.items() if f.key == "t2.fees.amount")].prompt
    formulas = {(form.sheet(f.sheet).name, f.cell) for f in form.fields.values() if f.parts}
    assert not formulas & set(seen)


def test_every_input_has_a_chinese_prompt(form: Form, books: dict[str, Path]) -> None:
    wb = load(books["town"])
    prompts = {(ws.title, cell): dv.prompt for ws in visible(wb) for dv, cell in validations(ws)}
    for f in form.inputs:
        prompt = prompts.get((form.sheet(f.sheet).name, f.cell))
        assert prompt and re.search(r"[\u4e00-\u9fff]", prompt), f.key


# ------------------------------------------------------------------ values and cached results
def test_blank_template_inputs_start_blank(form: Form, books: dict[str, Path]) -> None:
    wb = load(books["town"])
    for f in form.inputs:
        value = wb[form.sheet(f.sheet).name][f.cell].value
        expected = {"unit": TOWN.name, "year": 2025, "unit_type": "乡镇"}.get(f.prefill or "")
        assert value == expected, f.key


def test_values_are_written_to_their_cells(form: Form, books: dict[str, Path]) -> None:
    wb = load(books["valid"])
    values = filling(form)
    for key, v in values.items():
        f = form.fields[key]
        got = wb[form.sheet(f.sheet).name][f.cell].value
        assert got == (dt.datetime.combine(v, dt.time()) if isinstance(v, dt.date) else v), key


def test_values_for_formula_cells_are_refused(form: Form, tmp_path: Path) -> None:
    with pytest.raises(XltoolError, match="不存在或不可填写"):
        write_template(form, DEPT, tmp_path / "x.xlsx", values={"t3.new.total": 8})
    with pytest.raises(XltoolError, match="t3.nope"):
        write_template(form, DEPT, tmp_path / "x.xlsx", values={"t3.nope": 8})


@pytest.mark.parametrize("case", ["town", "dept", "valid", "b1", "partial"])
def test_cached_totals_and_checks_equal_calc(form: Form, books: dict[str, Path], case: str) -> None:
    """Every formula cell carries the value calc computes from the inputs in the same file."""
    unit = TOWN if case == "town" else DEPT
    wb = load(books[case], data_only=True)
    values = {
        f.key: wb[form.sheet(f.sheet).name][f.cell].value for f in form.inputs
    }  # what is in the file, including prefilled identity
    values = {k: v for k, v in values.items() if v is not None}
    computed = totals(form, values)
    context = {"template_year": unit.year}
    expected: dict[tuple[str, str], Any] = {}
    for f in form.fields.values():
        if f.parts:
            expected[(form.sheet(f.sheet).name, f.cell)] = computed[f.key]
    for (rule_id, at), where in grid_check_cells(form).items():
        check = next(c for c in form.checks if c.rule.id == rule_id and c.at == at)
        expected[where] = check_status(form, check, values, context, computed)
    for key in dict.fromkeys(g.sheet for g in form.grids):
        expected[(form.sheet(key).name, "A2")] = f"填报单位：{unit.name}　　报告年度：2025"
    summary = summary_cells(form)
    formulas = formula_cells(load(books[case]))
    # Every formula is a total, a check, a subtitle or part of the summary: nothing unexplained.
    assert set(formulas) == set(expected) | set(summary.values())
    for where, value in expected.items():
        assert cached(wb, where) == value, where


def test_cached_totals_of_a_filled_return(form: Form, books: dict[str, Path]) -> None:
    wb = load(books["valid"], data_only=True)
    t3 = form.sheet("t3").name

    def total(key: str) -> Any:
        return wb[t3][form.fields[key].cell].value

    assert [total(f"t3.new.{c}") for c in ("natural", "commercial", "legal", "total")] == [
        5, 2, 1, 8,
    ]  # fmt: skip
    assert total("t3.new.total") == 8
    assert total("t3.carried_in.total") == 1
    assert total("t3.r_open.total") == 4
    assert [total(f"t3.r_total.{c}") for c in ("natural", "commercial", "legal")] == [5, 2, 1]
    assert total("t3.r_total.total") == 8
    assert total("t3.carried_out.total") == 1
    t4 = form.sheet("t4").name
    assert wb[t4][form.fields["t4.review.total"].cell].value == 2
    assert wb[t4][form.fields["t4.suit_direct.total"].cell].value == 1
    assert wb[t4][form.fields["t4.suit_after_review.total"].cell].value == 0


def b1_texts(form: Form, wb: Workbook) -> dict[str, Any]:
    cells = grid_check_cells(form)
    return {at.split(".")[-1]: cached(wb, where) for (rule_id, at), where in cells.items() if rule_id == "B1"}


def test_b1_check_cells(form: Form, books: dict[str, Path]) -> None:
    cols = ("natural", "commercial", "research", "nonprofit", "legal", "other", "total")
    assert b1_texts(form, load(books["valid"], data_only=True)) == dict.fromkeys(cols, PASS)
    broken = b1_texts(form, load(books["b1"], data_only=True))
    # The natural column is off by one, and so is the 总计 column that adds it up.
    assert broken == {**dict.fromkeys(cols, PASS), "natural": "错误 B1：不平衡", "total": "错误 B1：不平衡"}
    partial = b1_texts(form, load(books["partial"], data_only=True))
    assert partial == {**dict.fromkeys(cols, PASS), "research": INCOMPLETE, "total": INCOMPLETE}
    blank = b1_texts(form, load(books["town"], data_only=True))
    assert blank == dict.fromkeys(cols, INCOMPLETE)


def test_b1_check_cells_sit_below_table3(form: Form, books: dict[str, Path]) -> None:
    """Under each column, in the first row below the table, labelled in the label columns."""
    (g,) = form.grids_of("t3")
    ws = load(books["town"])[form.sheet("t3").name]
    row = g.data_top + len(g.rows) + g.checks_below.index("B1")
    assert ws[a1(row, g.col0)].value == "校验：" + form.rule("B1").title
    for (rule_id, at), (_, cell) in grid_check_cells(form).items():
        if rule_id == "B1":
            assert cell == a1(row, form.fields[at].col)
            assert "错误 B1：不平衡" in ws[cell].value and "未填完" in ws[cell].value


def test_summary_sheet(form: Form, books: dict[str, Path]) -> None:
    cells = summary_cells(form)
    wb = load(books["valid"], data_only=True)
    ws = wb[form.sheet("checks").name]
    b = form.checks_block
    assert b is not None
    for i, rule in enumerate(workbook_rules(form), start=1):
        assert ws[a1(b.row0 + i, b.col0)].value == rule.code
        assert ws[a1(b.row0 + i, b.col0 + 1)].value == rule.title
    statuses = {k: cached(wb, w) for k, w in cells.items()}
    assert statuses == {
        **{r.id: PASS for r in workbook_rules(form)},
        "blank_numbers": 0,
        "blank_texts": 0,
        "overall": VERDICT_PASS,
    }
    b1 = load(books["b1"], data_only=True)
    assert cached(b1, cells["B1"]) == "错误 B1：不平衡"
    assert all(cached(b1, cells[r.id]) == PASS for r in workbook_rules(form) if r.id != "B1")
    assert cached(b1, cells["overall"]) == "未通过：请按上面标“错误”的项目修改"


def test_summary_of_a_partial_return(form: Form, books: dict[str, Path]) -> None:
    cells = summary_cells(form)
    wb = load(books["partial"], data_only=True)
    assert cached(wb, cells["blank_numbers"]) == 2
    assert cached(wb, cells["A1"]) == "未填完：还有2个数字单元格未填写（A1）"
    assert {r: cached(wb, cells[r]) for r in ("B1", "B2", "B3", "B4", "C1", "D1")} == {
        "B1": INCOMPLETE, "B2": INCOMPLETE, "B3": INCOMPLETE, "B4": INCOMPLETE,
        "C1": INCOMPLETE, "D1": PASS,
    }  # fmt: skip
    assert cached(wb, cells["overall"]) == "尚未填完"


def test_summary_of_a_blank_template(form: Form, books: dict[str, Path]) -> None:
    cells = summary_cells(form)
    wb = load(books["town"], data_only=True)
    required_numbers = [f for f in form.numeric_inputs if f.required]
    assert cached(wb, cells["blank_numbers"]) == len(required_numbers) == 167
    texts = [f for f in form.inputs if f.required and not f.numeric and not f.prefill]
    assert cached(wb, cells["blank_texts"]) == len(texts)
    rules = [r.id for r in workbook_rules(form)]
    assert {cached(wb, cells[r]) for r in rules} == {NOT_FILLED}  # nothing reads as passed, not even A4
    assert cached(wb, cells["overall"]) == VERDICT_NOT_FILLED


def test_no_formula_calls_count_without_arguments(books: dict[str, Path]) -> None:
    formulas = formula_cells(load(books["town"]))
    assert [where for where, text in formulas.items() if "COUNT()" in text] == []


def test_summary_promises_only_what_it_checked(form: Form, books: dict[str, Path]) -> None:
    """The verdict of a return whose tables pass says the text is still to be checked, and the
    sheet names the text checks it does not do (issue 11: never "可以报送" about unchecked text)."""
    cells = summary_cells(form)
    wb = load(books["valid"], data_only=True)
    assert "可以报送" not in cached(wb, cells["overall"]) and "文字" in cached(wb, cells["overall"])
    ws = wb[cells["overall"][0]]
    row, col = int(cells["overall"][1][1:]) + 1, cells["overall"][1][0]
    note = ws[f"{col}{row}"].value
    text_codes = {r.code for r in form.rules if r.kind == "text"}
    assert note and all(code in note for code in text_codes) and "E1" in text_codes
