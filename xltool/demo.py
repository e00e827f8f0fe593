"""The county cycle on the bundled samples, as far as it is built (``make demo``)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from xltool.app.campaign import InitOptions, collect, draft, init
from xltool.app.mail import MailSource
from xltool.app.overview import StatusSource, overview, sum_up, write_status
from xltool.app.reports import campaign_jobs, report_campaign
from xltool.app.wording import collect_counts
from xltool.campaign.collect import OUTCOMES
from xltool.campaign.register import STANDING_ZH
from xltool.campaign.settings import Campaign, is_campaign
from xltool.checks.problem_files import annotate_copies, write_problem_list
from xltool.checks.verify import VerifyOptions, VerifyResult, verify
from xltool.form.loader import load_form
from xltool.form.model import Form
from xltool.report.render import ReportRefused, render_reports
from xltool.roster import Roster, load_roster
from xltool.wording import clip
from xltool.workbook.files import collect_paths

# The campaign year of the bundled samples (returns for 2025, made in January 2026). Fixed, so the
# demo shows the same results whatever year it is run in.
DEMO_YEAR = 2025


DEMO_COUNTY = "桐柏县"
DEMO_DEADLINE = dt.date(2026, 1, 31)
DEMO_OFFICE = "gkb@tongbai.example.org"
DEMO_TODAY = dt.date(2026, 1, 25)  # the status is shown as it stood a week before the deadline


def run_demo(samples: Path, out: Path) -> Iterator[str]:
    """Run each step and yield Chinese lines for the CLI to show."""
    form = load_form()
    roster = load_roster(samples / "roster.xlsx", form.units)
    year = DEMO_YEAR
    yield from _campaign_step(samples, out / "campaign", year)
    yield from _verify_step(form, samples, out, roster, year)
    yield from _report_step(form, samples, out)


def _campaign_step(samples: Path, folder: Path, year: int) -> Iterator[str]:

    if is_campaign(folder):  # the demo's own campaign of a previous run: start afresh
        shutil.rmtree(folder)
    made = init(InitOptions(folder, year, samples / "roster.xlsx", county=DEMO_COUNTY, deadline=DEMO_DEADLINE,
                            from_addr=DEMO_OFFICE)).made  # fmt: skip
    yield f"【1. 创建报送工作】{folder.resolve()}：设置、名单副本、登记簿和 {made.units} 个单位的 {year} 年度锁定模板（templates/）"
    mbox = samples / "mail" / "returns.mbox"
    result = collect(made.campaign, MailSource(mbox=mbox, name=f"mbox:{mbox.name}"))
    yield f"【2. 收取邮件】从 samples/mail/{mbox.name} 收取 {result.messages} 封邮件：{collect_counts(result)}；每封邮件原样保存在 mail/，每个版本在 returns/"
    for item in result.items:
        if item.outcome in ("new", "known"):
            continue
        who = item.unit or item.sender
        yield f"    - [{OUTCOMES[item.outcome]}] {who}：{item.name or item.subject}" + (
            f"——{item.what}" if item.what else ""
        )
    drafts = draft(made.campaign, DEMO_OFFICE).drafts
    to_fix = sum(1 for d in drafts if d.verdict == "fix")
    yield f"【3. 起草回复】{len(drafts)} 封回复草稿（其中 {to_fix} 封要求修改）：{(folder / 'replies').resolve()}"
    if missing := campaign_jobs(made.campaign, made.campaign.form())[1]:
        yield f"    尚未报送：{'、'.join(missing)}"
    yield from _overview_step(made.campaign, folder)


def _overview_step(campaign: Campaign, folder: Path) -> Iterator[str]:

    ov = overview(StatusSource(folder=folder, today=DEMO_TODAY))
    page, listing = folder / "报送情况.html", folder / "报送情况.xlsx"
    write_status(ov, listing, page, force=True)
    states = "、".join(f"{STANDING_ZH[s]} {n}" for s, n in Counter(r.standing for r in ov.status.rows).items())
    yield f"【4. 报送情况】{states}：网页（含图表）{page.resolve()}；打印用清单 {listing.name}"
    summed = sum_up(ov, folder / f"{DEMO_COUNTY}{campaign.year}年汇总.xlsx", force=True)
    yield f"【5. 全县汇总】{len(summed.summed.included)} 个单位的报表逐格相加（未汇总 {len(summed.summed.excluded)} 个，原因见表内）：{summed.out.resolve()}"
    reports = report_campaign(campaign, ["docx"], workers=None).result
    yield f"【6. 全部报告】{len(reports.written)} 份年度报告（Word 公文格式），未生成 {len(reports.refused)} 份：{(folder / 'reports').resolve()}"


def _verify_step(form: Form, samples: Path, out: Path, roster: Roster, year: int) -> Iterator[str]:
    # samples/returns holds the real 2024 report too, so only the flawed set is held to the year
    good = verify(collect_paths([samples / "returns"]), form, VerifyOptions(roster=roster))
    flawed = verify(collect_paths([samples / "flawed"]), form, VerifyOptions(year=year, roster=roster))
    result = VerifyResult(good.files + flawed.files)
    s = result.summary()
    yield f"【7. 校验样例报表】校验了 samples/ 中的 {s['files']} 份报表：{s['valid']} 份没有错误，{s['invalid']} 份有错误（共 {s['errors']} 个错误、{s['warnings']} 个警告）。"
    for f in result.files:
        verdict = "通过" if not f.problems else f"{f.errors} 个错误、{f.warnings} 个警告"
        first = next((p for p in f.problems if p.is_error), f.problems[0] if f.problems else None)
        yield f"    - {f.path.name}：{verdict}" + (f"；例如【{first.code}】{clip(first.message, 40)}" if first else "")
    copies = annotate_copies(result, out / "标注副本", replace=True, form=form)  # the demo's own folder: rerunnable
    listing = write_problem_list(
        result, out / "问题清单.xlsx", replace=True, inputs=[samples / "returns", samples / "flawed"], roster=roster
    )
    yield f"    问题清单（可用 Excel/WPS 打开）：{listing.resolve()}"
    yield f"    {len(copies)} 份标注副本（问题单元格标红并加批注）：{(out / '标注副本').resolve()}"


def _report_step(form: Form, samples: Path, out: Path) -> Iterator[str]:

    reports = out / "reports"
    yield f"【8. 生成报告】为 samples/returns 中的每份报表生成年度报告（Word 公文格式、网页、Markdown）：{reports.resolve()}"
    for source in sorted((samples / "returns").glob("*.xlsx")):
        outs = [(reports / f"{source.stem}.{fmt}", fmt) for fmt in ("docx", "html", "md")]
        try:
            written = render_reports(form, source, outs, replace=True).paths
        except ReportRefused as refused:  # one return never stops the demo: the next is still reported on
            first = next((p for p in refused.problems if p.is_error), None)
            yield f"    - {source.name}：未生成" + (f"，【{first.code}】{clip(first.message, 60)}" if first else "")
            continue
        for path in written:
            yield f"    - {path.name}"
