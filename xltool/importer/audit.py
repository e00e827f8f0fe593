"""Audit published reports against the form's format and rules (``xltool audit``).

Each document is imported (build.py), made a return of its values (nothing written) and verified like any return,
with last year's returns or published reports for the cross-year checks: every rule of the form (in
the annual report the arithmetic B, C, D, narrative against tables E, text and format F). What only a
document can get wrong (a heading, a table missing or only an image, an older format, label drift, a
printed total that is not the sum of its parts, a blank or "/" cell) comes from the import, as the
form's "import:<kind>" rules. Problems are placed in the document
(part, table row and column, or the quoted sentence) instead of a sheet and cell; the result is a
VerifyResult, so it prints, serialises and is listed exactly as verify's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from xltool.checks.text import TEXT_CHECKS
from xltool.checks.verify import ALL, FileResult, VerifyOptions, VerifyResult, verify_returns
from xltool.form.kinds import kind_of
from xltool.form.model import Form
from xltool.form.problems import Problem, escalate, make_problem
from xltool.importer.build import Given, Imported, import_document
from xltool.importer.findings import DocProblem, located
from xltool.importer.previous import last_year_returns
from xltool.workbook.filled import filled_return


@dataclass(frozen=True)
class AuditOptions:
    previous: Sequence[Path] = ()  # last year's returns or published reports (B5, D2, D3, F8)
    strict: frozenset[str] = frozenset()  # warning codes treated as errors ({ALL} for all)
    given: Given = Given()  # --year, --unit: override what the documents say


def audit(
    paths: Sequence[Path],
    form: Form,
    options: AuditOptions | None = None,
    progress: Callable[[Path], None] | None = None,
) -> VerifyResult:
    options = options or AuditOptions()
    imports: list[Imported] = []
    returns = []
    for path in paths:
        imported = import_document(path, form, options.given)
        imports.append(imported)
        if imported.unit and (imported.values or imported.tables):  # a year unknown still gets every other check
            year = imported.year if imported.year is not None else 0
            returns.append(filled_return(form, Path(path), imported.unit, imported.unit_type, year, imported.values))
        if progress:
            progress(path)
    verify_options = VerifyOptions(previous=options.previous, strict=options.strict, read_previous=last_year_returns)
    checked = verify_returns(returns, form, verify_options)
    if any(i.year is None and i.path in {r.path for r in returns} for i in imports):
        checked.notes.append(YEAR_UNKNOWN)
    by_path = {f.path: f for f in checked.files}
    files = []
    for imported in imports:
        verified = by_path.get(imported.path)
        problems: list[Problem] = [p for p in imported.problems if p.rule not in _IMPORT_ONLY]
        if verified is not None:
            found = [_placed(form, p) for p in verified.problems if _keep(form, imported, p)] + _topics(form, imported)
            found += _preamble(form, imported)
            problems += [p for p in found if not _beyond(form, imported, p)]
        problems = [_strict(p, options.strict) for p in problems]
        files.append(FileResult(imported.path, imported.unit, imported.year, _ordered(form, problems),
                                verified is not None))  # fmt: skip
    return VerifyResult(files, checked.notes)


PREAMBLE = "标题后、第一部分之前的文字"
# What concerns the return an import writes, not the document: a writer's own sub-heading under a
# part ("（一）高度重视，强化领导") is no fault of the report (whether the part covers its aspects is
# the form's topics rule); where the import put its text is said by `import`, not by `audit`.
_IMPORT_ONLY = frozenset({"import:unplaced"})
YEAR_UNKNOWN = (
    "年度未知的报告没有做与年度有关的检查（文字中的年份、跨年度比较）；请用 --year 指定年度，如 --year 2024。"
)


def _keep(form: Form, imported: Imported, p: Problem) -> bool:
    """A problem of the throw-away return that is the document's. Blanks (the form's blank rule) and
    text in a number cell (its type rules) the import has reported at their place in the document
    already; fields the published format has no place for (the template's 填报人, 填报日期…) are not
    the document's to fill."""
    if p.rule in {form.filled_rule.id, "A1-text"}:
        return False
    topics = form.rules_of("topics")
    if any(p.rule == r.id and p.field in _beyond_text(form, imported, r.params["fields"]) for r in topics):
        return False  # the text of a topic the text ends in is cut short, not wanting
    if imported.year is None and (p.field == form.role("year") or p.rule in _year_rules(form)):
        return False  # the year was not known: checks of it would judge the stand-in
    if any(x.rule == "import:no_unit" for x in imported.problems) and p.rule in {
        r.id for r in form.rules_of("self_reference")
    }:
        return False  # the unit is not known: whether "我局" is its own word cannot be told
    f = form.fields.get(p.field or "")
    typed = {r.id for r in form.rules if kind_of(r).checks_cells} | {"A2-text"}
    if f is not None and p.rule in typed and isinstance(imported.values.get(f.key), str):
        return False
    return f is None or f.grid is not None or any(f.key in s.fields for s in form.sections)


def _year_rules(form: Form) -> set[str]:
    return {r.id for r in form.rules_of("years")}


def _beyond(form: Form, imported: Imported, p: DocProblem) -> bool:
    """A finding on what the text never reached (the sections and rows after a cut)."""
    start, cut = imported.start, imported.cut
    if start is not None and any(p.where.startswith(s.heading) for s in form.sections[: start.first]):
        return True
    if cut is None:
        return False
    if any(p.where.startswith(s.heading) for s in form.sections[cut.last + 1 :]):
        return True
    here = p.where.startswith(form.sections[cut.last].heading)
    return here and bool(p.row_label) and (p.row_label in cut.rows_after or cut.unread)


def _placed(form: Form, p: Problem) -> DocProblem:
    f = form.fields.get(p.field or "")
    if f is None:
        return located(p, "")
    for s in form.sections:
        if f.grid and s.table == f.grid:
            bits = "；".join(x for x in (f"行：{f.row_label}" if f.row_label else "", f"列：{f.col_label}") if x)
            return located(p, f"{s.heading}（{bits}）")
        if f.key in s.fields:
            return located(p, f"{s.heading} {f.label}")
    return located(p, f.label)


def _topics(form: Form, imported: Imported) -> list[DocProblem]:
    """F2 in the annual report: a topic the document has no sub-item for and whose words its part
    never uses (a sub-item it has is checked by the form's rule like any return's text)."""
    generated = {n.field for n in form.report.narratives}
    words = {key: ws for key, _, ws in form.vocabulary.topics}
    out = []
    for rule in form.rules_of("topics"):
        unread = _beyond_text(form, imported, rule.params["fields"])
        for key in rule.params["fields"]:
            if imported.values.get(key) or key in generated or key in unread:
                continue
            section = next((s for s in form.sections if key in s.fields), None)
            text = " ".join(str(imported.values.get(k) or "") for k in (section.fields if section else ()))
            if words.get(key) and any(w in text for w in words[key]):
                continue
            label = form.fields[key].label
            where = f"{section.heading} {label}" if section else label
            out.append(located(make_problem(form, rule.id, key, detail=label), where))
    return out


def _beyond_text(form: Form, imported: Imported, keys: list[str]) -> set[str]:
    """Topics the text never reached or reached only in part: all of a part the document does not
    have (the headings rule says so, once), and, when the text ends in their part, the last one
    written (its text may stop mid-sentence) and those after it."""
    parts, cut = imported.parts, imported.cut
    out = set()
    for s, section in enumerate(form.sections):
        mine = [k for k in keys if k in section.fields]
        if not mine:
            continue
        if parts is None or s not in parts.sections:
            out |= set(mine)
        elif cut is not None and cut.last == s:
            written = [n for n, k in enumerate(mine) if imported.values.get(k)]
            out |= set(mine[written[-1] :] if written else mine)  # the last one written may stop mid-way
    return out


def _preamble(form: Form, imported: Imported) -> list[DocProblem]:
    """The citation check (F6 in the annual report) on the text before the first section, which no
    field of the form holds: reports cite the format they follow there."""
    doc, parts = imported.document, imported.parts
    if doc is None or parts is None or not parts.sections:
        return []
    text = "\n".join(
        b.text
        for i, b in enumerate(doc.blocks)
        if b.kind == "para" and i != parts.title_at and parts.section_of(i) == -1
    )
    out = []
    for rule in form.rules_of("document_number"):
        key = rule.params["texts"][0]
        out += [located(p, PREAMBLE) for p in TEXT_CHECKS[rule.check](form, rule, {key: text}, {}, imported.year or 0)]
    return out


def _strict(p: Problem, strict: frozenset[str]) -> Problem:
    if not p.is_error and (ALL in strict or p.code in strict):
        return escalate(p)
    return p


def _ordered(form: Form, problems: list[Problem]) -> list[Problem]:
    headings = [s.heading for s in form.sections]

    def rank(p: Problem) -> tuple[int, str]:
        where = p.place()
        at = next((i for i, h in enumerate(headings) if where.startswith(h)), -1)
        return (at, p.code)

    seen: set[tuple[str, str, str]] = set()
    out = []
    for p in sorted(problems, key=rank):
        k = (p.code, p.place(), p.message)
        if k not in seen:
            seen.add(k)
            out.append(replace(p))
    return out
