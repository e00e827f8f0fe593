"""Report -> Markdown (plain text): headings, paragraphs, and tables with flattened labels.

Markdown cannot merge cells, so each column header is the full label path ("法人或其他组织·商业企业")
and each row label the full row path; the numbers are the same as in every other output.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from xltool.report.model import Report, Table


def render_md(report: Report, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(markdown(report), encoding="utf-8")
    return out


def markdown(report: Report) -> str:
    lines = [f"# {escape(report.title)}", ""]
    if report.mark:
        lines += [f"**【{escape(report.mark)}】**", ""]
    for b in report.blocks:
        if b.kind == "heading1":
            lines += [f"## {escape(b.text)}", ""]
        elif b.kind == "heading2":
            lines += [f"### {escape(b.text)}", ""]
        elif b.table is not None:
            lines += [*_table(b.table), ""]
        else:
            lines += [escape(b.text), ""]
    lines += [f"{escape(s)}  " for s in report.signature if s]
    return "\n".join(lines).rstrip() + "\n"


_MARKUP = re.compile(r"([\\`*_\[\]<>|~&])")  # emphasis, code, links, HTML, tables, entities
_LINE_START = re.compile(r"^(\s*)(\d+[.)]|[#>+=-])(?=\s|$)")  # would start a list, heading, quote or rule


def escape(text: str, *, line: bool = True) -> str:
    """A unit's text as literal Markdown text: no markup, no HTML, no links, no list or heading
    starts, one line (a paragraph never breaks into a fake heading or table row)."""
    text = " ".join(text.splitlines())
    text = _MARKUP.sub(r"\\\1", text)
    if not line:  # a table cell: never the start of a line
        return text
    return _LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)


def _grid(t: Table) -> list[list[str]]:
    """Every position of the table filled with the text of the box covering it."""
    grid = [[""] * t.n_cols for _ in range(t.n_rows)]
    for c in t.cells:
        for r in range(c.row, c.row + c.rowspan):
            for k in range(c.col, c.col + c.colspan):
                grid[r][k] = c.text
    return grid


def _table(t: Table) -> list[str]:
    grid = _grid(t)
    numeric = {  # the value cells (numbers, and a grid's text or 是/否 cells): everything not a label
        (r, k)
        for c in t.cells
        if not c.header
        for r in range(c.row, c.row + c.rowspan)
        for k in range(c.col, c.col + c.colspan)
    }
    captions = {c.row: c.text for c in t.cells if c.header and c.colspan == t.n_cols and t.n_cols > 1}
    out: list[str] = []
    r = 0
    while r < t.n_rows:
        if r in captions:  # a block title over the whole width (table 二): a line of its own
            out += [f"**{escape(captions[r])}**", ""]
            r += 1
            continue
        # A row that holds no number starts a header block (table 二 has one per block).
        head_end = r
        while head_end < t.n_rows and not any((head_end, k) in numeric for k in range(t.n_cols)):
            head_end += 1
        body_end = head_end
        while body_end < t.n_rows and any((body_end, k) in numeric for k in range(t.n_cols)):
            body_end += 1
        label_cols = [k for k in range(t.n_cols) if not any((x, k) in numeric for x in range(head_end, body_end))]
        value_cols = sorted(c.col for c in t.cells if not c.header and head_end <= c.row < body_end)
        value_cols = list(dict.fromkeys(value_cols))
        header = [_path(grid, range(r, head_end), [k]) for k in value_cols]
        if label_cols:
            header.insert(0, _path(grid, range(r, head_end), label_cols))
        out += ["| " + " | ".join(escape(h, line=False) for h in header) + " |"]
        out += ["|" + "|".join("---" if i == 0 and label_cols else "---:" for i in range(len(header))) + "|"]
        for x in range(head_end, body_end):
            cells = [grid[x][k] for k in value_cols]
            if label_cols:
                cells.insert(0, _path(grid, [x], label_cols))
            out.append("| " + " | ".join(escape(c, line=False) for c in cells) + " |")
        out.append("")
        r = body_end
    return out[:-1]


def _path(grid: list[list[str]], rows: Sequence[int] | range, cols: Sequence[int]) -> str:
    """The distinct labels over these positions, outer first: "申请人情况·法人或其他组织·商业企业"."""
    return "·".join(dict.fromkeys(grid[x][k] for x in rows for k in cols if grid[x][k]))
