"""Report -> one self-contained, accessible HTML page for the portal's 年报 column.

Semantic headings, real <table>s with <th scope> and rowspan/colspan exactly as the format prints
them, numbers right-aligned, no external resources, lang="zh-CN".
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from xltool.report.model import Block, Report, Table

_CSS = """
body{font-family:"FangSong","仿宋_GB2312","仿宋","STFangsong","Noto Serif CJK SC",serif;font-size:16pt;
line-height:1.75;max-width:56em;margin:2em auto;padding:0 1em;color:#000}
h1{font-family:"方正小标宋简体","SimSun","Noto Serif CJK SC",serif;font-size:22pt;text-align:center;font-weight:normal}
h2{font-family:"黑体","SimHei","Noto Sans CJK SC",sans-serif;font-size:16pt;font-weight:normal;margin:1em 0 .3em}
h3{font-family:"楷体_GB2312","KaiTi","STKaiti","Noto Serif CJK SC",serif;font-size:16pt;font-weight:normal;margin:.6em 0 .2em}
p{text-indent:2em;margin:.2em 0}
p.signature{text-align:right;text-indent:0}
.table-wrap{overflow-x:auto;margin:.5em 0 1em}
table{border-collapse:collapse;font-size:11pt;line-height:1.4;margin:0 auto}
th,td{border:1px solid #000;padding:.25em .4em}
th{font-weight:normal;text-align:center;vertical-align:middle}
th[scope=row],th[scope=rowgroup]{text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
caption{position:absolute;left:-9999px}
@page{size:A4;margin:2cm 1.8cm}
@media print{body{max-width:none;margin:0;padding:0;font-size:14pt}.table-wrap{overflow:visible}
thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}
h2,h3{break-after:avoid;page-break-after:avoid}p.failed{break-after:avoid}}
p.failed{text-indent:0;color:#C00000;border:2px solid #C00000;padding:.3em .6em;font-weight:bold}
"""


def render_html(report: Report, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html_page(report), encoding="utf-8")
    return out


def html_page(report: Report) -> str:
    body = [f'<p class="failed" role="alert">{escape(report.mark)}</p>'] if report.mark else []
    body.append(f"<h1>{escape(report.title)}</h1>")
    heading = ""
    for block in report.blocks:
        body.append(_block(block, heading))
        if block.kind == "heading1":
            heading = block.text
    body += [f'<p class="signature">{escape(s)}</p>' for s in report.signature if s]
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(report.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(body)
        + "\n</main>\n</body>\n</html>\n"
    )


def _block(block: Block, heading: str) -> str:
    if block.kind == "heading1":
        return f"<h2>{escape(block.text)}</h2>"
    if block.kind == "heading2":
        return f"<h3>{escape(block.text)}</h3>"
    if block.kind == "table" and block.table is not None:
        return _table(block.table, heading)
    return f"<p>{escape(block.text)}</p>"


def _table(t: Table, caption: str) -> str:
    by_row: dict[int, list[str]] = {}
    for c in sorted(t.cells, key=lambda c: (c.row, c.col)):
        span = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (
            f' colspan="{c.colspan}"' if c.colspan > 1 else ""
        )
        if c.header:
            scope = f' scope="{c.scope}"' if c.scope else ""
            by_row.setdefault(c.row, []).append(f"<th{scope}{span}>{escape(c.text)}</th>")
        else:
            kind = ' class="num"' if c.numeric else ""  # text and 是/否 cells read left-aligned
            by_row.setdefault(c.row, []).append(f"<td{kind}{span}>{escape(c.text)}</td>")
    rows = [f"<tr>{''.join(by_row.get(r, []))}</tr>" for r in range(t.n_rows)]
    head = "\n".join(rows[: t.header_rows])
    body = "\n".join(rows[t.header_rows :])
    thead = f"<thead>\n{head}\n</thead>\n" if head else ""
    cols = ""
    total = float(sum(t.widths))
    if len(t.widths) == t.n_cols and total:  # the template's column widths, as shares
        cols = "<colgroup>" + "".join(f'<col style="width:{w / total:.1%}">' for w in t.widths) + "</colgroup>\n"
    return f'<div class="table-wrap">\n<table>\n<caption>{escape(caption)}</caption>\n{cols}{thead}<tbody>\n{body}\n</tbody>\n</table>\n</div>'
