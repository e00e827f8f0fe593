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
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xltool.checks.verify import verify_returns
from xltool.errors import XltoolError
from xltool.form.loader import load_form
from xltool.form.model import Form
from xltool.form.problems import Problem, make_problem
from xltool.office import ConversionError, convert_many
from xltool.outputs import OutputExists, refuse_inputs
from xltool.report.build import require_sections
from xltool.report.render import ReportRefused, prepare_report, render_reports
from xltool.wording import internal_error
from xltool.workbook.read import read_return

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
    require_sections(form)
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
        items = []
        for item in _run(form, _prepared(form, jobs, direct, outdir, staging, force, replace), workers):
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


@dataclass
class Task:
    """One return's reports to write; ``refused`` set (and no report) when it cannot have any."""

    job: Job
    outs: list[tuple[Path, str]]
    outdir: Path
    report: Any = None  # the prepared report
    problems: list[Problem] = field(default_factory=list)
    refused: str = ""
    force: bool = False
    replace: bool = False


def _prepared(
    form: Form, jobs: Sequence[Job], formats: list[str], outdir: Path, staging: Path | None, force: bool, replace: bool
) -> list[Task]:
    """Every return read and verified in one stacked pass (pandera's cost is per pass, not per file),
    then its report prepared; the ones refused say why."""
    returns = [read_return(j.source, form) for j in jobs]
    verified = verify_returns(returns, form).files
    tasks = []
    for job, ret, result in zip(jobs, returns, verified, strict=True):
        outs = [(outdir / f"{job.stem}.{fmt}", fmt) for fmt in formats]
        if staging is not None:
            outs.append((staging / f"{job.stem}.docx", "docx"))
        task = Task(job, outs, outdir, force=force, replace=replace)
        try:
            task.report, task.problems = prepare_report(form, ret, result, force=force)
        except ReportRefused as refused:
            errors = [p for p in refused.problems if p.is_error]
            task.problems, task.refused = refused.problems, f"有 {len(errors)} 个错误（{_codes(errors)}）"
        except Exception as err:  # noqa: BLE001 - one return never sinks the batch
            task.problems = [make_problem(form, "H0-report", detail=internal_error(err))]
            task.refused = "程序无法处理此文件（H0）"
        tasks.append(task)
    return tasks


def _codes(problems: list[Problem]) -> str:
    return "、".join(dict.fromkeys(p.code for p in problems))


def _run(form: Form, tasks: list[Task], workers: int | None) -> Iterator[Item]:
    """Each task's item as soon as its reports are written (a job's progress advances with them)."""
    todo = [t for t in tasks if not t.refused]
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if len(todo) >= PARALLEL_FROM else 1
    if workers <= 1:
        yield from _in_order(tasks, (_write_one(form, t) for t in todo))
        return
    with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(str(form.source),)) as pool:
        yield from _in_order(tasks, pool.map(_write_in_worker, todo))


def _in_order(tasks: list[Task], written: Iterator[Item]) -> Iterator[Item]:
    """The tasks' items in their order: a refused one's at once, a written one's when it is written."""
    for t in tasks:
        yield Item(t.job, [], t.problems, t.refused) if t.refused else next(written)


_WORKER: dict[str, Form] = {}


def _start_worker(source: str) -> None:
    _WORKER["form"] = load_form(source)


def _write_in_worker(task: Task) -> Item:
    return _write_one(_WORKER["form"], task)


def _write_one(form: Form, task: Task) -> Item:
    """One return's prepared report in every format asked for; never raises."""
    try:
        result = render_reports(form, task.job.source, task.outs, force=task.force, replace=task.replace,
                                prepared=(task.report, task.problems))  # fmt: skip
    except ReportRefused as refused:  # RenderFailed: H0 of this return
        return Item(task.job, [], refused.problems, str(refused))
    except XltoolError as err:
        return Item(task.job, [], task.problems, str(err))
    shown = [p for p in result.paths if p.parent == task.outdir]  # not the .docx on the way to a PDF
    return Item(task.job, shown, result.problems)


def _pdfs(items: list[Item], staging: Path, outdir: Path, replace: bool) -> None:
    """Every written report's .docx to PDF in one LibreOffice run; a file it cannot convert is that
    report's problem, the others are converted all the same."""
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
