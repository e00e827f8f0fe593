"""`xltool verify`: check returns, print or write every problem."""

from __future__ import annotations

import re
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
    previous_option,
    problem_list_option,
    roster_option,
)


class _StrictCodes(click.ParamType):
    name = "编号"

    def convert(self, value: Any, param: Any, ctx: Any) -> frozenset[str]:
        if isinstance(value, frozenset):
            return value
        import unicodedata

        text = unicodedata.normalize("NFKC", str(value))
        codes = {c.strip().upper() for c in re.split(r"[,、\s]+", text) if c.strip()}
        return frozenset(codes or {"ALL"})  # checked against the form's codes once it is loaded


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@click.option(
    "--year", type=click.IntRange(2000, 2100), metavar="年份", help="本次收集的报告年度；用错年度模板的报 H3 错误。"
)
@click.option(
    "--period",
    metavar="报告期",
    help="本次收集的报告期（按季度、半年或月份报送的表单），如 2025Q1；用错报告期模板的报 H3 错误。",
)
@roster_option("全县报送单位名单；不在名单中的单位报 H7 错误。")
@previous_option(
    "上一年度的报送文件（按单位匹配，旧版本模板也可以），用于跨年度检查（年度报告为 B5、D2、D3、F8）；可多次使用。"
)
@click.option(
    "--strict",
    "strict",
    type=_StrictCodes(),
    is_flag=False,
    flag_value="ALL",
    default=frozenset(),
    metavar="编号",
    help="把警告当作错误：单独写 --strict 表示所有未说明的警告；也可列出本表单的编号，如年度报告的 --strict B6,D4。单位已在“情况说明”中说明的警告不受影响。",
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（供程序使用）。")
@problem_list_option(
    "把所有问题写成一张表（每个问题一行）：.xlsx 为 Excel 表，.csv 为逗号分隔的文本（UTF-8，Excel/WPS 可直接打开）。"
)
@click.option(
    "--annotate",
    type=click.Path(path_type=Path, file_okay=False),
    metavar="文件夹",
    help="为有问题的文件各生成一份标注副本（问题单元格标红并加批注，最前面加“问题清单”），原文件不动。",
)
@click.option(
    "--current",
    is_flag=True,
    help="只校验报送工作文件夹（xltool init 创建）中各单位的当前版本，按单位名称列出（不列旧版本和存储文件名）。",
)
@click.option("--force", is_flag=True, help="允许覆盖已存在的问题清单文件（--out）。")
@form_option
@handle_errors
def verify(
    paths: tuple[Path, ...],
    year: int | None,
    period: str | None,
    roster: Path | None,
    previous: tuple[Path, ...],
    strict: frozenset[str],
    as_json: bool,
    out: Path | None,
    annotate: Path | None,
    current: bool,
    force: bool,
    form_spec: str | None,
) -> None:
    """校验各单位报送的模板，用中文逐格指出问题和修改方法。

    PATHS 可以是文件或文件夹（递归查找其中的表格文件）。所有问题一次列出：每个问题给出编号（A1…H8，含义可用 xltool rules 查看）、工作表、单元格、行列名称、填写值和修改建议。

    \b
    退出状态：0 = 没有错误（可以有警告）；1 = 有文件存在错误；2 = 命令用法错误。

    \b
    示例：
      xltool verify 收到的报表/ --year 2025 --roster 名单.xlsx
      xltool verify 安棚镇.xlsx --previous 2024年报表/ --strict B6,D4
      xltool verify 收到的报表/ --out 问题清单.xlsx --annotate 标注/
      xltool verify 收到的报表/ --json > 结果.json
      xltool verify 2025年报 --current --out 当前版本问题清单.xlsx
      xltool verify 收到的报表/ --period 2025Q1 --form 季报.toml
    """
    import json

    from xltool.app.verify import VerifyRequest, verify_returns

    request = VerifyRequest(paths, year, roster, previous, strict, out, annotate, force, form_spec, current,
                            period or "")  # fmt: skip
    # --json: one document at the end, a progress bar meanwhile; else each file's verdict when known
    with TerminalProgress("读取文件", more_than=3, shown=as_json) as progress:
        done = verify_returns(request, progress, None if as_json else _print_file)
    if as_json:
        click.echo(json.dumps(done.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_summary(done.result)
        if out:
            click.echo(f"问题清单已写入：{out}")
        if annotate:
            click.echo(f"已生成 {len(done.annotated)} 份标注副本：{annotate}")
    sys.exit(0 if done.ok else 1)


BLANK_LINES_FROM = 10  # more blanks than this in one file: one line per sheet (the full list: --out, --json)


def _print_file(f: Any, form: Any, name: str) -> None:
    click.secho(f"\n{name}（{f.unit or '未知单位'}{f'，{f.year} 年度' if f.year else ''}）", bold=True)
    # A blank is the form's own blank rule (the built-in A1 unless the form names another) or an
    # empty required text; many of them are a template nobody filled, shown per sheet.
    blank_rules = {form.filled_rule.id, "A1-text"}
    blanks = [p for p in f.problems if p.rule in blank_rules and p.sheet]
    grouped = len(blanks) > BLANK_LINES_FROM
    if grouped:
        for line in _blank_lines(blanks, everything=len(blanks) == len(f.problems)):
            click.secho("  " + line, fg="red")
    for p in f.problems:
        if not (grouped and p.rule in blank_rules and p.sheet):
            click.secho("  " + p.line(), fg="red" if p.is_error else "yellow")
    verdict = "通过" if not f.problems else f"{f.errors} 个错误、{f.warnings} 个警告"
    click.secho(f"  结论：{verdict}", fg="green" if f.valid else "red")


def _blank_lines(blanks: list[Any], *, everything: bool) -> list[str]:
    """A blank or nearly blank return in a few lines: how many cells of each sheet are empty."""
    by_sheet: dict[tuple[str, str], list[str]] = {}
    for p in blanks:
        by_sheet.setdefault((p.code, p.sheet), []).append(p.cell or "")
    head = "这是尚未填写的模板：" if everything else "有大量单元格未填写："
    lines = [f"{head}共 {len(blanks)} 个单元格未填写（逐格清单见 --out 或 --json）。"]
    for (code, sheet), cells in by_sheet.items():
        shown = "、".join(cells[:3]) + ("等" if len(cells) > 3 else "")
        lines.append(f"【{code}】工作表“{sheet}”：{len(cells)} 个单元格未填写（{shown}）")
    return lines


def _print_summary(result: Any) -> None:
    for note in result.notes:
        click.secho(f"\n注意：{note}", fg="yellow")
    s = result.summary()
    click.secho(
        f"\n共 {s['files']} 个文件：{s['valid']} 个没有错误，{s['invalid']} 个有错误；合计 {s['errors']} 个错误、{s['warnings']} 个警告。",
        bold=True,
    )
