"""The form definition loader on the shipped 2021 definition (broken definitions: test_form_inline.py)."""

from __future__ import annotations

import json
from itertools import product
from pathlib import Path

import pytest

from xltool.errors import FormDefinitionError
from xltool.form.loader import load_form
from xltool.form.model import Form, workbook_rules
from xltool.form.registry import default_form_path as form_path

LABELS = json.loads((Path(__file__).parents[1] / "data" / "format_2021_labels.json").read_text(encoding="utf-8"))

T2_KEYS = {
    "t2.rules.issued",
    "t2.rules.repealed",
    "t2.rules.in_force",
    "t2.normative.issued",
    "t2.normative.repealed",
    "t2.normative.in_force",
    "t2.licensing.decisions",
    "t2.penalty.decisions",
    "t2.coercion.decisions",
    "t2.fees.amount",
}
T3_ROWS = (
    "new",
    "carried_in",
    "r_open",
    "r_partial",
    *(f"r_deny_{i}" for i in range(1, 9)),
    *(f"r_unable_{i}" for i in range(1, 4)),
    *(f"r_reject_{i}" for i in range(1, 6)),
    *(f"r_other_{i}" for i in range(1, 4)),
    "r_total",
    "carried_out",
)
T3_COLS = ("natural", "commercial", "research", "nonprofit", "legal", "other", "total")
T4_GROUPS = ("review", "suit_direct", "suit_after_review")
T4_COLS = ("upheld", "corrected", "other", "pending", "total")


@pytest.fixture(scope="module")
def form() -> Form:
    return load_form()


def _table_fields(form: Form, table: str) -> dict[str, object]:
    grids = {g.key for g in form.grids_of(table)}
    return {k: f for k, f in form.fields.items() if f.grid in grids}


# ------------------------------------------------------------------ the shipped definition
def test_shipped_definition_loads(form: Form) -> None:
    assert form.id == "gov-info-disclosure-annual-report"
    assert form.basis == "国办公开办函〔2021〕30号"
    assert form.source == form_path()
    assert [s.name for s in form.sheets] == [
        "填表说明",
        "基本信息",
        "表二 主动公开",
        "表三 依申请公开",
        "表四 复议诉讼",
        "报告正文",
        "校验结果",
    ]
    assert load_form(form_path()).fields == form.fields  # the default is the shipped definition


def test_exactly_200_numeric_table_cells(form: Form) -> None:
    cells = {k: f for t in ("t2", "t3", "t4") for k, f in _table_fields(form, t).items()}
    assert len(cells) == 200
    assert all(f.numeric for f in cells.values())
    assert [len(_table_fields(form, t)) for t in ("t2", "t3", "t4")] == [10, 175, 15]


def test_table2_keys_and_types(form: Form) -> None:
    t2 = _table_fields(form, "t2")
    assert set(t2) == T2_KEYS
    assert all(f.kind == "input" for f in t2.values())
    assert {k for k, f in t2.items() if f.type != "int"} == {"t2.fees.amount"}
    assert form.fields["t2.fees.amount"].type == "decimal"
    assert form.types["decimal"].unit == "万元"
    assert form.types["int"].unit == "件"


def test_table3_is_25_rows_by_7_columns(form: Form) -> None:
    (grid,) = form.grids_of("t3")
    assert tuple(r.key for r in grid.rows) == T3_ROWS
    assert tuple(c.key for c in grid.columns) == T3_COLS
    assert set(_table_fields(form, "t3")) == {f"t3.{r}.{c}" for r, c in product(T3_ROWS, T3_COLS)}
    assert all(f.type == "int" for f in _table_fields(form, "t3").values())


def test_table4_is_one_row_of_15(form: Form) -> None:
    assert set(_table_fields(form, "t4")) == {f"t4.{g}.{c}" for g, c in product(T4_GROUPS, T4_COLS)}
    assert len({f.row for f in _table_fields(form, "t4").values()}) == 1


def test_totals_are_formulas_everything_else_input(form: Form) -> None:
    expected = (
        {f"t3.{r}.total" for r in T3_ROWS} | {f"t3.r_total.{c}" for c in T3_COLS} | {f"t4.{g}.total" for g in T4_GROUPS}
    )
    tables = {k: f for t in ("t2", "t3", "t4") for k, f in _table_fields(form, t).items()}
    assert {k for k, f in tables.items() if f.kind == "formula"} == expected
    assert {k for k, f in tables.items() if f.kind == "input"} == set(tables) - expected
    assert all(bool(f.parts) == (f.kind == "formula") for f in tables.values())


