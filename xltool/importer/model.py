"""A published report as read from its file: paragraphs, tables (rows of cell texts) and images, in
reading order, whatever the format. The readers (formats.py, pdftext.py, plaintext.py) produce it and
document.py dispatches to them; everything after reading (sections, tables, values) works on this
one shape.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from xltool.errors import XltoolError

_BLANKS = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")


class DocumentError(XltoolError):
    """The file cannot be read as a published report; ``kind`` names why (a finding id)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(detail or kind)
        self.kind, self.detail = kind, detail


@dataclass
class Block:
    kind: str  # "para" | "table" | "image"
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)  # a table's rows of cell texts

    @property
    def table_text(self) -> str:
        return "".join(c for row in self.rows for c in row)


@dataclass
class Document:
    path: Path
    format: str  # "docx" | "html" | "pdf" | "txt"
    blocks: list[Block] = field(default_factory=list)
    head_title: str = ""  # a web page's <title>, where the report's title may be when the body lacks it

    @property
    def text(self) -> str:
        return "\n".join(b.text if b.kind == "para" else b.table_text for b in self.blocks)


def clean(text: str) -> str:
    """A cell's or line's text: blanks collapsed; blanks between CJK characters removed."""
    text = _BLANKS.sub(" ", text).strip()
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text)
