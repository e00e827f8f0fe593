"""The form's tables in a published document: every number in its field, or a finding saying which
table, row and cell could not be read. Nothing is guessed: a row whose numbers cannot be told apart
(too few or too many cells), a table in the old format, a row that is not there, stay blank.

A table is read as a stream of runs: the label text of a row (its cells' labels joined, a label
broken over lines or cells joined again, a header or group label before it kept in front) and the
value cells after it. A run is the form's row whose label its label text ends with (labels.py); the
values go to the row's columns in the form's order. Blank cells padding a row out to the
widest row of the page are dropped; blank cells inside a row are blank cells. A number may carry the
unit of its field's type ("3件", "1次": the units of the form's [types]).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from xltool.form.calc import is_number
from xltool.form.model import NUMERIC_TYPES, Field, Form, Grid, Row, cell_unit
from xltool.importer import labels
from xltool.importer.findings import DocProblem, finding
from xltool.importer.model import Document
from xltool.importer.sections import Parts
from xltool.workbook.normalise import normalise

_NOT_NUMBERS = r"[/／\\\-—－_–~～·.。、×xX＊*]+|无|空|暂无|减\s*\d+|增\s*\d+"  # what stands in a number's cell
# Measure words any Chinese table may put after a number ("3项", "2个"): such a cell is still a value,
# so a wrong unit is reported at its row and column (A2) instead of the row going missing.
_MEASURE_WORDS = ("件", "条", "个", "项", "次", "篇", "份", "起", "宗", "例", "封", "人次", "件次", "万元", "元")
_PERCENT_SIGNS = ("%", "％")  # a rate as a report prints it ("98.5%"): a value, read as its ratio


def value_pattern(form: Form) -> re.Pattern[str]:
    """A value cell's text: a number (with the unit of one of the form's numeric types or another
    measure word), a mark standing for none, or nothing. Anything else is a label."""
    key = ("importer", "value_pattern")
    if key not in form.memo:
        own = {t.unit for n, t in form.types.items() if n in NUMERIC_TYPES and t.unit}
        words = {*own, *form.vocabulary.list("measures"), *_MEASURE_WORDS, *_PERCENT_SIGNS}
        units = sorted(words, key=len, reverse=True)
        unit = f"(?:{'|'.join(map(re.escape, units))})?" if units else ""
        form.memo[key] = re.compile(rf"^(?:[+\-]?[\d０-９][\d０-９,，.．\s]*{unit}|{_NOT_NUMBERS}|)$")
    pattern: re.Pattern[str] = form.memo[key]
    return pattern


def is_value(form: Form, cell: str) -> bool:
    return bool(value_pattern(form).match(cell.strip()))


@dataclass
class Run:
    label: str
    values: list[str] = field(default_factory=list)


@dataclass
class TableRead:
    values: dict[str, Any] = field(default_factory=dict)  # editable fields -> number (or the text found)
    stated: dict[str, Any] = field(default_factory=dict)  # total fields -> what the document says
    found: set[str] = field(default_factory=set)  # tables read (at least one row)
    problems: list[DocProblem] = field(default_factory=list)


def read_tables(form: Form, doc: Document, parts: Parts) -> TableRead:
    out = TableRead()
    tables = list(dict.fromkeys(g.table for g in form.grids))
    heading = {s.table: s.heading for s in form.sections if s.table}
    streams = _streams(form, doc, parts, tables)
    markers = [m for m in form.imports.old_format_markers if labels.key(m) in labels.key(doc.text)]
    for t in tables:
        where = heading.get(t, t)
        rows = streams.get(t, [])
        text = "".join(c for row in rows for c in row if not is_value(form, c))
        if markers and any(labels.key(m) in labels.key(text) for m in markers):
            out.problems.append(finding(form, "old_format", where, detail="、".join(markers[:4])))
            continue
        if not rows:
            detail = "这一部分只有图片" if _has_image(doc, parts, form, t) else "文件中没有这张表"
            out.problems.append(finding(form, "missing_table", where, table=where, detail=detail))
            continue
        if _has_image(doc, parts, form, t):
            out.problems.append(finding(form, "table_image", where, table=where))
        _read_table(form, t, where, rows, out)
    _check_stated(form, out, heading)
    return out


# ------------------------------------------------------------------ which document tables are which
def _streams(form: Form, doc: Document, parts: Parts, tables: list[str]) -> dict[str, list[list[str]]]:
    """The rows of each form table, from the document's tables (split tables joined), or from the
    lines of its section when the document has it as text only."""
    known = {t: _table_labels(form, t) for t in tables}
    by_section = {s: sec.table for s, sec in enumerate(form.sections) if sec.table}
    out: dict[str, list[list[str]]] = {}
    for i, b in enumerate(doc.blocks):
        if b.kind != "table":
            continue
        text = labels.key(b.table_text)
        scores = {t: sum(1 for lb in ls if lb in text) for t, ls in known.items()}
        home = by_section.get(parts.section_of(i))
        best = max(scores, key=lambda t: scores[t])
        chosen = home if home and scores[home] > 0 and scores[home] * 2 >= scores[best] else best
        if scores[chosen] > 0:
            out.setdefault(chosen, []).extend(b.rows)
    for s, t in by_section.items():
        if t not in out and s in parts.sections:
            lines = [b.text.split(" ") for b in parts.blocks_of(doc, s) if b.kind == "para"]
            if any(is_value(form, c) and c for line in lines for c in line):
                out[t] = lines
    return out


def _table_labels(form: Form, table: str) -> set[str]:
    out: set[str] = set()
    for g in form.grids_of(table):
        out |= {labels.key(p) for r in g.rows for p in r.path}
        out |= {labels.key(p) for c in g.columns for p in c.path}
        out |= {labels.key(x) for x in (g.caption, g.corner) if x}
    return {x for x in out if len(x) >= 2}


def _has_image(doc: Document, parts: Parts, form: Form, table: str) -> bool:
    secs = [s for s, sec in enumerate(form.sections) if sec.table == table and s in parts.sections]
    return any(b.kind == "image" for s in secs for b in parts.blocks_of(doc, s))


# ------------------------------------------------------------------ runs
def runs_of(form: Form, rows: Iterable[list[str]]) -> list[Run]:
    value = value_pattern(form).match
    out: list[Run] = []
    current: Run | None = None
    for row in rows:
        cells = list(row)
        if any(not value(c.strip()) for c in cells):  # blanks before a row's first label: merge placeholders
            while cells and value(cells[0].strip()) and not cells[0].strip():
                cells.pop(0)
        for cell in cells:
            if not value(cell.strip()):
                if current is None or current.values:
                    current = Run("")
                    out.append(current)
                current.label += cell
            else:
                if current is None:
                    current = Run("")
                    out.append(current)
                current.values.append(cell)
    return out


def _trimmed(values: list[str], expected: int) -> list[str]:
    values = list(values)
    while len(values) > expected and not values[-1].strip():
        values.pop()
    return values


# ------------------------------------------------------------------ one table
def _read_table(form: Form, table: str, where: str, rows: list[list[str]], out: TableRead) -> None:
    rows = _word_rows(form, table, rows, out)
    runs = runs_of(form, rows)
    wanted = [(g, r) for g in form.grids_of(table) for r in g.rows if _grid_key(g, r) not in out.values]
    groups = {labels.key(p) for _, r in wanted for p in r.path[:-1]}
    taken: dict[int, Run] = {}
    old_groups: set[str] = set()
    for k, run in enumerate(runs):
        if not run.values:
            continue
        hit = _match(run, wanted, taken)
        if (hit is None or not hit[1].exact) and (joined := _continued(run, runs[k + 1 : k + 2])):
            whole = _match(joined, wanted, taken)  # a row broken across pages: its label goes on below
            if whole is not None and whole[1].exact:
                hit, run = whole, joined
        if hit is None:
            group = next((g for g in groups if labels.key(run.label).endswith(g)), None)
            if group and any(v.strip() for v in run.values):
                old_groups.add(group)
                out.problems.append(finding(form, "old_other_row", where, found=group))
            continue
        n, exact = hit
        taken[n] = run
        g, r = wanted[n]
        if not exact.exact:
            out.problems.append(finding(form, "label_drift", where, found=exact.found, expected=r.path[-1]))
    for n, (g, r) in enumerate(wanted):
        fields = [form.fields[g.field_key(r, c)] for c in g.columns]
        place = _where(where, fields[0].row_label)
        if n not in taken:
            if not any(labels.key(p) in old_groups for p in r.path[:-1]):
                out.problems.append(finding(form, "missing_row", place, count=len(fields), row=fields[0].row_label))
            continue
        _take(form, taken[n], fields, place, out)
    if taken:
        out.found.add(table)
    _column_drift(form, table, where, rows, out)


def _grid_key(g: Grid, r: Row) -> str:
    return g.field_key(r, g.columns[0]) if len(g.columns) == 1 else ""


def _word_rows(form: Form, table: str, rows: list[list[str]], out: TableRead) -> list[list[str]]:
    """The rows of words of a one-column table (a name, an address, 是/否): the first cell after the
    row's own label is its value, read as text (never a number, never 0). Such rows are taken out, so
    a name never runs into the label of the number row below it."""
    words: dict[str, list[Field]] = {}  # label -> its rows in order (微博/名称, 微信/名称 share "名称")
    for g in form.grids_of(table):
        for r in g.rows:
            if len(g.columns) == 1 and r.path and not form.fields[_grid_key(g, r)].numeric:
                words.setdefault(labels.key(r.path[-1]), []).append(form.fields[_grid_key(g, r)])
    if not words:
        return rows
    kept = []
    for row in rows:  # Markdown joins a row's labels into one cell: "办事服务·是否发布服务事项目录"
        keys = [labels.key(c).rsplit("·", 1)[-1] for c in row]
        hit = next((i for i, k in enumerate(keys) if any(f.key not in out.values for f in words.get(k, ()))), None)
        value = "" if hit is None else _after(row, keys, hit)
        if hit is None or not value:
            kept.append(row)
            continue
        f = next(f for f in words[keys[hit]] if f.key not in out.values)
        out.values[f.key] = normalise(value, f.type, cell_unit(form, f.key, f.type)).value
    return kept


def _after(row: list[str], keys: list[str], label: int) -> str:
    """The first cell after a label's cell(s) (a merged label repeats in the cells it spans)."""
    rest = zip(row[label + 1 :], keys[label + 1 :], strict=True)
    return next((c.strip() for c, k in rest if k and k != keys[label]), "")


