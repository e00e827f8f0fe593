"""`xltool forms` and `xltool rules`: the shipped definitions and the check catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from xltool.cli.main import CONTEXT, form_option, handle_errors, load_form_option, main


@main.command(context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（供程序使用）。")
@click.option("--keys", is_flag=True, help="输出表单定义（form.toml）全部键的说明（Markdown，即 docs/form-keys.md）。")
@handle_errors
def forms(as_json: bool, keys: bool) -> None:
    """列出自带的表单定义：编号、版本和名称（各命令的 --form 可用编号指定）。

    --keys 输出编写表单定义时可用的全部键：所在的表、类型、是否必需和含义。

    \b
    示例：
      xltool forms
      xltool forms --keys > 表单键说明.md
      xltool verify 报表/ --form gov-info-disclosure-annual-report
      xltool template --form 我的表单/form.toml --unit 某单位 --year 2025 -o 某单位.xlsx
    """
    import json

    from xltool.form.registry import shipped_forms

    if keys:
        from xltool.reference.form_keys import form_keys_markdown

        click.echo(form_keys_markdown(), nl=False)
        return

    entries = shipped_forms()
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
        return
    for e in entries:
        mark = "（默认）" if e.default else ""
        click.echo(f"{e.id}  版本 {e.version}  {e.name}{mark}\n    {e.path}")


@main.command(context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（供程序使用）。")
@click.option(
    "--markdown",
    "markdown",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="文件夹",
    help="把规则说明写成 Markdown 文件（index.md、builtin.md 和每个表单一个文件）；"
    "不加 --form 时写全部自带表单，加 --form 时只写该表单。",
)
@click.option("--force", is_flag=True, help="允许覆盖已存在的 Markdown 文件（与 --markdown 一起使用）。")
@form_option
@handle_errors
def rules(as_json: bool, markdown: Path | None, force: bool, form_spec: str | None) -> None:
    """列出全部检查规则：编号、级别、检查内容和修改方法（verify、report、import 和 audit 报告的编号即此表）。

    “来源”一栏：内置 = xltool 自身对文件和填写值的检查（所有表单都有）；表单 = 表单定义自己的规则。
    最后一组是 import 和 audit 读取已发布的报告（Word、网页、PDF、文本）时的检查，也是内置的，
    表单可以改写它们的编号和措辞。--markdown 写出的规则说明还写明每条规则由哪些命令检查
    （项目自带的说明在 docs/rules，用 make docs 重新生成）。

    \b
    示例：
      xltool rules
      xltool rules --json > 规则.json
      xltool rules --markdown 规则说明/
      xltool rules --form 我的表单/form.toml --markdown 规则说明/ --force
    """
    import json

    from xltool.form.problems import SEVERITY_ZH
    from xltool.reference import natural_key, rule_entries

    if markdown is not None:
        _write_markdown(markdown, force, form_spec)
        return
    form = load_form_option(form_spec)
    entries = rule_entries(form)
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
        return
    click.echo(f"{form.name}（{form.id}，版本 {form.version}）的检查规则：")
    ordered = sorted(entries, key=natural_key)
    for entry in [e for e in ordered if not e.on_documents]:
        _print_rule(entry, SEVERITY_ZH)
    click.echo("\n读取已发布的报告时（xltool import、xltool audit）的检查：")
    for entry in [e for e in ordered if e.on_documents]:
        _print_rule(entry, SEVERITY_ZH)


def _print_rule(entry: Any, severity_zh: dict[str, str]) -> None:
    r = entry.rule
    also = f"（报为所属规则的编号 {'、'.join(entry.also)}）" if entry.also else ""
    click.echo(f"【{r.code}】{severity_zh[r.severity]}  {entry.source_zh}  {r.title}{also}：{entry.fix}")


def _write_markdown(folder: Path, force: bool, form_spec: str | None) -> None:
    from xltool.form.registry import resolve_form
    from xltool.reference import reference_files, shipped_reference, write_reference

    if form_spec:
        files = reference_files([(resolve_form(form_spec), load_form_option(form_spec))])
    else:
        files = shipped_reference()
    written = write_reference(folder, files, replace=force)
    click.echo(f"已写出 {len(written)} 个规则说明文件：")
    for path in written:
        click.echo(f"  {path}")
