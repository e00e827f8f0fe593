"""Build a Form from the parsed TOML, checking the definition as it goes.

Everything a definition can get wrong fails here with a Chinese FormDefinitionError: duplicate keys,
unknown sheets or types, sum ranges and rules naming unknown fields, forbidden rule syntax, and
blocks whose cells overlap. So a mistake in the definition fails a test, never a township's workbook.
"""

from __future__ import annotations

import keyword
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from xltool.errors import FormDefinitionError
from xltool.form.aggregation import field_settings, grid_settings, resolve
from xltool.form.catalogue import check_text_rules, merge_rules
from xltool.form.cells import check_fields, field_extras, grid_extras
from xltool.form.computed import check_formulas, field_formula, with_places
from xltool.form.grids import grid_block, grid_fields, unique
from xltool.form.keys import check_definition
from xltool.form.kinds import kind_of
from xltool.form.kinds.part_of import resolve_part_of
from xltool.form.layout import a1, parse_a1
from xltool.form.model import (
    INPUT_TYPES,
    NUMERIC_TYPES,
    PREFILLS,
    TEXT_TYPES,
    Check,
    ChecksBlock,
    Field,
    FieldsBlock,
    FieldType,
    Form,
    Grid,
    ImportSpec,
    Rule,
    Section,
    Sheet,
    TemplateSpec,
    UnitTypes,
    block_extents,
)
from xltool.form.notice import load_notice
from xltool.form.onsums import shapes
from xltool.form.period import KINDS as PERIOD_KINDS
from xltool.form.period import unfillable
from xltool.form.registry import default_form_path
from xltool.form.texts import check_form_texts, check_rule_placeholders, load_report
from xltool.form.vocabulary import load_vocabulary


def load_form(path: Path | str | None = None) -> Form:
    """Load and check a form definition; FormDefinitionError says what is wrong in Chinese."""
    path = Path(path) if path else default_form_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FormDefinitionError(f"找不到表单定义文件：{path}") from None
    except UnicodeDecodeError:
        raise FormDefinitionError(f"表单定义文件格式错误：{path}：不是 UTF-8 编码的文字，请另存为 UTF-8") from None
    except tomllib.TOMLDecodeError as err:
        at = re.search(r"line (\d+), column (\d+)", str(err))
        where = f"第 {at[1]} 行第 {at[2]} 列" if at else "某处"
        raise FormDefinitionError(f"表单定义文件格式错误：{path}：{where}不符合 TOML 写法（{err}）") from None
    try:
        return build(data, path)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):  # a net: the mutation test finds none
        raise FormDefinitionError(
            f"表单定义错误（{path.name}）：有一处写法无法读入；请对照 docs/form-keys.md 逐项检查各键和值的类型"
        ) from None


_KEY_PART = re.compile(r"^[a-z][a-z0-9_]*$")


