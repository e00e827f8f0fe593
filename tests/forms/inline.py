"""Small forms written inline in a test, each showing one point of the definition language.

``inline_form(text, tmp_path)`` writes ``text`` to tmp_path/form.toml and loads it with the real
loader, so a test of a load error holds the few lines that cause it, not an edit of the 1,354-line
shipped form. ``FORM_HEAD`` (the [form] table, one sheet, an int and a text type) and ``GRID`` (a
2×2 table with a total row and column, its two sum rules) are the parts most tests start from; a test
adds the table or rule it is about, or writes the whole form when the point is in these parts.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from xltool.form.loader import load_form
from xltool.form.model import Form

FORM_HEAD = """\
[form]
id = "inline"
version = "1"
name = "内联测试表"

[[sheets]]
key = "main"
name = "主表"

[types.int]
unit = "件"

[types.text]
"""

# The sum rules of GRID's total column (S1) and total row (S2), for forms that write their own grid.
SUM_RULES = """\
[[rules]]
code = "S1"
kind = "sum"
severity = "error"
title = "合计等于甲乙之和"
brief = "合计不等于各项之和"
message = "“{row}”的合计为 {value}，应为 {expected}。"
fix = "合计由公式自动计算，请不要手工改写。"

[[rules]]
code = "S2"
kind = "sum"
severity = "error"
title = "合计行等于各行之和"
brief = "合计行不等于各行之和"
message = "“{column}”的合计为 {value}，应为 {expected}。"
fix = "合计由公式自动计算，请不要手工改写。"
"""

GRID = (
    """\
[[blocks]]
kind = "grid"
key = "g"
sheet = "main"
anchor = "A3"
table = "g"
type = "int"
corner = "事项"
label_depth = 1
header_depth = 1
columns = [
  { key = "a", path = ["甲"] },
  { key = "b", path = ["乙"] },
  { key = "total", path = ["合计"], sum = ["a", "b"], rule = "S1" },
]
rows = [
  { key = "x", path = ["一"] },
  { key = "y", path = ["二"] },
  { key = "total", path = ["合计"], sum = "x..y", rule = "S2" },
]

"""
    + SUM_RULES
)


def inline_text(*parts: str) -> str:
    """The parts of a form definition, each dedented, joined into one TOML text."""
    return "\n".join(textwrap.dedent(part).strip("\n") + "\n" for part in parts)


def inline_form(text: str, tmp_path: Path) -> Form:
    """The form defined by ``text`` (TOML), loaded from tmp_path/form.toml."""
    path = tmp_path / "form.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_form(path)
