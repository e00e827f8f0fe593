"""The `xltool` command line: parse options, call the library, render results, set exit codes.

Known failures (XltoolError) print one Chinese line and exit 1; anything else is a bug and prints a
one-line request to report it (traceback only with --debug). Usage errors exit 2 (click).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__, cli_zh
from .errors import XltoolError

cli_zh.install()

F = TypeVar("F", bound=Callable[..., Any])
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def handle_errors(func: F) -> F:
    """Turn library errors into a Chinese line and an exit code; tracebacks only with --debug."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = bool(click.get_current_context().find_root().params.get("debug"))
        try:
            return func(*args, **kwargs)
        except XltoolError as err:
            if debug:
                raise
            click.secho(f"错误：{err}", fg="red", err=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except BrokenPipeError:  # output piped into `head`: the reader left, nothing to report
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except Exception as err:  # noqa: BLE001 - the last line of defence for users
            if debug:
                raise
            click.secho(
                f"程序内部错误（{type(err).__name__}）。请加 --debug 重新运行，并把输出和所用文件发给技术支持人员。",
                fg="red",
                err=True,
            )
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="xltool")
@click.option("--debug", is_flag=True, help="出错时显示详细的技术信息（供技术人员排查）。")
def main(debug: bool) -> None:
    """xltool：政府信息公开工作年度报告的模板生成、校验与成文工具。

    \b
    常用命令：
      xltool template   生成锁定的 Excel 填报模板（单个单位或整个名单）
      xltool verify     校验各单位报送的模板，逐格指出问题和修改方法
      xltool report     由报表生成年度报告（Word 公文格式、网页、Markdown、PDF）
      xltool rules      列出全部检查规则及其编号
      xltool demo       用自带样例演示完整流程

    每个命令都可以加 -h 查看说明和示例。
    """


def _progress(items: list[Any], label: str) -> Any:
    """A progress bar on a terminal (stderr), nothing when output is piped."""
    return (
        click.progressbar(items, label=label, file=sys.stderr, show_pos=True)
        if sys.stderr.isatty() and len(items) > 3
        else _Quiet(items)
    )


class _Quiet:
    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def __enter__(self) -> list[Any]:
        return self.items

    def __exit__(self, *exc: object) -> None:
        return None


@main.command(context_settings=CONTEXT)
@click.option(
    "-o",
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    metavar="路径",
    help="输出文件（单个单位，.xlsx）或输出文件夹（配合 --roster）。",
)
@click.option(
    "--year",
    required=True,
    type=click.IntRange(2000, 2100),
    metavar="年份",
    help="报告年度，如 2025。",
)
@click.option("--unit", metavar="名称", help="单位全称，如“桐柏县安棚镇人民政府”（单个单位时使用）。")
@click.option("--unit-type", metavar="类型", help="单位类型：乡镇、街道、部门或其他；不填时按名称推断。")
@click.option(
    "--roster",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="名单文件",
    help="全县报送单位名单（.xlsx 或 .csv，列：单位名称、单位类型、联系邮箱、联系人）。",
)
@click.option(
    "--password",
    default="",
    metavar="密码",
    help="工作表保护密码；不设时任何人都可在菜单中撤销保护。",
)
@click.option("--force", is_flag=True, help="覆盖已存在的同名文件。")
@handle_errors
def template(
    out: Path,
    year: int,
    unit: str | None,
    unit_type: str | None,
    roster: Path | None,
    password: str,
    force: bool,
) -> None:
    """生成锁定的 Excel 填报模板。

    模板只开放浅黄色的填写单元格，带数据有效性、自动计算的总计和实时校验，
    各单位用 WPS、Excel 或 LibreOffice 填写后通过邮件报送。

    \b
    示例：
      xltool template -o 安棚镇.xlsx --year 2025 --unit 桐柏县安棚镇人民政府 --unit-type 乡镇
      xltool template --roster 名单.xlsx -o 模板/ --year 2025 --password 2025gk
    """
    from .form import load_form
    from .roster import load_roster
    from .template import UnitInfo, guess_unit_type, template_filename, write_roster_templates, write_template

    if bool(unit) == bool(roster):
        raise click.UsageError("请指定 --unit（单个单位）或 --roster（名单），二者选一。")
    form = load_form()
    if unit is not None and not unit.strip():
        raise click.UsageError("--unit 不能为空，请填写单位全称。")
    if unit:
        target = out / template_filename(unit, year) if out.is_dir() else out
        if target.suffix.lower() != ".xlsx":
            raise XltoolError(f"输出文件应以 .xlsx 结尾：{target}")
        _refuse_overwrite([target], force)
        info = UnitInfo(unit.strip(), unit_type or guess_unit_type(unit), year)
        result = write_template(form, info, target, password=password)
        click.echo(f"已生成模板：{result.path}（{info.name}，{info.unit_type}，{year} 年度）")
        return
    assert roster is not None
    units = list(load_roster(roster))
    if out.exists() and not out.is_dir():
        raise XltoolError(f"使用 --roster 时 -o 应为文件夹：{out}")
    _refuse_overwrite([out / template_filename(u.name, year) for u in units], force)
    with _progress(units, "生成模板") as bar:
        step = getattr(bar, "update", None)
        write_roster_templates(
            form, units, out, year, password=password, progress=(lambda _name: step(1)) if step else None
        )
    click.echo(f"已为名单中的 {len(units)} 个单位生成 {year} 年度模板，保存在：{out}")


