"""`xltool import` and `xltool audit`: published reports (.docx, .html, .pdf, .txt, .md) in."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from xltool.cli.main import (
    CONTEXT,
    TerminalProgress,
    form_option,
    handle_errors,
    main,
    out_option,
    previous_option,
    problem_list_option,
)

DOCS = "报告（.docx/.html/.pdf/.txt/.md）或文件夹"


def _given_options(func: Any) -> Any:
    """``--year`` and ``--unit``: what a report does not say (or says wrongly) of itself."""
    func = click.option("--unit", default="", metavar="单位全称", help="报告的单位名称（代替从标题读出的名称）。")(func)
    return click.option(
        "--year", type=click.IntRange(1990, 2100), default=None, metavar="年度",
        help="报告的年度（代替从标题、统计期限等读出的年度），如 --year 2024。",
    )(func)  # fmt: skip


@main.command("import", context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True), metavar=DOCS)
@out_option(
    "报表.xlsx|文件夹", "一份报告时可以是 .xlsx 文件名；多份报告时为文件夹，每份报告一个报表，按单位和年度命名。"
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出导入结果（供程序使用）。")
@click.option("--force", is_flag=True, help="允许覆盖已存在的报表文件。")
@_given_options
@form_option
@handle_errors
def import_(
    paths: tuple[Path, ...], out: Path, as_json: bool, force: bool, year: int | None, unit: str, form_spec: str | None
) -> None:
    """把已发布的报告导入为当前表单模板格式的报表。

    读取报告标题（单位、年度）、表单各部分的文字和各张表格的每个数字（年度报告为六个部分和表二、
    表三、表四），写入当前模板：每个数字在它的单元格里，每段文字在它的栏目里。读不出的内容逐一列出
    （哪张表、哪一行、哪一列），不猜测，对应的单元格留空；编号和说明见 xltool rules 的最后一组。
    可以一次导入一个文件夹中的全部报告（例如上年度已发布的各单位报告），之后用于
    xltool verify --previous 或 xltool init --previous 的跨年度检查。

    \b
    退出状态：0 = 全部读取完整；1 = 有报告读不全或无法导入；2 = 命令用法错误。

    \b
    示例：
      xltool import 安棚镇2024年报.docx -o 安棚镇2024.xlsx
      xltool import 2024年已发布报告/ -o 2024年报表/
      xltool import 年报网页.html 年报.pdf 年报.txt -o 导入/ --json > 导入结果.json
    """
    import json

    from xltool.app.documents import import_reports

    show = None if as_json else (lambda f: _print_import(f.imported, f.output))
    with TerminalProgress("导入报告", more_than=3) as progress:
        done = import_reports(paths, out, force=force, form_spec=form_spec, progress=progress, each=show,
                              year=year, unit=unit)  # fmt: skip
    if as_json:
        click.echo(json.dumps(done.to_dict(), ensure_ascii=False, indent=2))
    else:
        total = len(done.files)
        click.secho(
            f"\n共 {total} 份报告：{done.written} 份已导入为报表，{total - done.written} 份无法导入。", bold=True
        )
    sys.exit(0 if done.ok else 1)


def _print_import(imported: Any, target: Path | None) -> None:
    who = f"{imported.unit or '未知单位'}{f'，{imported.year} 年度' if imported.year else ''}"
    click.secho(f"\n{imported.path}（{who}）", bold=True)
    for p in imported.problems:
        click.secho("  " + p.line(), fg="red" if p.is_error else "yellow")
    if target is None:
        why = "，年度未知：请用 --year 指定，如 --year 2024" if imported.unit and imported.year is None else ""
        click.secho(f"  结论：无法导入{why}", fg="red")
    else:
        verdict = (
            "完整读取"
            if not imported.problems
            else f"{imported.errors} 处读取错误、{len(imported.problems) - imported.errors} 处提示"
        )
        click.secho(f"  已写入：{target}（{verdict}）", fg="green" if not imported.errors else "yellow")


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True), metavar=DOCS)
@previous_option(
    "上一年度的报告或报表（已发布的报告也可以，按单位匹配），用于表单的跨年度检查（如年度报告的 B5、D2、D3、F8）；可多次使用。"
)
@click.option("--strict", is_flag=True, help="把所有警告当作错误。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（供程序使用）。")
@problem_list_option("把所有问题写成一张 Excel 表（每个问题一行，写明在报告中的位置）。")
@click.option("--force", is_flag=True, help="允许覆盖已存在的问题清单文件（--out）。")
@_given_options
@form_option
@handle_errors
def audit(
    paths: tuple[Path, ...],
    previous: tuple[Path, ...],
    strict: bool,
    as_json: bool,
    out: Path | None,
    force: bool,
    year: int | None,
    unit: str,
    form_spec: str | None,
) -> None:
    """按表单的格式和规则检查已发布的报告（Word、网页、PDF、文本）。

    与 xltool verify 的检查相同：表单的全部规则（表格的勾稽关系、文字与表格是否一致等），加上只有已发布的
    报告才会有的问题：标题和各部分、旧格式、表格名称不规范、缺少表格或只有图片（年度报告为 F1–F11，
    其他表单见 xltool rules 的最后一组）；加 --previous 做跨年度检查。
    每个问题写明在报告中的位置：哪一部分、表格的哪一行哪一列，或引用的原句。

    \b
    退出状态：0 = 没有错误（可以有警告）；1 = 有报告存在错误；2 = 命令用法错误。

    \b
    示例：
      xltool audit 安棚镇2024年报.docx
      xltool audit 已发布报告/ --previous 2023年报告/ --out 问题清单.xlsx
      xltool audit 年报网页.html --json > 结果.json
    """
    import json

    from xltool.app.documents import audit_reports
    from xltool.cli.verify import _print_file, _print_summary

    with TerminalProgress("检查报告", more_than=3) as progress:
        done = audit_reports(paths, previous=previous, strict=strict, out=out, force=force, form_spec=form_spec,
                             progress=progress, year=year, unit=unit)  # fmt: skip
    if as_json:
        click.echo(json.dumps(done.to_dict(), ensure_ascii=False, indent=2))
    else:
        for f in done.result.files:
            _print_file(f, done.form, str(f.path))
        _print_summary(done.result)
        if out:
            click.echo(f"问题清单已写入：{out}")
    sys.exit(0 if done.ok else 1)
