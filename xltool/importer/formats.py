"""Word (.docx, python-docx) and web pages (.html, lxml) -> Document.

Tables are read as they are drawn: one cell per merged area (a Word cell spanning columns, an HTML
cell with colspan, is one cell; the rows a vertically merged cell spans carry no cell for it), each
cell's text joined across its paragraphs and line breaks. Layout tables (a table holding tables,
which old portal pages wrap the whole page in) are read as the text and tables inside them.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from xltool.importer.model import Block, Document, clean

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# ------------------------------------------------------------------ Word
def read_docx(path: Path, data: bytes) -> Document:
    import docx
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    doc = Document(path, "docx")
    for el in document.element.body.iterchildren():
        if el.tag == f"{_W}p":
            doc.blocks += _docx_paragraph(Paragraph(el, document))
        elif el.tag == f"{_W}tbl":
            doc.blocks.append(Block("table", rows=_docx_rows(el)))
        elif el.tag == f"{_W}sdt":  # a content control around paragraphs (tables of contents, cover pages)
            for p in el.iter(f"{_W}p"):
                doc.blocks += _docx_paragraph(Paragraph(p, document))
    return doc


def _docx_paragraph(p: Any) -> list[Block]:
    blocks = [Block("para", text) for text in (clean(t) for t in p.text.split("\n")) if text]
    if p._p.find(f".//{_W}drawing") is not None or p._p.find(f".//{_W}pict") is not None:
        blocks.append(Block("image"))
    return blocks


def _docx_rows(tbl: Any) -> list[list[str]]:
    rows = []
    for tr in tbl.iterchildren(f"{_W}tr"):
        cells = []
        for tc in tr.iterchildren(f"{_W}tc"):
            merge = tc.find(f"{_W}tcPr/{_W}vMerge")
            if merge is not None and merge.get(f"{_W}val") in (None, "continue"):
                continue  # the rows a vertically merged cell spans below its first
            texts = ["".join(t.text or "" for t in p.iter(f"{_W}t")) for p in tc.iterchildren(f"{_W}p")]
            cells.append(clean("".join(texts)))
        rows.append(cells)
    return rows


# ------------------------------------------------------------------ web pages
_SKIP = {"script", "style", "noscript", "head", "template", "select", "option", "button", "iframe", "svg"}
_FURNITURE = re.compile(
    r"\b(?:nav\w*|menu\w*|footer|foot|header|breadcrumb\w*|crumbs?|share\w*|print\w*|toolbar|sidebar)\b", re.I
)
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article", "br", "tr",
          "table", "blockquote", "pre", "dd", "dt", "dl", "header", "footer", "center", "form", "hr"}  # fmt: skip


def read_html(path: Path, data: bytes) -> Document:
    import lxml.html

    root = lxml.html.document_fromstring(data)
    doc = Document(path, "html")
    title = root.find(".//title")
    doc.head_title = clean(title.text_content()) if title is not None else ""
    body = root.find("body")
    walker = _HtmlWalker(doc)
    walker.walk(body if body is not None else root)
    walker.flush()
    return doc


class _HtmlWalker:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.line: list[str] = []

    def flush(self) -> None:
        text = clean("".join(self.line))
        if text:
            self.doc.blocks.append(Block("para", text))
        self.line = []

    def walk(self, el: Any) -> None:
        if not isinstance(el.tag, str) or el.tag.lower() in _SKIP or _FURNITURE.search(_names(el)):
            self.line.append(el.tail or "")  # comments, scripts, the portal's menus and footers
            return
        tag = el.tag.lower()
        if tag == "table" and el.find(".//table") is None:
            self.flush()
            self.doc.blocks.append(Block("table", rows=_html_rows(el)))
            self.line.append(el.tail or "")
            return
        if tag == "img":
            self.flush()
            self.doc.blocks.append(Block("image"))
        if tag in _BLOCK:
            self.flush()
        self.line.append(el.text or "")
        for child in el:
            self.walk(child)
        if tag in _BLOCK:
            self.flush()
        self.line.append(el.tail or "")


def _names(el: Any) -> str:
    return f"{el.get('class') or ''} {el.get('id') or ''}"


def _html_rows(table: Any) -> list[list[str]]:
    rows = []
    for tr in table.iter("tr"):
        cells = [clean(_cell_text(td)) for td in tr if isinstance(td.tag, str) and td.tag.lower() in ("td", "th")]
        rows.append(cells)
    return rows


def _cell_text(td: Any) -> str:
    return "".join(str(t) for t in td.itertext())