def _refuse_overwrite(paths: list[Path], force: bool) -> None:
    existing = [p for p in paths if p.exists()]
    if existing and not force:
        more = f"等 {len(existing)} 个文件" if len(existing) > 1 else ""
        raise XltoolError(f"文件已存在：{existing[0]}{more}。如确需覆盖，请加 --force。")


@main.command(context_settings=CONTEXT)
@click.option(
    "-o",
    "--out",
    "out",
    default=Path("out/demo"),
    show_default=True,
    type=click.Path(path_type=Path, file_okay=False),
    metavar="文件夹",
    help="演示输出文件夹。",
)
@handle_errors
def demo(out: Path) -> None:
    """用自带样例演示县级工作流程（make demo 调用）。

    \b
    目前包括：
      1. 按 samples/roster.xlsx（桐柏县报送单位名单）为每个单位生成锁定模板；
      2. 校验 samples/returns 和 samples/flawed 中的报表，写出问题清单和标注副本。

    \b
    示例：
      xltool demo -o out/demo
    """
    from .demo import run_demo

    for line in run_demo(SAMPLES, out):
        click.echo(line)


class _StrictCodes(click.ParamType):
    name = "编号"

    def convert(self, value: Any, param: Any, ctx: Any) -> frozenset[str]:
        if isinstance(value, frozenset):
            return value
        import unicodedata

        text = unicodedata.normalize("NFKC", str(value))
        codes = {c.strip().upper() for c in re.split(r"[,、\s]+", text) if c.strip()}
        unknown = sorted(c for c in codes if c != "ALL" and not re.fullmatch(r"[A-H]\d{1,2}", c))
        if unknown:
            self.fail(f"未知的检查编号：{'、'.join(unknown)}（应为 A1…H8 这样的编号，用逗号分隔）", param, ctx)
        return frozenset(codes or {"ALL"})


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True))
@click.option(
    "--year", type=click.IntRange(2000, 2100), metavar="年份", help="本次收集的报告年度；用错年度模板的报 H3 错误。"
)
@click.option(
    "--roster",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    metavar="名单文件",
    help="全县报送单位名单；不在名单中的单位报 H7 错误。",
)
@click.option(
    "--previous",
    multiple=True,
    type=click.Path(path_type=Path, exists=True),
    metavar="文件或文件夹",
    help="上一年度的报送文件（按单位匹配），用于 B5、D2、D3、F8 跨年度检查；可多次使用。",
)
@click.option(
    "--strict",
    "strict",
    type=_StrictCodes(),
    is_flag=False,
    flag_value="ALL",
    default=frozenset(),
    metavar="编号",
    help="把警告当作错误：单独写 --strict 表示所有未说明的警告；也可列出编号，如 --strict B6,D4。单位已在“情况说明”中说明的警告不受影响。",
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（供程序使用）。")
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="问题清单.xlsx",
    help="把所有问题写成一张 Excel 表（每个问题一行）。",
)
@click.option(
    "--annotate",
    type=click.Path(path_type=Path, file_okay=False),
    metavar="文件夹",
    help="为有问题的文件各生成一份标注副本（问题单元格标红并加批注，最前面加“问题清单”），原文件不动。",
)
@click.option("--force", is_flag=True, help="允许覆盖已存在的问题清单文件（--out）。")
@handle_errors
def verify(
    paths: tuple[Path, ...],
    year: int | None,
    roster: Path | None,
    previous: tuple[Path, ...],
    strict: frozenset[str],
    as_json: bool,
    out: Path | None,
    annotate: Path | None,
    force: bool,
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
    """
    import json

    from .form import load_form
    from .roster import load_roster
    from .verify import VerifyOptions, collect_paths
    from .verify import verify as run

    form = load_form()
    files = collect_paths(paths)
    if not files:
        raise XltoolError("在给定的文件夹中没有找到表格文件（.xlsx）。")
    if out is not None:
        if out.resolve() in {f.resolve() for f in files}:
            raise XltoolError(f"问题清单不能写到被校验的报表上：{out}。请换一个文件名。")
        _refuse_overwrite([out], force)
    options = VerifyOptions(year=year, roster=load_roster(roster) if roster else None, previous=previous, strict=strict)
    with _progress(files, "读取文件") as bar:
        iterator = iter(bar)
        result = run(files, form, options, progress=lambda _p: next(iterator, None))
    if out:
        from .problem_files import write_problem_list

        write_problem_list(result, out)
    annotated = []
    if annotate:
        from .problem_files import annotate_copies

        annotated = annotate_copies(result, annotate)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_verify(result)
        if out:
            click.echo(f"问题清单已写入：{out}")
        if annotate:
            click.echo(f"已生成 {len(annotated)} 份标注副本：{annotate}")
    sys.exit(0 if result.ok else 1)


def _print_verify(result: Any) -> None:
    for f in result.files:
        click.secho(f"\n{f.path}（{f.unit or '未知单位'}{f'，{f.year} 年度' if f.year else ''}）", bold=True)
        for p in f.problems:
            click.secho("  " + p.line(), fg="red" if p.is_error else "yellow")
        verdict = "通过" if not f.problems else f"{f.errors} 个错误、{f.warnings} 个警告"
        click.secho(f"  结论：{verdict}", fg="green" if f.valid else "red")
    for note in result.notes:
        click.secho(f"\n注意：{note}", fg="yellow")
    s = result.summary()
    click.secho(
        f"\n共 {s['files']} 个文件：{s['valid']} 个没有错误，{s['invalid']} 个有错误；合计 {s['errors']} 个错误、{s['warnings']} 个警告。",
        bold=True,
    )


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
@click.option("--force", is_flag=True, help="报表有错误时也生成报告（不建议用于正式发布）。")
@handle_errors
def report(source: Path, out: Path, fmt: str | None, force: bool) -> None:
    """根据报表生成政府信息公开工作年度报告（公文格式 Word、网页、Markdown 或 PDF）。

    先完整校验报表并检查报告文字（E1、E3、E4、F1–F4、F6、F7、F9）；有错误时不生成，
    列出全部问题（加 --force 可强制生成）。报表中留空的“依申请公开”和“信息处理费”
    段落按表格数据自动成文，文字中的数字与表格一致。

    \b
    示例：
      xltool report 安棚镇.xlsx -o 安棚镇2025年报.docx
      xltool report 安棚镇.xlsx -o 安棚镇2025年报.html
      xltool report 安棚镇.xlsx -o 安棚镇2025年报.pdf
    """
    from .form import load_form
    from .render import ReportRefused, render_report

    if out.resolve() == source.resolve():
        raise XltoolError("输出文件不能与报表文件相同。")
    try:
        result = render_report(load_form(), source, out, fmt, force=force)
    except ReportRefused as refused:
        click.secho(f"错误：{refused}", fg="red", err=True)
        for p in refused.problems:
            click.secho("  " + p.line(), fg="red" if p.is_error else "yellow", err=True)
        sys.exit(1)
    for p in result.problems:
        click.secho("  " + p.line(), fg="red" if p.is_error else "yellow")
    click.echo(f"已生成报告：{result.path}")


@main.command(context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（供程序使用）。")
@handle_errors
def rules(as_json: bool) -> None:
    """列出全部检查规则：编号、级别、检查内容和修改方法（verify 和 report 报告的编号即此表）。

    \b
    示例：
      xltool rules
      xltool rules --json > 规则.json
    """
    import json

    from .form import load_form
    from .problems import SEVERITY_ZH

    form = load_form()
    seen: dict[str, Any] = {}
    for r in form.rules:  # one line per rule id; several ids may share a code (H1 has one per file type)
        seen.setdefault(r.id, r)
    # Fixes are templates filled per problem ("请填写 {template_year}"); here the blanks read as "…".
    fix = lambda text: re.sub(r"\{[^}]*\}", "…", text)  # noqa: E731
    rows = [
        {"code": r.code, "id": r.id, "severity": r.severity, "title": r.title, "fix": fix(r.fix)} for r in seen.values()
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in sorted(rows, key=lambda x: (x["code"][0], int(x["code"][1:]), x["id"])):
        click.echo(f"【{row['code']}】{SEVERITY_ZH[row['severity']]}  {row['title']}：{row['fix']}")
