"""The `xltool` command line: parse options, call the library, render results, set exit codes.

Known failures (XltoolError) print one Chinese line and exit 1; anything else is a bug and prints a
one-line request to report it (traceback only with --debug). Usage errors exit 2 (click).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from xltool import __version__
from xltool.app.errors import FormMismatch, UsageProblem
from xltool.cli import zh as cli_zh
from xltool.errors import XltoolError

cli_zh.install()


def tolerate_console_encoding() -> None:
    """A Chinese Windows console is GBK (code page 936): a file or unit name with "↵" or an emoji
    must print as "?" there, not end the command with UnicodeEncodeError. UTF-8 streams are left as
    they are; so are streams that cannot be reconfigured (a test runner's capture)."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        if encoding not in ("utf8", "utf8sig") and hasattr(stream, "reconfigure"):
            with contextlib.suppress(ValueError, OSError):  # a detached or closed stream
                stream.reconfigure(errors="replace")


tolerate_console_encoding()

F = TypeVar("F", bound=Callable[..., Any])
SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def handle_errors(func: F) -> F:
    """Turn library errors into a Chinese line and an exit code; tracebacks only with --debug."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = bool(click.get_current_context().find_root().params.get("debug"))
        try:
            return func(*args, **kwargs)
        except FormMismatch as err:
            raise OneLineUsageError(str(err)) from None
        except UsageProblem as err:  # said by click with the command's usage, exit 2
            if err.option:
                raise click.BadParameter(str(err), param_hint=err.option) from None
            raise click.UsageError(str(err)) from None
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
    """xltool：按表单定义生成 Excel 填报模板，收集、校验、汇总各单位的报表并写成报告。

    表单（form.toml）规定表格、校验规则和报告（默认为自带的政府信息公开工作年度报告；
    xltool forms 列出自带表单，各命令用 --form 指定其他表单）。

    \b
    常用命令：
      xltool init       创建一次报送工作的文件夹（名单、模板、登记簿）
      xltool template   生成锁定的 Excel 填报模板（单个单位或整个名单）
      xltool collect    从邮箱收取各单位的报表，登记每个版本并校验
      xltool versions   列出一个单位报表的各个版本：设为当前版本、作废或移交给真正报送的单位
      xltool reply      给各单位起草或发送回复（结论、问题清单、标注的报表）
      xltool distribute 给各单位下发通知和填报模板（起草或发送）
      xltool remind     给未报送、待修改的单位发催报邮件（起草或发送）
      xltool status     各单位报送情况一览：谁未报、谁要改、谁已通过（表格、网页）
      xltool aggregate  汇总全县数据，写成汇总表（表单的表格格式、各单位数据、图表、来源）
      xltool verify     校验各单位报送的模板，逐格指出问题和修改方法
      xltool report     由报表生成报告（Word 公文格式、网页、Markdown、PDF）
      xltool import     把已发布的报告（Word、网页、PDF、文本）导入为报表
      xltool audit      按表单的格式和规则检查已发布的报告，指出问题所在的部分和表格行列
      xltool rules      列出全部检查规则及其编号（内置规则和表单规则）
      xltool forms      列出自带的表单定义（各命令用 --form 指定其他表单）
      xltool serve      在浏览器中办理报送工作（本机网页控制台：总览、单位、拖入报表）
      xltool demo       用自带样例演示完整流程

    每个命令都可以加 -h 查看说明和示例。
    """


class TerminalProgress:
    """The command line's ``Progress``: on a terminal, a bar on stderr when the total is known (and
    more than ``more_than``), else a count of messages on one line; nothing when stderr is piped or
    ``shown`` is False (a --json run's own choice)."""

    def __init__(self, label: str, *, more_than: int = 0, shown: bool = True) -> None:
        self.label, self.more_than, self.n = label, more_than, 0
        self.shown = shown and sys.stderr.isatty()
        self.bar: Any = None
        self.counting = False

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
        elif self.counting and self.n:
            click.echo("", err=True)

    def total(self, n: int | None) -> None:
        if not self.shown:
            return
        if n is None:  # a mailbox's size is not known in advance
            self.counting = True
        elif n > self.more_than:
            self.bar = click.progressbar(length=n, label=self.label, file=sys.stderr, show_pos=True).__enter__()

    def step(self, text: str = "") -> None:
        self.n += 1
        if self.bar is not None:
            self.bar.update(1)
        elif self.counting:
            click.echo(f"\r{self.label}：已处理 {self.n} 封", nl=False, err=True)


def out_option(
    metavar: str, help: str, *, short: bool = True, required: bool = True, dir_okay: bool = True
) -> Callable[[F], F]:
    """``-o/--out`` (``short=False``: ``--out`` alone): where a command writes."""
    names = ("-o", "--out", "out") if short else ("--out", "out")
    kind = click.Path(path_type=Path, dir_okay=dir_okay)
    return click.option(*names, required=required, type=kind, metavar=metavar, help=help)


def problem_list_option(help: str) -> Callable[[F], F]:
    """``--out``: every problem as a table a person opens in Excel."""
    return out_option("问题清单.xlsx", help, short=False, required=False, dir_okay=False)


def roster_option(help: str, *, required: bool = False, exists: bool = True) -> Callable[[F], F]:
    """``--roster``: the county's roster of units (.xlsx or .csv)."""
    kind = click.Path(path_type=Path, dir_okay=False, exists=exists)
    return click.option("--roster", required=required, type=kind, metavar="名单文件", help=help)


def previous_option(help: str) -> Callable[[F], F]:
    """``--previous`` (repeatable): last year's returns or reports, for the form's cross-year rules."""
    kind = click.Path(path_type=Path, exists=True)
    return click.option("--previous", multiple=True, type=kind, metavar="文件或文件夹", help=help)


def form_option(func: F) -> F:
    """``--form PATH|ID`` (default: the shipped annual report), shared by every command."""
    return click.option(
        "--form",
        "form_spec",
        metavar="表单",
        help="表单定义：form.toml 文件、其所在文件夹或自带表单的编号（xltool forms 列出）；默认为政府信息公开工作年度报告。",
    )(func)


def load_form_option(spec: str | None) -> Any:
    """The form named by --form, loaded and checked (FormDefinitionError says what is wrong)."""
    from xltool.app.forms import load_form_spec

    return load_form_spec(spec)


class OneLineUsageError(click.ClickException):
    """A usage error said in one line (exit 2), without click's usage lines above it."""

    exit_code = 2