def build(data: dict[str, Any], path: Path) -> Form:
    check_definition(data)
    meta = data["form"]
    guide = data.get("guide", {})
    sheets = tuple(
        Sheet(
            s["key"],
            s["name"],
            s.get("title", ""),
            tuple(s.get("widths", ())),
            bool(s.get("landscape")),
            s.get("freeze"),
        )
        for s in data["sheets"]
    )
    unique([s.key for s in sheets], "工作表键")
    unique([s.name for s in sheets], "工作表名称")
    sheet_keys = {s.key for s in sheets}
    types = {
        k: FieldType(k, v.get("unit", ""), v.get("prompt", ""), v.get("error", "")) for k, v in data["types"].items()
    }
    units = _units(data.get("units", {}))
    fields: dict[str, Field] = {}
    grids: list[Grid] = []
    fblocks: list[FieldsBlock] = []
    checks_block: ChecksBlock | None = None
    for n, block in enumerate(data["blocks"], 1):
        if block["sheet"] not in sheet_keys:
            raise FormDefinitionError(f"表单定义错误：[[blocks]] #{n}：引用了不存在的工作表“{block['sheet']}”")
        row0, col0 = parse_a1(block["anchor"])
        kind = block["kind"]
        if kind == "grid":
            grid = grid_block(block, row0, col0)
            grids.append(grid)
            _add_fields(fields, grid_extras(grid, grid_fields(grid)))
        elif kind == "fields":
            items, new = _fields_block(block, row0, col0, units.names)
            fblocks.append(FieldsBlock(block["sheet"], row0, col0, items))
            _add_fields(fields, new)
        elif kind == "checks":
            _check_summary_room(n, checks_block, next(s for s in sheets if s.key == block["sheet"]), col0)
            checks_block = ChecksBlock(block["sheet"], row0, col0)
        else:
            raise FormDefinitionError(f"表单定义错误：未知的块类型“{kind}”")
    for f in fields.values():
        if f.type not in types:
            raise FormDefinitionError(f"表单定义错误：字段 {f.key} 的类型“{f.type}”未定义")
    check_formulas(fields)
    unique([f.defined_name for f in fields.values()], "定义名称")
    check_fields(fields)
    fields = resolve(fields, field_settings(data["blocks"]), grid_settings(grids))
    merged = merge_rules(data.get("rules", ()))
    fields = resolve_part_of(fields, merged)
    rules = tuple(r for r in merged if kind_of(r).useful(r, fields))
    unique([r.id for r in rules], "规则编号")
    vocabulary = load_vocabulary(data.get("narrative", {}), fields)
    check_text_rules(rules, fields, set(vocabulary.concepts))
    checks = with_places(_compile_checks(rules, fields, grids), fields)
    check_rule_placeholders(rules, fields)
    _check_aggregation(rules, checks, fields, data.get("roles", {}))
    sections = tuple(
        Section(s["heading"], tuple(s.get("fields", ())), s.get("table", "")) for s in data.get("sections", ())
    )
    report = load_report(data.get("report", {}), fields)
    form = Form(
        id=meta["id"], version=str(meta["version"]), name=meta["name"], basis=meta.get("basis", ""),
        regulation=meta.get("regulation", ""), title_pattern=meta.get("title_pattern", "{unit}{year}年" + meta["name"]),
        units=units, sheets=sheets, types=types, guide=tuple(guide.get("lines", ())), grids=tuple(grids),
        fields_blocks=tuple(fblocks), checks_block=checks_block, fields=fields, rules=rules, checks=checks,
        sections=sections,
        report=report,
        roles=_roles(data.get("roles", {}), fields), file_pattern=meta.get("file_pattern", Form.file_pattern),
        guide_sheet=guide.get("sheet", ""), template=_template(data.get("template", {}), sheets, guide),
        vocabulary=vocabulary, imports=_imports(data.get("import", {})), source=path,
        reply_signature=_signature(meta.get("reply_signature", "")), notice=load_notice(data.get("notice"), yearly=meta.get("period", "year") == "year"),
        period=_period(meta.get("period", "year")),
    )  # fmt: skip
    if form.guide_sheet and form.guide_sheet not in sheet_keys:
        raise FormDefinitionError(f"表单定义错误：填表说明所在的工作表“{form.guide_sheet}”不存在")
    if flaw := unfillable(form.period, period_texts(form)):
        raise FormDefinitionError(flaw)
    if form.guide_sheet and not form.sheet(form.guide_sheet).widths:
        raise FormDefinitionError(
            f"表单定义错误：[guide] sheet：填表说明所在的工作表“{form.guide_sheet}”须写 widths（列宽）"
        )
    _check_placements(form)
    check_form_texts(form)
    _check_sections(form)
    _check_overlaps(form)
    return form


def _check_summary_room(n: int, before: ChecksBlock | None, sheet: Sheet, col0: int) -> None:
    """The check summary is one per workbook and four columns wide (code, rule, severity, verdict),
    each sized by its sheet's widths."""
    if before is not None:
        raise FormDefinitionError(f'表单定义错误：[[blocks]] #{n}：只能有一个校验汇总块（kind = "checks"）')
    if len(sheet.widths) < col0 + 4:
        raise FormDefinitionError(
            f"表单定义错误：[[blocks]] #{n}：校验汇总占 4 列，工作表“{sheet.key}”的 widths 应至少写到第 {col0 + 4} 列"
        )


def _units(spec: dict[str, Any]) -> UnitTypes:
    names = tuple(spec.get("types", ()))
    aliases = {"".join(a.split()): t for t, words in spec.get("aliases", {}).items() for a in words}
    guess = tuple(
        (g["type"], tuple(g.get("contains", ())), tuple(g.get("endswith", ()))) for g in spec.get("guess", ())
    )
    default = spec.get("default", "")
    for t in (*aliases.values(), *(g[0] for g in guess), *([default] if default else [])):
        if t not in names:
            raise FormDefinitionError(f"表单定义错误：[units] 中的单位类型“{t}”不在 types 中")
    return UnitTypes(names, default, guess, aliases)


