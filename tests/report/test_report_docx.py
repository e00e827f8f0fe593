"""report_docx: the Word layout (GB/T 9704 fonts, page, merged tables) and the PDF LibreOffice makes of it."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

import xltool.office
from tests.conftest import _required
from tests.report.docxtext import doc_lines
from xltool.errors import OfficeError
from xltool.report.docx import render_docx, render_pdf
from xltool.report.model import Block, Report, Table, TableCell

UNIT = "桐柏县安棚镇人民政府"
TITLE = f"{UNIT}2024年政府信息公开工作年度报告"
CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
OUTCOMES = [  # table 三's outcome rows: (second-level label, its numbered sub-rows)
    ("（一）予以公开", []),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", []),
    (
        "（三）不予公开",
        ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益"]
        + ["5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"],
    ),
    ("（四）无法提供", ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"]),
    (
        "（五）不予处理",
        ["1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请"]
        + ["5.要求行政机关确认或重新出具已获取信息"],
    ),
    (
        "（六）其他处理",
        ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"]
        + ["2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他"],
    ),
    ("（七）总计", []),
]
RESULTS = ["结果\n维持", "结果\n纠正", "其他\n结果", "尚未\n审结", "总计"]


def table3(first: int = 300) -> Table:
    """Table 三 as the national format prints it: 3 label columns, 3 header rows, 7 number columns."""
    numbers = itertools.count(first)
    cells = [
        TableCell(CORNER, 0, 0, rowspan=3, colspan=3, header=True),
        TableCell("申请人情况", 0, 3, colspan=7, header=True, scope="colgroup"),
        TableCell("自然人", 1, 3, rowspan=2, header=True, scope="col"),
        TableCell("法人或其他组织", 1, 4, colspan=5, header=True, scope="colgroup"),
        TableCell("总计", 1, 9, rowspan=2, header=True, scope="col"),
    ]
    kinds = ["商业\n企业", "科研\n机构", "社会公益组织", "法律服务机构", "其他"]
    cells += [TableCell(t, 2, 4 + i, header=True, scope="col") for i, t in enumerate(kinds)]
    row = 3

    def label(text: str, col: int, rowspan: int = 1, colspan: int = 1) -> None:
        cells.append(TableCell(text, row, col, rowspan, colspan, header=True, scope="row"))

    def data_row() -> None:
        nonlocal row
        cells.extend(TableCell(str(next(numbers)), row, 3 + i, numeric=True) for i in range(7))
        row += 1

    for text in ("一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量"):
        label(text, 0, colspan=3)
        data_row()
    groups = OUTCOMES
    label("三、本年度办理结果", 0, rowspan=sum(max(1, len(items)) for _, items in groups))
    for text, items in groups:
        label(text, 1, rowspan=max(1, len(items)), colspan=1 if items else 2)
        for item in items:
            label(item, 2)
            data_row()
        if not items:
            data_row()
    label("四、结转下年度继续办理", 0, colspan=3)
    data_row()
    return Table("t3", row, 10, tuple(cells), widths=(1.5, 2.0, 4.6) + (1.0,) * 7, header_rows=3)


def table4(first: int = 501) -> Table:
    """Table 四: a three-level header (复议 | 诉讼 > 直接起诉 / 复议后起诉 > results) over 15 numbers."""
    cells = [
        TableCell("行政复议", 0, 0, colspan=5, header=True, scope="colgroup"),
        TableCell("行政诉讼", 0, 5, colspan=10, header=True, scope="colgroup"),
        TableCell("未经复议直接起诉", 1, 5, colspan=5, header=True, scope="colgroup"),
        TableCell("复议后起诉", 1, 10, colspan=5, header=True, scope="colgroup"),
    ]
    cells += [TableCell(t, 1, i, rowspan=2, header=True, scope="col") for i, t in enumerate(RESULTS)]
    cells += [TableCell(t, 2, 5 + i, header=True, scope="col") for i, t in enumerate(RESULTS * 2)]
    cells += [TableCell(str(first + i), 3, i, numeric=True) for i in range(15)]
    return Table("t4", 4, 15, tuple(sorted(cells, key=lambda c: (c.row, c.col))), header_rows=3)


BODY = (
    "2024年，安棚镇通过政务门户网站、微信公众号等平台主动公开政务信息53条，涵盖政策法规、经济发展、"
    "重点领域信息公开等多个方面，发布动态信息128条。"
)


def sample_report() -> Report:
    h1, h2, par = "heading1", "heading2", "paragraph"
    blocks = [
        Block(h1, "一、总体情况"),
        Block(h2, "（一）主动公开"),
        Block(par, BODY),
        Block(h2, "（二）依申请公开"),
        Block(par, "2024年，本机关未收到政府信息公开申请。"),
        Block(h1, "二、主动公开政府信息情况"),
        Block(par, "本年度未制发行政规范性文件。"),
        Block(h1, "三、收到和处理政府信息公开申请情况"),
        Block("table", table=table3()),
        Block(h1, "四、政府信息公开行政复议、行政诉讼情况"),
        Block("table", table=table4()),
        Block(h1, "五、存在的主要问题及改进情况"),
        Block(par, "公开信息量不大，兼职人员业务水平有待提高。" * 3),
        Block(h1, "六、其他需要报告的事项"),
        Block(par, "本年度未收取信息处理费。"),
    ]
    return Report(TITLE, UNIT, 2024, tuple(blocks), signature=(UNIT, "2025年1月20日"))


@pytest.fixture(scope="module")
def report() -> Report:
    return sample_report()


@pytest.fixture(scope="module")
def doc(report: Report, tmp_path_factory: pytest.TempPathFactory) -> DocxDocument:
    path = render_docx(report, tmp_path_factory.mktemp("docx") / "report.docx")
    return Document(str(path))


def _rfonts(run: object) -> dict[str, str]:
    rfonts = run.find(qn("w:rPr")).find(qn("w:rFonts"))  # type: ignore[attr-defined]
    return {k.split("}")[1]: v for k, v in rfonts.attrib.items()}


# ---- document structure ----------------------------------------------------------------------


def test_page_is_a4_with_gbt9704_margins_and_22_line_grid(doc: DocxDocument) -> None:
    section = doc.sections[0]
    measured = [section.page_width, section.page_height, section.top_margin, section.bottom_margin]
    measured += [section.left_margin, section.right_margin]
    assert [round(x.cm, 2) for x in measured] == [21.0, 29.7, 3.7, 3.5, 2.8, 2.6]  # type: ignore[union-attr]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines"
    assert grid.get(qn("w:linePitch")) == "579"  # 28.95 pt
    normal = doc.styles["Normal"]
    assert normal.paragraph_format.line_spacing == Pt(28.95)
    # 28 characters of 16 pt on the 442.2 pt line: each condensed by 0.25 pt (a character grid would
    # do it in Word, but LibreOffice then gives every character two grid cells)
    assert normal.element.find(qn("w:rPr")).find(qn("w:spacing")).get(qn("w:val")) == "-5"
    assert 28 * (16 - 0.25) <= 442.2 < 29 * (16 - 0.25)


def test_text_in_reading_order_equals_the_model(doc: DocxDocument, report: Report) -> None:
    lines = doc_lines(doc)
    assert lines[0] == f"{UNIT}\n2024年政府信息公开工作年度报告"  # broken after the unit's name
    lines[0] = lines[0].replace("\n", "")
    assert lines == report.text_lines()


@pytest.mark.parametrize(
    "unit,rest",
    [
        ("安棚镇", "2024年政府信息公开年报"),  # fits on one line
        ("桐柏县人民政府办公室（县人民政府政务公开办公室）", "2024年政府信息公开工作年度报告"),  # name too long
    ],
)
def test_title_is_broken_only_when_long_and_only_after_the_unit(tmp_path: Path, unit: str, rest: str) -> None:
    report = Report(unit + rest, unit, 2024)
    doc = Document(str(render_docx(report, tmp_path / "title.docx")))
    assert doc.paragraphs[0].text == report.title


def test_fonts_and_sizes_per_block_kind(doc: DocxDocument) -> None:
    expected = {
        "Report Title": ("方正小标宋简体", 22.0),
        "Heading 1": ("黑体", 16.0),
        "Heading 2": ("楷体_GB2312", 16.0),
        "Normal": ("仿宋_GB2312", 16.0),
    }
    seen = set()
    for paragraph in doc.paragraphs:
        for run in paragraph.runs:
            font, size = expected[paragraph.style.name]  # type: ignore[union-attr]
            assert _rfonts(run._r)["eastAsia"] == font
            assert run.font.size == Pt(size)
            seen.add(paragraph.style.name)  # type: ignore[union-attr]
    assert seen == set(expected)
    for table in doc.tables:
        for cell in table._cells:
            for run in cell.paragraphs[0].runs:
                assert _rfonts(run._r)["eastAsia"] == "宋体"
                assert run.font.size == Pt(10.5)
    assert doc.paragraphs[0].alignment is None  # centred by its style
    assert doc.styles["Report Title"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_every_run_names_its_fonts_and_no_theme_font_is_left(doc: DocxDocument) -> None:
    section = doc.sections[0]
    parts = [doc.element.body, section.footer._element, section.even_page_footer._element]
    runs = [r for part in parts for r in part.iter(qn("w:r"))]
    assert len(runs) > 50
    for run in runs:
        fonts = _rfonts(run)
        assert {"ascii", "hAnsi", "eastAsia"} <= set(fonts), fonts
        assert fonts["ascii"] == fonts["hAnsi"] == fonts["eastAsia"]
    theme = re.compile(r"\w+:(asciiTheme|hAnsiTheme|eastAsiaTheme|cstheme)=")
    assert not theme.search(doc.styles.element.xml)
    assert not theme.search(doc.element.xml)
    for part in doc.part.package.iter_parts():  # stylesWithEffects.xml (Word 2010) is dropped too
        assert not theme.search(part.blob.decode("utf-8", "replace")), part.partname
    lang = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:eastAsia")) == "zh-CN"
    assert doc.settings.element.find(qn("w:themeFontLang")).get(qn("w:eastAsia")) == "zh-CN"


def test_heading_styles_are_the_builtin_ones_restyled(doc: DocxDocument) -> None:
    for name, font in (("Heading 1", "黑体"), ("Heading 2", "楷体_GB2312")):
        style = doc.styles[name]
        assert style.font.name == font
        assert _rfonts(style.element)["eastAsia"] == font
        assert style.font.size == Pt(16) and not style.font.bold
        assert str(style.font.color.rgb) == "000000" and style.font.color.theme_color is None
        assert style.element.find(qn("w:pPr")).find(qn("w:outlineLvl")) is not None  # navigation pane
    heading_texts = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]  # type: ignore[union-attr]
    assert heading_texts[0] == "一、总体情况" and len(heading_texts) == 6


def test_body_paragraphs_indent_two_characters(doc: DocxDocument) -> None:
    body = [p for p in doc.paragraphs if p.style.name == "Normal" and p.text == BODY]  # type: ignore[union-attr]
    ind = body[0]._p.get_or_add_pPr().find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200" and ind.get(qn("w:firstLine")) == "640"


def test_signature_is_right_aligned_with_the_date_under_the_name(doc: DocxDocument) -> None:
    name, date = doc.paragraphs[-2], doc.paragraphs[-1]
    assert (name.text, date.text) == (UNIT, "2025年1月20日")
    assert name.alignment == date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert name.paragraph_format.right_indent == Pt(32)  # 右空二字
    # starts two characters right of the name: 10 - 2 - 7.75 (digits are half wide, plus autospace)
    assert date.paragraph_format.right_indent == Pt(16 * 2.25)


@pytest.mark.parametrize("index,model", [(0, table3()), (1, table4())])
def test_table_merges_alignment_and_header_rows(doc: DocxDocument, index: int, model: Table) -> None:
    table = doc.tables[index]
    assert (len(table.rows), len(table.columns)) == (model.n_rows, model.n_cols)
    for c in model.cells:
        cell = table.cell(c.row, c.col)
        tc = cell._tc
        assert (tc.top, tc.left, tc.bottom - tc.top, tc.right - tc.left) == (c.row, c.col, c.rowspan, c.colspan)
        assert cell.text == c.text
        assert cell.vertical_alignment == WD_CELL_VERTICAL_ALIGNMENT.CENTER
        align = cell.paragraphs[0].alignment
        if c.numeric:
            assert align == WD_ALIGN_PARAGRAPH.RIGHT
        elif c.row < model.header_rows:
            assert align == WD_ALIGN_PARAGRAPH.CENTER
        else:
            assert align == WD_ALIGN_PARAGRAPH.LEFT
    repeated = [row._tr.trPr.find(qn("w:tblHeader")) is not None for row in table.rows]
    assert repeated == [i < model.header_rows for i in range(model.n_rows)]
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert [b.get(qn("w:val")) for b in borders] == ["single"] * 6
    widths = [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.iter(qn("w:gridCol"))]
    assert sum(widths) == 8844  # the 15.6 cm text block: portrait, no landscape section


def test_table3_corner_and_row_labels_in_the_xml(doc: DocxDocument) -> None:
    rows = doc.tables[0]._tbl.tr_lst
    corner = rows[0].tc_lst[0].get_or_add_tcPr()
    assert corner.find(qn("w:gridSpan")).get(qn("w:val")) == "3"
    assert corner.find(qn("w:vMerge")).get(qn("w:val")) == "restart"
    for tr in rows[1:3]:  # continuation cells below the corner
        tc_pr = tr.tc_lst[0].get_or_add_tcPr()
        assert tc_pr.find(qn("w:gridSpan")).get(qn("w:val")) == "3"
        assert tc_pr.find(qn("w:vMerge")).get(qn("w:val")) in (None, "continue")
    withheld = doc.tables[0].cell(7, 1)
    assert withheld.text == "（三）不予公开" and withheld._tc.bottom - withheld._tc.top == 8
    result = doc.tables[0].cell(5, 0)
    assert result.text == "三、本年度办理结果" and result._tc.bottom - result._tc.top == 22


def test_adjacent_tables_are_kept_apart_and_unknown_blocks_refused(tmp_path: Path) -> None:
    blocks = (Block("table", table=table4()), Block("table", table=table4(601)))
    doc = Document(str(render_docx(Report("标题", "单位", 2024, blocks), tmp_path / "two.docx")))
    tags = [child.tag.split("}")[1] for child in doc.element.body.iterchildren()]
    assert tags == ["p", "tbl", "p", "tbl", "p", "sectPr"]
    with pytest.raises(ValueError, match="heading3"):
        render_docx(Report("标题", "单位", 2024, (Block("heading3", "x"),)), tmp_path / "bad.docx")


def test_render_pdf_without_libreoffice_says_so_in_chinese(
    tmp_path: Path, report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xltool.office, "find_soffice", lambda: None)
    with pytest.raises(OfficeError, match="未找到 LibreOffice"):
        render_pdf(report, tmp_path / "report.pdf")


# ---- the PDF LibreOffice makes ---------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf(report: Report, tmp_path_factory: pytest.TempPathFactory, soffice: str) -> Path:
    return render_pdf(report, tmp_path_factory.mktemp("pdf") / "年报.pdf")


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def _pdffonts(pdf: Path) -> list[dict[str, str]]:
    """pdffonts' table as dicts; columns are cut where the dashed rule under the header has gaps."""
    header, rule, *rows = _run("pdffonts", str(pdf)).splitlines()
    spans = [m.span() for m in re.finditer(r"-+", rule)]
    names = [header[a:b].strip() for a, b in spans[:-1]] + [header[spans[-1][0] :].strip()]
    cut = [(a, b) for a, b in spans[:-1]] + [(spans[-1][0], None)]
    return [{n: row[a:b].strip() for n, (a, b) in zip(names, cut, strict=True)} for row in rows]


