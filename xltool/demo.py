"""The county cycle on the bundled samples, as far as it is built (``make demo``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from xltool.checks.problem_files import annotate_copies, write_problem_list
from xltool.checks.verify import VerifyOptions, VerifyResult, collect_paths, verify
from xltool.form.loader import load_form
from xltool.form.model import Form
from xltool.roster import Roster, load_roster
from xltool.workbook.write import write_roster_templates

# The campaign year of the bundled samples (returns for 2025, made in January 2026). Fixed, so the
# demo shows the same results whatever year it is run in.
DEMO_YEAR = 2025


def run_demo(samples: Path, out: Path) -> Iterator[str]:
    """Run each step and yield Chinese lines for the CLI to show."""
    form = load_form()
    roster = load_roster(samples / "roster.xlsx", form.units)
    year = DEMO_YEAR
    templates = out / "templates"
    results = write_roster_templates(form, roster, templates, year)
    yield f"【1. 生成模板】按名单 {roster.source.name} 为 {len(results)} 个单位生成了 {year} 年度锁定模板："
    yield f"    {templates.resolve()}"
    yield from _verify_step(form, samples, out, roster, year)
    yield from _report_step(form, samples, out)


def _verify_step(form: Form, samples: Path, out: Path, roster: Roster, year: int) -> Iterator[str]:
    # samples/returns holds the real 2024 report too, so only the flawed set is held to the year
    good = verify(collect_paths([samples / "returns"]), form, VerifyOptions(roster=roster))
    flawed = verify(collect_paths([samples / "flawed"]), form, VerifyOptions(year=year, roster=roster))
    result = VerifyResult(good.files + flawed.files)
    s = result.summary()
    yield f"【2. 校验报表】校验了 samples/ 中的 {s['files']} 份报表：{s['valid']} 份没有错误，{s['invalid']} 份有错误（共 {s['errors']} 个错误、{s['warnings']} 个警告）。"
    for f in result.files:
        verdict = "通过" if not f.problems else f"{f.errors} 个错误、{f.warnings} 个警告"
        first = next((p for p in f.problems if p.is_error), f.problems[0] if f.problems else None)
        yield f"    - {f.path.name}：{verdict}" + (f"；例如【{first.code}】{first.message[:40]}" if first else "")
    copies = annotate_copies(result, out / "标注副本", replace=True)  # the demo's own folder: rerunnable
    listing = write_problem_list(result, out / "问题清单.xlsx", replace=True)
    yield f"    问题清单（可用 Excel/WPS 打开）：{listing.resolve()}"
    yield f"    {len(copies)} 份标注副本（问题单元格标红并加批注）：{(out / '标注副本').resolve()}"


def _report_step(form: Form, samples: Path, out: Path) -> Iterator[str]:
    from xltool.report.render import render_reports

    reports = out / "reports"
    yield f"【3. 生成报告】为 samples/returns 中的每份报表生成年度报告（Word 公文格式、网页、Markdown）：{reports.resolve()}"
    for source in sorted((samples / "returns").glob("*.xlsx")):
        outs = [(reports / f"{source.stem}.{fmt}", fmt) for fmt in ("docx", "html", "md")]
        for path in render_reports(form, source, outs, replace=True).paths:
            yield f"    - {path.name}"
