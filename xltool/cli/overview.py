"""`xltool status` and `xltool aggregate`: the county's overview — who to call, and the totals."""

from __future__ import annotations

import functools
import json
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from xltool.cli.campaign import _date
from xltool.cli.main import CONTEXT, form_option, handle_errors, main, roster_option

if TYPE_CHECKING:
    from xltool.app.overview import StatusSource

FOLDER = click.Path(path_type=Path, file_okay=False, exists=True)
SOURCE_PARAMS = ("folder", "returns", "roster", "year", "county", "deadline", "form_spec")  # StatusSource's
STANDING_COLOUR = {"missing": "red", "unchecked": "bright_black", "fix": "red", "warn": "yellow", "pass": "green"}


def _sources(func: Any) -> Any:
    """The options both commands share (a campaign folder, or a folder of returns with a roster),
    handed to the command as one ``StatusSource``."""

    @functools.wraps(func)
    def with_source(**params: Any) -> Any:
        from xltool.app.overview import StatusSource

        return func(StatusSource(**{k: params.pop(k) for k in SOURCE_PARAMS}), **params)

    for decorator in reversed(
        [
            click.argument("folder", type=FOLDER, required=False, metavar="[文件夹]"),
            click.option(
                "--returns",
                type=FOLDER,
                metavar="文件夹",
                help="不用 xltool collect 收集时：存放各单位报表的文件夹（按报表中的单位与名单对应）。",
            ),
            roster_option("与 --returns 一起使用：全县报送单位名单（.xlsx 或 .csv）。"),
            click.option(
                "--year",
                type=click.IntRange(2000, 2100),
                metavar="年份",
                help="与 --returns 一起使用：报告年度（不填则取多数报表的年度）。",
            ),
            click.option(
                "--county", default="", metavar="名称", help="与 --returns 一起使用：县（市、区）名称，用于标题。"
            ),
            click.option(
                "--deadline",
                callback=_date,
                metavar="日期",
                help="报送截止日期，如 2026-01-31（默认取报送工作设置中的日期）。",
            ),
            form_option,
        ]
    ):
        with_source = decorator(with_source)
    return with_source


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


@main.command(context_settings=CONTEXT)
@_sources
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（供其他程序使用）。")
@click.option("--xlsx", "xlsx_out", type=click.Path(path_type=Path, dir_okay=False), metavar="文件.xlsx",
              help="写一份可打印的报送情况表（A4，每页重复表头）。")  # fmt: skip
@click.option("--html", "html_out", type=click.Path(path_type=Path, dir_okay=False), metavar="文件.html",
              help="写一个报送情况网页（含图表，可离线打开或随通知发送）。")  # fmt: skip