def test_pdf_embeds_a_cjk_font(pdf: Path) -> None:
    fonts = _pdffonts(pdf)
    cjk = [f for f in fonts if re.search(r"CJK|SC|Fangsong|FangSong|Song|Hei|Kai", f["name"])]
    assert cjk and all(f["emb"] == "yes" for f in cjk), fonts


def test_pdf_draws_chinese_not_japanese_glyph_forms(tmp_path: Path, soffice: str) -> None:
    """pdffonts cannot tell SC from JP here: the Noto CJK collections share one CFF table named
    NotoSansCJKjp-Regular, so LibreOffice embeds "NotoSansCJKjp-…" whichever face it drew with, and
    the glyph forms follow the text's language. So compare pixels: characters whose Chinese and
    Japanese forms differ must look different from the same document switched to ja-JP."""
    report = Report("", "", 2024, (Block("paragraph", "骨直次令写说" * 4),))
    zh = render_pdf(report, tmp_path / "zh" / "probe.pdf")
    doc = Document(str(render_docx(report, tmp_path / "ja" / "probe.docx")))
    lang = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    lang.set(qn("w:eastAsia"), "ja-JP")
    doc.save(str(tmp_path / "ja" / "probe.docx"))
    ja = xltool.office.convert(tmp_path / "ja" / "probe.docx", "pdf", tmp_path / "ja-pdf")
    pages = []
    for pdf in (zh, ja):
        _run("pdftoppm", "-gray", "-r", "72", "-f", "1", "-l", "1", str(pdf), str(pdf.with_suffix("")))
        pages.append(next(pdf.parent.glob(f"{pdf.stem}*.pgm")).read_bytes())
    assert pages[0] != pages[1]


