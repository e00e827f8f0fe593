"""The status as files a clerk opens: a printable list (.xlsx) and a self-contained page (.html).

The page carries its own CSS and SVG charts drawn here — no script, no font or library from the
network — so it opens the same in any browser, offline, or attached to a notice. Every text that
comes from a unit (names, contacts, file names) is escaped in the page and written as a string in
the workbook, never as a formula or link. Both files are written atomically (``write_output``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from html import escape
from pathlib import Path

from xltool.campaign.register import STANDING_ZH
from xltool.campaign.status import StatusResult, UnitRow, local_time
from xltool.form.layout import row_height
from xltool.outputs import write_output

SAFE_STRINGS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
COLOURS = {"missing": "#c0392b", "unchecked": "#7f8c8d", "fix": "#e67e22", "warn": "#d4ac0d", "pass": "#27ae60"}
LIGHT = {"missing": "#f8d7da", "unchecked": "#e5e8e8", "fix": "#fde2c8", "warn": "#fcf3cf", "pass": "#d5f5e3"}
WRAPPED = ("单位", "问题编号")  # long texts wrap; dates, counts and addresses stay on one line
SUMS = "汇总单位数"  # a city's column: how many units a county's roll-up sums
_ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.、])")


_REMARK = re.compile(r"(?<=\S)（[^（）]*）$")


def plain_label(label: str) -> str:
    """A field's label without the numbering of the printed table ("一、", "（三）", "2.")."""
    return "/".join(_ORDINAL.sub("", part) for part in label.split("/"))


def short_label(label: str) -> str:
    """A row label without its closing remark, for a chart's axis: "（二）部分公开（区分处理的，…）"
    -> "（二）部分公开"."""
    return _REMARK.sub("", label)


def number_text(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _columns(result: StatusResult) -> list[str]:
    cols = ["序号", "状态", "单位", "单位类型", "收到时间（当前版本）", "版本数", "期限", "联系人", "联系邮箱"]
    if not result.unit_types:
        cols.remove("单位类型")
    if result.areas.areas:  # a city's campaign of counties: how many units each county's roll-up sums
        cols.insert(cols.index("单位") + 1, SUMS)
    if result.mode == "campaign":
        cols.append("回复")
    cols.append("问题编号")
    if result.applications_label:
        cols.append(plain_label(result.applications_label))
    return cols


def _shown(result: StatusResult, column: str) -> str:
    """A column's heading: 县（市、区） for 单位 when the units are areas (campaign/areas.py)."""
    return {"单位": result.areas.noun, "单位类型": "类型"}.get(column, column) if result.areas.areas else column


def _cells(result: StatusResult, i: int, row: UnitRow) -> list[str | int | float | None]:
    s = row.status
    standing = STANDING_ZH[row.standing] + ("（重复报送）" if row.duplicate else "")
    out: list[str | int | float | None] = [
        i,
        standing,
        row.name,
        *([result.areas.sums.get(row.name)] if result.areas.areas else []),
        *([s.unit.unit_type] if result.unit_types else []),
        local_time(s.current.received) if s.current else "",
        s.versions or None,
        row.timing_zh(),
        s.unit.contact,
        s.unit.email or "（无邮箱）",
    ]
    if result.mode == "campaign":
        out.append(row.reply_zh())
    out.append("、".join(row.codes))
    if result.applications_label:
        out.append(row.applications)
    return out


def _subtitle(result: StatusResult) -> str:
    counts = result.counts()
    parts = [f"名单共 {len(result.rows)} 个{result.areas.noun}"]
    parts += [f"{STANDING_ZH[k]} {n} 个" for k, n in counts.items() if n or k != "unchecked"]
    line = "，".join(parts) + "。"
    if result.deadline:
        left = (result.deadline - result.today).days
        when = f"还有 {left} 天" if left > 0 else "今天截止" if left == 0 else f"已过 {-left} 天"
        line += f"截止日期 {result.deadline.isoformat()}（{when}）。"
    return line + f"统计时间 {dt.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M')}。"


# ------------------------------------------------------------------ the printable list
def write_status_xlsx(result: StatusResult, out: Path, *, replace: bool = False) -> Path:
    """A4, fitted to the page width, the header row repeated on every printed page."""
    return write_output(out, lambda tmp: _status_xlsx(result, tmp), replace=replace)


def _status_xlsx(result: StatusResult, path: Path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), SAFE_STRINGS)
    f = _Formats(wb)
    ws = wb.add_worksheet("报送情况")
    cols = _columns(result)
    widths = {"序号": 5, "状态": 14, "单位": 26, "单位类型": 8, "收到时间（当前版本）": 16, "版本数": 6, "期限": 14,
              "联系人": 8, "联系邮箱": 24, "回复": 26, "问题编号": 14, SUMS: 8}  # fmt: skip
    sizes = [widths.get(name, 12) for name in cols]
    for c, width in enumerate(sizes):
        ws.set_column(c, c, width)
    _heading(ws, f, result.title, _subtitle(result), len(cols))
    ws.write_row(2, 0, [_shown(result, c) for c in cols], f.head)
    ws.set_row(2, max(42, row_height(cols, sizes)))  # the form's label of the applications column takes a few lines
    for i, row in enumerate(result.rows, start=1):
        cells = _cells(result, i, row)
        for c, value in enumerate(cells):
            fmt = f.state[row.standing] if c == 1 else f.cell
            _write(ws, 2 + i, c, value, fmt)
        ws.set_row(2 + i, row_height(cells, sizes))  # LibreOffice does not fit rows on open
    _printable(ws, 2, len(result.rows) + 2, len(cols) - 1, landscape=True)
    _list_sheet(wb, f, "重复报送", ("单位", "文件", "收到时间", "说明"),
                [(d.unit, "\n".join(d.files), "\n".join(local_time(t) for t in d.received), d.note)
                 for d in result.duplicates], (22, 40, 18, 50))  # fmt: skip
    _list_sheet(wb, f, "名单外的报表", ("文件", "报表中的单位", "发件人", "收到时间", "原因"),
                [(s.file, s.unit, s.sender, local_time(s.received), s.reason) for s in result.strays],
                (36, 22, 26, 18, 46))  # fmt: skip
    if result.mode == "campaign":  # a plain folder has no register, so nothing held for review
        _list_sheet(wb, f, "待核实", ("单位", "版本", "原因", "发件人", "怎么处理"),
                    [(r.unit, f"第 {r.version} 版", r.note, r.sender, r.todo()) for r in result.reviews],
                    (22, 8, 36, 24, 60))  # fmt: skip
    wb.close()