def _imports(spec: dict[str, Any]) -> ImportSpec:
    """[import]: old_format_markers, the words only an older format of the form's tables has (a
    document with them gets the old-format finding and those tables are not read)."""
    unknown = sorted(set(spec) - {"old_format_markers"})
    if unknown:
        raise FormDefinitionError(f"表单定义错误：[import] 中的“{unknown[0]}”未知，可用的有：old_format_markers")
    markers = spec.get("old_format_markers", [])
    if not isinstance(markers, list) or not all(isinstance(m, str) and m.strip() for m in markers):
        raise FormDefinitionError("表单定义错误：[import] old_format_markers 应为文字列表")
    return ImportSpec(tuple(markers))


def _template(spec: dict[str, Any], sheets: tuple[Sheet, ...], guide: dict[str, Any]) -> TemplateSpec:
    keys = [s.key for s in sheets]
    active = spec.get("active") or next((k for k in keys if k != guide.get("sheet")), keys[0] if keys else "")
    if active not in keys:
        raise FormDefinitionError(f"表单定义错误：[template] active 引用了不存在的工作表“{active}”")
    return TemplateSpec(active, spec.get("subtitle", ""))


def _period(kind: Any) -> str:
    """[form] period: how often the form is collected."""
    if kind not in PERIOD_KINDS:
        raise FormDefinitionError(f"表单定义错误：[form] period 应为 {'、'.join(PERIOD_KINDS)} 之一，不是“{kind}”")
    return str(kind)


def period_texts(form: Form) -> Iterator[tuple[str, str]]:
    """(place, text) of every pattern filled with the year or period: where {quarter} must be fillable."""
    yield "[form] title_pattern", form.title_pattern
    yield "[form] file_pattern", form.file_pattern
    yield "[template] subtitle", form.template.subtitle
    for s in form.sheets:
        yield f"工作表 {s.key} 的 title", s.title
    for i, line in enumerate(form.guide, 1):
        yield f"[guide] lines 第 {i} 行", line
    for key, text in form.notice.texts.items():
        yield f"[notice] {key}", text
    yield "[report] preamble", form.report.preamble


def _signature(pattern: Any) -> str:
    """[form] reply_signature: text with at most {county} in it."""
    if not isinstance(pattern, str) or set(re.findall(r"\{([^{}]*)\}", pattern)) - {"county"}:
        raise FormDefinitionError("表单定义错误：[form] reply_signature 应为文字，只能含 {county}")
    return pattern.strip()


# The roles code looks fields up by, and the kind of field each must be: a misspelt role or one on
# the wrong kind of field would quietly switch a check off or fail inside a batch.
ROLE_TYPES: dict[str, tuple[tuple[str, ...], str]] = {
    "unit_name": (TEXT_TYPES, "文字"),
    "year": (("year",), "年度"),
    "unit_type": (("choice", *TEXT_TYPES), "下拉或文字"),
    "phone": (TEXT_TYPES, "文字"),
    "website": (TEXT_TYPES, "文字"),
    "date": (("date",), "日期"),
    "explanation": (TEXT_TYPES, "文字"),
    "applications": (NUMERIC_TYPES, "数字"),
    "outcomes": (NUMERIC_TYPES, "数字"),
}


def _roles(roles: dict[str, str], fields: dict[str, Field]) -> dict[str, str]:
    for name, key in roles.items():
        if name not in ROLE_TYPES:
            raise FormDefinitionError(f"表单定义错误：[roles] 中的角色“{name}”未知，可用的有：{'、'.join(ROLE_TYPES)}")
        if not isinstance(key, str) or key not in fields:
            raise FormDefinitionError(f"表单定义错误：角色 {name} 引用了不存在的字段“{key}”")
        types, kind = ROLE_TYPES[name]
        if fields[key].type not in types:
            raise FormDefinitionError(f"表单定义错误：角色 {name} 应为{kind}字段，“{key}”是 {fields[key].type}")
    outcomes = roles.get("outcomes")
    if outcomes and not (fields[outcomes].grid and fields[outcomes].parts):
        raise FormDefinitionError(f"表单定义错误：角色 outcomes 应为表格中的合计（由各项相加），“{outcomes}”不是")
    return dict(roles)


def _add_fields(fields: dict[str, Field], new: list[Field]) -> None:
    for f in new:
        if f.key in fields:
            raise FormDefinitionError(f"表单定义错误：字段键重复：{f.key}")
        parts = f.key.split(".")
        if not all(_KEY_PART.match(p) and not keyword.iskeyword(p) for p in parts):
            raise FormDefinitionError(f"表单定义错误：字段键“{f.key}”只能由小写字母、数字和下划线组成，以点分隔")
        fields[f.key] = f


