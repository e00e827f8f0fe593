"""`xltool report`: a verified return as the report its form defines (the annual report, by default)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from xltool.cli.main import CONTEXT, TerminalProgress, form_option, handle_errors, main, out_option


@main.command(context_settings=CONTEXT)
@click.argument("source", type=click.Path(path_type=Path, exists=True), metavar="报表或文件夹")
@out_option("报告文件或文件夹", "输出的报告文件（格式按扩展名：.docx、.html、.md、.pdf）；报表为文件夹时是输出文件夹。")
@click.option(
    "--format",
    "fmt",
    metavar="格式",
    help="指定格式：docx、html、md、pdf；为文件夹生成时可用逗号列出多种，如 docx,pdf（默认 docx）。",
)
@click.option("--force", is_flag=True, help="允许覆盖已存在的报告文件（只管覆盖，有错误的报表仍不生成）。")
@click.option(
    "--allow-errors",
    is_flag=True,
    help="报表有错误时也生成报告：报告每页标注“未通过校验”，仅供核对，不能作为正式报告发布；每份这样的报告单列一行。",
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
    allow_errors: bool,
    county: bool,
    county_unit: str | None,
    form_spec: str | None,
) -> None:
    """根据报表生成报告（公文格式 Word、网页、Markdown 或 PDF）。

    报告的标题、章节和文字由表单规定（年度报告为政府信息公开工作年度报告）。
    先完整校验报表并检查报告文字（表单声明的文字检查，年度报告为 E1、E3、E4、F1–F4、F6、F7、F9）；
    有错误时不生成，列出全部问题；加 --allow-errors 才生成，报告标注“未通过校验”，仅供核对。
    已存在的报告文件加 --force 才覆盖（--force 只管覆盖，不会生成有错误的报表的报告）。
    表单规定可自动成文的段落（年度报告为“依申请公开”和“信息处理费”）在报表中留空时按表格数据自动成文，
    文字中的数字与表格一致。

    给出文件夹时一次生成全部报告：报送工作文件夹（xltool init 创建）取每个单位的当前版本，
    普通文件夹取其中所有报表；有错误的报表不生成并列出原因；PDF 由 LibreOffice 一次转换。

    \b
    示例：
      xltool report 安棚镇.xlsx -o 安棚镇2025年报.docx
      xltool report 安棚镇.xlsx -o 安棚镇2025年报.pdf
      xltool report 2025年报 -o 报告/ --format docx,pdf
      xltool report 2025年报 -o 报告/ --force
      xltool report 2025年报 -o 核对稿/ --allow-errors
      xltool report 收到的报表/ -o 报告/ --format html
      xltool report 2025年报 --county --unit 桐柏县人民政府办公室 -o 桐柏县2025年报.docx
    """
    if county:
        _report_county(source, county_unit, out, fmt, force, form_spec, allow_errors)
        return
    if source.is_dir():
        _report_folder(source, out, fmt, force, form_spec, allow_errors)
        return
    from xltool.app.reports import report_file
    from xltool.report.render import FORMATS, ReportRefused

    if fmt is not None and fmt not in FORMATS:
        raise click.BadParameter(f"“{fmt}”不是支持的格式，可选 {'、'.join(FORMATS)}。", param_hint="--format")
    try:
        result = report_file(source, out, fmt, force=force, form_spec=form_spec, allow_errors=allow_errors)
    except ReportRefused as refused:
        _refused(refused)
    for p in result.problems:
        click.secho("  " + p.line(), fg="red" if p.is_error else "yellow")
    if result.errors:
        click.secho(f"已生成报告（{UNCHECKED}）：{result.path}", fg="red")
        return
    click.echo(f"已生成报告：{result.path}")


UNCHECKED = "未通过校验，报告已标注，仅供核对，不能作为正式报告发布"


def _refused(refused: Any) -> NoReturn:
    click.secho(f"错误：{refused}", fg="red", err=True)
    for p in refused.problems:
        click.secho("  " + p.line(), fg="red" if p.is_error else "yellow", err=True)
    sys.exit(1)


def _report_folder(
    source: Path, out: Path, fmt: str | None, force: bool, form_spec: str | None, allow_errors: bool
) -> None:
    from xltool.app.reports import report_folder
    from xltool.app.wording import report_lines, report_summary
    from xltool.report.render import FORMATS

    formats = [f.strip().lower() for f in (fmt or "docx").split(",") if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise click.BadParameter(f"“{'、'.join(unknown) or fmt}”不是支持的格式，可选 {'、'.join(FORMATS)}。",
                                 param_hint="--format")  # fmt: skip
    if out.exists() and not out.is_dir():
        raise click.BadParameter(f"报表为文件夹时 -o 应为文件夹：{out}", param_hint="-o")
    with TerminalProgress("生成报告", more_than=3) as progress:
        done = report_folder(source, out, formats, force=force, form_spec=form_spec, progress=progress,
                             allow_errors=allow_errors)  # fmt: skip
    for line in report_lines(done.result, done.missing):
        click.secho(line.text, fg="red" if line.kind in ("refused", "unchecked") else "yellow")
    click.echo(report_summary(done.result, formats, done.missing, f"，保存在 {out}"))
    if not done.ok:
        sys.exit(1)


def _report_county(
    source: Path, unit: str | None, out: Path, fmt: str | None, force: bool, form_spec: str | None, allow_errors: bool
) -> None:
    """The county's own report: its unit's return, plus the county-wide paragraphs from the totals."""
    from xltool.app.reports import report_county
    from xltool.report.render import ReportRefused

    try:
        done = report_county(source, unit, out, fmt, force=force, form_spec=form_spec, allow_errors=allow_errors)
    except ReportRefused as refused:
        _refused(refused)
    if done.rendered.errors:
        click.secho(f"县政府的报告{UNCHECKED}。", fg="red")
    left = f"（未计入 {done.excluded} 个单位，原因见 xltool aggregate）" if done.excluded else ""
    click.echo(f"已生成县政府的报告：{done.rendered.path}，其中全县数字来自 {done.included} 个单位的报表{left}。")
