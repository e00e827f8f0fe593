"""What the report prints as a header and as a heading, the same in .docx, .html and .md.

A table made of several grid blocks prints a block's header rows only where the published table
does: under the block's own caption (table 二: each 第二十条 item has its header), or where the header
differs from the one above; caption-less blocks under the same header continue one table. A field of
a section is a sub-heading only when it is a narrative (longtext) item; a short field (a name, 是/否, a
number) is one line "label：answer", never a `###` heading.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document

from tests.forms.inline import FORM_HEAD, inline_form, inline_text
from tests.report.docxtext import doc_lines
from xltool.form.loader import load_form
from xltool.report.build import build_report
from xltool.report.docx import render_docx
from xltool.report.html import html_page
from xltool.report.md import markdown
from xltool.report.model import Report
from xltool.workbook.read import read_return
from xltool.workbook.write import UnitInfo, write_template

MARKET = Path(__file__).resolve().parents[2] / "samples" / "returns" / "市场监管局_2025_完整正确.xlsx"

HOTLINE = """\
[types.choice]
[types.longtext]

[[blocks]]
kind = "grid"
key = "w"
sheet = "main"
anchor = "A3"
table = "w"
type = "int"
corner = "渠道"
label_depth = 1
header_depth = 1
columns = [{ key = "got", path = ["受理量"] }, { key = "done", path = ["办结量"] }]
rows = [{ key = "mail", path = ["来信"] }, { key = "call", path = ["来电"] }]

[[blocks]]  # the same header: continues the rows above
kind = "grid"
key = "w"
sheet = "main"
anchor = "A7"
table = "w"
type = "int"
corner = "渠道"
label_depth = 1
header_depth = 1
columns = [{ key = "got", path = ["受理量"] }, { key = "done", path = ["办结量"] }]
rows = [{ key = "web", path = ["网上留言"] }]

[[blocks]]  # another header: its own header row
kind = "grid"
key = "w"
sheet = "main"
anchor = "A10"
table = "w"
type = "int"
corner = "渠道"
label_depth = 1
header_depth = 1
columns = [{ key = "days", path = ["平均办理天数"], span = 2 }]
rows = [{ key = "all", path = ["总体"] }]

[[blocks]]
kind = "fields"
sheet = "main"
anchor = "A14"
fields = [
  { key = "site.name", label = "网站名称", type = "text" },
  { key = "site.mobile", label = "有移动新媒体", type = "choice", choices = ["是", "否"] },
  { key = "site.visits", label = "访问量", type = "int" },
  { key = "s.summary", label = "（一）总体情况", type = "longtext" },
  { key = "s.plan", label = "（二）下一步计划", type = "longtext" },
]

[[sections]]
heading = "一、基本情况"
fields = ["site.name", "site.mobile", "site.visits"]

[[sections]]
heading = "二、办理情况"
table = "w"

