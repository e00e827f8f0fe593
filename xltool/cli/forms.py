"""`xltool forms` and `xltool rules`: the shipped definitions and the check catalogue."""

from __future__ import annotations

import re
from typing import Any

import click

from xltool.cli.main import CONTEXT, handle_errors, main


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

    from xltool.checks.problems import SEVERITY_ZH
    from xltool.form.loader import load_form

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
