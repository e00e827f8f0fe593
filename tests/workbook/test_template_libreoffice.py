"""The template's formulas computed by a real engine (headless LibreOffice), not by xltool.

Returns are filled two ways: through ``write_template(values=...)`` and by typing values into a
blank template with openpyxl (which saves no cached values, so every result read back was
computed by LibreOffice). All workbooks are recalculated in one soffice batch.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook

from xltool.form.calc import INCOMPLETE, NOT_FILLED, PASS, VERDICT_NOT_FILLED, leaves
from xltool.form.layout import a1
from xltool.form.loader import load_form
from xltool.form.model import Form, workbook_rules
from xltool.office import recalculate
from xltool.workbook.fingerprint import fingerprint
from xltool.workbook.meta import META_SHEET, identity_row, unpack_fields
from xltool.workbook.write import UnitInfo, write_template

TOWN = UnitInfo("桐柏县安棚镇人民政府", "乡镇", 2025)
DEPT = UnitInfo("桐柏县教育局", "部门", 2025)
COLS = ("natural", "commercial", "research", "nonprofit", "legal", "other", "total")

# Table 三 of a complete, balanced return: column -> {row: count}; every other cell is 0.
T3 = {
    "natural": {"new": 5, "carried_in": 1, "r_open": 3, "r_partial": 1, "r_unable_1": 1,
                "carried_out": 1},
    "commercial": {"new": 2, "r_open": 1, "r_reject_2": 1},
    "legal": {"new": 1, "r_other_3": 1},
}  # fmt: skip
OTHERS = {
    "t2.normative.in_force": 15,
    "t2.licensing.decisions": 120,
    "t2.penalty.decisions": 34,
    "t2.fees.amount": 0.35,
    "t4.review.upheld": 1,
    "t4.review.pending": 1,
    "t4.suit_direct.upheld": 1,
    "info.filler": "张三",
    "info.phone": "0377-8123456",
    "info.date": dt.date(2026, 1, 15),
    "s6.fee_charged": "否",
}
# Breaks B1 in the legal column only: 1 new + 0 carried in != 1 handled + 1 carried out.
BREAK_B1 = {"t3.carried_out.legal": 1}
# B3: a 总计 formula cell of table 三 overwritten with a typed constant.
TYPED_TOTAL = ("t3.r_open.total", 99)
# Left blank in the partial return: three cells of the natural column and one of table 四.
BLANKS = ("t3.r_open.natural", "t3.r_deny_2.natural", "t3.carried_out.natural", "t4.review.other")


def filling(form: Form, **changes: Any) -> dict[str, Any]:
    """A complete valid return; ``changes`` (``t3__new__legal=2``; None = blank) override it."""
    values: dict[str, Any] = {f.key: 0 for f in form.numeric_inputs}
    for col, rows in T3.items():
        values.update({f"t3.{row}.{col}": n for row, n in rows.items()})
    values.update(OTHERS)
    values.update({k.replace("__", "."): v for k, v in changes.items()})
    return {k: v for k, v in values.items() if v is not None}


def type_in(form: Form, template: Path, out: Path, values: dict[str, Any]) -> None:
    """What a person does in an office suite without calculation: type values, save."""
    wb = openpyxl.load_workbook(template)
    for key, v in values.items():
        f = form.fields[key]
        wb[form.sheet(f.sheet).name][f.cell] = v
    wb.save(out)


@functools.cache
def load(path: Path, data_only: bool = True) -> Workbook:
    return openpyxl.load_workbook(path, data_only=data_only)


# ------------------------------------------------------------------ locating cells
def value(form: Form, wb: Workbook, key: str) -> Any:
    f = form.fields[key]
    return wb[form.sheet(f.sheet).name][f.cell].value


def check_cell(form: Form, rule_id: str, at: str) -> tuple[str, str]:
    """The live check cell of rule ``rule_id`` reported at field ``at``, found from the grid:
    rules in ``checks_below`` sit in the rows under the table, one row per rule, in the column
    of ``at``; rules in ``checks_right`` sit right of the data, in the row of ``at``."""
    f = form.fields[at]
    g = next(
        g
        for g in form.grids
        if g.key == f.grid
        and g.data_top <= f.row < g.data_top + len(g.rows)
        and g.data_left <= f.col < g.data_left + g.data_width
    )
    name = form.sheet(g.sheet).name
    if rule_id in g.checks_below:
        return name, a1(g.data_top + len(g.rows) + g.checks_below.index(rule_id), f.col)
    assert rule_id in g.checks_right, f"{rule_id} has no check cell beside {g.key}"
    return name, a1(f.row, g.data_left + g.data_width + g.checks_right.index(rule_id))


def check_text(form: Form, wb: Workbook, rule_id: str, at: str) -> Any:
    sheet, cell = check_cell(form, rule_id, at)
    return wb[sheet][cell].value


def summary(form: Form, wb: Workbook) -> dict[str, Any]:
    """Result column of 校验结果 by rule id, plus the two blank counts and the overall verdict."""
    b = form.checks_block
    assert b is not None
    ws = wb[form.sheet(b.sheet).name]
    rules = workbook_rules(form)
    out = {r.id: ws[a1(b.row0 + i, b.col0 + 3)].value for i, r in enumerate(rules, start=1)}
    assert [ws[a1(b.row0 + i, b.col0)].value for i in range(1, len(rules) + 1)] == [r.code for r in rules]
    labels = {ws[a1(r, b.col0 + 1)].value: r for r in range(b.row0, b.row0 + len(rules) + 4)}
    out["blank_numbers"] = ws[a1(labels["未填写的数字单元格（个）"], b.col0 + 3)].value
    out["overall"] = ws[a1(labels["总体结论"], b.col0 + 3)].value
    return out


def formula_cells(wb: Workbook) -> list[tuple[str, str]]:
    return [
        (ws.title, c.coordinate)
        for ws in wb.worksheets
        if ws.title != META_SHEET
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]


# ------------------------------------------------------------------ one LibreOffice batch
@pytest.fixture(scope="module")
def form() -> Form:
    return load_form()


@pytest.fixture(scope="module")
def books(soffice: str, form: Form, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """name -> (workbook as written, the same after LibreOffice recalculated it)."""
    src = tmp_path_factory.mktemp("returns")
    blank_town = write_template(form, TOWN, src / "blank_town.xlsx").path
    write_template(form, DEPT, src / "blank_dept.xlsx")
    # Filled by xltool: a department whose natural column does not balance.
    write_template(form, DEPT, src / "values_b1.xlsx", values=filling(form, t3__carried_out__natural=2))
    # Typed with openpyxl into a town's blank template: B1 broken in the legal column and a
    # 总计 overwritten with a constant.
    typed = {**filling(form), **BREAK_B1, TYPED_TOTAL[0]: TYPED_TOTAL[1]}
    type_in(form, blank_town, src / "typed_b1_b3.xlsx", typed)
    # Typed with openpyxl, four numeric cells left blank.
    partial = {k: v for k, v in filling(form).items() if k not in BLANKS}
    type_in(form, blank_town, src / "typed_partial.xlsx", partial)
    # Typed with openpyxl: placeholders people type instead of numbers, a negative amount and a
    # fractional count (each in its own file, so one does not hide the other).
    for name, changes in (
        ("typed_text", {"t3.new.research": "/", "t4.review.upheld": "无"}),
        ("typed_negative", {"t2.fees.amount": -1}),
        ("typed_fraction", {"t2.penalty.decisions": 2.5}),
    ):
        type_in(form, blank_town, src / f"{name}.xlsx", {**filling(form), **changes})
    names = [
        "blank_town",
        "blank_dept",
        "values_b1",
        "typed_b1_b3",
        "typed_partial",
        "typed_text",
        "typed_negative",
        "typed_fraction",
    ]
    outs = recalculate([src / f"{n}.xlsx" for n in names], tmp_path_factory.mktemp("recalculated"))
    return {n: (src / f"{n}.xlsx", out) for n, out in zip(names, outs, strict=True)}


# ------------------------------------------------------------------ totals
@pytest.mark.parametrize("name", ["values_b1", "typed_b1_b3", "typed_partial"])
def test_every_total_is_the_sum_of_its_inputs(form: Form, books: dict[str, tuple[Path, Path]], name: str) -> None:
    src, out = books[name]
    inputs, wb = load(src, data_only=False), load(out)
    typed_total = TYPED_TOTAL[0] if name == "typed_b1_b3" else None
    for f in form.fields.values():
        if not f.parts:
            continue
        got = value(form, wb, f.key)
        if f.key == typed_total:
            assert got == TYPED_TOTAL[1]  # a constant now, kept as typed
            continue
        assert got == sum(value(form, inputs, k) or 0 for k in leaves(form, f.key)), f.key


def test_typed_values_are_computed_by_libreoffice(form: Form, books: dict[str, tuple[Path, Path]]) -> None:
    """openpyxl saved no results at all; after LibreOffice every formula has one."""
    src, out = books["typed_b1_b3"]
    assert value(form, load(src), "t3.new.total") is None
    assert value(form, load(out), "t3.new.total") == 8
    assert all(load(out)[s][c].value is not None for s, c in formula_cells(load(src, False)))


# ------------------------------------------------------------------ check cells
def test_b1_fails_in_the_unbalanced_column_only(form: Form, books: dict[str, tuple[Path, Path]]) -> None:
    for name, broken in (("values_b1", "natural"), ("typed_b1_b3", "legal")):
        wb = load(books[name][1])
        texts = {c: check_text(form, wb, "B1", f"t3.carried_out.{c}") for c in COLS}
        # The 总计 column adds the broken column up, so it is off by the same amount.
        failing = {c for c, t in texts.items() if t != PASS}
        assert failing == {broken, "total"}, (name, texts)
        assert all(texts[c].startswith("错误 B1") for c in failing), texts
        assert texts[broken] == "错误 B1：不平衡"


def test_b3_flags_the_typed_total(form: Form, books: dict[str, tuple[Path, Path]]) -> None:
    wb = load(books["typed_b1_b3"][1])
    (grid,) = form.grids_of("t3")
    texts = {r.key: check_text(form, wb, "B3", f"t3.{r.key}.total") for r in grid.rows}
    assert texts.pop("r_open").startswith("错误 B3")
    assert set(texts.values()) == {PASS}


def test_summary_of_a_return_breaking_b1_and_b3(form: Form, books: dict[str, tuple[Path, Path]]) -> None:
    got = summary(form, load(books["typed_b1_b3"][1]))
    assert got["B1"].startswith("错误 B1")
    assert got["B3"].startswith("错误 B3")
    others = {r.id for r in workbook_rules(form)} - {"B1", "B3"}
    assert {k: got[k] for k in others} == dict.fromkeys(others, PASS)
    assert got["blank_numbers"] == 0
    assert got["overall"] == "未通过：请按上面标“错误”的项目修改"
    values_b1 = summary(form, load(books["values_b1"][1]))
    assert values_b1["B1"] == "错误 B1：不平衡"
    assert {k for k, v in values_b1.items() if v != PASS} == {"B1", "blank_numbers", "overall"}


def test_blank_inputs_show_incomplete(form: Form, books: dict[str, tuple[Path, Path]]) -> None:
    wb = load(books["typed_partial"][1])
    b1 = {c: check_text(form, wb, "B1", f"t3.carried_out.{c}") for c in COLS}
    assert b1 == {**dict.fromkeys(COLS, PASS), "natural": INCOMPLETE, "total": INCOMPLETE}
    assert check_text(form, wb, "B2", "t3.r_total.natural") == INCOMPLETE
    assert check_text(form, wb, "B2", "t3.r_total.legal") == PASS
    assert check_text(form, wb, "C1", "t4.review.total") == INCOMPLETE
    assert check_text(form, wb, "C1", "t4.suit_direct.total") == PASS
    got = summary(form, wb)
    assert got["blank_numbers"] == len(BLANKS) == 4
    assert got["A1"] == "未填完：还有4个数字单元格未填写（A1）"
    assert {k: got[k] for k in ("B1", "B2", "B3", "B4", "C1")} == dict.fromkeys(
        ("B1", "B2", "B3", "B4", "C1"), INCOMPLETE
    )
    assert got["D1"] == PASS
    assert got["overall"] == "尚未填完"


def test_text_instead_of_a_number(form: Form, books: dict[str, tuple[Path, Path]]) -> None:
    """ "/" and "无" are not numbers: A2 fails, the checks over them wait, nothing counts as blank."""
    wb = load(books["typed_text"][1])
    got = summary(form, wb)
    assert got["A2"] == "错误 A2：有单元格不是不小于 0 的整数"
    assert got["A1"] == PASS and got["blank_numbers"] == 0
    assert check_text(form, wb, "B1", "t3.carried_out.research") == INCOMPLETE
    assert check_text(form, wb, "B1", "t3.carried_out.natural") == PASS
    assert check_text(form, wb, "B3", "t3.new.total") == INCOMPLETE
    assert check_text(form, wb, "C1", "t4.review.total") == INCOMPLETE
    assert value(form, wb, "t3.new.total") == 8  # SUM skips text, as calc.totals does


def test_text_instead_of_a_number_summary(form: Form, books: dict[str, tuple[Path, Path]]) -> None:
    got = summary(form, load(books["typed_text"][1]))
    assert {k: got[k] for k in ("B1", "B3", "B4", "C1")} == dict.fromkeys(("B1", "B3", "B4", "C1"), INCOMPLETE)
    assert got["overall"] == "未通过：请按上面标“错误”的项目修改"


def test_negative_amount(form: Form, books: dict[str, tuple[Path, Path]]) -> None:
    got = summary(form, load(books["typed_negative"][1]))
    assert got["A3"] == "错误 A3：金额不是不小于 0 的数"
    assert got["A2"] == PASS


@pytest.mark.parametrize("name", ["blank_town", "blank_dept"])
def test_a_blank_template_passes_nothing(form: Form, books: dict[str, tuple[Path, Path]], name: str) -> None:
    """Computed by LibreOffice: every row 未填写 (never 通过 with 167 cells empty), the verdict says so."""
    got = summary(form, load(books[name][1]))
    assert {got[r.id] for r in workbook_rules(form)} == {NOT_FILLED}
    assert got["overall"] == VERDICT_NOT_FILLED


def test_fractional_count_fails_a2(form: Form, books: dict[str, tuple[Path, Path]]) -> None:
    assert summary(form, load(books["typed_fraction"][1]))["A2"].startswith("错误 A2")


# ------------------------------------------------------------------ cached values were right
@pytest.mark.parametrize(
    "name",
    [
        "blank_town",
        "blank_dept",
        "values_b1",
    ],
)
def test_libreoffice_agrees_with_the_cached_values(books: dict[str, tuple[Path, Path]], name: str) -> None:
    src, out = books[name]
    cached, computed = load(src), load(out)
    cells = formula_cells(load(src, data_only=False))
    assert len(cells) > 80
    differ = {
        f"{s}!{c}": (cached[s][c].value, computed[s][c].value)
        for s, c in cells
        if cached[s][c].value != computed[s][c].value
    }
    assert differ == {}


# ------------------------------------------------------------------ integrity survives the trip
def fingerprint_of(form: Form, path: Path) -> str:
    wb = load(path, data_only=False)
    editable = {(form.sheet(f.sheet).name, f.cell) for f in form.fields.values() if f.editable}
    sheets = [ws for ws in wb.worksheets if ws.title != META_SHEET]
    cells = [
        (ws.title, c.coordinate, str(c.value))
        for ws in sheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None and (ws.title, c.coordinate) not in editable
    ]
    merges = [(ws.title, rng.coord) for ws in sheets for rng in ws.merged_cells.ranges]
    pairs = {str(r[0]): r[1] for r in wb[META_SHEET].iter_rows(values_only=True) if r[0]}
    field_map = [f.row() for f in unpack_fields(pairs) or ()]
    field_map.append(identity_row(pairs))
    return fingerprint([ws.title for ws in sheets], cells, merges, field_map)


def recorded_fingerprint(path: Path) -> str:
    ws = load(path, data_only=False)[META_SHEET]
    return next(r[1] for r in ws.iter_rows(values_only=True) if r[0] == "fingerprint")


def test_fingerprint_survives_libreoffice_and_catches_the_typed_total(
    form: Form, books: dict[str, tuple[Path, Path]]
) -> None:
    for name in ("values_b1", "typed_partial"):
        out = books[name][1]
        assert fingerprint_of(form, out) == recorded_fingerprint(out), name
    out = books["typed_b1_b3"][1]
    assert fingerprint_of(form, out) != recorded_fingerprint(out)
