"""PDF with a text layer (pdfplumber) -> Document.

Ruled tables are read as tables (pdfplumber finds their cells from the lines drawn; a cell covered
by a merge is None and is left out, an empty cell is ""). The text outside them is read line by
line and lines are joined into paragraphs: a line ends its paragraph when it stops short of the
right margin, or the next one is indented or starts with a heading's ordinal. A PDF without text
(a scan) is reported as such, never read by guessing.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from xltool.importer.model import Block, Document, DocumentError, clean

MAX_PAGES = 200
_HEADING_START = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[.、．]|第[一二三四五六七八九十]+)"
)


def read_pdf(path: Path, data: bytes) -> Document:
    import pdfplumber

    doc = Document(path, "pdf")
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as err:  # noqa: BLE001 - pdfminer raises many kinds for a damaged file
        name = type(err).__name__
        if "Password" in name or "Encrypt" in name:
            raise DocumentError("unreadable", "PDF 设置了密码，无法读取") from None
        raise
    with pdf:
        if len(pdf.pages) > MAX_PAGES:
            raise DocumentError(
                "unreadable", f"PDF 有 {len(pdf.pages)} 页，超过了一份报告的篇幅（至多 {MAX_PAGES} 页）"
            )
        for page in pdf.pages:
            doc.blocks += _page(page)
    return doc


def _page(page: Any) -> list[Block]:
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    items: list[tuple[float, Block | dict[str, Any]]] = []
    for t in tables:
        rows = [[clean(c) for c in row if c is not None] for row in t.extract()]
        items.append((t.bbox[1], Block("table", rows=rows)))

    def outside(obj: dict[str, Any]) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)

    text_page = page.filter(outside) if boxes else page
    for line in text_page.extract_text_lines(return_chars=False):
        items.append((line["top"], line))
    if page.images:
        items.append((page.images[0]["top"], Block("image")))
    items.sort(key=lambda it: it[0])
    return _paragraphs(items, float(page.width))


def _paragraphs(items: list[tuple[float, Block | dict[str, Any]]], width: float) -> list[Block]:
    lines = [it for _, it in items if isinstance(it, dict)]
    left = min((ln["x0"] for ln in lines), default=0.0)
    right = max((ln["x1"] for ln in lines), default=width)
    out: list[Block] = []
    open_para: Block | None = None
    for _, it in items:
        if isinstance(it, Block):
            out.append(it)
            open_para = None
            continue
        text = clean(it["text"])
        if not text:
            continue
        size = max(it["bottom"] - it["top"], 1.0)
        indented = it["x0"] > left + size * 1.2
        if open_para is not None and not indented and not _HEADING_START.match(text):
            open_para.text += text
        else:
            open_para = Block("para", text)
            out.append(open_para)
        if it["x1"] < right - size * 4:  # a short line ends its paragraph (a wrap leaves at most a word)
            open_para = None
    return out