def test_total_parts(form: Form) -> None:
    applicants = [c for c in T3_COLS if c != "total"]
    outcomes = list(T3_ROWS[2:23])
    assert len(outcomes) == 21 and outcomes[0] == "r_open" and outcomes[-1] == "r_other_3"
    f = form.fields
    assert f["t3.new.total"].parts == tuple(f"t3.new.{c}" for c in applicants)
    assert f["t3.new.total"].rule == "B3"
    assert f["t3.r_total.legal"].parts == tuple(f"t3.{r}.legal" for r in outcomes)
    assert f["t3.r_total.legal"].rule == "B2"
    # Where the 总计 row meets the 总计 column, the column (B3) wins.
    assert f["t3.r_total.total"].parts == tuple(f"t3.r_total.{c}" for c in applicants)
    assert f["t3.r_total.total"].rule == "B3"
    assert f["t4.suit_direct.total"].parts == tuple(f"t4.suit_direct.{c}" for c in T4_COLS[:-1])
    assert f["t4.suit_direct.total"].rule == "C1"


def test_no_two_fields_share_a_cell(form: Form) -> None:
    cells = [(f.sheet, f.cell) for f in form.fields.values()]
    assert len(cells) == len(set(cells))
    names = [f.defined_name for f in form.fields.values()]
    assert len(names) == len(set(names))


# ------------------------------------------------------------------ labels = the national format
def test_table2_labels(form: Form) -> None:
    assert form.sheet("t2").title == LABELS["table2"]["title"]
    grids = form.grids_of("t2")
    assert len(grids) == len(LABELS["table2"]["blocks"])
    for grid, block in zip(grids, LABELS["table2"]["blocks"], strict=True):
        assert grid.caption == block["block"]
        assert grid.corner == block["header"][0]
        assert [c.path[-1] for c in grid.columns] == block["header"][1:]
        assert [r.path[-1] for r in grid.rows] == block["rows"]


def test_table3_row_labels(form: Form) -> None:
    """Each JSON label shows the header levels that start at its row, as the table prints them."""
    (grid,) = form.grids_of("t3")
    assert [r.key for r in grid.rows] == [r["key"] for r in LABELS["table3"]["rows"]]
    previous: tuple[str, ...] = ()
    for row, expected in zip(grid.rows, LABELS["table3"]["rows"], strict=True):
        shared = 0
        while shared < min(len(previous), len(row.path)) and previous[shared] == row.path[shared]:
            shared += 1
        assert " / ".join(row.path[shared:]) == expected["label"], row.key
        previous = row.path


def test_table3_column_labels(form: Form) -> None:
    (grid,) = form.grids_of("t3")
    t3 = LABELS["table3"]
    assert form.sheet("t3").title == t3["title"]
    assert grid.corner == t3["corner_note"]
    assert [c.path[-1] for c in grid.columns] == t3["columns"]
    tree: dict[str, dict[str, list[str]]] = {}
    for c in grid.columns:
        top, group, *leaf = c.path
        tree.setdefault(top, {}).setdefault(group, []).extend(leaf)
    assert tree == t3["column_header"]
    assert list(tree["申请人情况"]) == list(t3["column_header"]["申请人情况"])


def test_table4_labels(form: Form) -> None:
    (grid,) = form.grids_of("t4")
    assert form.sheet("t4").title == LABELS["table4"]["title"]
    groups: dict[str, list[str]] = {}
    for c in grid.columns:
        groups.setdefault("/".join(c.path[:-1]), []).append(c.path[-1])
    assert list(groups.items()) == list(LABELS["table4"]["groups"].items())


def test_field_labels_combine_row_and_column(form: Form) -> None:
    f = form.fields["t3.r_deny_3.research"]
    assert f.row_label == "三、本年度办理结果/（三）不予公开/3.危及“三安全一稳定”"
    assert f.col_label == "法人或其他组织/科研机构"  # the common top header is dropped
    assert f.label == f"{f.row_label}/{f.col_label}"
    assert form.fields["t4.review.pending"].label == "行政复议/尚未审结"


# ------------------------------------------------------------------ rules
def test_rule_codes_and_severities(form: Form) -> None:
    """The rules the workbook shows live, with their codes and severities."""
    severities: dict[str, set[str]] = {}
    for r in workbook_rules(form):
        severities.setdefault(r.code, set()).add(r.severity)
    assert severities == {
        "A1": {"error"},
        "A2": {"error"},
        "A3": {"error", "warning"},  # type error, and the 元-instead-of-万元 warning
        "A4": {"error"},
        "B1": {"error"},
        "B2": {"error"},
        "B3": {"error"},
        "B4": {"error"},
        "B6": {"warning"},
        "C1": {"error"},
        "C2": {"warning"},
        "C3": {"warning"},
        "D1": {"error"},
        "D4": {"warning"},
    }
    assert {r.code for r in form.rules} >= set(severities)
    assert all(r.severity in ("error", "warning") for r in form.rules)
    assert all(r.title and r.brief and r.message and r.fix for r in form.rules)


