"""A published report -> the values of a return of the current form, and the return itself.

``import_document`` reads the file, finds its parts and tables and says what it could not read;
``write_imported`` writes the return through the same code that makes templates (so it is a return
like any other: verify, report and the cross-year checks read it as one). The unit's type is
guessed from its name by the form's rules; the structured answers on the fee are taken from the
text only when it states them clearly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xltool.checks.narrative_checks import statements_of
from xltool.form.model import Form
from xltool.form.problems import make_problem
from xltool.importer.cut import Cut, Start, after_cut, before_start, find_cut, find_start
from xltool.importer.document import read_document
from xltool.importer.findings import DocProblem, finding, located
from xltool.importer.model import Document, DocumentError
from xltool.importer.sections import Parts, find_parts
from xltool.importer.tables import TableRead, read_tables
from xltool.outputs import write_output
from xltool.wording import internal_error
from xltool.workbook.limits import name_flaw


@dataclass
class Imported:
    path: Path
    unit: str = ""
    unit_type: str = ""
    year: int | None = None
    format: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # editable fields of the form
    stated: dict[str, Any] = field(default_factory=dict)  # totals as the document prints them
    problems: list[DocProblem] = field(default_factory=list)
    document: Document | None = field(default=None, repr=False)
    parts: Parts | None = field(default=None, repr=False)
    tables: set[str] = field(default_factory=set)  # the form's tables found and read
    cut: Cut | None = field(default=None, repr=False)  # where the text ends early
    start: Start | None = field(default=None, repr=False)  # where the text begins late

    @property
    def usable(self) -> bool:
        """Enough was read to write a return (a unit and a year; the rest may be blank)."""
        return bool(self.unit) and self.year is not None

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "unit": self.unit,
            "year": self.year,
            "format": self.format,
            "values": {k: v for k, v in self.values.items()},
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass(frozen=True)
class Given:
    """What the user states of a report (``--year``, ``--unit``): it overrides what is read."""

    year: int | None = None
    unit: str = ""


def import_document(path: Path, form: Form, given: Given = Given()) -> Imported:
    """Read one published report. Never raises for what is in the file: a file that is no report
    (or cannot be read) is an Imported with one problem and nothing usable."""
    result = Imported(Path(path))
    try:
        return _import(result, form, given)
    except Exception as err:  # noqa: BLE001 - one document never sinks a batch
        return Imported(Path(path), problems=[finding(form, "internal", detail=internal_error(err))])


def _import(result: Imported, form: Form, given: Given) -> Imported:
    path = result.path
    try:
        doc = read_document(Path(path))
    except DocumentError as err:
        result.problems.append(finding(form, err.kind, detail=err.detail))
        return result
    result.document, result.format = doc, doc.format
    parts = find_parts(form, doc)
    tables = read_tables(form, doc, parts)
    result.parts, result.tables = parts, tables.found
    if parts.title_at < 0 and not parts.unit and not parts.sections and not tables.found:
        result.problems.append(finding(form, "not_report"))
        return result
    _identity(form, result, parts, given)
    result.unit_type = form.units.guess_type(result.unit) if form.units.names else ""
    result.values = _values(form, result, parts, tables)
    result.stated = tables.stated
    found = parts.problems + tables.problems + _missing_sections(form, parts)
    cut = result.cut = find_cut(form, parts, result.values, doc)
    if cut is not None:
        found = [cut.finding] + [p for p in found if not after_cut(form, cut, p)]
    start = result.start = find_start(form, parts)
    if start is not None:
        found = [start.finding] + [p for p in found if not before_start(form, start, p)]
    result.problems += found
    return result


def _identity(form: Form, result: Imported, parts: Parts, given: Given) -> None:
    """The unit and year: as given, else as read, else guessed from the text or the file name; a
    name that cannot be one (a sentence taken for the title) is a finding, never the unit."""
    path = result.path
    unit = parts.unit if parts.unit and not name_flaw(parts.unit) else ""
    if given.unit:
        result.unit = given.unit
    elif unit:
        result.unit = unit
    else:
        result.unit = path.stem
        result.problems.append(finding(form, "no_unit", "标题", found=result.unit))
    result.year, source = parts.year, ""  # a year the text states is the report's; others are said
    if given.year is not None:
        result.year, source = given.year, "给定的 --year " if parts.year is None else ""
    elif result.year is None and (m := _FILE_YEAR.search(path.stem)):
        result.year, source = int(m.group(1)), "文件名"
    if result.year is None:
        result.problems.append(finding(form, "no_year", "标题"))
    elif source:
        result.problems.append(finding(form, "year_guessed", "标题", found=result.year, detail=source))


_FILE_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def _values(form: Form, result: Imported, parts: Parts, tables: TableRead) -> dict[str, Any]:
    values: dict[str, Any] = dict(tables.values)
    values.update(parts.texts)
    for role, value in (("unit_name", result.unit), ("phone", parts.phone), ("website", parts.website)):
        key = form.role(role)
        if key and value and form.fields[key].editable:
            values[key] = value
    values.update(_fee_answers(form, values))
    return {k: v for k, v in values.items() if k in form.fields and form.fields[k].editable}


def _fee_answers(form: Form, values: dict[str, Any]) -> dict[str, Any]:
    """The structured answers a text rule pairs (charged yes/no, the amount), from one clear
    statement of the amount in the text ("未收取信息处理费" is 0)."""
    out: dict[str, Any] = {}
    for rule in form.rules_of("fee_answers"):
        charged, money, yes = rule.params["charged"], rule.params["money"], rule.params["yes"]
        stated = {
            st.value
            for key, text in values.items()
            if isinstance(text, str) and not form.fields[key].numeric
            for st in statements_of(form, text, key)
            if not st.vague and any(money in form.vocabulary.concepts[c].means for c in st.concepts)
        }
        choices = form.fields[charged].choices
        if len(stated) == 1 and len(choices) == 2:
            amount = stated.pop()
            out[money] = int(amount) if float(amount).is_integer() else amount
            out[charged] = yes if amount > 0 else next(c for c in choices if c != yes)
    return out


def _missing_sections(form: Form, parts: Parts) -> list[DocProblem]:
    """A section the document does not have, by the form's headings rule (F1 in the annual report)."""
    rules = form.rules_of("headings")
    out = []
    for s, section in enumerate(form.sections):
        if s in parts.sections:
            continue
        for rule in rules:
            out.append(located(make_problem(form, rule.id, expected=section.heading), section.heading))
    return out


def write_imported(form: Form, imported: Imported, out: Path, *, replace: bool = False) -> Path:
    """Write the return (atomically; an existing file only with ``replace``)."""
    from xltool.workbook.write import UnitInfo, build_template  # xlsxwriter: only when a return is written

    assert imported.usable and imported.year is not None
    unit = UnitInfo(imported.unit, imported.unit_type, imported.year)
    data = build_template(form, unit, values=imported.values)
    return write_output(out, lambda tmp: tmp.write_bytes(data.content), replace=replace)
