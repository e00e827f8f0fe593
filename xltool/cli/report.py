"""`xltool report`: a verified return as the report its form defines (the annual report, by default)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from xltool.cli.main import (
    CONTEXT,
    campaign_form,
    form_option,
    handle_errors,
    load_form_option,
    main,
    refuse_overwrite,
    require_suffix,
)
from xltool.errors import XltoolError


@main.command(context_settings=CONTEXT)
@click.argument("source", type=click.Path(path_type=Path, exists=True), metavar="报表或文件夹")
@click.option(
    "-o",
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    metavar="报告文件或文件夹",
    help="输出的报告文件（格式按扩展名：.docx、.html、.md、.pdf）；报表为文件夹时是输出文件夹。",
)
@click.option(
    "--format",
    "fmt",
    metavar="格式",
    help="指定格式：docx、html、md、pdf；为文件夹生成时可用逗号列出多种，如 docx,pdf（默认 docx）。",
)
@click.option(
    "--force", is_flag=True, help="报表有错误时也生成报告（不建议用于正式发布），并允许覆盖已存在的报告文件。"
)
@click.option(
    "--county",
    is_flag=True,
    help="生成县政府自己的报告：其本单位报表，加上表单规定的、由全县汇总数写成的段落（报表为报送工作文件夹时）。",
)
@click.option(
    "--unit", "county_unit", metavar="单位名称", help="与 --county 一起使用：县政府（办公室）在名单中的单位名称。"
)
@form_option
@handle_errors
def report(
    source: Path,
    out: Path,
    fmt: str | None,
    force: bool,
    county: bool,
    county_unit: str | None,
    form_spec: str | None,
) -> None:
    """根据报表生成报告（公文格式 Word、网页、Markdown 或 PDF）。

    报告的标题、章节和文字由表单规定（年度报告为政府信息公开工作年度报告）。
    先完整校验报表并检查报告文字（表单声明的文字检查，年度报告为 E1、E3、E4、F1–F4、F6、F7、F9）；
    有错误时不生成，列出全部问题（加 --force 可强制生成）。
    表单规定可自动成文的段落（年度报告为“依申请公开”和“信息处理费”）在报表中留空时按表格数据自动成文，
    文字中的数字与表格一致。

    给出文件夹时一次生成全部报告：报送工作文件夹（xltool init 创建）取每个单位的当前版本，
    普通文件夹取其中所有报表；有错误的报表不生成并列出原因；PDF 由 LibreOffice 一次转换。

    \b
    示例：
      xltool report 安棚镇.xlsx -o 安棚镇2025年报.docx
      xltool report 安棚镇.xlsx -o 安棚镇2025年报.pdf
      xltool report 2025年报 -o 报告/ --format docx,pdf
      xltool report 收到的报表/ -o 报告/ --format html
      xltool report 2025年报 --county --unit 桐柏县人民政府办公室 -o 桐柏县2025年报.docx
    """
    if county:
        _report_county(source, county_unit, out, fmt, force, form_spec)
        return
    if source.is_dir():
        _report_folder(source, out, fmt, force, form_spec)
        return
    from xltool.report.render import FORMATS, ReportRefused, render_report

    if fmt is not None and fmt not in FORMATS:
        raise click.BadParameter(f"“{fmt}”不是支持的格式，可选 {'、'.join(FORMATS)}。", param_hint="--format")
    if fmt is None and out.suffix.lower().lstrip(".") not in FORMATS:
        require_suffix(out, tuple(f".{f}" for f in FORMATS), "-o")
    refuse_overwrite([out], force)
    try:
        result = render_report(load_form_option(form_spec), source, out, fmt, force=force, replace=force)
    except ReportRefused as refused:
        click.secho(f"错误：{refused}", fg="red", err=True)
        for p in refused.problems:
            click.secho("  " + p.line(), fg="red" if p.is_error else "yellow", err=True)
        sys.exit(1)
    for p in result.problems:
        click.secho("  " + p.line(), fg="red" if p.is_error else "yellow")
    click.echo(f"已生成报告：{result.path}")


def _report_folder(source: Path, out: Path, fmt: str | None, force: bool, form_spec: str | None) -> None:
    from xltool.cli.main import _progress
    from xltool.report.batch import render_batch
    from xltool.report.render import FORMATS

    formats = [f.strip().lower() for f in (fmt or "docx").split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise click.BadParameter(f"“{'、'.join(unknown) or fmt}”不是支持的格式，可选 {'、'.join(FORMATS)}。",
                                 param_hint="--format")  # fmt: skip
    if out.exists() and not out.is_dir():
        raise click.BadParameter(f"报表为文件夹时 -o 应为文件夹：{out}", param_hint="-o")
    form, jobs, skipped = _jobs(source, form_spec)
    if not jobs:
        raise XltoolError(f"{source} 中没有可生成报告的报表。")
    with _progress(jobs, "生成报告") as bar:
        step = getattr(bar, "update", None)
        result = render_batch(form, jobs, out, formats, force=force, replace=force,
                              progress=(lambda _job: step(1)) if step else None)  # fmt: skip
    for item in result.refused:
        click.secho(f"[未生成] {item.job.unit or item.job.source.name}：{item.refused}", fg="red")
    for unit in skipped:
        click.secho(f"[未生成] {unit}：尚未报送", fg="yellow")
    missing = f"，另有 {len(skipped)} 个单位尚未报送" if skipped else ""
    written, refused = len(result.written), len(result.refused)
    click.echo(f"已生成 {written} 份报告（{'、'.join(formats)}），保存在 {out}；未生成 {refused} 份{missing}。")
    if result.refused:
        sys.exit(1)


def _jobs(source: Path, form_spec: str | None) -> tuple[Any, list[Any], list[str]]:
    """(form, the returns to render, units that have sent nothing): the current version of every
    unit of a campaign folder, or every return in a plain folder."""
    from xltool.campaign.settings import is_campaign, load_campaign
    from xltool.report.batch import Job
    from xltool.workbook.files import collect_paths
    from xltool.workbook.write import template_filename

    if not is_campaign(source):
        form = load_form_option(form_spec)
        return form, [Job(p, p.stem, p.stem) for p in collect_paths([source])], []
    campaign = load_campaign(source)
    form = campaign_form(campaign, form_spec)
    jobs, missing = [], []
    with campaign.register() as reg:
        for unit in reg.units():
            current = reg.current(unit.id)
            if current is None:
                missing.append(unit.name)
                continue
            stem = Path(template_filename(form, unit.name, campaign.year)).stem
            jobs.append(Job(source / current.stored_path, stem, unit.name))
    return form, jobs, missing


def _report_county(
    source: Path, unit: str | None, out: Path, fmt: str | None, force: bool, form_spec: str | None
) -> None:
    """The county's own report: its unit's current return, plus the form's county-wide paragraphs
    written from the totals of every current error-free return (as ``xltool aggregate`` sums them)."""
    from xltool.campaign.aggregate import aggregate
    from xltool.campaign.settings import is_campaign, load_campaign
    from xltool.campaign.status import campaign_status
    from xltool.checks.verify import verify_returns
    from xltool.report.build import county_texts
    from xltool.report.render import ReportRefused, format_of, prepare_report, render_reports
    from xltool.workbook.read import read_return

    if not is_campaign(source):
        raise click.BadParameter("--county 需要报送工作文件夹（xltool init 创建）。", param_hint="报表或文件夹")
    if not unit:
        raise click.UsageError("使用 --county 时请用 --unit 指定县政府（办公室）在名单中的单位名称。")
    campaign = load_campaign(source)
    form = campaign_form(campaign, form_spec)
    status = campaign_status(campaign, form=form)
    row = next((r for r in status.rows if r.name == unit.strip()), None)
    if row is None:
        raise XltoolError(f"名单中没有单位“{unit}”。")
    if row.status.current is None:
        raise XltoolError(f"“{unit}”尚未报送报表，无法生成县政府的报告。")
    summed = aggregate(status, form)
    after = county_texts(form, summed.totals, campaign.year, len(summed.included), len(status.rows))
    path = source / row.status.current.stored_path
    ret = read_return(path, form)
    try:
        prepared = prepare_report(form, ret, verify_returns([ret], form).files[0], force=force, after=after)
        result = render_reports(form, path, [(out, format_of(out, fmt))], force=force, replace=force, prepared=prepared)
    except ReportRefused as refused:
        click.secho(f"错误：{refused}", fg="red", err=True)
        for p in refused.problems:
            click.secho("  " + p.line(), fg="red" if p.is_error else "yellow", err=True)
        sys.exit(1)
    left = f"（未计入 {len(summed.excluded)} 个单位，原因见 xltool aggregate）" if summed.excluded else ""
    click.echo(f"已生成县政府的报告：{result.path}，其中全县数字来自 {len(summed.included)} 个单位的报表{left}。")
