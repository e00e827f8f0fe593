"""Draw a Report (``report_model``) as a Word document after GB/T 9704-2012 党政机关公文格式, or as a PDF.

Word/WPS on the user's PC must find the GB/T 9704 fonts by name, so every run and every style names
them for all scripts (ascii, hAnsi, eastAsia) and no theme font is left anywhere: WPS reports theme
fonts as missing. The East-Asian language is zh-CN: LibreOffice draws the glyph forms of that language
(the Noto CJK fonts it substitutes hold Chinese and Japanese forms of the same characters).
Tables fit the portrait text block (15.6 cm) in 五号 type, as published reports print them.
"""

from __future__ import annotations

import itertools
import math
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt, RGBColor, Twips
from docx.styles.style import ParagraphStyle
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from xltool.office import convert
from xltool.report.docx_package import set_up_package
from xltool.report.model import Report, Table, TableCell
from xltool.wording import clip

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
TABLE_FONT = "宋体"
TITLE_PT = 22.0  # 二号
BODY_PT = 16.0  # 三号
PAGE_NUMBER_PT = 14.0  # 四号
TABLE_PT = 10.5  # 五号
LINE_PT = 28.95  # fixed line pitch: 22 lines on the 22.5 cm high text block
CHARS_PER_LINE = 28
TEXT_WIDTH_TWIPS = round((21.0 - 2.8 - 2.6) / 2.54 * 1440)  # 15.6 cm
TITLE_STYLE = "Report Title"
TABLE_STYLE = "Report Table Text"
MAX_PROPERTY = 255  # characters of a document property (title, author) that Word keeps
_THEME_ATTRS = ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme")
_AFTER_SNAP = ("w:spacing", "w:ind", "w:contextualSpacing", "w:jc", "w:textAlignment", "w:outlineLvl", "w:rPr")
_AFTER_PUNCT = (
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    *_AFTER_SNAP,
)
_EDGES = ("top", "left", "bottom", "right", "insideH", "insideV")
_AFTER_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")


def render_docx(report: Report, out: Path) -> Path:
    """Write ``report`` as a .docx at ``out`` and return the path."""
    doc = Document()
    _set_up_styles(doc)
    _set_up_page(doc)
    # the model never holds a flawed unit name (A2); a document property is still cut to what Word keeps
    set_up_package(doc, clip(report.title, MAX_PROPERTY), clip(report.unit, MAX_PROPERTY))
    if report.mark:
        _add_mark(doc, report.mark)
    _add_text(doc.add_paragraph(style=TITLE_STYLE), _title_lines(report), TITLE_FONT, TITLE_PT)
    for block in report.blocks:
        if block.kind == "table" and block.table is not None:
            _add_table(doc, block.table)
            doc.add_paragraph()  # a blank line; also keeps adjacent tables from fusing into one
        elif block.kind in ("heading1", "heading2"):
            style, font = ("Heading 1", HEADING1_FONT) if block.kind == "heading1" else ("Heading 2", HEADING2_FONT)
            _add_text(doc.add_paragraph(style=style), block.text, font)
        elif block.kind == "paragraph":
            paragraph = doc.add_paragraph()
            _indent_two_chars(paragraph._p.get_or_add_pPr())
            _add_text(paragraph, block.text, BODY_FONT)
        else:
            raise ValueError(f"unknown block kind {block.kind!r}")
    _add_signature(doc, [s for s in report.signature if s])
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(out))
    return Path(out)


