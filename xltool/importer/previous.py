"""Last year's reports as the cross-year checks read them: returns (.xlsx) as they are, published
documents (.docx, .html, .pdf, .txt) imported on the fly. The reader ``verify --previous``,
``audit --previous`` and ``init --previous`` use, so a county's first campaign can check 上年结转
against last year's published 结转下年度. Returns are matched to units by ``UnitMap``
(checks/lastyear.py), which forgives a county prefix or "人民政府".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from xltool.checks.lastyear import UnitMap as UnitMap  # where last year's returns are matched by unit
from xltool.form.model import Form
from xltool.importer.build import import_document
from xltool.importer.document import SUFFIXES
from xltool.workbook.files import collect_paths
from xltool.workbook.filled import filled_return
from xltool.workbook.read import Return, read_return


def is_document(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES and not path.name.startswith(("~$", ".~lock", "."))


def split_paths(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """(spreadsheets, published documents) as given, and inside folders (recursively). In a folder,
    one report saved in several formats under one name (what `xltool report --format docx,html,md`
    writes) is read once, in the first format of ``PREFERRED``."""
    sheets: list[Path] = []
    docs: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            sheets += collect_paths([p])
            docs += _one_per_report(sorted(f for f in p.rglob("*") if f.is_file() and is_document(f)))
        elif is_document(p):
            docs.append(p)
        else:
            sheets.append(p)
    return list(dict.fromkeys(sheets)), list(dict.fromkeys(docs))


PREFERRED = (".docx", ".html", ".htm", ".shtml", ".xhtml", ".mht", ".pdf", ".txt", ".md")


def _one_per_report(found: list[Path]) -> list[Path]:
    def rank(f: Path) -> int:
        suffix = f.suffix.lower()
        return PREFERRED.index(suffix) if suffix in PREFERRED else len(PREFERRED)

    best: dict[Path, Path] = {}
    for f in found:
        same = f.with_suffix("")
        if same not in best or rank(f) < rank(best[same]):
            best[same] = f
    return [f for f in found if best[f.with_suffix("")] == f]


def last_year_returns(paths: Sequence[Path], form: Form) -> list[Return]:
    """Every return under ``paths`` read by its own field map, and every published document imported
    (a document that cannot be imported is a return that is not readable, its problem saying why).
    The reader ``verify --previous`` and ``audit --previous`` give the checks (``VerifyOptions.read_previous``)."""
    sheets, docs = split_paths(paths)
    return [read_return(p, form, any_version=True) for p in sheets] + imported_returns(docs, form)


def imported_returns(docs: Sequence[Path], form: Form) -> list[Return]:
    """Published documents as returns (built from the imported values, nothing written); the
    import's errors are the return's problems (so whoever uses it can say the numbers need a look)."""
    out: list[Return] = []
    for doc in docs:
        imported = import_document(doc, form)
        if not imported.usable or imported.year is None:
            out.append(Return(Path(doc), problems=list(imported.problems)))
            continue
        ret = filled_return(form, Path(doc), imported.unit, imported.unit_type, imported.year, imported.values)
        ret.problems += [p for p in imported.problems if p.is_error]
        out.append(ret)
    return out