class _Formats:
    def __init__(self, wb: object) -> None:
        add = wb.add_format  # type: ignore[attr-defined]
        base = {"border": 1, "valign": "top", "text_wrap": True, "font_size": 10}
        self.title = add({"bold": True, "font_size": 14})
        self.sub = add({"font_size": 10, "text_wrap": True, "valign": "top"})
        self.head = add({**base, "bold": True, "bg_color": "#DDEBF7", "valign": "vcenter"})
        self.cell = add(base)
        self.state = {k: add({**base, "bold": True, "bg_color": LIGHT[k]}) for k in COLOURS}


def _heading(ws: object, f: _Formats, title: str, subtitle: str, width: int) -> None:
    ws.merge_range(0, 0, 0, width - 1, title, f.title)  # type: ignore[attr-defined]
    ws.merge_range(1, 0, 1, width - 1, subtitle, f.sub)  # type: ignore[attr-defined]
    ws.set_row(1, 30)  # type: ignore[attr-defined]


def _write(ws: object, row: int, col: int, value: str | int | float | None, fmt: object) -> None:
    """Text as text (a unit named "=1+1" stays a name), numbers as numbers, nothing as a blank."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)  # type: ignore[attr-defined]
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)  # type: ignore[attr-defined]
    else:
        ws.write_number(row, col, value, fmt)  # type: ignore[attr-defined]


def _printable(ws: object, header: int, last: int, last_col: int, *, landscape: bool) -> None:
    ws.set_paper(9)  # type: ignore[attr-defined]  # A4
    if landscape:
        ws.set_landscape()  # type: ignore[attr-defined]
    ws.fit_to_pages(1, 0)  # type: ignore[attr-defined]  # as wide as one page, as long as it takes
    ws.repeat_rows(header)  # type: ignore[attr-defined]
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)  # type: ignore[attr-defined]
    ws.set_footer("&C第 &P 页，共 &N 页")  # type: ignore[attr-defined]
    ws.freeze_panes(header + 1, 0)  # type: ignore[attr-defined]
    ws.autofilter(header, 0, max(last, header + 1), last_col)  # type: ignore[attr-defined]


def _list_sheet(
    wb: object, f: _Formats, name: str, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int]
) -> None:
    ws = wb.add_worksheet(name)  # type: ignore[attr-defined]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.write_row(0, 0, header, f.head)
    for r, values in enumerate(rows or [("无",) + ("",) * (len(header) - 1)], start=1):
        for c, value in enumerate(values):
            _write(ws, r, c, value, f.cell)
        ws.set_row(r, row_height(values, widths))
    _printable(ws, 0, len(rows) or 1, len(header) - 1, landscape=True)


# ------------------------------------------------------------------ the page
CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;
margin:24px auto;max-width:1200px;padding:0 16px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 6px}h2{font-size:17px;margin:28px 0 8px;border-left:4px solid #2e86c1;padding-left:8px}
p.sub{color:#555;margin:0 0 16px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{border-radius:6px;padding:10px 18px;color:#fff;min-width:120px}
.card .n{font-size:30px;font-weight:bold;display:block;line-height:1.2}
table{border-collapse:collapse;width:100%;font-size:12px}
th,td{border:1px solid #bbb;padding:3px 5px;vertical-align:top}
th{min-width:2.5em}th.wide{min-width:9em}td{white-space:nowrap}td.wrap{white-space:normal;min-width:8em}
.scroll{overflow-x:auto}
th{background:#ddebf7;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#555;font-size:13px}
svg text{font-family:inherit}
@media print{body{margin:0;max-width:none}th{position:static}.card{border:1px solid #888}
section{break-inside:avoid-page}@page{size:A4 landscape;margin:12mm}}
"""


