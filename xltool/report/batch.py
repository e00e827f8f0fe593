"""Every unit's report in one go (``xltool report FOLDER -o FOLDER``).

Each return is read, verified and linted as ``xltool report`` does for one file; the ones with errors
are refused and listed with why (unless forced), the others rendered — spread over the CPU cores, one
return per task. PDFs are converted from the .docx files by one LibreOffice run for the whole batch
(starting it costs seconds; once per file was most of the time). Anything that goes wrong with one
return becomes that return's problem (H0), and the rest of the batch is still rendered.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xltool.checks.problems import Problem
from xltool.errors import XltoolError
from xltool.form.model import Form
from xltool.outputs import OutputExists, refuse_inputs

PARALLEL_FROM = 4  # below this many returns a process pool costs more than it saves


@dataclass(frozen=True)
class Job:
    """One return and the reports asked of it."""

    source: Path
    stem: str  # the reports' file name without extension
    unit: str = ""


@dataclass
class Item:
    job: Job
    paths: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    refused: str = ""  # why no report was written ("" when written)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": str(self.job.source),
            "unit": self.job.unit,
            "paths": [str(p) for p in self.paths],
            "refused": self.refused,
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass
class BatchResult:
    items: list[Item]

    @property
    def written(self) -> list[Item]:
        return [i for i in self.items if not i.refused]

    @property
    def refused(self) -> list[Item]:
        return [i for i in self.items if i.refused]

    def to_dict(self) -> dict[str, Any]:
        return {"written": len(self.written), "refused": len(self.refused), "items": [i.to_dict() for i in self.items]}


def render_batch(
    form: Form,
    jobs: Sequence[Job],
    outdir: Path,
    formats: Sequence[str],
    *,
    force: bool = False,
    replace: bool = False,
    progress: Callable[[Job], None] | None = None,
    workers: int | None = None,
) -> BatchResult:
    """Reports of every job in ``outdir`` as ``<stem>.<format>``. Existing files are refused before
    any work unless ``replace``; no report is written over a return."""
    outdir = Path(outdir)
    targets = [outdir / f"{j.stem}.{fmt}" for j in jobs for fmt in formats]
    if len(set(targets)) != len(targets):
        raise XltoolError("有两份报表的报告文件同名（同一单位报送了多份？），请分别生成。")
    existing = [t for t in targets if t.exists() or t.is_symlink()]
    if existing and not replace:
        more = f"等 {len(existing)} 个文件" if len(existing) > 1 else ""
        raise OutputExists(f"文件已存在：{existing[0]}{more}。如确需覆盖，请加 --force。")
    for t in targets:
        refuse_inputs(t, [j.source for j in jobs], "报表文件")
    direct = [f for f in formats if f != "pdf"]
    pdf = "pdf" in formats
    staging = Path(tempfile.mkdtemp(prefix=".xltool-reports-", dir=_made(outdir))) if pdf else None
    try:
        tasks = [(j, direct, outdir, staging, force, replace) for j in jobs]
        items = []
        for item in _run(form, tasks, workers):
            items.append(item)
            if progress:
                progress(item.job)
        if pdf and staging is not None:
            _pdfs([i for i in items if not i.refused], staging, outdir, replace)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return BatchResult(items)


def _made(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


Task = tuple[Job, list[str], Path, "Path | None", bool, bool]


def _run(form: Form, tasks: list[Task], workers: int | None) -> list[Item]:
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if len(tasks) >= PARALLEL_FROM else 1
    if workers <= 1:
        return [_render_one(form, t) for t in tasks]
    with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(str(form.source),)) as pool:
        return list(pool.map(_render_in_worker, tasks))


_WORKER: dict[str, Form] = {}


def _start_worker(source: str) -> None:
    from xltool.form.loader import load_form

    _WORKER["form"] = load_form(source)


def _render_in_worker(task: Task) -> Item:
    return _render_one(_WORKER["form"], task)


def _render_one(form: Form, task: Task) -> Item:
    """One return's reports (the .docx for the PDF goes to ``staging``); never raises."""
    from xltool.checks.problems import make_problem
    from xltool.report.render import ReportRefused, render_reports

    job, formats, outdir, staging, force, replace = task
    outs = [(outdir / f"{job.stem}.{fmt}", fmt) for fmt in formats]
    if staging is not None:
        outs.append((staging / f"{job.stem}.docx", "docx"))
    try:
        result = render_reports(form, job.source, outs, force=force, replace=replace)
    except ReportRefused as refused:
        errors = [p for p in refused.problems if p.is_error]
        codes = "、".join(dict.fromkeys(p.code for p in errors))
        return Item(job, [], refused.problems, f"有 {len(errors)} 个错误（{codes}）")
    except XltoolError as err:
        return Item(job, [], [], str(err))
    except Exception as err:  # noqa: BLE001 - one return never sinks the batch
        return Item(job, [], [make_problem(form, "H0", detail=type(err).__name__)], "程序无法处理此文件（H0）")
    shown = [p for p in result.paths if staging is None or p.parent != staging]
    return Item(job, shown, result.problems)


def _pdfs(items: list[Item], staging: Path, outdir: Path, replace: bool) -> None:
    """Every written report's .docx to PDF in one LibreOffice run; a file it cannot convert is that
    report's problem, the others are converted all the same."""
    from xltool.office import ConversionError, convert_many

    docx = [staging / f"{i.job.stem}.docx" for i in items]
    pdfdir = staging / "pdf"
    try:
        convert_many(docx, "pdf", pdfdir)
        failed: set[Path] = set()
    except ConversionError as err:
        failed = set(err.failed)
    for item, src in zip(items, docx, strict=True):
        if src in failed:
            item.refused = "LibreOffice 未能把报告转换为 PDF"
            continue
        out = outdir / f"{item.job.stem}.pdf"
        if out.exists() and not replace:
            raise OutputExists(f"文件已存在：{out}。如确需覆盖，请加 --force。")
        os.replace(pdfdir / f"{item.job.stem}.pdf", out)
        item.paths.append(out)
