"""A document cut short (a web copy that stops mid-way, a PDF missing its last pages): one finding
where the text ends, instead of one for every section, table and row after it; likewise one finding
for a text that begins on a later page of its file.

The text is taken to end early when the form's last sections are all missing after the last one the
document has. It ends inside that section's table when rows of the table after the last one read
are missing too. Everything found missing after that point is the cut's, and not listed again.
Nothing here names a section or a row: the form's sections, tables and rows decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from xltool.form.model import Form
from xltool.importer import labels
from xltool.importer.findings import DocProblem, finding
from xltool.importer.model import Document
from xltool.importer.sections import Parts

_AFTER_CUT = {"import:missing_row", "import:missing_table"}  # what a cut explains, with the headings rule
_ROWS_CUT = {"import:missing_row", "import:row_count"}


@dataclass(frozen=True)
class Cut:
    finding: DocProblem
    last: int  # the form's section the text ends in
    rows_after: frozenset[str]  # row labels of that section's table after the last row read
    unread: bool = False  # the text ends before the first row of that section's table


def find_cut(form: Form, parts: Parts, values: dict[str, object], doc: Document | None = None) -> Cut | None:
    if parts.sections:
        last = max(parts.sections, key=lambda s: parts.sections[s][0])  # the last heading in the text
    elif (own := _own_last(form, doc)) is not None:
        last = own
    else:
        return None
    if last == len(form.sections) - 1 or any(s in parts.sections for s in range(last + 1, len(form.sections))):
        return None
    section = form.sections[last]
    rows = _rows(form, section.table) if section.table else []
    read = [n for n, (_, keys) in enumerate(rows) if any(k in values for k in keys)]
    if read and read[-1] < len(rows) - 1:
        label = rows[read[-1]][0]
        after = frozenset(lb for lb, _ in rows[read[-1] + 1 :])
        return Cut(finding(form, "cut", section.heading, table=section.heading, row=label), last, after)
    unread = bool(rows) and not read  # ends in the table's header: every row is the cut's
    return Cut(finding(form, "cut_section", section.heading, found=section.heading), last, frozenset(), unread)


_OWN_MAX = 30  # a part's heading is a short line


def _own_last(form: Form, doc: Document | None) -> int | None:
    """The last of the form's parts by the document's own headings, when none has the form's wording
    ("一、政府信息公开工作的基本情况" is the first part, worded otherwise): a short line opening with
    the ordinal of a part's heading ("一、")."""
    if doc is None:
        return None
    ordinals = [labels.ordinal(s.heading) for s in form.sections]
    found = [
        ordinals.index(o)
        for b in doc.blocks
        if b.kind == "para" and len(b.text) <= _OWN_MAX and (o := labels.ordinal(b.text)) and o in ordinals
    ]
    return found[-1] if found else None


@dataclass(frozen=True)
class Start:
    """A text that begins after the report's beginning (one page of a PDF flip-book)."""

    finding: DocProblem
    first: int  # the form's first section the text has (past the last when it has none)


def find_start(form: Form, parts: Parts) -> Start | None:
    """The text begins late when its first line carries the page mark of a later page ("Page 9 -"):
    the parts before the first one it has are not missing, they are not in the text."""
    first = min(parts.sections) if parts.sections else len(form.sections)
    if parts.first_page <= 1 or first == 0:
        return None
    return Start(finding(form, "cut_start", found=parts.first_page), first)


def before_start(form: Form, start: Start, p: DocProblem) -> bool:
    """A finding the late start explains: a part before the first one read, or its table, missing."""
    earlier = [s.heading for s in form.sections[: start.first]]
    headings = {r.id for r in form.rules_of("headings")}
    return p.rule in headings | _AFTER_CUT and any(p.where.startswith(h) for h in earlier)


def _rows(form: Form, table: str) -> list[tuple[str, list[str]]]:
    """The table's rows in the form's order: (row label, its fields)."""
    out = []
    for g in form.grids_of(table):
        for r in g.rows:
            keys = [g.field_key(r, c) for c in g.columns]
            out.append((form.fields[keys[0]].row_label, keys))
    return out


def after_cut(form: Form, cut: Cut, p: DocProblem) -> bool:
    """A finding the cut explains: a section after it missing (the form's headings rule), a table
    there missing, a row of the last table after the last one read missing."""
    later = [s.heading for s in form.sections[cut.last + 1 :]]
    headings = {r.id for r in form.rules_of("headings")}
    if p.rule in headings | _AFTER_CUT and any(p.where.startswith(h) for h in later):
        return True
    here = form.sections[cut.last].heading
    if p.rule in _ROWS_CUT and p.where.startswith(here) and (p.row_label in cut.rows_after or cut.unread):
        return True  # a row after the last one read: not there, or cut in the middle (too few numbers)
    return p.rule == "import:missing_table" and p.where.startswith(here) and not cut.rows_after