def _fields_block(
    block: dict[str, Any], row0: int, col0: int, unit_types: tuple[str, ...]
) -> tuple[tuple[str, ...], list[Field]]:
    items: list[str] = []
    out: list[Field] = []
    for i, item in enumerate(block["fields"]):
        if item.get("spacer"):  # a locked, empty row: a paste spilling out of the cell above stops there
            items.append("#")
            continue
        if "heading" in item:
            items.append("#" + item["heading"])
            continue
        ftype = item["type"]
        if ftype not in INPUT_TYPES:
            raise FormDefinitionError(f"表单定义错误：字段 {item['key']} 的类型“{ftype}”不能用于填写")
        prefill = item.get("prefill")
        if prefill is not None and prefill not in PREFILLS:
            raise FormDefinitionError(f"表单定义错误：字段 {item['key']} 的预填项“{prefill}”未知")
        choices = item.get("choices", ())
        if choices == "unit_types" and not unit_types:
            raise FormDefinitionError(
                f"表单定义错误：字段 {item['key']} 从单位类型中选择，但表单没有定义 [units] types"
            )
        choices = unit_types if choices == "unit_types" else tuple(choices)
        items.append(item["key"])
        formula = field_formula(item["formula"], item["key"]) if item.get("formula") else None
        kind = "formula" if formula else "text" if ftype in TEXT_TYPES else "input"
        out.append(field_extras(item,
            Field(item["key"], item["label"], ftype, kind, block["sheet"], row0 + i, col0 + 1,
                  required=bool(item.get("required", True)), prefill=prefill, choices=choices,
                  hint=item.get("hint", ""), formula=formula, unit=str(item.get("unit", "")))
        ))  # fmt: skip
    return tuple(items), out


def _compile_checks(rules: tuple[Rule, ...], fields: dict[str, Field], grids: list[Grid]) -> Iterator[Check]:
    for rule in rules:
        yield from kind_of(rule).compile(rule, fields, grids)
    for f in fields.values():
        if f.rule and not any(r.id == f.rule and kind_of(r).names_totals for r in rules):
            raise FormDefinitionError(f"表单定义错误：公式单元格 {f.key} 引用了不存在的求和规则 {f.rule}")


def _check_aggregation(rules: tuple[Rule, ...], checks: tuple[Check, ...], fields: dict[str, Field],
                       roles: Any) -> None:  # fmt: skip
    """No rule may fail on the county's aggregate only because the units' figures were added up
    (form/onsums.py says which rules are safe): such a definition is refused with the reason."""
    known = shapes(fields, rules, str(roles.get("year", "")) if isinstance(roles, dict) else "")
    for rule in rules:
        reason = kind_of(rule).holds_on_sums(rule, [c for c in checks if c.rule is rule], known)
        if reason:
            raise FormDefinitionError(
                f"表单定义错误：规则 {rule.id}（{rule.code}）在全县汇总数上可能不成立：{reason}。"
                '请把有关的单元格设为 aggregate = "mean"（取平均值）或 "none"（不汇总），'
                "或在规则中写 aggregate = false（汇总数不检查此规则）"
            )


def _check_placements(form: Form) -> None:
    ids = {r.id for r in form.rules}
    for g in form.grids:
        for rid in (*g.checks_below, *g.checks_right):
            if rid not in ids:
                raise FormDefinitionError(f"表单定义错误：表格 {g.key} 的校验位置引用了不存在的规则 {rid}")


def _check_sections(form: Form) -> None:
    tables = {g.table for g in form.grids}
    for s in form.sections:
        for key in s.fields:
            if key not in form.fields:
                raise FormDefinitionError(f"表单定义错误：报告部分“{s.heading}”引用了不存在的字段“{key}”")
        if s.table and s.table not in tables:
            raise FormDefinitionError(f"表单定义错误：报告部分“{s.heading}”引用了不存在的表格“{s.table}”")


def _check_overlaps(form: Form) -> None:
    boxes = list(block_extents(form))
    for i, (s1, d1, t1, l1, b1, r1) in enumerate(boxes):
        for s2, d2, t2, l2, b2, r2 in boxes[i + 1 :]:
            if s1 == s2 and t1 <= b2 and t2 <= b1 and l1 <= r2 and l2 <= r1:
                cell = a1(max(t1, t2), max(l1, l2))
                raise FormDefinitionError(
                    f"表单定义错误：工作表“{form.sheet(s1).name}”上{d1}与{d2}重叠（单元格 {cell}）"
                )
