"""Load the form definition (workbook_templates/<form>/form.toml) into frozen dataclasses.

Everything else reads the form from here: sheets, fields with their cells, grids, rules compiled into
check instances, report sections. The definition is checked while loading (duplicate keys,
overlapping cells, rules naming unknown fields…), so a mistake in it fails a test, never a
township's workbook.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from xltool.errors import FormDefinitionError
from xltool.form import expr as ex
from xltool.form.layout import a1
from xltool.form.notice import Notice
from xltool.form.period import Period, as_period, fill
from xltool.form.vocabulary import Vocabulary

NUMERIC_TYPES = ("int", "decimal", "money_yuan", "percent")
# Decimal places a number of each type is compared at (rules, H8): both sides are rounded half away
# from zero to this many places, in verify as in the template's check cells, so float noise
# (85.99999999999999) never fails a rule. A percent is stored as a ratio (0.985 = 98.5%): 6 places of
# the ratio are 4 of the percentage. Types not listed (int, year) are compared exactly.
PLACES = {"decimal": 4, "money_yuan": 2, "percent": 6}
TEXT_TYPES = ("text", "longtext")
INPUT_TYPES = (*NUMERIC_TYPES, "year", "date", "choice", *TEXT_TYPES)
SEVERITIES = ("error", "warning")
SEVERITY_ZH = {"error": "错误", "warning": "警告"}  # the one Chinese word for each severity
PREFILLS = ("unit", "year", "unit_type")
CONTEXT_NAMES = ("template_year",)
PREVIOUS = "prev."  # in cross-year rules, "prev.t3.carried_out.total" is last year's value


@dataclass(frozen=True)
class Sheet:
    key: str
    name: str
    title: str
    widths: tuple[float, ...]
    landscape: bool = False
    freeze: str | None = None


@dataclass(frozen=True)
class FieldType:
    name: str
    unit: str
    prompt: str
    error: str


@dataclass(frozen=True)
class Field:
    """One cell a return carries: an input, a free-text input, a formula or a constant."""

    key: str
    label: str
    type: str
    kind: str  # "input" | "text" | "formula" | "constant"
    sheet: str
    row: int
    col: int
    span: int = 1
    required: bool = True
    prefill: str | None = None
    choices: tuple[str, ...] = ()
    hint: str = ""
    grid: str | None = None
    row_label: str = ""
    col_label: str = ""
    parts: tuple[str, ...] = ()
    rule: str | None = None
    aggregate: str = "sum"  # in the county's aggregate: "sum" | "recompute" | "mean" | "none" (form/aggregation.py)
    part_of: str = ""  # an of-which (其中) cell: the key of the cell it is part of (never summed)
    value: int | float | str | None = None  # a constant (kind "constant"): printed, locked, never typed
    required_if: ex.Expr | None = None  # required only when this holds (blank otherwise fine)
    part_of_rule: str = ""  # the rule checking it is not above its parent (resolved at load)
    formula: ex.Expr | None = None  # a computed cell (kind "formula", no parts): its expression over field keys
    unit: str = ""

    @property
    def cell(self) -> str:
        return a1(self.row, self.col)

    @property
    def defined_name(self) -> str:
        """Excel defined name: dots are not safe in every office suite, so use underscores."""
        return "F_" + self.key.replace(".", "_")

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    @property
    def editable(self) -> bool:
        return self.kind not in ("formula", "constant")


@dataclass(frozen=True)
class Column:
    key: str
    path: tuple[str, ...]
    span: int = 1
    sum: tuple[str, ...] = ()
    rule: str | None = None
    aggregate: str = ""  # its cells' aggregate unless set ("" : the row's, else the cell's default)
    part_of: str = ""  # an of-which (其中) column: the key of the column it is part of
    value: int | float | str | None = None  # every cell of the column is this constant
    part_of_rule: str = ""  # the part_of rule checking its cells ("" = the form's one)
    formula: str = ""  # over the grid's other column keys, applied on every row
    type: str = ""
    choices: tuple[str, ...] = ()
    unit: str = ""


@dataclass(frozen=True)
class Row:
    key: str
    path: tuple[str, ...]
    sum: tuple[str, ...] = ()
    rule: str | None = None
    aggregate: str = ""  # its cells' aggregate where the column sets none
    part_of: str = ""  # an of-which (其中) row: the key of the row it is part of
    value: int | float | str | None = None  # every cell of the row is this constant
    required_if: ex.Expr | None = None  # its cells are required only when this holds
    part_of_rule: str = ""  # the part_of rule checking its cells ("" = the form's one)
    formula: str = ""  # over the grid's other row keys, applied in every column
    type: str = ""
    choices: tuple[str, ...] = ()
    unit: str = ""


@dataclass(frozen=True)
class Grid:
    """A national table (or one block of table 二) placed at ``anchor`` on ``sheet``."""

    key: str
    sheet: str
    row0: int
    col0: int
    table: str
    type: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    label_depth: int
    header_depth: int
    caption: str = ""
    corner: str = ""
    checks_below: tuple[str, ...] = ()
    checks_right: tuple[str, ...] = ()

    @property
    def header_top(self) -> int:
        return self.row0 + (1 if self.caption else 0)

    @property
    def data_top(self) -> int:
        return self.header_top + self.header_depth

    @property
    def data_left(self) -> int:
        return self.col0 + self.label_depth

    @property
    def data_width(self) -> int:
        return sum(c.span for c in self.columns)

    @property
    def width(self) -> int:
        return self.label_depth + self.data_width + len(self.checks_right)

    @property
    def height(self) -> int:
        return self.data_top - self.row0 + len(self.rows) + len(self.checks_below)

    def col_pos(self, index: int) -> int:
        return self.data_left + sum(c.span for c in self.columns[:index])

    def field_key(self, row: Row, col: Column) -> str:
        return ".".join(p for p in (self.key, row.key, col.key) if p)


@dataclass(frozen=True)
class FieldsBlock:
    sheet: str
    row0: int
    col0: int
    items: tuple[str, ...]  # field keys, "#heading text" for a heading row, "#" for a spacer row


@dataclass(frozen=True)
class ChecksBlock:
    sheet: str
    row0: int
    col0: int


class KindSpec(Protocol):
    """What the model asks of a rule's kind; the kind objects are in xltool/form/kinds (the registry),
    which know much more (keys, checks, live cells, import codes, placeholders)."""

    @property
    def name(self) -> str: ...
    @property
    def cross_year(self) -> bool: ...
    @property
    def in_workbook(self) -> bool: ...
    @property
    def marks_blanks(self) -> bool: ...
    def about_text(self, rule: Rule, /) -> bool: ...


@dataclass(frozen=True)
class Rule:
    id: str
    code: str
    kind: str  # the kind's name, as the form writes it
    spec: KindSpec = field(compare=False, repr=False)  # the kind object (xltool.form.kinds.KINDS[kind])
    severity: str
    title: str
    brief: str
    message: str
    fix: str
    expr: str = ""
    when: str = ""
    at: str = ""
    for_var: str = ""
    for_domain: str | list[str] = ""
    types: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    check: str = ""  # text rules: the narrative check xltool runs (catalogue [text_checks])
    blanks: Mapping[str, str] = field(default_factory=dict)  # generic words for placeholders (xltool rules)
    code_from: str = ""  # import rules: reported under the code of the form's rule of this kind
    no_action: bool = False  # a warning the tool has dealt with: replies list it last, ask nothing
    builtin: bool = False  # from xltool's own catalogue, not from the form
    overridden: bool = False  # a built-in rule whose code, severity or wording the form changed
    aggregate: bool = True  # False: not checked on the county's aggregate (the form says it need not hold there)

    @property
    def cross_year(self) -> bool:
        return self.spec.cross_year


@dataclass(frozen=True)
class Check:
    """One instance of a rule: an expression that must hold, reported at the ``at`` field."""

    rule: Rule
    at: str
    expr: ex.Expr
    when: ex.Expr | None = None


@dataclass(frozen=True)
class Section:
    heading: str
    fields: tuple[str, ...] = ()
    table: str = ""


@dataclass(frozen=True)
class Piece:
    """Part of a data-driven sentence: ``text`` when ``when`` holds, or the items of ``items`` that hold."""

    when: ex.Expr | None
    text: str = ""
    items: tuple[Piece, ...] = ()
    join: str = ""


@dataclass(frozen=True)
class Narrative:
    field: str
    values: Mapping[str, ex.Expr]
    pieces: tuple[Piece, ...]


@dataclass(frozen=True)
class ReportSpec:
    preamble: str = ""
    published: str = ""
    contact: str = ""
    renumber: str = ""
    narratives: tuple[Narrative, ...] = ()
    county: tuple[Narrative, ...] = ()  # county-wide paragraphs of the county's own report, from the totals


@dataclass(frozen=True)
class UnitTypes:
    """The kinds of reporting unit a form knows (none: units carry no type)."""

    names: tuple[str, ...] = ()
    default: str = ""
    guess: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = ()  # (type, contains, endswith)
    aliases: Mapping[str, str] = field(default_factory=dict)  # what clerks type (no spaces) -> type

    def guess_type(self, name: str) -> str:
        """The type a unit's name suggests ("" when the form has no unit types)."""
        name = name.strip()
        for unit_type, contains, endswith in self.guess:
            if any(w in name for w in contains) or (endswith and name.endswith(endswith)):
                return unit_type
        return self.default

    def normalise(self, typed: str) -> str | None:
        """The type a clerk meant by ``typed`` (spaces ignored), None when it is not one."""
        squashed = "".join(typed.split())
        return squashed if squashed in self.names else self.aliases.get(squashed)


