"""Plain text (.txt) -> Document: text copied from Word, from a web page, or saved by a converter.

Three ways a table reaches plain text are understood: Word's copy, where each cell stands on its own
line after a tab, a cell's further lines follow without one and a blank line ends each row (the
example report); tab-separated rows (copied from a web page or a spreadsheet); and rows with cells
between "|" (what page-to-text converters write, one row or one cell per line). Every other line is
a paragraph (a Markdown heading's "#" marks dropped).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from xltool.importer.model import Block, Document, DocumentError, clean

_MARKER = re.compile(r"\[(?:bookmark|image|pic)[^\]]{0,80}\]", re.IGNORECASE)  # converters' leftovers
_HEADING_MARK = re.compile(r"^\s*#{1,6}\s+")  # "# 标题" of a Markdown copy


def decode(data: bytes) -> str:
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    raise DocumentError("unreadable", "文本文件的编码无法识别（请另存为 UTF-8 编码）")


def read_txt(path: Path, data: bytes) -> Document:
    doc = Document(path, "txt")
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DocumentError("unreadable", "这不是文本文件（含有二进制内容）")
    _Lines(doc).read(_MARKER.sub("", decode(data)).replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return doc


class _Lines:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.table: list[list[str]] | None = None
        self.style = ""  # "word" | "pipe" | "tab"
        self.row: list[str] | None = None
        self.in_cell = False  # the previous line was a Word cell line: a line without a tab continues it

    def read(self, lines: list[str]) -> None:
        for line in lines:
            self.line(line)
        self.close()

    def line(self, line: str) -> None:
        if line.startswith("\t") and self.style in ("", "word"):
            self.start("word")
            if self.row is None:
                self.row = []
            self.row.append(clean(line))
            self.in_cell = True
        elif not line.strip():
            if self.style == "word" and self.row is not None:
                self.end_row()
            elif self.style != "word":
                self.close()
            self.in_cell = False
        elif self.in_cell and self.row:
            self.row[-1] += clean(line)
        elif "|" in line:
            self.start("pipe")
            self.add_row(_pipe_cells(line))
        elif "\t" in line.strip("\t"):
            self.start("tab")
            self.add_row([clean(c) for c in line.split("\t")])
        else:
            self.close()
            self.doc.blocks.append(Block("para", clean(_HEADING_MARK.sub("", line))))

    def start(self, style: str) -> None:
        if self.style != style:
            self.close()
            self.style, self.table = style, []

    def add_row(self, cells: list[str]) -> None:
        assert self.table is not None
        self.table.append(cells)

    def end_row(self) -> None:
        if self.row is not None and self.table is not None:
            self.table.append(self.row)
        self.row = None

    def close(self) -> None:
        self.end_row()
        if self.table:
            self.doc.blocks.append(Block("table", rows=self.table))
        self.table, self.style, self.in_cell = None, "", False


def _pipe_cells(line: str) -> list[str]:
    """ "| a | b |" -> [a, b]; "a |" -> [a]; "|" -> [""] (a blank cell on its own line)."""
    stripped = line.strip()
    cells = stripped.split("|")
    if stripped.endswith("|"):
        cells = cells[:-1]
    if stripped.startswith("| ") or (stripped.startswith("|") and len(cells) > 2):
        cells = cells[1:]
    return [clean(c) for c in cells]
