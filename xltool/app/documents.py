"""Published reports (.docx, .html, .pdf, .txt, .md) in: imported as returns, or audited."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xltool.app.errors import UsageProblem
from xltool.app.forms import load_form_spec
from xltool.app.policy import refuse_any_input, refuse_overwrite
from xltool.app.progress import SILENT, Progress
from xltool.app.verify import VerifyDone
from xltool.checks.verify import ALL
from xltool.errors import XltoolError
from xltool.form.model import Form
from xltool.importer.audit import AuditOptions, audit
from xltool.importer.build import Given, Imported, import_document, write_imported
from xltool.importer.previous import split_paths
from xltool.workbook.files import collect_paths


def documents(paths: Sequence[Path]) -> list[Path]:
    """The published reports given, and those inside the folders given (each once)."""

    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += split_paths([p])[1]
        else:
            files.append(p)
    files = list(dict.fromkeys(files))
    if not files:
        raise XltoolError("在给定的文件夹中没有找到报告文件（.docx、.html、.pdf、.txt、.md）。")
    return files


@dataclass
class ImportedFile:
    """One report read, and the return written of it (None: it could not be imported)."""

    imported: Imported
    output: Path | None

    @property
    def ok(self) -> bool:
        return self.output is not None and not self.imported.errors

    def to_dict(self) -> dict[str, Any]:
        return {**self.imported.to_dict(), "output": str(self.output) if self.output else None}


@dataclass
class ImportDone:
    files: list[ImportedFile] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every report read completely and written."""
        return all(f.ok for f in self.files)

    @property
    def written(self) -> int:
        return sum(1 for f in self.files if f.output)

    def to_dict(self) -> dict[str, Any]:
        return {"files": [f.to_dict() for f in self.files]}


def import_reports(
    paths: Sequence[Path], out: Path, *, force: bool, form_spec: str | None, progress: Progress = SILENT,
    each: Callable[[ImportedFile], None] | None = None, year: int | None = None, unit: str = "",
) -> ImportDone:  # fmt: skip
    """``xltool import``: each report as a return of the form, at ``out`` (an .xlsx for one report)
    or in the folder ``out``, named by unit and year; ``each`` is told of every file as it is done;
    ``year`` and ``unit`` (--year, --unit) override what the reports say."""

    form = load_form_spec(form_spec)
    files = documents(paths)
    single = out.suffix.lower() == ".xlsx"
    if single and len(files) > 1:
        raise UsageProblem("导入多份报告时 -o 应为文件夹。", option="-o")
    if single:
        refuse_overwrite([out], force)
    refuse_any_input(out, [(files, "被导入的报告")])
    done, taken = ImportDone(), set[Path]()
    progress.total(len(files))
    for path in files:
        imported = import_document(path, form, Given(year, unit.strip()))
        target = None
        if imported.usable and imported.year is not None:
            target = out if single else _free(out / _filename(form, imported), taken)
            refuse_any_input(target, [(files, "被导入的报告")])
            if not single:
                refuse_overwrite([target], force, usage=False)
            write_imported(form, imported, target, replace=force)
            taken.add(target)
        done.files.append(ImportedFile(imported, target))
        progress.step(path.name)
        if each:
            each(done.files[-1])
    return done


def _filename(form: Form, imported: Imported) -> str:
    from xltool.workbook.write import template_filename

    assert imported.year is not None
    return template_filename(form, imported.unit, imported.year)


def _free(target: Path, taken: set[Path]) -> Path:
    """Two reports of one unit and year (a draft and the final) get two names."""
    if target not in taken:
        return target
    for i in range(2, 1000):
        other = target.with_name(f"{target.stem}_{i}{target.suffix}")
        if other not in taken:
            return other
    raise XltoolError(f"同一单位同一年度的报告太多：{target.name}")


def audit_reports(
    paths: Sequence[Path], *, previous: Sequence[Path] = (), strict: bool = False, out: Path | None = None,
    force: bool = False, form_spec: str | None = None, progress: Progress = SILENT, year: int | None = None, unit: str = "",
) -> VerifyDone:  # fmt: skip
    """``xltool audit``: the form's rules and a published report's own checks, on every report (the
    result is verify's: the same checks, with what only a published report can lack)."""

    form = load_form_spec(form_spec)
    files = documents(paths)
    if out is not None:
        refuse_any_input(out, [(files, "被检查的报告"), (collect_paths(previous), "上年度的报表")])
        refuse_overwrite([out], force)
    options = AuditOptions(previous=previous, strict=frozenset({ALL}) if strict else frozenset(),
                           given=Given(year, unit.strip()))  # fmt: skip
    progress.total(len(files))
    result = audit(files, form, options, lambda p: progress.step(p.name))
    if out:
        from xltool.importer.audit_list import write_audit_list  # openpyxl: only with --out

        write_audit_list(result, out, replace=force, inputs=list(paths))
    return VerifyDone(result, form, out=out)