@dataclass(frozen=True)
class TemplateSpec:
    active: str = ""  # the sheet that opens first (default: the first sheet that is not the guide)
    subtitle: str = ""  # line 2 of each table sheet; {role} names the field of that role


@dataclass(frozen=True)
class ImportSpec:
    """[import]: what reading a published document of the form needs beyond its layout."""

    old_format_markers: tuple[str, ...] = ()  # words only an older format of the form's tables has


@dataclass(frozen=True)
class Form:
    id: str
    version: str
    name: str
    basis: str
    regulation: str
    title_pattern: str
    units: UnitTypes
    sheets: tuple[Sheet, ...]
    types: Mapping[str, FieldType]
    guide: tuple[str, ...]
    grids: tuple[Grid, ...]
    fields_blocks: tuple[FieldsBlock, ...]
    checks_block: ChecksBlock | None
    fields: Mapping[str, Field]
    rules: tuple[Rule, ...]
    checks: tuple[Check, ...]
    sections: tuple[Section, ...]
    report: ReportSpec = field(default_factory=ReportSpec)
    roles: Mapping[str, str] = field(default_factory=dict)
    file_pattern: str = "{year}年{name}_{unit}.xlsx"
    guide_sheet: str = ""
    template: TemplateSpec = field(default_factory=TemplateSpec)
    vocabulary: Vocabulary = field(default_factory=Vocabulary)  # [narrative]: how the text talks of the tables
    imports: ImportSpec = field(default_factory=ImportSpec)  # [import]: reading published documents
    reply_signature: str = ""  # [form] reply_signature: who collects this form ("{county}…"), "" = the county's office
    notice: Notice = field(default_factory=lambda: Notice({}))  # [notice]: the mails sending out and reminding
    source: Path = field(default=Path("."), compare=False)
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)  # derived facts, computed once
    period: str = "year"  # [form] period: how often it is collected, "year" | "half" | "quarter" | "month"

    def role(self, name: str) -> str:
        """The key of the field playing this role ("unit_name", "year", …), "" when none does."""
        return self.roles.get(name, "")

    @property
    def example_title(self) -> str:
        """The title of a published document of this form, its unit and year left as ×× marks."""
        marks = {"unit": "××单位", "year": "××××", "period": "××××年××", "quarter": "×", "month": "××"}
        return fill(self.title_pattern, marks)

    def sheet(self, key: str) -> Sheet:
        sheet = self._sheets.get(key)
        if sheet is None:
            raise FormDefinitionError(f"表单定义“{self.name}”中没有工作表“{key}”")
        return sheet

    def rule(self, rule_id: str) -> Rule:
        """A rule by id; the built-in ones (H1…H8, A1…A3 reading) are in every form."""
        rule = self._rules.get(rule_id)
        if rule is None:
            raise FormDefinitionError(f"表单定义“{self.name}”中没有规则“{rule_id}”")
        return rule

    @cached_property
    def _sheets(self) -> dict[str, Sheet]:
        return {s.key: s for s in self.sheets}

    @cached_property
    def _rules(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    @cached_property
    def filled_rule(self) -> Rule:
        """The rule a blank number cell breaks (the form's own, else the built-in A1)."""
        for r in self.rules:
            if r.spec.marks_blanks:
                return r
        raise FormDefinitionError(f'表单定义“{self.name}”中没有空白检查规则（kind = "filled"）')

    @cached_property
    def codes(self) -> frozenset[str]:
        """Every check code of this form (what --strict and the units' explanations may name)."""
        return frozenset(r.code for r in self.rules)

    def rules_of(self, check: str) -> tuple[Rule, ...]:
        """The form's rules that run one narrative check (none when the form does not declare it)."""
        return tuple(r for r in self.rules if r.check == check)

    def file_name(self, unit: str, when: int | Period) -> str:
        """A unit's template file name for a year or period (``unit`` already made safe as a file name)."""
        return fill(self.file_pattern, {**as_period(when).names(), "unit": unit, "name": self.name, "id": self.id})

    def grids_of(self, table: str) -> tuple[Grid, ...]:
        return tuple(g for g in self.grids if g.table == table)

    @cached_property
    def inputs(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields.values() if f.editable)

    @cached_property
    def numeric_inputs(self) -> tuple[Field, ...]:
        return tuple(f for f in self.inputs if f.numeric)

    def unit_of(self, key: str) -> str:
        """The unit a field's value is counted in: its own (or its row's, column's), else its type's."""
        f = self.fields[key]
        kind = self.types.get(f.type)
        return f.unit or (kind.unit if kind else "")

    def ref(self, key: str, from_sheet: str | None = None) -> str:
        """Excel reference to a field's cell, sheet-qualified unless on ``from_sheet``."""
        f = self.fields[key]
        if f.sheet == from_sheet:
            return f.cell
        return f"'{self.sheet(f.sheet).name}'!{f.cell}"


def cell_unit(form: Form, key: str, ftype: str) -> str:
    """The unit of a cell read by a return's own field map: the form's word for that field, else its type's
    (a field of an older version the form no longer has)."""
    if key in form.fields:
        return form.unit_of(key)
    kind = form.types.get(ftype)
    return kind.unit if kind else ""


def workbook_rules(form: Form) -> tuple[Rule, ...]:
    """Rules a workbook can express, shown live in its check summary."""
    return tuple(r for r in form.rules if r.spec.in_workbook)


def text_checks_note(form: Form) -> str:
    """What the workbook's check sheet says about the checks it cannot do (the narrative ones,
    run by xltool when the county receives the return): "" when the form has none."""
    codes = sorted({r.code for r in form.rules if r.spec.about_text(r)})
    if not codes:
        return ""
    return (
        f"本表只检查表格中的数字。报告文字（{'、'.join(codes)} 共 {len(codes)} 类检查，如文字中的数字与表格是否一致）"
        "在报送后由县里用系统检查，结果随回复告知；本表显示“通过”不代表文字已检查。"
    )


def block_extents(form: Form) -> Iterator[tuple[str, str, int, int, int, int]]:
    """(sheet, description, top, left, bottom, right) of every block, 0-based inclusive."""
    for g in form.grids:
        yield (
            g.sheet,
            f"表格 {g.key}（{a1(g.row0, g.col0)}）",
            g.row0,
            g.col0,
            g.row0 + g.height - 1,
            g.col0 + g.width - 1,
        )
    for b in form.fields_blocks:
        yield (
            b.sheet,
            f"字段块（{a1(b.row0, b.col0)}）",
            b.row0,
            b.col0,
            b.row0 + len(b.items) - 1,
            b.col0 + 1,
        )
    if form.checks_block:
        cb = form.checks_block
        yield (
            cb.sheet,
            f"校验汇总（{a1(cb.row0, cb.col0)}）",
            cb.row0,
            cb.col0,
            cb.row0 + len(workbook_rules(form)) + 3 + bool(text_checks_note(form)),  # header, rules, 2 counts,
            # overall, the note on the text checks
            cb.col0 + 3,
        )