@click.option("--force", is_flag=True, help="允许覆盖已存在的 --xlsx、--html 文件。")
@click.option("--quality", is_flag=True, help="列出与同类单位或与上年相比相差悬殊的数字（G1、G2），最离群的在前。")
@handle_errors
def status(
    source: StatusSource,
    as_json: bool,
    xlsx_out: Path | None,
    html_out: Path | None,
    force: bool,
    quality: bool,
) -> None:
    """各单位报送情况一览：谁还没报、谁要修改、谁已通过。

    名单中每个单位一行：未报送 / 待修改 / 有警告 / 已通过，当前版本的收到时间、版本数、
    距截止日期的天数或逾期天数、联系人和邮箱、回复情况。需要联系的单位排在前面。
    同一单位的重复报表、名单以外单位的报表单独列出。

    \b
    示例：
      xltool status 2025年报
      xltool status 2025年报 --xlsx 报送情况.xlsx --html 报送情况.html
      xltool status --returns 收到的报表/ --roster 名单.xlsx --deadline 2026-01-31
      xltool status 2025年报 --json > 报送情况.json
      xltool status 2025年报 --quality
    """
    from xltool.app import overview as app

    if quality:
        _print_quality(app.data_quality(source), as_json)
        return

    done = app.status(source, xlsx_out, html_out, force=force)
    if as_json:
        click.echo(json.dumps(done.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_status(done.status)
    for path in done.written:
        click.echo(f"已写入：{path}")


def _print_quality(result: Any, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    click.secho(result.title, bold=True)
    for row in result.rows:
        click.echo(f"【{row.code}】{row.unit}  {row.label}  {row.value}  （{row.compared_zh()}）")
    click.echo(f"共 {len(result.rows)} 处（{result.units} 个单位的当前报表）。")
    for note in result.notes:
        click.echo(note)


def _print_status(result: Any) -> None:
    from xltool.campaign.register import STANDING_ZH
    from xltool.campaign.status import local_time

    click.secho(result.title, bold=True)
    areas = result.areas  # a city's campaign of counties: 县（市、区）, and how many units each sums
    header = [
        "状态",
        areas.noun,
        *(["汇总单位数"] if areas.areas else []),
        "收到时间",
        "版本",
        "期限",
        "联系人",
        "联系邮箱",
    ]
    if result.mode == "campaign":
        header.append("回复")
    header.append("问题")
    lines = []
    for row in result.rows:
        s = row.status
        held = "（待核实）" if s.current is not None and s.current.held else ""
        cells = [STANDING_ZH[row.standing] + ("*" if row.duplicate else "") + held, row.name,
                 *([str(areas.sums.get(row.name, ""))] if areas.areas else []),
                 local_time(s.current.received) if s.current else "", str(s.versions or ""), row.timing_zh(),
                 s.unit.contact, s.unit.email or "（无邮箱）"]  # fmt: skip
        if result.mode == "campaign":
            cells.append(row.reply_zh())
        cells.append("、".join(row.codes))
        lines.append((row.standing, cells))
    widths = [max(_width(c) for c in column) for column in zip(header, *(c for _, c in lines), strict=True)]
    click.echo("  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip())
    for standing, cells in lines:
        text = "  ".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)).rstrip()
        click.secho(text, fg=STANDING_COLOUR[standing])
    counts = "，".join(f"{STANDING_ZH[k]} {n} 个" for k, n in result.counts().items() if n or k != "unchecked")
    click.secho(f"\n名单共 {len(result.rows)} 个{areas.noun}：{counts}。", bold=True)
    if result.duplicates:
        click.secho("\n重复报送（标 * 的单位）：", fg="yellow", bold=True)
        for d in result.duplicates:
            click.secho(f"  {d.unit}：{d.note}", fg="yellow")
            for f in d.files:
                click.echo(f"    {f}")
    if result.strays:
        click.secho("\n名单外或无法识别单位的报表：", fg="yellow", bold=True)
        for s in result.strays:
            who = f"（报表中的单位：{s.unit}）" if s.unit else ""
            click.secho(f"  {s.file}{who}：{s.reason}", fg="yellow")
    if result.reviews:
        click.secho("\n待核实（由经办人决定以哪个版本为准）：", fg="yellow", bold=True)
        for r in result.reviews:
            click.secho(f"  {r.unit} 第 {r.version} 版：{r.note}（发件人 {r.sender}）", fg="yellow")
            click.echo(f"    {r.todo()}")


@main.command(context_settings=CONTEXT)
@_sources
@click.option("-o", "--out", "out", type=click.Path(path_type=Path, dir_okay=False),
              metavar="全县汇总.xlsx", help="汇总表的文件名。")  # fmt: skip
@click.option("--as-return", "as_return", type=click.Path(path_type=Path, dir_okay=False), metavar="县汇总.xlsx",
              help="把全县汇总数写成一份本表单的报表（上报市级，可由市级像单位报表一样收取、校验和汇总）。")  # fmt: skip
@click.option("--unit", "county_unit", metavar="单位名称",
              help="与 --as-return 一起使用：县政府（办公室）在名单中的单位名称，汇总报表的联系人和文字取自其报表"
                   "（不填则取名单中回复落款所指的单位）。")  # fmt: skip
@click.option("--force", is_flag=True, help="允许覆盖已存在的汇总表。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（供其他程序使用）。")
@handle_errors
def aggregate(
    source: StatusSource,
    out: Path | None,
    as_return: Path | None,
    county_unit: str | None,
    force: bool,
    as_json: bool,
) -> None:
    """汇总全县数据：把各单位通过校验的当前报表逐格汇总，写成一份汇总表。

    数字逐格相加（表单写明 aggregate = "mean" 的取填写单位的平均值）；合计、比率等公式单元格由汇总后的数重新计算，
    不把各单位的比率相加；固定值、文字、日期不相加（表格中的选项写明各选项的单位数）。

    只汇总没有错误的当前版本（有警告的也汇总）；未报送、有错误、重复报送的单位不汇总，
    并在汇总表的“未汇总单位”工作表和屏幕上写明原因。汇总数再按表单的全部规则校验一遍。
    汇总表含：全县汇总（表单的表格格式）、各单位数据（每个单位一列，A4 一页宽打印；有警告的数值标黄并加批注）、
    图表（表单标明了相应数字时）、未汇总单位、来源（每份报表的文件、版本、SHA-256 和收到时间）。
    各工作表均已保护，防止误改。

    --as-return 把汇总数写成一份本表单的报表（汇总报表）：单位为本县，隐藏信息注明层级（县；
    汇总各县的汇总报表时为市）和来源（各单位报表的版本和 SHA-256），每个数字的批注列出其来源单位；
    表单规定了全县段落的文字栏目写入该段落，表单按数字自动成文的栏目按汇总数成文；联系人等其他文字
    取自县政府办公室的当前报表：--unit 指定的单位，不指定时取名单中回复落款所指的单位（如
    “桐柏县人民政府办公室（政务公开办）”中的桐柏县人民政府办公室）。仍无法得出的文字逐一列出单元格，
    补写后再上报。汇总报表按表单完整校验，可由市级报送工作像单位报表一样收取和汇总。

    \b
    退出状态：0 = 汇总完成；1 = 出错，或汇总数不符合规则（程序缺陷，汇总表中有醒目提示）。

    \b
    示例：
      xltool aggregate 2025年报 -o 桐柏县2025年汇总.xlsx
      xltool aggregate --returns 收到的报表/ --roster 名单.xlsx -o 全县汇总.xlsx
      xltool aggregate 2025年报 --as-return 桐柏县2025年汇总报表.xlsx
      xltool aggregate 2025年报 --as-return 桐柏县2025年汇总报表.xlsx --unit 桐柏县人民政府办公室
    """
    import sys

    from xltool.app.rollup import aggregate as run_aggregate
    from xltool.app.wording import aggregate_counted, applications_line

    result = run_aggregate(source, out, as_return, unit=county_unit, force=force)
    done = result.done
    summed = done.summed
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.secho(summed.title, bold=True)
        click.echo(aggregate_counted(summed, len(done.status.rows)))
        if (applications := applications_line(summed, done.form)) is not None:
            click.echo(applications)
        if summed.excluded:
            click.secho(f"未汇总 {len(summed.excluded)} 个单位：", fg="yellow")
            for x in summed.excluded:
                click.secho(f"  {x.unit}：{x.reason}", fg="yellow")
        for p in summed.problems:
            if not p.is_error:
                click.secho(f"提示：汇总数【{p.code}】{p.message}", fg="yellow")
        if summed.ok:
            click.secho(f"汇总数已按表单的 {summed.checks} 项规则复核：全部错误规则均符合。", fg="green")
        if summed.skipped:
            click.echo(summed.skipped_text())
        if out is not None:
            click.echo(f"汇总表已写入：{out}")
        if result.rollup is not None:
            _print_rollup(result.rollup)
    if not done.ok:
        click.secho(summed.inconsistency_text(), fg="red", err=True)
        sys.exit(1)


def _print_rollup(rollup: Any) -> None:
    for p in rollup.problems:
        click.secho("  " + p.line(), fg="red" if p.is_error else "yellow")
    if rollup.government and rollup.government_sent:
        click.echo(f"联系人和文字取自“{rollup.government}”的当前报表。")
    elif rollup.government:
        click.secho(f"“{rollup.government}”尚未报送报表，汇总报表的联系人和文字无法取自其报表。", fg="yellow")
    else:
        click.secho(
            "名单中没有找到本级政府办公室（回复落款所指的单位）；可用 --unit 指明其在名单中的名称。", fg="yellow"
        )
    if line := rollup.to_fill_line():
        click.secho(line, fg="yellow", bold=True)
    verdict = "校验通过" if rollup.ok else f"校验发现 {len(rollup.problems)} 个问题，请补写或修改后再上报"
    click.echo(
        f"汇总报表已写入：{rollup.path}（{rollup.unit}，层级：{rollup.level}，汇总 {rollup.units} 个单位，{verdict}）"
    )