def render_pdf(report: Report, out: Path) -> Path:
    """Write ``report`` as a PDF at ``out`` via LibreOffice (OfficeError when it is missing)."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xltool-report-") as tmp:
        docx = render_docx(report, Path(tmp) / "src" / f"{out.stem}.docx")
        pdf = convert(docx, "pdf", Path(tmp) / "pdf")
        shutil.move(str(pdf), str(out))
    return out


def _set_fonts(rpr: BaseOxmlElement, font: str) -> None:
    """Name ``font`` for every script on a run's or style's rPr, and drop any theme font."""
    rfonts = rpr.get_or_add_rFonts()
    for attr in _THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    rfonts.attrib.update({qn(attr): font for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")})


def _add_text(paragraph: Paragraph, text: str, font: str, size: float = BODY_PT) -> Run:
    run = paragraph.add_run(text)  # "\n" becomes a line break
    _set_fonts(run._r.get_or_add_rPr(), font)
    run.font.size = Pt(size)
    return run


def _style(doc: DocxDocument, name: str, font: str, size: float, align: WD_ALIGN_PARAGRAPH) -> ParagraphStyle:
    style = doc.styles[name] if name in doc.styles else doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    assert isinstance(style, ParagraphStyle)
    _set_fonts(style.element.get_or_add_rPr(), font)
    style.font.size, style.font.bold, style.font.italic = Pt(size), False, False
    style.font.color.rgb = RGBColor(0, 0, 0)
    fmt = style.paragraph_format
    fmt.alignment, fmt.space_before, fmt.space_after, fmt.line_spacing = align, Pt(0), Pt(0), Pt(LINE_PT)
    return style


def _set_up_styles(doc: DocxDocument) -> None:
    for rel in [r for r in doc.part.rels.values() if r.reltype.endswith("/stylesWithEffects")]:
        doc.part.drop_rel(rel.rId)  # Word 2010's second copy of the styles, full of theme fonts
    _set_up_defaults(doc.styles.element)
    normal = _style(doc, "Normal", BODY_FONT, BODY_PT, WD_ALIGN_PARAGRAPH.JUSTIFY)
    _char_spacing(normal, math.floor(TEXT_WIDTH_TWIPS / CHARS_PER_LINE - BODY_PT * 20))  # 28 per line
    _simple_punctuation_wrap(normal.element.get_or_add_pPr())
    for name, font in (("Heading 1", HEADING1_FONT), ("Heading 2", HEADING2_FONT)):
        heading = _style(doc, name, font, BODY_PT, WD_ALIGN_PARAGRAPH.JUSTIFY)
        heading.paragraph_format.keep_with_next = True
        _indent_two_chars(heading.element.get_or_add_pPr())
        linked = doc.styles[f"{name} Char"]  # Word shows the linked character style too
        _set_fonts(linked.element.get_or_add_rPr(), font)
        linked.font.bold, linked.font.color.rgb, linked.font.size = False, RGBColor(0, 0, 0), Pt(BODY_PT)
    title = _style(doc, TITLE_STYLE, TITLE_FONT, TITLE_PT, WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.space_after = Pt(LINE_PT)  # 标题下空一行
    title.paragraph_format.line_spacing = Pt(TITLE_PT * 1.5)  # large glyphs would be clipped at 28.95
    table = _style(doc, TABLE_STYLE, TABLE_FONT, TABLE_PT, WD_ALIGN_PARAGRAPH.LEFT)
    table.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    for style in (title, table):
        style.base_style = doc.styles["Normal"]
        _char_spacing(style, 0)
        _no_grid(style.element.get_or_add_pPr())


def _set_up_defaults(styles: BaseOxmlElement) -> None:
    """No theme font anywhere (every style of the stock template uses them); Chinese as the
    East-Asian language, so LibreOffice draws Simplified Chinese glyph forms, not Japanese ones."""
    for rfonts in styles.iter(qn("w:rFonts")):
        for attr in _THEME_ATTRS:
            rfonts.attrib.pop(qn(attr), None)
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, BODY_FONT)
    rpr.find(qn("w:lang")).attrib.update({qn("w:val"): "en-US", qn("w:eastAsia"): "zh-CN"})
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.attrib.clear()  # no 10 pt after every paragraph, no 1.15 lines


def _char_spacing(style: ParagraphStyle, twips: int) -> None:
    """Condense (or not) the characters of a style by ``twips`` (1/20 pt) each."""
    rpr = style.element.get_or_add_rPr()
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        rpr.insert_element_before(spacing, "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u")
    spacing.set(qn("w:val"), str(twips))


def _simple_punctuation_wrap(ppr: BaseOxmlElement) -> None:
    """No punctuation hung into the margin in LibreOffice: a "，" or "。" after a full line of 28
    characters is hung there and, in a justified line condensed by _char_spacing, never drawn (the PDF
    lost it; LibreOffice 7.4). LibreOffice reads w:overflowPunct inverted: "1" gives its simple wrap
    (the last character goes down with the mark), while for Word and WPS "1" is their own default."""
    ppr.insert_element_before(OxmlElement("w:overflowPunct", {qn("w:val"): "1"}), *_AFTER_PUNCT)


def _no_grid(ppr: BaseOxmlElement) -> None:
    """Let the paragraph ignore the document grid (small table type must not snap to 28.95 pt)."""
    if ppr.find(qn("w:snapToGrid")) is None:
        ppr.insert_element_before(OxmlElement("w:snapToGrid", {qn("w:val"): "0"}), *_AFTER_SNAP)


def _indent_two_chars(ppr: BaseOxmlElement) -> None:
    """First-line indent of two characters, kept in characters (Word/WPS follow font-size changes)."""
    ppr.get_or_add_ind().attrib.update({qn("w:firstLine"): str(round(BODY_PT * 40)), qn("w:firstLineChars"): "200"})


def _set_up_page(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.header_distance = Cm(1.5)
    section.footer_distance = Cm(2.3)  # the number's top sits 7 mm below the text block
    grid = section._sectPr.find(qn("w:docGrid"))
    grid.set(qn("w:type"), "lines")  # a character grid makes LibreOffice give each character two cells
    grid.set(qn("w:linePitch"), str(round(LINE_PT * 20)))
    doc.settings.odd_and_even_pages_header_footer = True  # page numbers on the outer side
    doc.settings.element.find(qn("w:themeFontLang")).set(qn("w:eastAsia"), "zh-CN")
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def _add_mark(doc: DocxDocument, mark: str) -> None:
    """A forced report says it failed verification above its title and in the header of every page."""
    section = doc.sections[0]
    for paragraph in (doc.add_paragraph(), section.header.paragraphs[0], section.even_page_header.paragraphs[0]):
        paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = _add_text(paragraph, f"【{mark}】", HEADING1_FONT, PAGE_NUMBER_PT)
        run.font.bold, run.font.color.rgb = True, RGBColor(0xC0, 0x00, 0x00)


def _page_number(paragraph: Paragraph, align: WD_ALIGN_PARAGRAPH) -> None:
    """Page number "— 1 —" in 宋体 四号, one character in from the outer edge (GB/T 9704 7.5)."""
    fmt = paragraph.paragraph_format
    fmt.alignment, fmt.line_spacing_rule = align, WD_LINE_SPACING.SINGLE
    setattr(fmt, "right_indent" if align == WD_ALIGN_PARAGRAPH.RIGHT else "left_indent", Pt(PAGE_NUMBER_PT))
    _no_grid(paragraph._p.get_or_add_pPr())
    _add_text(paragraph, "— ", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
    field = OxmlElement("w:fldSimple", {qn("w:instr"): " PAGE "})
    field.append(_add_text(paragraph, "1", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)._r)  # moves the run into the field
    paragraph._p.append(field)
    _add_text(paragraph, " —", PAGE_NUMBER_FONT, PAGE_NUMBER_PT)


def _ems(text: str) -> float:
    """Width in characters of the body size: digits and Latin letters are half as wide, and Word
    puts a quarter character between them and Chinese characters (autoSpaceDN)."""
    half = [ord(ch) < 0x2E80 for ch in text]
    return sum(0.5 if h else 1.0 for h in half) + 0.25 * sum(a != b for a, b in itertools.pairwise(half))


def _title_lines(report: Report) -> str:
    """Break a long title after the unit's name (回行时词意完整), not wherever the line happens to fill."""
    title, unit = report.title, report.unit
    per_line = TEXT_WIDTH_TWIPS / 20 / TITLE_PT
    rest = title[len(unit) :]
    if _ems(title) <= per_line or not unit or not title.startswith(unit) or not rest:
        return title
    return f"{unit}\n{rest}" if max(_ems(unit), _ems(rest)) <= per_line else title