def _continued(run: Run, following: list[Run]) -> Run | None:
    """The run with the label of the next one when that one has no number: the rest of a label the
    page broke, on the next page with blank cells."""
    if not following or any(v.strip() for v in following[0].values):
        return None
    return Run(run.label + following[0].label, run.values)


def _match(run: Run, wanted: list[tuple[Grid, Row]], taken: dict[int, Run]) -> tuple[int, labels.Hit] | None:
    fuzzy = None
    for n, (g, r) in enumerate(wanted):
        if n in taken:
            continue
        if not r.path:  # a table of one unlabelled row (表四): the run with exactly its numbers
            if len(_trimmed(run.values, len(g.columns))) == len(g.columns):
                return n, labels.Hit(True, "")
            continue
        hit = labels.match_tail(run.label, r.path[-1])
        if hit is not None and hit.exact:
            return n, hit
        if hit is not None and fuzzy is None:
            fuzzy = (n, hit)
    return fuzzy


def _take(form: Form, run: Run, fields: list[Field], place: str, out: TableRead) -> None:
    values = _trimmed(run.values, len(fields))
    if len(values) != len(fields):
        columns = "、".join(f.col_label for f in fields if f.col_label) or "一个数字"
        row = fields[0].row_label  # said with the row, so that a row a cut text stops in is the cut's
        out.problems.append(
            finding(form, "row_count", place, found=len(values), expected=len(fields), detail=columns, row=row)
        )
        return
    blanks = []
    for f, raw in zip(fields, values, strict=True):
        if not raw.strip():
            blanks.append(f.col_label)
            continue
        unit = cell_unit(form, f.key, f.type)
        typed = normalise(raw.replace("，", ",").replace(" ", "") if f.numeric else raw.strip(), f.type, unit)
        value = typed.value if not typed.invalid else raw
        if typed.invalid:
            where = _where(place, "", f.col_label)
            out.problems.append(finding(form, "not_number", where, raw, cell=f, found=raw, column=f.col_label))
        if f.kind == "formula":
            out.stated[f.key] = value
        else:
            out.values[f.key] = value
    if blanks:
        detail = "、".join(b or "数字" for b in blanks)
        out.problems.append(finding(form, "blank", place, count=len(blanks), detail=detail))


