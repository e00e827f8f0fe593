"""``xltool report``: verify a return, lint the final text, then write the report.

A report is never rendered from a return with errors unless the caller forces it: the numbers in
a published report must be the verified ones.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from xltool.checks.verify import FileResult, verify_returns
from xltool.errors import XltoolError
from xltool.form.model import Form
from xltool.form.problems import Problem, make_problem
from xltool.outputs import OutputExists, refuse_inputs, write_output
from xltool.report import html, md  # called through the module: tests put a failing renderer there
from xltool.report.build import build_report, final_texts, report_values, require_sections
from xltool.report.lint import lint_report
from xltool.report.model import Report
from xltool.wording import internal_error
from xltool.workbook.read import Return, read_return

FORMATS = ("docx", "html", "md", "pdf")


@dataclass
class RenderResult:
    paths: list[Path]
    problems: list[Problem] = field(default_factory=list)

    @property
    def path(self) -> Path | None:
        return self.paths[0] if self.paths else None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    def to_dict(self) -> dict[str, Any]:
        return {"paths": [str(p) for p in self.paths], "problems": [p.to_dict() for p in self.problems]}


class ReportRefused(XltoolError):
    """The return has errors; ``problems`` lists them all."""

    def __init__(self, problems: list[Problem], *, forced: bool = False) -> None:
        self.problems = problems
        errors = sum(p.is_error for p in problems)
        if forced:  # --allow-errors was given: the file could not be read at all, advising it again helps nobody
            super().__init__(
                f"报表无法读取（{errors} 个错误），无法生成报告（核对稿也不能）。请先按下列问题处理报表文件。"
            )
        else:
            super().__init__(
                f"报表有 {errors} 个错误，未生成报告。请先按下列问题修改报表，或加 --allow-errors 生成标注“未通过校验”的核对稿。"
            )


class RenderFailed(ReportRefused):
    """Something went wrong inside xltool while reporting on one return: an H0 problem of that
    return (the file named), no report written; other returns of a batch are not affected."""

    def __init__(self, form: Form, source: Path, err: BaseException) -> None:
        self.problems = [make_problem(form, "H0-report", detail=internal_error(err))]
        XltoolError.__init__(self, f"未能为 {Path(source).name} 生成报告（程序出错，见下面的 H0），没有写出任何文件。")


def format_of(out: Path, fmt: str | None) -> str:
    chosen = (fmt or out.suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise XltoolError(
            f"不支持的报告格式“{chosen or out.name}”：请用 .docx、.html、.md 或 .pdf，或用 --format 指定。"
        )
    return chosen


def render_report(
    form: Form, source: Path, out: Path, fmt: str | None = None, *, force: bool = False, replace: bool = False
) -> RenderResult:
    return render_reports(form, source, [(out, format_of(out, fmt))], force=force, replace=replace)


def render_reports(
    form: Form,
    source: Path,
    outs: Sequence[tuple[Path, str]],
    *,
    force: bool = False,
    replace: bool = False,
    prepared: tuple[Report, list[Problem]] | None = None,
) -> RenderResult:
    """Read, verify and lint the return once, then write each (path, format) asked for: never over
    the return itself, an existing file only with ``replace``. Every report is rendered before any is
    written, so a failure leaves none; one inside xltool is RenderFailed (H0 of this return)."""
    require_sections(form)
    for out, _ in outs:
        refuse_inputs(out, [source], "报表文件")
        if not replace and (out.exists() or out.is_symlink()):
            raise OutputExists(f"文件已存在：{out}。如确需覆盖，请加 --force。")
    try:
        report, problems = prepared or _checked_report(form, source, force)
        with tempfile.TemporaryDirectory(prefix="xltool-report-") as staging:
            staged = [_write(report, Path(staging) / f"{i}{out.suffix}", fmt) for i, (out, fmt) in enumerate(outs)]
            paths = [
                write_output(out, partial(_copy, made), replace=replace)
                for made, (out, _) in zip(staged, outs, strict=True)
            ]
    except XltoolError:
        raise  # refused, an output that cannot be written, LibreOffice missing: said as it is
    except Exception as err:  # noqa: BLE001 - a failure inside xltool is this return's problem
        raise RenderFailed(form, source, err) from None
    return RenderResult(paths, problems)


def _checked_report(form: Form, source: Path, force: bool) -> tuple[Report, list[Problem]]:
    ret = read_return(source, form)
    return prepare_report(form, ret, verify_returns([ret], form).files[0], force=force)


def prepare_report(
    form: Form, ret: Return, verified: FileResult, *, force: bool = False, after: Mapping[str, str] | None = None
) -> tuple[Report, list[Problem]]:
    """The report of a return already read and verified (a batch verifies all its returns in one
    stacked pass), with every problem: the return's and those of the final text. ReportRefused when
    there are errors and ``force`` is not given. ``after``: paragraphs printed after a field's text
    that are not the unit's (the county's totals in its own report), so not checked against its tables."""
    if not ret.readable:
        raise ReportRefused(verified.problems, forced=force)
    values = report_values(form, ret)
    texts = final_texts(form, ret, values)
    report = build_report(form, ret, values=values, texts=texts)
    numbers = {k: v for k, v in values.items() if form.fields[k].numeric}
    seen = {(p.code, p.cell, p.message) for p in verified.problems}
    problems = verified.problems + [
        p for p in lint_report(form, report, texts, numbers) if (p.code, p.cell, p.message) not in seen
    ]
    errors = sum(p.is_error for p in problems)
    if errors and not force:
        raise ReportRefused(problems)
    mark = failed_mark(errors) if errors else ""
    report = dataclasses.replace(report, mark=mark)
    if after:
        printed = {k: "\n".join(filter(None, (texts.get(k, ""), after.get(k, "")))) for k in {*texts, *after}}
        report = dataclasses.replace(build_report(form, ret, values=values, texts=printed), mark=mark)
    return report, problems


def failed_mark(errors: int) -> str:
    """What a report forced out of a return with errors says on its face (every format, every page)."""
    return f"未通过校验：报表有 {errors} 个错误，本稿仅供核对，不能作为正式报告发布"


def _copy(made: Path, tmp: Path) -> None:
    shutil.copyfile(made, tmp)


def _write(report: Any, out: Path, fmt: str) -> Path:
    if fmt == "html":
        return html.render_html(report, out)
    if fmt == "md":
        return md.render_md(report, out)
    from xltool.report.docx import render_docx, render_pdf  # python-docx (0.3 s): only for Word and PDF

    return render_pdf(report, out) if fmt == "pdf" else render_docx(report, out)
