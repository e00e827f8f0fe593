"""`xltool forms` and `xltool rules`: the shipped definitions and the check catalogue."""

from __future__ import annotations

import re
from typing import Any

import click

from xltool.cli.main import CONTEXT, form_option, handle_errors, load_form_option, main


@main.command(context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（供程序使用）。")
@handle_errors
def forms(as_json: bool) -> None:
    """列出自带的表单定义：编号、版本和名称（各命令的 --form 可用编号指定）。

    \b
    示例：
      xltool forms
      xltool verify 报表/ --form gov-info-disclosure-annual-report
      xltool template --form 我的表单/form.toml --unit 某单位 --year 2025 -o 某单位.xlsx
    """
    import json

    from xltool.form.registry import shipped_forms

    entries = shipped_forms()
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=2))
        return
    for e in entries:
        mark = "（默认）" if e.default else ""
        click.echo(f"{e.id}  版本 {e.version}  {e.name}{mark}\n    {e.path}")


def _natural(code: str) -> tuple[Any, ...]:
    """B2 before B10; codes of any form ("K1", "MINI-2") sort without error."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", code))


@main.command(context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（供程序使用）。")
@form_option
@handle_errors
def rules(as_json: bool, form_spec: str | None) -> None:
    """列出全部检查规则：编号、级别、检查内容和修改方法（verify、report、import 和 audit 报告的编号即此表）。

    “来源”一栏：内置 = xltool 自身对文件和填写值的检查（所有表单都有）；表单 = 表单定义自己的规则。
    最后一组是 import 和 audit 读取已发布的报告（Word、网页、PDF、文本）时的检查，也是内置的，
    表单可以改写它们的编号和措辞。

    \b
    示例：
      xltool rules
      xltool rules --json > 规则.json
    """
    import json

    from xltool.form.problems import SEVERITY_ZH, generic
    from xltool.importer.findings import codes_taken, form_words

    form = load_form_option(form_spec)
    words = form_words(form)

    def filled(text: str) -> str:  # the form's name and an example title, as import says them
        return text.replace("{form}", words["form"]).replace("{title}", words["title"])

    # Fixes are templates filled per problem ("请填写 {template_year}"); here in generic words.
    rows = [
        {
            "code": r.code,
            "id": r.id,
            "severity": r.severity,
            "source": "builtin" if r.builtin else "form",
            "overridden": r.overridden,  # a built-in rule the form gave its own code, severity or wording
            "kind": r.kind,
            "title": r.title,
            "fix": generic(filled(r.fix), r),
            "also": list(codes_taken(form, r)),
        }
        for r in form.rules
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo(f"{form.name}（{form.id}，版本 {form.version}）的检查规则：")
    ordered = sorted(rows, key=lambda x: (_natural(x["code"]), x["id"]))
    for row in [r for r in ordered if r["kind"] != "import"]:
        _print_rule(row, SEVERITY_ZH)
    click.echo("\n读取已发布的报告时（xltool import、xltool audit）的检查：")
    for row in [r for r in ordered if r["kind"] == "import"]:
        _print_rule(row, SEVERITY_ZH)


def _print_rule(row: dict[str, Any], severity_zh: dict[str, str]) -> None:
    source = ("内置（表单改写）" if row["overridden"] else "内置") if row["source"] == "builtin" else "表单"
    also = f"（报为所属规则的编号 {'、'.join(row['also'])}）" if row["also"] else ""
    click.echo(f"【{row['code']}】{severity_zh[row['severity']]}  {source}  {row['title']}{also}：{row['fix']}")
