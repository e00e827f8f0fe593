"""Reports: of one return, of a folder (a campaign's current returns, or every return in it), of the
county itself, and the console's reports of a campaign."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xltool.app.errors import UsageProblem
from xltool.app.forms import campaign_form, load_form_spec
from xltool.app.policy import refuse_overwrite, require_suffix
from xltool.app.progress import SILENT, Progress
from xltool.campaign.aggregate import aggregate
from xltool.campaign.rollup import rollup_level
from xltool.campaign.settings import Campaign, is_campaign, load_campaign
from xltool.campaign.status import UnitRow, campaign_status
from xltool.checks.verify import verify_returns
from xltool.errors import XltoolError
from xltool.form.levels import area_word
from xltool.form.model import Form
from xltool.report.batch import BatchResult, Job, render_batch
from xltool.report.batch import Item as BatchItem
from xltool.report.build import county_texts
from xltool.report.render import FORMATS, RenderResult, format_of, prepare_report, render_report, render_reports
from xltool.roster import Roster
from xltool.workbook.files import collect_paths
from xltool.workbook.read import read_return

REPORTS_DIR = "reports"  # every unit's report in a campaign folder, as the console writes them
REPORT_FORMATS = ("docx", "html")  # the console's


def report_stem(campaign: Campaign, form: Form, unit: str) -> str:
    """A unit's report file name without extension: its template's name."""
    from xltool.workbook.write import template_filename

    return Path(template_filename(form, unit, campaign.when)).stem


def campaign_jobs(campaign: Campaign, form: Form, only: str | None = None) -> tuple[list[Job], list[str]]:
    """(the current return of every unit, or only ``only``'s, as a report job; the units that sent
    nothing). The register decides which version is current."""
    jobs, missing = [], []
    with campaign.register() as reg:
        for unit in reg.units():
            if only is not None and unit.name != only:
                continue
            current = reg.current(unit.id)
            if current is None:
                missing.append(unit.name)
                continue
            jobs.append(Job(campaign.root / current.stored_path, report_stem(campaign, form, unit.name), unit.name))
    return jobs, missing


def current_versions(paths: Sequence[Path], form_spec: str | None) -> tuple[Form, dict[Path, str], Roster]:
    """``verify 文件夹 --current``: (the campaign's form, its current versions -> their units, its
    roster), from the one answer to which version is current (``campaign_jobs``)."""
    if len(paths) != 1 or not is_campaign(paths[0]):
        raise UsageProblem("--current 需要一个报送工作文件夹（xltool init 创建），只校验各单位的当前版本。",
                           option="--current")  # fmt: skip
    campaign = load_campaign(paths[0])
    form = campaign_form(campaign, form_spec)
    jobs, _ = campaign_jobs(campaign, form)
    return form, {job.source: job.unit for job in jobs}, campaign.roster(form)


def folder_jobs(source: Path, form_spec: str | None) -> tuple[Form, list[Job], list[str]]:
    """(form, the returns to render, units that have sent nothing): a campaign folder's current
    returns, or every return in a plain folder."""

    if not is_campaign(source):
        return load_form_spec(form_spec), [Job(p, p.stem, p.stem) for p in collect_paths([source])], []
    campaign = load_campaign(source)
    form = campaign_form(campaign, form_spec)
    return (form, *campaign_jobs(campaign, form))


@dataclass(frozen=True)
class Publish:
    """What a report run may do, two acts with two flags (one flag, one meaning): ``overwrite`` an
    existing report (``--force``), render a return with errors (``--allow-errors``; the report then
    says 未通过校验 on its face and each such report is named). Every front end asks here."""

    overwrite: bool = False
    allow_errors: bool = False


def report_file(
    source: Path, out: Path, fmt: str | None, *, force: bool, form_spec: str | None, allow_errors: bool = False
) -> RenderResult:
    """``xltool report FILE -o OUT``; ReportRefused (with every problem) when the return has errors
    and ``allow_errors`` is not given. Without ``fmt`` the format is the one ``out`` is named for."""

    if fmt is None and out.suffix.lower().lstrip(".") not in FORMATS:
        require_suffix(out, tuple(f".{f}" for f in FORMATS), "-o")
    act = Publish(force, allow_errors)
    refuse_overwrite([out], act.overwrite)
    form = load_form_spec(form_spec)
    return render_report(form, source, out, fmt, force=act.allow_errors, replace=act.overwrite)


@dataclass
class BatchDone:
    """Reports of many returns: what was written, what refused, which units sent nothing."""

    result: BatchResult
    formats: list[str]
    out: Path
    missing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.result.refused

    @property
    def unchecked(self) -> list[BatchItem]:
        """Reports written from returns with errors (``--allow-errors``): each marked 未通过校验."""
        return [i for i in self.result.written if any(p.is_error for p in i.problems)]

    def to_dict(self) -> dict[str, Any]:
        return {**self.result.to_dict(), "formats": self.formats, "out": str(self.out), "missing": self.missing,
                "unchecked": [i.job.unit or i.job.source.name for i in self.unchecked]}  # fmt: skip


def report_folder(
    source: Path, out: Path, formats: Sequence[str], *, force: bool, form_spec: str | None,
    progress: Progress = SILENT, allow_errors: bool = False,
) -> BatchDone:  # fmt: skip
    """``xltool report DIR -o OUTDIR``: every current return's reports (returns with errors refused
    unless ``allow_errors``; ``force`` only replaces existing reports)."""

    form, jobs, missing = folder_jobs(source, form_spec)
    if not jobs:
        raise XltoolError(f"{source} 中没有可生成报告的报表。")
    act = Publish(force, allow_errors)
    progress.total(len(jobs))
    result = render_batch(form, jobs, out, list(formats), force=act.allow_errors, replace=act.overwrite,
                          progress=lambda job: progress.step(job.unit))  # fmt: skip
    return BatchDone(result, list(formats), out, missing)


def report_campaign(
    campaign: Campaign, formats: Sequence[str] = REPORT_FORMATS, *, only: str | None = None,
    progress: Progress = SILENT, workers: int | None = 1, allow_errors: bool = False,
) -> BatchDone:  # fmt: skip
    """The current returns' reports in the campaign's ``reports`` folder, its older reports replaced
    (the folder is the console's own); returns with errors refused and listed unless ``allow_errors``
    (then rendered, marked 未通过校验 and named). ``workers``: 1 in the console (forking a threaded server
    can deadlock a child on a lock another thread held), None elsewhere (as many as useful)."""

    form = campaign.form()
    jobs, missing = campaign_jobs(campaign, form, only)
    if not jobs:
        raise XltoolError("还没有可生成报告的报表。" if only is None else f"“{only}”尚未报送报表。")
    act = Publish(overwrite=True, allow_errors=allow_errors)
    progress.total(len(jobs))
    result = render_batch(form, jobs, campaign.root / REPORTS_DIR, list(formats), force=act.allow_errors,
                          replace=act.overwrite,
                          progress=lambda job: progress.step(job.unit), workers=workers)  # fmt: skip
    return BatchDone(result, list(formats), campaign.root / REPORTS_DIR, missing)


@dataclass
class CountyReportDone:
    """The county's own report, and how many units' returns its county-wide figures come from."""

    rendered: RenderResult
    included: int
    excluded: int

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.rendered.path), "included": self.included, "excluded": self.excluded}


def report_county(
    source: Path, unit: str | None, out: Path, fmt: str | None, *, force: bool, form_spec: str | None,
    allow_errors: bool = False,
) -> CountyReportDone:  # fmt: skip
    """The county's own report: its unit's current return, plus the form's county-wide paragraphs
    written from the totals of every current error-free return (as ``xltool aggregate`` sums them)."""

    if not is_campaign(source):
        raise UsageProblem("--county 需要报送工作文件夹（xltool init 创建）。", option="报表或文件夹")
    if not unit:
        raise UsageProblem("使用 --county 时请用 --unit 指定县政府（办公室）在名单中的单位名称。")
    campaign = load_campaign(source)
    form = campaign_form(campaign, form_spec)
    status = campaign_status(campaign, form=form)
    row = county_row(status.rows, unit, campaign.county)
    if row.status.current is None:
        raise XltoolError(f"“{unit}”尚未报送报表，无法生成县政府的报告。")
    summed = aggregate(status, form)
    level = rollup_level([status.returns[u.unit] for u in summed.included if u.unit in status.returns])
    after = county_texts(form, summed.totals, campaign.year, len(summed.included), len(status.rows), campaign.when,
                         area=area_word(level, campaign.county))  # fmt: skip
    path = source / row.status.current.stored_path
    ret = read_return(path, form)
    act = Publish(force, allow_errors)
    prepared = prepare_report(form, ret, verify_returns([ret], form).files[0], force=act.allow_errors, after=after)
    rendered = render_reports(form, path, [(out, format_of(out, fmt))], force=act.allow_errors,
                              replace=act.overwrite, prepared=prepared)  # fmt: skip
    return CountyReportDone(rendered, len(summed.included), len(summed.excluded))


def county_row(rows: Sequence[UnitRow], unit: str, county: str) -> UnitRow:
    """The roster's row of the county government as the clerk names it: its full name, the start of
    it (泌阳县人民政府 for 泌阳县人民政府办公室) or the county's name (泌阳县: the one unit of the
    county whose name holds 政府). XltoolError naming the candidates when the name fits none or many."""
    given = "".join(unit.split())
    exact = [r for r in rows if "".join(r.name.split()) == given]
    starting = [r for r in rows if "".join(r.name.split()).startswith(given)] if given else []
    government = [r for r in starting if "政府" in r.name[len(given) :]] if given == "".join(county.split()) else []
    for found in (exact, starting, government):
        if len(found) == 1:
            return found[0]
    if len(government) > 1:
        starting = government
    hint = f"以“{given}”开头的有：{'、'.join(r.name for r in starting)}，请写出全名。" if starting else ""
    raise XltoolError(f"名单中没有单位“{unit}”。{hint}")
