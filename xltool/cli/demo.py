"""`xltool demo`: the county cycle on the bundled samples."""

from __future__ import annotations

from pathlib import Path

import click

from xltool.cli.main import CONTEXT, SAMPLES, handle_errors, main


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
    依次演示八步：
      1. 按 samples/roster.xlsx（桐柏县报送单位名单）创建报送工作文件夹，为每个单位生成锁定模板；
      2. 从 samples/mail/returns.mbox 收取各单位的报表，登记并校验每个版本；
      3. 为每个单位起草回复邮件（.eml）；
      4. 报送情况一览（网页和打印用清单）；
      5. 全县汇总表；
      6. 为每个单位的当前报表生成年度报告；
      7. 校验 samples/returns 和 samples/flawed 中的报表，写出问题清单和标注副本；
      8. 由样例报表生成年度报告（Word、网页、Markdown）。

    \b
    示例：
      xltool demo -o out/demo
    """
    from xltool.demo import run_demo

    for line in run_demo(SAMPLES, out):
        click.echo(line)