def _add_signature(doc: DocxDocument, lines: Sequence[str]) -> None:
    """署名 and 成文日期 (GB/T 9704 7.3.5.2, unsealed): the name 右空二字 one line below the text,
    the date on the next line starting two characters right of the name's first character."""
    if not lines:
        return
    names, date = (lines[:-1], lines[-1]) if len(lines) > 1 else (lines, "")
    name_right, date_right = 2.0, max(_ems(n) for n in names) - _ems(date)  # = 2 + name - 2 - date
    if date and date_right < 2:  # a date longer than the name: 日期右空二字, the name moves left
        name_right, date_right = name_right + 2 - date_right, 2.0
    for i, text in enumerate(lines):
        paragraph = doc.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = Pt(BODY_PT * (date_right if date and i == len(lines) - 1 else name_right))
        if i == 0:
            fmt.space_before = Pt(LINE_PT)
        _add_text(paragraph, text, BODY_FONT)


def _widths(table: Table) -> list[int]:
    weights = list(table.widths) if len(table.widths) == table.n_cols else [1.0] * table.n_cols
    widths = [math.floor(TEXT_WIDTH_TWIPS * w / sum(weights)) for w in weights]
    widths[-1] += TEXT_WIDTH_TWIPS - sum(widths)
    return widths