def test_pdf_text_has_title_headings_and_table_numbers(pdf: Path, report: Report) -> None:
    text = _run("pdftotext", "-enc", "UTF-8", str(pdf), "-")
    compact = "".join(text.split())
    assert report.title in compact
    for block in report.blocks:
        if block.kind in ("heading1", "heading2"):
            assert block.text in compact
    numbers = {c.text for b in report.blocks if b.table for c in b.table.cells if c.numeric}
    assert len(numbers) == 175 + 15
    assert numbers <= set(re.findall(r"\d+", text))
    pages = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(pdf))).group(1))  # type: ignore[union-attr]
    assert 2 <= pages <= 5
    for page in range(1, pages + 1):
        assert f"—{page}—" in compact  # page numbers "— 1 —" in the footer
    assert text.count("申请人情况") >= 2  # table 三 runs over a page break: its header rows repeat


def test_first_page_renders_to_png(pdf: Path, tmp_path: Path) -> None:
    _run("pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page"))
    pngs = list(tmp_path.glob("page*.png"))
    assert len(pngs) == 1 and pngs[0].stat().st_size > 5000


# ---- the package around the text: font table, properties, no stock thumbnail ----------------------


def _part(path: Path, name: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(name).decode("utf-8")


def test_font_table_guides_windows_to_its_own_faces(tmp_path: Path, report: Report) -> None:
    path = render_docx(report, tmp_path / "r.docx")
    fonts = ElementTree.fromstring(_part(path, "word/fontTable.xml").encode())
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    table = {f.get(f"{w}name"): {c.tag[len(w) :]: c.get(f"{w}val") for c in f} for f in fonts}
    alternatives = {
        "仿宋_GB2312": "仿宋",
        "楷体_GB2312": "楷体",
        "方正小标宋简体": "宋体",
        "黑体": "SimHei",
        "宋体": "SimSun",
    }
    assert set(table) == set(alternatives)  # no Calibri, Cambria or ＭＳ 明朝 from python-docx's template
    for name, alt in alternatives.items():
        assert table[name]["altName"] == alt
        assert table[name]["charset"] == "86"  # GB2312
        assert re.fullmatch(r"[0-9A-F]{20}", table[name]["panose1"] or "")
        assert table[name]["family"] in ("modern", "auto") and table[name]["pitch"] in ("fixed", "variable")
    used = set(re.findall(r'w:eastAsia="([^"]+)"', _part(path, "word/document.xml") + _part(path, "word/styles.xml")))
    assert used - {"zh-CN"} <= set(table)  # every font the text names is described


def test_core_properties_come_from_the_return(tmp_path: Path, report: Report) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    path = render_docx(report, tmp_path / "r.docx")
    core, app = _part(path, "docProps/core.xml"), _part(path, "docProps/app.xml")
    props = Document(str(path)).core_properties
    assert (props.title, props.author, props.last_modified_by) == (TITLE, UNIT, UNIT)
    for when in (props.created, props.modified):
        assert when is not None and before <= when.replace(tzinfo=dt.UTC) <= before + dt.timedelta(minutes=5)
    assert "python-docx" not in core + app and "2013" not in core
    assert "Macintosh" not in app and "<Application>" not in app
    with zipfile.ZipFile(path) as z:
        assert not [n for n in z.namelist() if "thumbnail" in n]
        assert "thumbnail" not in z.read("_rels/.rels").decode() + z.read("[Content_Types].xml").decode()


# ---- the PDF says what the .docx says ---------------------------------------------------------


@pytest.fixture(scope="session")
def pdftotext() -> str:
    return _required(shutil.which("pdftotext"), "pdftotext (poppler-utils)")


def _pdf_words(pdf: Path) -> str:
    """The PDF's text without whitespace or page numbers. -bbox, not plain pdftotext: that joins a
    line ending in "-" to the next one without it ("0377-" + "60000000" -> "037760000000")."""
    words = re.findall(r"<word [^>]*>([^<]*)</word>", _run("pdftotext", "-enc", "UTF-8", "-bbox", str(pdf), "-"))
    text = "".join(html.unescape(w) for w in words)
    return re.sub(r"—\d+—", "", "".join(text.split()))


@pytest.mark.parametrize("sample", ["安棚镇_2024_真实报告数据.xlsx", "市场监管局_2025_完整正确.xlsx"])
def test_pdf_text_equals_the_docx_paragraphs(tmp_path: Path, sample: str, soffice: str, pdftotext: str) -> None:
    """A "，" or "。" after a full line was hung into the margin by LibreOffice and never drawn."""
    from xltool.form.loader import load_form
    from xltool.report.render import render_reports

    source = Path(__file__).resolve().parents[2] / "samples" / "returns" / sample
    render_reports(load_form(), source, [(tmp_path / "r.docx", "docx"), (tmp_path / "r.pdf", "pdf")])
    text = _pdf_words(tmp_path / "r.pdf")
    paragraphs = ["".join(p.text.split()) for p in Document(str(tmp_path / "r.docx")).paragraphs]
    assert len([p for p in paragraphs if len(p) > 100]) >= 3  # long enough to wrap over many lines
    missing = [p for p in paragraphs if p and p not in text]
    assert not missing, missing


def test_pdf_of_the_model_report_has_every_paragraph(pdf: Path, report: Report, pdftotext: str) -> None:
    text = _pdf_words(pdf)
    assert all("".join(b.text.split()) in text for b in report.blocks if b.kind != "table")
