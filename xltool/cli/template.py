"""`xltool template`: locked templates for one unit or a whole roster."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from xltool.cli.main import (
    CONTEXT,
    TerminalProgress,
    form_option,
    handle_errors,
    load_form_option,
    main,
    out_option,
    roster_option,
)


@main.command(context_settings=CONTEXT)
@out_option("路径", "输出文件（单个单位，.xlsx）或输出文件夹（配合 --roster）。")
@click.option(
    "--year",
    type=click.IntRange(2000, 2100),
    metavar="年份",
    help="报告年度，如 2025（按年度报送的表单）。",
)
@click.option(
    "--period",
    metavar="报告期",
    help="报告期：按季度、半年或月份报送的表单必填，如 2025Q1（第一季度）、2025H1（上半年）、2025-03（3月）；"
    "按年度报送的表单也可写 --period 2025。",
)
@click.option("--unit", metavar="名称", help="单位全称，如“桐柏县安棚镇人民政府”（单个单位时使用）。")
@click.option("--unit-type", metavar="类型", help="单位类型（年度报告为乡镇、街道、部门或其他）；不填时按名称推断。")
@roster_option("全县报送单位名单（.xlsx 或 .csv，列：单位名称、单位类型、联系邮箱、联系人）。", exists=False)
@click.option(
    "--county",
    default="",
    metavar="名称",
    help="县（市、区）名称，如“桐柏县”；配合 --roster，名单中名称不含它的单位会被提示（不影响生成）。",
)
@click.option(
    "--password",
    default="",
    metavar="密码",
    help="工作表保护密码（只能用英文字母、数字和英文符号，WPS、Excel 和 LibreOffice 都能输入）；不设时任何人都可在菜单中撤销保护。",
)
@click.option("--force", is_flag=True, help="覆盖已存在的同名文件。")
@form_option
@handle_errors
def template(
    out: Path,
    year: int | None,
    period: str | None,
    unit: str | None,
    unit_type: str | None,
    roster: Path | None,
    county: str,
    password: str,
    force: bool,
    form_spec: str | None,
) -> None:
    """生成锁定的 Excel 填报模板。

    模板只开放浅黄色的填写单元格，带数据有效性、自动计算的总计和实时校验，
    各单位用 WPS、Excel 或 LibreOffice 填写后通过邮件报送。

    \b
    示例：
      xltool template -o 安棚镇.xlsx --year 2025 --unit 桐柏县安棚镇人民政府 --unit-type 乡镇
      xltool template --roster 名单.xlsx -o 模板/ --year 2025 --password 2025gk
      xltool template --roster 名单.xlsx -o 模板/ --year 2025 --county 桐柏县
      xltool template -o 城关镇.xlsx --period 2025Q1 --unit 桐柏县城关镇人民政府 --form 季报.toml
    """
    from xltool.app.templates import command_period, roster_templates, unit_template
    from xltool.workbook.write import password_flaw

    if bool(unit) == bool(roster):
        raise click.UsageError("请指定 --unit（单个单位）或 --roster（名单），二者选一。")
    form = load_form_option(form_spec)
    when = command_period(form, period, year)
    if unit is not None and not unit.strip():
        raise click.UsageError("--unit 不能为空，请填写单位全称。")
    typed = _unit_type(form, unit_type)
    if flaw := password_flaw(password):
        raise click.BadParameter(flaw, param_hint="--password")
    if unit:
        done = unit_template(form, unit, typed, when, out, password=password, force=force)
        kind = f"，{done.unit_type}" if done.unit_type else ""
        click.echo(f"已生成模板：{done.path}（{unit.strip()}{kind}，{_shown(when)}）")
        return
    assert roster is not None
    with TerminalProgress("生成模板", more_than=3) as progress:
        done = roster_templates(form, roster, when, out, password=password, force=force, county=county,
                                progress=progress)  # fmt: skip
    click.echo(f"已为名单中的 {done.units} 个单位生成 {_shown(when)}模板，保存在：{out}")
    if done.warning:
        click.secho(done.warning, fg="yellow", err=True)


def _shown(when: Any) -> str:
    """ "2025 年度" as before for a yearly form, else the period: "2025年第一季度"."""
    return f"{when.year} 年度" if when.yearly else when.label_zh


def _unit_type(form: Any, typed: str | None) -> str:
    """--unit-type as the form names it ("镇" -> 乡镇); one the form does not know is a usage error."""
    if not typed:
        return ""
    known = form.units.normalise(typed)
    if known is None:
        names = "、".join(form.units.names) or "（本表单不区分单位类型）"
        raise click.BadParameter(f"“{typed}”不是本表单的单位类型，可选：{names}。", param_hint="--unit-type")
    return str(known)
