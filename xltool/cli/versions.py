"""`xltool versions`: every version of a unit's return, and the clerk's decisions on them."""

from __future__ import annotations

import json
from pathlib import Path

import click

from xltool.cli.main import CONTEXT, handle_errors, main

FOLDER = click.Path(path_type=Path, file_okay=False, exists=True)


@main.command(context_settings=CONTEXT)
@click.argument("folder", type=FOLDER, metavar="文件夹")
@click.argument("unit", metavar="单位")
@click.option("--use", type=int, metavar="N", help="把第 N 版设为当前版本（也用于确认待核实的版本、恢复作废的版本）。")
@click.option("--void", type=int, metavar="N", help="作废第 N 版：保留文件和记录，但不再计入。")
@click.option("--move", type=int, metavar="N", help="把第 N 版移交给 --to 指定的单位（真正报送它的单位）。")
@click.option("--to", metavar="单位", help="与 --move 一起使用：接收这个版本的单位。")
@click.option("--reason", default="", metavar="文字", help="处理的理由（--use、--void、--move 必填，记入登记簿）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（供其他程序使用）。")
@handle_errors
def versions(
    folder: Path,
    unit: str,
    use: int | None,
    void: int | None,
    move: int | None,
    to: str | None,
    reason: str,
    as_json: bool,
) -> None:
    """列出一个单位报表的所有版本，由经办人决定以哪个版本为准。

    每个版本一行：版本号、收到时间、发件人、文件、校验结论、是否当前版本、是否作废、
    待核实的原因（发件邮箱与报表中的单位不符、用了其他单位的模板、与其他单位的文件相同）。
    --use、--void、--move 的每次处理都连同时间和理由记入登记簿，可以用下一次处理撤销；
    报送情况、汇总、回复和报告都以处理后的当前版本为准。

    \b
    示例：
      xltool versions 2025年报 城关镇人民政府
      xltool versions 2025年报 城关镇人民政府 --void 2 --reason 误发的旧稿
      xltool versions 2025年报 城关镇人民政府 --use 1 --reason 已电话核实
      xltool versions 2025年报 城关镇人民政府 --move 2 --to 月河镇人民政府 --reason 月河镇借用城关镇邮箱报送
      xltool versions 2025年报 城关镇人民政府 --json
    """
    from xltool.app.versions import versions_in

    result = versions_in(folder, unit, use=use, void=void, move=move, to=to, reason=reason)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    for line in result.lines():
        click.echo(line)