[[sections]]
heading = "三、工作情况"
fields = ["s.summary", "s.plan"]
"""
FILLED = {
    "w.mail.got": 5, "w.mail.done": 4, "w.call.got": 30, "w.call.done": 29, "w.web.got": 12, "w.web.done": 12,
    "w.all.days": 3, "site.name": "桐柏县人民政府网", "site.mobile": "是", "site.visits": 1200,
    "s.summary": "全年受理来信来电来网47件。", "s.plan": "继续提升办结率。",
}  # fmt: skip


@pytest.fixture(scope="module")
def hotline(tmp_path_factory: pytest.TempPathFactory) -> Report:
    tmp = tmp_path_factory.mktemp("hotline")
    form = inline_form(inline_text(FORM_HEAD, HOTLINE), tmp)
    out = tmp / "r.xlsx"
    write_template(form, UnitInfo("桐柏县政务服务中心", "部门", 2025), out, values=FILLED)
    return build_report(form, read_return(out, form))


@pytest.fixture(scope="module")
def market() -> Report:
    form = load_form()
    return build_report(form, read_return(MARKET, form))


def outputs(report: Report, tmp: Path) -> dict[str, str]:
    """The report as each format shows it: docx paragraphs and cells, html and md text."""
    docx = doc_lines(Document(str(render_docx(report, tmp / "r.docx"))))
    return {"docx": "\n".join(docx), "html": html_page(report), "md": markdown(report)}


@pytest.mark.parametrize("fmt", ["docx", "html", "md"])
def test_blocks_under_one_header_print_it_once(hotline: Report, tmp_path: Path, fmt: str) -> None:
    text = outputs(hotline, tmp_path)[fmt]
    assert text.count("受理量") == 1 and text.count("办结量") == 1  # shared by the first two blocks
    assert text.count("平均办理天数") == 1  # the third block's own header
    assert text.count("渠道") == 2  # its corner: over the shared header, and over the third block's
    assert text.index("来信") < text.index("网上留言") < text.index("平均办理天数") < text.index("总体")


def test_blocks_under_one_header_are_one_table_body(hotline: Report) -> None:
    (table,) = [b.table for b in hotline.blocks if b.table is not None]
    rows = {c.text: c.row for c in table.cells if c.header}
    assert (rows["受理量"], rows["来信"], rows["来电"], rows["网上留言"]) == (0, 1, 2, 3)
    assert (rows["平均办理天数"], rows["总体"]) == (4, 5) and table.n_rows == 6
    assert table.header_rows == 0  # a header further down: none is repeated on every page


@pytest.mark.parametrize("fmt", ["docx", "html", "md"])
def test_table_two_keeps_a_header_under_each_caption(market: Report, tmp_path: Path, fmt: str) -> None:
    """As the national format prints table 二: each 第二十条 item with its own 信息内容 header."""
    text = outputs(market, tmp_path)[fmt]
    start = text.index("二、主动公开政府信息情况")
    t2 = text[start : text.index("三、收到和处理政府信息公开申请情况", start)]
    assert t2.count("第二十条第") == 4 and t2.count("信息内容") == 4 and t2.count("本年处理决定数量") == 2


def test_short_fields_are_lines_of_text(hotline: Report, tmp_path: Path) -> None:
    blocks = [(b.kind, b.text) for b in hotline.blocks if b.kind != "table"]
    assert blocks == [
        ("heading1", "一、基本情况"),
        ("paragraph", "网站名称：桐柏县人民政府网"),
        ("paragraph", "有移动新媒体：是"),
        ("paragraph", "访问量：1200件"),
        ("heading1", "二、办理情况"),
        ("heading1", "三、工作情况"),
        ("heading2", "（一）总体情况"),
        ("paragraph", "全年受理来信来电来网47件。"),
        ("heading2", "（二）下一步计划"),
        ("paragraph", "继续提升办结率。"),
    ]
    shown = outputs(hotline, tmp_path)
    md_headings = re.findall(r"^#+ (.*)$", shown["md"], re.M)
    assert md_headings == ["桐柏县政务服务中心2025年内联测试表", "一、基本情况", "二、办理情况", "三、工作情况",
                           "（一）总体情况", "（二）下一步计划"]  # fmt: skip
    assert "\n网站名称：桐柏县人民政府网\n" in shown["md"]
    assert "<p>网站名称：桐柏县人民政府网</p>" in shown["html"] and "<h3>网站名称" not in shown["html"]
    document = Document(str(tmp_path / "r.docx"))
    styles = {p.text: p.style.name for p in document.paragraphs if p.style is not None}
    assert styles["网站名称：桐柏县人民政府网"] == "Normal" and styles["（一）总体情况"] == "Heading 2"


def test_the_annual_report_sub_headings_are_its_narrative_items(market: Report) -> None:
    form = load_form()
    numbered = re.compile(r"^（[一二三四五六七八九十]+）")
    items = {numbered.sub("", f.label) for f in form.fields.values() if f.type == "longtext"}
    sub = [b.text for b in market.blocks if b.kind == "heading2"]
    assert len(sub) == 10 and all(numbered.match(t) for t in sub)
    assert {numbered.sub("", t) for t in sub} <= items
