"""Last year's reports as the cross-year checks read them: returns (.xlsx) as they are, published
documents (.docx, .html, .pdf, .txt) imported on the fly. The one hook ``verify --previous`` and
``init --previous`` call, so a county's first campaign can check 上年结转 against last year's
published 结转下年度.

Published titles name a unit in full ("桐柏县安棚镇人民政府") where the roster may not ("安棚镇人民
政府"), so returns are looked up by ``UnitMap``, which also finds a unit under such a variant of its
name when exactly one name fits.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from xltool.form.model import Form
from xltool.importer.document import SUFFIXES
from xltool.workbook.read import Return

V = TypeVar("V")
_SUFFIXES = ("人民政府", "政府", "办事处")


def is_document(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES and not path.name.startswith(("~$", ".~lock", "."))


def split_paths(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """(spreadsheets, published documents) as given, and inside folders (recursively). In a folder,
    one report saved in several formats under one name (what `xltool report --format docx,html,md`
    writes) is read once, in the first format of ``PREFERRED``."""
    from xltool.checks.verify import collect_paths

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
    (a document that cannot be imported is a return that is not readable, its problem saying why)."""
    from xltool.workbook.read import read_return

    sheets, docs = split_paths(paths)
    return [read_return(p, form, any_version=True) for p in sheets] + imported_returns(docs, form)


def imported_returns(docs: Sequence[Path], form: Form) -> list[Return]:
    """Published documents as returns read back from a throw-away copy; the import's errors are the
    return's problems (so whoever uses it can say the numbers need a look)."""
    from xltool.importer.build import import_document
    from xltool.workbook.read import read_return
    from xltool.workbook.write import UnitInfo, build_template

    out: list[Return] = []
    with tempfile.TemporaryDirectory(prefix="xltool-import-") as tmp:
        for i, doc in enumerate(docs):
            imported = import_document(doc, form)
            if not imported.usable or imported.year is None:
                out.append(Return(Path(doc), problems=list(imported.problems)))
                continue
            unit = UnitInfo(imported.unit, imported.unit_type, imported.year)
            copy = Path(tmp) / f"{i}.xlsx"
            copy.write_bytes(build_template(form, unit, values=imported.values).content)
            ret = read_return(copy, form)
            ret.path = Path(doc)
            ret.problems += [p for p in imported.problems if p.is_error]
            out.append(ret)
    return out


def name_key(name: str) -> str:
    name = "".join(unicodedata.normalize("NFKC", name).split())
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


class UnitMap(dict[str, V]):
    """Unit name -> value; a name not present finds the one entry whose name is the same up to
    blanks, a county prefix or "人民政府" ("安棚镇" finds "桐柏县安棚镇人民政府"), else nothing."""

    def lookup(self, name: object) -> str | None:
        if not isinstance(name, str) or not name:
            return None
        if dict.__contains__(self, name):
            return name
        want = name_key(name)
        if len(want) < 2:
            return None
        fits = [k for k in self if _fits(name_key(k), want)]
        return fits[0] if len(fits) == 1 else None

    def get(self, name: Any, default: Any = None) -> Any:
        found = self.lookup(name)
        return dict.__getitem__(self, found) if found is not None else default

    def __contains__(self, name: object) -> bool:
        return self.lookup(name) is not None


def _fits(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if len(short) < 3 or not long.endswith(short):
        return False
    return bool(re.search(r"[县市区旗]$", long[: -len(short)])) or short[0] in "县市区旗"
