"""The text of a Word file as a reader meets it: paragraphs and table cells in reading order."""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph


def doc_lines(doc: DocxDocument) -> list[str]:
    """Paragraph and table-cell texts in reading order; a merged cell counts once (by its w:tc)."""
    lines: list[str] = []
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            lines.append(Paragraph(child, doc).text)
        elif child.tag == qn("w:tbl"):
            seen: set[object] = set()  # the w:tc elements themselves: ids of lxml proxies get reused
            for row in DocxTable(child, doc).rows:
                for cell in row.cells:
                    if cell._tc not in seen:
                        seen.add(cell._tc)
                        lines.append(cell.text)
    return [line for line in lines if line]