def write_status_html(result: StatusResult, out: Path, *, replace: bool = False) -> Path:
    return write_output(out, lambda tmp: tmp.write_text(status_html(result), encoding="utf-8"), replace=replace)


def status_html(result: StatusResult) -> str:
    e = escape
    counts = result.counts()
    noun = result.areas.noun
    cards = "".join(
        f'<div class="card" style="background:{COLOURS[k]}" data-standing="{k}">'
        f'<span class="n" data-count="{k}">{n}</span>{e(STANDING_ZH[k])}</div>'
        for k, n in counts.items()
        if n or k != "unchecked"
    )
    states = [(STANDING_ZH[k], float(n), COLOURS[k], k) for k, n in counts.items() if n or k != "unchecked"]
    body = [
        f'<header><h1>{e(result.title)}</h1><p class="sub">{e(_subtitle(result))}</p></header>',
        f'<section class="cards">{cards}</section>',
        f'<section id="by-state"><h2>各状态{e(noun)}数</h2>{bar_chart(states, f"各状态{noun}数", "个")}</section>',
        _applications_section(result),
        _units_table(result),
        _duplicates(result),
        _strays(result),
        _reviews(result),
        '<footer class="note"><p>本页由 xltool 生成，不含任何脚本，可离线打开、打印或随通知发送。</p></footer>',
    ]
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(result.title)}</title><style>{CSS}</style></head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + "\n</body></html>\n"
    )


def _applications_section(result: StatusResult) -> str:
    if not result.applications_label:
        return ""
    label = plain_label(result.applications_label)
    rows = sorted((r for r in result.rows if r.applications is not None), key=lambda r: -(r.applications or 0))
    items = [(r.name, float(r.applications or 0), COLOURS[r.standing], r.standing) for r in rows]
    chart = (
        bar_chart(items, f"各{result.areas.noun}{label}", result.applications_unit)  # the field type's unit ("件")
        if items
        else '<p class="note">还没有可以读取的报表。</p>'
    )
    note = "条形颜色表示报表状态：绿色已通过，黄色有警告，橙色待修改（其数字尚待核实）。"
    return f'<section id="applications"><h2>各{escape(result.areas.noun)}{escape(label)}</h2><p class="note">{note}</p>{chart}</section>'