def _where(section: str, row: str, column: str = "") -> str:
    bits = "；".join(x for x in (f"行：{row}" if row else "", f"列：{column}" if column else "") if x)
    if section.endswith("）") and bits:
        return section[:-1] + "；" + bits + "）"
    return f"{section}（{bits}）" if bits else section


def _column_drift(form: Form, table: str, where: str, rows: list[list[str]], out: TableRead) -> None:
    """Column labels written with the year in them ("本年(2023)制发件数")."""
    text = labels.key("".join(c for row in rows for c in row if not is_value(form, c)))
    seen = set()
    for g in form.grids_of(table):
        for c in g.columns:
            for p in c.path:
                k = labels.key(p)
                if k in text or k in seen:
                    continue
                seen.add(k)
                rx = r"(?:\(?\d{4}年?度?\)?)?".join(re.escape(ch) for ch in k)
                m = re.search(rx, text)
                if m:
                    out.problems.append(finding(form, "label_drift", where, found=m.group(0), expected=p))


def _check_stated(form: Form, out: TableRead, heading: dict[str, str]) -> None:
    """A total the document prints that is not the sum of its parts, under its sum rule's code (B2, B3,
    C1 in the annual report)."""
    memo: dict[str, float | None] = {}

    def total(key: str) -> float | None:
        if key not in memo:
            f = form.fields[key]
            if not f.parts:
                v = out.values.get(key)
                memo[key] = v if is_number(v) else None
            else:
                parts = [total(p) for p in f.parts]
                memo[key] = None if any(p is None for p in parts) else sum(p for p in parts if p is not None)
        return memo[key]

    for key, stated in out.stated.items():
        f = form.fields[key]
        expected = total(key)
        if not is_number(stated) or expected is None or abs(stated - expected) < 1e-9:
            continue
        what = "“" + "/".join(x for x in (f.row_label, f.col_label) if x) + "”"
        place = _where(heading.get(f.grid or "", ""), f.row_label, f.col_label)
        out.problems.append(
            finding(form, "stated_total", place, stated, cell=f, what=what, found=stated, expected=expected)
        )
