"""Verify returns: every problem of every file, optionally written as a list and annotated copies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from xltool.app.errors import UsageProblem
from xltool.app.forms import load_form_spec
from xltool.app.policy import refuse_any_input, refuse_overwrite, require_suffix
from xltool.app.progress import SILENT, Progress
from xltool.app.templates import command_period
from xltool.checks.outliers import peer_rules
from xltool.checks.verify import FileResult, VerifyOptions, VerifyResult, add_peer_problems, verify_stream
from xltool.form.model import Form
from xltool.roster import load_roster
from xltool.workbook.files import collect_paths, skipped_files


@dataclass(frozen=True)
class VerifyRequest:
    paths: tuple[Path, ...]
    year: int | None = None
    roster: Path | None = None
    previous: tuple[Path, ...] = ()
    strict: frozenset[str] = frozenset()  # codes, or {"ALL"}
    out: Path | None = None  # the problem list (.xlsx or .csv)
    annotate: Path | None = None  # a folder for annotated copies
    force: bool = False
    form_spec: str | None = None
    current: bool = False  # a campaign folder's current versions only, each named by its unit
    period: str = ""  # --period: the half, quarter or month collected (a form not collected yearly; H3)


@dataclass
class VerifyDone:
    """Every file's problems, the form they were checked by, and what was written of them."""

    result: VerifyResult
    form: Form
    annotated: list[Path] = field(default_factory=list)
    out: Path | None = None
    names: dict[Path, str] = field(default_factory=dict)  # --current: each file's unit

    def name(self, f: FileResult) -> str:
        """How the file is called to the clerk: its unit (--current), else its path."""
        return self.names.get(f.path, str(f.path))

    @property
    def ok(self) -> bool:
        return self.result.ok

    def to_dict(self) -> dict[str, Any]:
        data = self.result.to_dict()
        if self.names:  # --current: which unit each stored file is the current version of
            data["units"] = {str(path): unit for path, unit in self.names.items()}
        return data


def listed(skipped: list[tuple[Path, str]], shown: int = 20) -> str:
    """ "：a.docx（Word 文档）、b.pdf（PDF 文件）等 N 个" for a note or message, "" when none."""
    if not skipped:
        return ""
    names = "、".join(f"{p.name}（{kind}）" for p, kind in skipped[:shown])
    more = f"等 {len(skipped)} 个" if len(skipped) > shown else ""
    return f"：{names}{more}"


def verify_returns(
    request: VerifyRequest, progress: Progress = SILENT, each: Callable[[FileResult, Form, str], None] | None = None
) -> VerifyDone:
    """``xltool verify``: ``each`` is told of every file's result (the form, the file's name as shown:
    its unit with ``current``, else its path) as soon as it is known."""

    r = request
    if r.out is not None:
        require_suffix(r.out, (".xlsx", ".csv"), "--out")
    if r.current:  # the reports' answer to which versions are current; loaded only for it (start-up)
        from xltool.app.reports import current_versions

        form, names, campaign_roster = current_versions(r.paths, r.form_spec)
        files, skipped = list(names), []
    else:
        form, names, campaign_roster = load_form_spec(r.form_spec), {}, None
        files, skipped = collect_paths(r.paths), skipped_files(r.paths)
    _check_strict(r.strict, form)
    if not files and r.current:
        raise UsageProblem("报送工作文件夹中还没有任何单位的报表。", option="--current")
    if not files:
        others = f"，其中的文件都不是表格{listed(skipped)}" if skipped else ""
        raise UsageProblem(f"在给定的文件夹中没有找到表格文件（.xlsx）{others}。请检查路径。")
    if r.out is not None:
        inputs = [(files, "被校验的报表"), (collect_paths(r.previous), "上年度的报表")]
        refuse_any_input(r.out, [*inputs, ([r.roster] if r.roster else [], "单位名单")])
        refuse_overwrite([r.out], r.force)
    roster = load_roster(r.roster, form.units) if r.roster else campaign_roster
    options = VerifyOptions(year=r.year, roster=roster, previous=r.previous, strict=r.strict)
    if r.period:  # checked against the form's [form] period: a usage error when it is of another kind
        when = command_period(form, r.period, r.year)
        options = replace(options, year=when.year, period=when)
    if r.previous:  # published reports too; the importer is loaded only when last year's files are given
        from xltool.importer.previous import last_year_returns

        options = replace(options, read_previous=last_year_returns)
    notes: list[str] = [f"以下文件不是表格，未校验{listed(skipped)}。"] if skipped else []
    progress.total(len(files))
    done = []
    named = VerifyDone(VerifyResult([], notes), form, names=names)
    step = (lambda p: progress.step(names[p])) if names else (lambda p: progress.step(p.name))
    # peer checks (G1) need the whole batch: its files are shown once it is checked
    batch = bool(peer_rules(form)) and len(files) > 1
    for file_result in verify_stream(files, form, options, step, notes=notes):
        if each and not batch:
            each(file_result, form, named.name(file_result))
        done.append(file_result)
    if batch:
        add_peer_problems(form, done, options)
        for file_result in done:
            if each:
                each(file_result, form, named.name(file_result))
    named.result = VerifyResult(done, notes)
    return _write(named, r, roster)


def _check_strict(strict: frozenset[str], form: Form) -> None:
    unknown = sorted(c for c in strict if c != "ALL" and c not in form.codes)
    if unknown:
        known = "、".join(sorted(c for c in form.codes))
        raise UsageProblem(f"未知的检查编号：{'、'.join(unknown)}。本表单的编号有：{known}", option="--strict")


def _write(done: VerifyDone, r: VerifyRequest, roster: Any) -> VerifyDone:
    if not (r.annotate or r.out):
        return done
    from xltool.checks.problem_files import annotate_copies, write_problem_list

    if r.annotate:  # first: a copy that cannot be made is a problem the list shows
        done.annotated = annotate_copies(done.result, r.annotate, form=done.form)
    if r.out:
        write_problem_list(done.result, r.out, replace=r.force, inputs=r.paths, roster=roster, names=done.names)
        done.out = r.out
    return done
