"""The county's overview: where the returns are (a campaign folder, or a folder with a roster), how
each unit stands, the totals, and the files an output of either must never replace."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xltool.app.errors import UsageProblem
from xltool.app.forms import campaign_form, load_form_spec
from xltool.app.policy import refuse_any_input
from xltool.campaign.aggregate import AggregateResult
from xltool.campaign.aggregate import aggregate as run_aggregate
from xltool.campaign.aggregate_book import write_aggregate
from xltool.campaign.quality import QualityResult, quality
from xltool.campaign.settings import Campaign, is_campaign, load_campaign
from xltool.campaign.status import StatusResult, campaign_status, folder_status
from xltool.campaign.status_files import write_status_html, write_status_xlsx
from xltool.errors import XltoolError
from xltool.form.model import Form
from xltool.roster import load_roster

SUMMARY_DIR = "汇总"  # the county's totals, in a campaign folder


@dataclass(frozen=True)
class StatusSource:
    """A campaign folder, or a folder of returns with its roster (``returns``/``roster``)."""

    folder: Path | None = None
    returns: Path | None = None
    roster: Path | None = None
    year: int | None = None
    county: str = ""
    deadline: dt.date | None = None
    form_spec: str | None = None
    today: dt.date | None = None


@dataclass
class Overview:
    """How every unit stands, the form, and the inputs (returns, roster) no output may replace."""

    status: StatusResult
    form: Form
    inputs: list[Path]
    campaign: Campaign | None = None


def overview(source: StatusSource) -> Overview:
    """A campaign folder's register, else the returns found in ``returns`` matched to ``roster``."""

    s = source
    if s.folder is not None and s.returns is None and is_campaign(s.folder):
        if s.roster is not None:
            raise UsageProblem("报送工作文件夹自带名单，不需要 --roster。")
        campaign = load_campaign(s.folder)
        form = campaign_form(campaign, s.form_spec)
        result = campaign_status(campaign, form=form, deadline=s.deadline, today=s.today)
        kept = [campaign.root / campaign.roster_file, *(campaign.root / "returns").rglob("*")]
        return Overview(result, form, kept, campaign)
    returns = s.returns or s.folder
    if returns is None or s.roster is None:
        if s.folder is not None:
            raise XltoolError(
                f"{s.folder} 不是报送工作文件夹（其中没有 xltool.toml）。如果报表是用其他方式收集的，"
                f"请用：xltool … --returns {s.folder} --roster 名单.xlsx"
            )
        raise UsageProblem("请给出报送工作文件夹，或者用 --returns 报表文件夹 --roster 名单文件。")
    form = load_form_spec(s.form_spec)
    units = load_roster(s.roster, form.units)
    result = folder_status(returns, units, form, year=s.year, county=s.county, deadline=s.deadline, today=s.today)
    return Overview(result, form, [s.roster, *(returns.rglob("*"))])


@dataclass
class StatusDone:
    """The overview and the files written of it (a printable list, a page)."""

    status: StatusResult
    written: list[Path] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return self.status.to_dict()


def write_status(
    ov: Overview, xlsx: Path | None = None, html: Path | None = None, *, force: bool = False
) -> StatusDone:
    """``xltool status --xlsx --html``: neither output over an input (checked before either is written)."""

    for out in (xlsx, html):
        if out is not None:
            refuse_any_input(out, [(ov.inputs, "报表或名单")])
    written = []
    if xlsx:
        written.append(write_status_xlsx(ov.status, xlsx, replace=force))
    if html:
        written.append(write_status_html(ov.status, html, replace=force))
    return StatusDone(ov.status, written)


def data_quality(source: StatusSource) -> QualityResult:
    """``xltool status --quality``: the values that look wrong next to their peers or last year."""
    ov = overview(source)
    previous = [Path(ov.campaign.root / ov.campaign.previous)] if ov.campaign and ov.campaign.previous else []
    return quality(ov.form, ov.status, previous)


def status(
    source: StatusSource, xlsx: Path | None = None, html: Path | None = None, *, force: bool = False
) -> StatusDone:
    """``xltool status``: how each unit stands, optionally written as a list and a page."""
    return write_status(overview(source), xlsx, html, force=force)


@dataclass
class AggregateDone:
    """The totals written to ``out``; ``ok`` False when they break an error rule (a bug, said loudly)."""

    summed: AggregateResult
    status: StatusResult
    form: Form
    out: Path

    @property
    def ok(self) -> bool:
        return self.summed.ok

    def to_dict(self) -> dict[str, Any]:
        return {**self.summed.to_dict(), "out": str(self.out)}


def sum_up(ov: Overview, out: Path, *, force: bool = False) -> AggregateDone:
    """The current error-free returns summed cell by cell and written to ``out`` (never over an input)."""

    refuse_any_input(out, [(ov.inputs, "报表或名单")])
    summed = run_aggregate(ov.status, ov.form)
    written = write_aggregate(summed, out, replace=force)
    return AggregateDone(summed, ov.status, ov.form, written)


def aggregate(source: StatusSource, out: Path, *, force: bool = False) -> AggregateDone:
    """``xltool aggregate``."""
    return sum_up(overview(source), out, force=force)


def summary_path(campaign: Campaign) -> Path:
    """Where the console writes a campaign's totals (replaced by each new run)."""
    return campaign.root / SUMMARY_DIR / f"{campaign.county}{campaign.when.heading_zh}汇总.xlsx"


def aggregate_campaign(campaign: Campaign) -> AggregateDone:
    """The console's 汇总: the campaign's totals at ``summary_path``, the older ones replaced."""
    return aggregate(StatusSource(folder=campaign.root), summary_path(campaign), force=True)
