"""`xltool report`: a verified return as the annual report."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from xltool.cli.main import CONTEXT, form_option, handle_errors, load_form_option, main


@main.command(context_settings=CONTEXT)
@click.argument("source", type=click.Path(path_type=Path, exists=True, dir_okay=False), metavar="报表.xlsx")
@click.option(
    "-o",
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="报告文件",
    help="输出的报告文件，格式按扩展名：.docx、.html、.md、.pdf。",
)
@click.option(
    "--format", "fmt", type=click.Choice(["docx", "html", "md", "pdf"]), help="指定格式（不按扩展名判断时使用）。"
)
@click.option(
    "--force", is_flag=True, help="报表有错误时也生成报告（不建议用于正式发布），并允许覆盖已存在的报告文件。"
)
@form_option
@handle_errors
def report(source: Path, out: Path, fmt: str | None, force: bool, form_spec: str | None) -> None:
    """根据报表生成政府信息公开工作年度报告（公文格式 Word、网页、Markdown 或 PDF）。

    先完整校验报表并检查报告文字（表单声明的文字检查，年度报告为 E1、E3、E4、F1–F4、F6、F7、F9）；有错误时不生成，
    列出全部问题（加 --force 可强制生成）。报表中留空的“依申请公开”和“信息处理费”
    段落按表格数据自动成文，文字中的数字与表格一致。

    \b
    示例：
      xltool report 安棚镇.xlsx -o 安棚镇2025年报.docx
      xltool report 安棚镇.xlsx -o 安棚镇2025年报.html
      xltool report 安棚镇.xlsx -o 安棚镇2025年报.pdf
    """
    from xltool.report.render import ReportRefused, render_report

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