def _alignment(cell: TableCell, table: Table) -> WD_ALIGN_PARAGRAPH:
    if cell.numeric:
        return WD_ALIGN_PARAGRAPH.RIGHT
    if cell.scope in ("row", "rowgroup"):
        return WD_ALIGN_PARAGRAPH.LEFT
    if cell.scope in ("col", "colgroup") or cell.row < table.header_rows or cell.colspan == table.n_cols:
        return WD_ALIGN_PARAGRAPH.CENTER
    return WD_ALIGN_PARAGRAPH.LEFT


def _add_table(doc: DocxDocument, table: Table) -> None:
    widths = _widths(table)
    grid = doc.add_table(rows=table.n_rows, cols=table.n_cols)
    _table_properties(grid, widths)
    for i, row in enumerate(grid.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(OxmlElement("w:cantSplit"))
        if i < table.header_rows:  # repeated at the top of each page
            tr_pr.append(OxmlElement("w:tblHeader"))
        for j, cell in enumerate(row.cells):
            cell.width = Twips(widths[j])
    # grid.cell() rebuilds the whole grid on every call (quadratic: 2.5 s of a 4 s report), so the
    # cells are taken once before merging (the ranges do not overlap) and once after.
    n = table.n_cols
    before = grid._cells
    for c in table.cells:
        if c.rowspan > 1 or c.colspan > 1:
            before[c.row * n + c.col].merge(before[(c.row + c.rowspan - 1) * n + c.col + c.colspan - 1])
    style_id = doc.styles[TABLE_STYLE].style_id  # looked up once: by name it scans every style
    for p in grid._tbl.iter(qn("w:p")):  # the empty continuation cells too: their marks set row heights
        p.get_or_add_pPr().get_or_add_pStyle().val = style_id
    after = grid._cells
    for c in table.cells:
        cell = after[c.row * n + c.col]
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = cell.paragraphs[0]
        paragraph.alignment = _alignment(c, table)
        if c.text:
            _add_text(paragraph, c.text, TABLE_FONT, TABLE_PT)


def _table_properties(grid: DocxTable, widths: list[int]) -> None:
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False  # fixed layout: the widths below, whatever the text
    tbl_pr = grid._tbl.tblPr
    tbl_pr.find(qn("w:tblW")).attrib.update({qn("w:type"): "dxa", qn("w:w"): str(sum(widths))})
    borders, margins = OxmlElement("w:tblBorders"), OxmlElement("w:tblCellMar")
    single = {qn("w:val"): "single", qn("w:sz"): "4", qn("w:space"): "0", qn("w:color"): "000000"}
    borders.extend(OxmlElement(f"w:{edge}", single) for edge in _EDGES)
    margins.extend(OxmlElement(f"w:{edge}", {qn("w:w"): "57", qn("w:type"): "dxa"}) for edge in ("left", "right"))
    tbl_pr.insert_element_before(borders, *_AFTER_BORDERS)
    tbl_pr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Twips(width)