def test_reading_published_reports_keeps_the_format_md_codes(form: Form) -> None:
    """The built-in import rules (kind "import") under the annual report's codes (its overrides in
    form.toml); the 2019 format's markers are this form's ([import]), not xltool's."""
    codes = {r.id.removeprefix("import:"): r.code for r in form.rules if r.kind == "import"}
    assert {k: codes[k] for k in ("no_year", "year_mismatch", "missing_table", "old_format", "label_drift")} == {
        "no_year": "A4",
        "year_mismatch": "A4",
        "missing_table": "F11",
        "old_format": "F5",
        "label_drift": "F10",
    }
    assert {codes[k] for k in ("heading_drift", "heading_order")} == {"F1"}
    assert {codes[k] for k in ("internal", "unreadable", "not_report", "no_unit")} == {"H0", "H1", "H2", "H7"}
    assert not [c for c in codes.values() if c.startswith("I")]  # the built-in I-codes are for other forms
    assert all(r.builtin for r in form.rules if r.kind == "import")
    assert "本年新制作数量" in form.imports.old_format_markers
    mini = load_form(Path(__file__).parents[1] / "forms" / "mini" / "form.toml")
    assert mini.imports.old_format_markers == ()
    assert mini.rule("import:missing_table").code == "I2" and "年度报告" not in mini.rule("import:missing_table").fix


def test_rule_instances(form: Form) -> None:
    def at(rule_id: str) -> list[str]:
        return [c.at for c in form.checks if c.rule.id == rule_id]

    assert at("B1") == [f"t3.carried_out.{c}" for c in T3_COLS]
    assert at("B2") == [f"t3.r_total.{c}" for c in T3_COLS[:-1]]
    assert at("B3") == [f"t3.{r}.total" for r in T3_ROWS]
    assert at("C1") == [f"t4.{g}.total" for g in T4_GROUPS]
    assert at("D1") == ["t2.rules.in_force"]
    b1 = next(c for c in form.checks if c.at == "t3.carried_out.legal" and c.rule.id == "B1")
    assert b1.expr.fields == (
        "t3.new.legal",
        "t3.carried_in.legal",
        "t3.r_total.legal",
        "t3.carried_out.legal",
    )
    b6 = next(c for c in form.checks if c.rule.id == "B6")
    assert b6.when is not None and b6.when.fields == ("info.unit_type",)
    assert next(c for c in form.checks if c.rule.id == "A4").expr.names == ("template_year",)


def test_every_check_references_known_fields(form: Form) -> None:
    for check in form.checks:
        keys = [check.at, *check.expr.fields, *(check.when.fields if check.when else ())]
        if check.rule.cross_year:  # "prev.<key>" is last year's value of <key>
            keys = [k.removeprefix("prev.") for k in keys]
        assert all(k in form.fields for k in keys), check.rule.id


def test_sections_follow_the_six_headings(form: Form) -> None:
    assert [s.heading for s in form.sections] == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]
    assert [s.table for s in form.sections[1:4]] == ["t2", "t3", "t4"]


# ------------------------------------------------------------------ broken definitions
# Each check of the loader is provoked by a small inline form in tests/form/test_form_inline.py.
def test_unchanged_copy_loads(tmp_path: Path) -> None:
    copy = tmp_path / "form.toml"
    copy.write_text(form_path().read_text(encoding="utf-8"), encoding="utf-8")
    assert len(load_form(copy).fields) == len(load_form().fields)


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "form.toml"
    with pytest.raises(FormDefinitionError, match="找不到表单定义文件") as err:
        load_form(missing)
    assert str(missing) in str(err.value)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "form.toml"
    path.write_bytes(form_path().read_text(encoding="utf-8").encode("gb18030"))
    with pytest.raises(FormDefinitionError, match="表单定义文件格式错误"):
        load_form(path)


def test_asking_for_a_missing_rule_or_sheet_is_a_clear_error(form: Form) -> None:
    """Never StopIteration inside a batch: the lookup names what the definition lacks."""
    with pytest.raises(FormDefinitionError, match="没有规则“Z9”"):
        form.rule("Z9")
    with pytest.raises(FormDefinitionError, match="没有工作表“nope”"):
        form.sheet("nope")


def test_a_top_level_total_must_take_every_row_between(tmp_path: Path) -> None:
    """合计 = 企业 + 学校 with 市场 between them and 合计: the row added without its sum."""
    from xltool.form.grids import _sums

    rows = [{"key": k, "path": [k]} for k in ("enterprise", "school", "market")]
    rows.append({"key": "total", "path": ["合计"], "sum": ["enterprise", "school"]})
    with pytest.raises(FormDefinitionError, match="“market”位于总计“total”的各项之间"):
        _sums(rows, "insp", "行")
    after = [*rows[:2], rows[3], {"key": "carried_out", "path": ["结转"]}]  # a row after the total is not in it
    assert _sums(after, "insp", "行")[2] == ("enterprise", "school")
    subtotal = [
        {"key": "big", "path": ["场所", "企业", "大型"]},
        {"key": "small", "path": ["场所", "企业", "小型"]},
        {"key": "firms", "path": ["场所", "企业", "小计"], "sum": "group"},
        {"key": "school", "path": ["场所", "学校"]},
        {"key": "all", "path": ["场所", "合计"], "sum": ["firms", "school"]},
    ]
    assert _sums(subtotal, "insp", "行")[4] == ("firms", "school")  # a subtotal covers its own parts