def _units_table(result: StatusResult) -> str:
    e = escape
    cols = _columns(result)
    wide = cols[-1] if result.applications_label else ""  # the form's label is long: never one character wide
    shown = {c: _shown(result, c) for c in cols}
    head = "".join(f'<th class="wide">{e(shown[c])}</th>' if c == wide else f"<th>{e(shown[c])}</th>" for c in cols)
    lines = []
    for i, row in enumerate(result.rows, start=1):
        cells = []
        for c, value in zip(cols, _cells(result, i, row), strict=True):
            if c == "状态":
                cells.append(f'<td style="background:{LIGHT[row.standing]}"><b>{e(str(value))}</b></td>')
            elif isinstance(value, int | float) or value is None:
                text = number_text(value)
                attr = f' data-applications="{text}"' if result.applications_label and c == cols[-1] else ""
                cells.append(f'<td class="num"{attr}>{text}</td>')
            else:
                cells.append(f'<td class="wrap">{e(value)}</td>' if c in WRAPPED else f"<td>{e(value)}</td>")
        lines.append(f'<tr data-unit="{e(row.name)}" data-standing="{row.standing}">{"".join(cells)}</tr>')
    return (
        f'<section id="units"><h2>各{e(result.areas.noun)}报送情况（需要联系的{e(result.areas.noun)}在前）</h2>'
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(lines)}</tbody></table></div>'
        "</section>"
    )


def _duplicates(result: StatusResult) -> str:
    if not result.duplicates:
        return '<section id="duplicates"><h2>重复报送</h2><p class="note">无。</p></section>'
    rows = "".join(
        f"<tr><td>{escape(d.unit)}</td><td>{'<br>'.join(escape(f) for f in d.files)}</td><td>{escape(d.note)}</td></tr>"
        for d in result.duplicates
    )
    return (
        '<section id="duplicates"><h2>重复报送</h2><table><thead><tr><th>单位</th><th>文件</th><th>说明</th></tr>'
        f"</thead><tbody>{rows}</tbody></table></section>"
    )


def _reviews(result: StatusResult) -> str:
    if result.mode != "campaign":
        return ""
    if not result.reviews:
        return '<section id="needs-review"><h2>待核实</h2><p class="note">无。</p></section>'
    rows = "".join(
        f"<tr><td>{escape(r.unit)}</td><td>第 {r.version} 版</td><td>{escape(r.note)}</td><td>{escape(r.sender)}</td>"
        f'<td class="wrap">{escape(r.todo())}</td></tr>'
        for r in result.reviews
    )
    return (
        '<section id="needs-review"><h2>待核实</h2><table><thead><tr><th>单位</th><th>版本</th><th>原因</th>'
        f"<th>发件人</th><th>怎么处理</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _strays(result: StatusResult) -> str:
    if not result.strays:
        return '<section id="strays"><h2>名单外的报表</h2><p class="note">无。</p></section>'
    rows = "".join(
        f"<tr><td>{escape(s.file)}</td><td>{escape(s.unit)}</td><td>{escape(s.sender)}</td>"
        f"<td>{escape(local_time(s.received))}</td><td>{escape(s.reason)}</td></tr>"
        for s in result.strays
    )
    return (
        '<section id="strays"><h2>名单外的报表</h2><table><thead><tr><th>文件</th><th>报表中的单位</th>'
        f"<th>发件人</th><th>收到时间</th><th>原因</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _text_width(text: str, size: float) -> float:
    """Rough width in pixels: a CJK character is a full em, anything else about half."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.55 for ch in text)


def bar_chart(items: Sequence[tuple[str, float, str, str]], title: str, unit: str, *, size: int = 13) -> str:
    """Horizontal bars of (label, value, colour, key), drawn as inline SVG with its numbers as text."""
    label_w = min(380.0, 12 + max((_text_width(label, size) for label, *_ in items), default=40))
    bar_w, row_h, pad = 560.0, 26, 6
    width, height = label_w + bar_w + 80, pad * 2 + row_h * len(items)
    top = max((v for _, v, *_ in items), default=0) or 1
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height}" '
        f'viewBox="0 0 {width:.0f} {height}" role="img" aria-label="{escape(title)}" font-size="{size}">'
    ]
    for i, (label, value, colour, key) in enumerate(items):
        y = pad + i * row_h
        w = bar_w * value / top
        shown = number_text(value)
        out.append(
            f'<g data-key="{escape(key)}" data-label="{escape(label)}" data-value="{shown}">'
            f'<text x="{label_w - 8:.0f}" y="{y + 17}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_w:.0f}" y="{y + 4}" width="{max(w, 1):.1f}" height="{row_h - 8}" fill="{colour}">'
            f"<title>{escape(label)}：{shown}{f' {escape(unit)}' if unit else ''}</title></rect>"
            f'<text x="{label_w + max(w, 1) + 6:.1f}" y="{y + 17}">{shown}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)
