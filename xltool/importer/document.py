"""A published report's file -> its Document: the file is checked and sniffed, then handed to the
reader of its format (formats.py, pdftext.py, plaintext.py), which builds the shape of model.py.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from xltool.importer.formats import read_docx, read_html
from xltool.importer.model import Document, DocumentError
from xltool.importer.pdftext import read_pdf
from xltool.importer.plaintext import read_txt
from xltool.wording import describe_error

MAX_BYTES = 50 * 1024 * 1024  # a published report is a few MB at most; a bigger file is not one
SUFFIXES = (".docx", ".html", ".htm", ".shtml", ".xhtml", ".mht", ".pdf", ".txt", ".md")
FORMAT_NAMES = {"docx": "Word 文档", "html": "网页", "pdf": "PDF", "txt": "文本"}


def format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return "docx"
    if suffix == ".pdf":
        return "pdf"
    if suffix in (".txt", ".md"):  # xltool's own Markdown report is text with "|" tables
        return "txt"
    if suffix in SUFFIXES:
        return "html"
    raise DocumentError("unknown", f"不支持的文件类型“{path.suffix or '无扩展名'}”")


def read_document(path: Path) -> Document:
    """Read a published report; DocumentError (Chinese) when the file cannot be one."""
    path = Path(path)
    try:
        if not path.is_file():
            raise DocumentError("unreadable", "不是普通文件")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DocumentError("unreadable", f"文件过大（{size // 1024 // 1024} MB）")
        data = path.read_bytes()
    except OSError as err:
        raise DocumentError("unreadable", describe_error(err)) from None
    if not data.strip():
        raise DocumentError("empty")
    fmt = _sniff(data) or format_of(path)
    reader = READERS[fmt]
    try:
        doc = reader(path, data)
    except DocumentError:
        raise
    except Exception as err:  # noqa: BLE001 - a parser's failure means the file is damaged
        raise DocumentError("unreadable", f"{FORMAT_NAMES[fmt]}已损坏或格式不对（{describe_error(err)}）") from None
    doc.blocks = [b for b in doc.blocks if b.kind == "image" or b.text.strip() or any(any(r) for r in b.rows)]
    if not doc.text.strip() and not doc.head_title:
        kind = "scanned" if fmt == "pdf" or any(b.kind == "image" for b in doc.blocks) else "empty"
        raise DocumentError(kind)
    return doc


def _sniff(data: bytes) -> str:
    """What the bytes are, whatever the name says ("" when plain text or unknown)."""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError):
            raise DocumentError("unreadable", "文件已损坏（不完整的压缩包）") from None
        if "word/document.xml" in names:
            return "docx"
        raise DocumentError("unreadable", "这是一个压缩包或其他 Office 文件（如 Excel 表格），不是 Word 文档（.docx）")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DocumentError("old_office", "")
    head = data[:2048].lower()
    if b"<html" in head or b"<!doctype html" in head or b"<body" in head or b"<table" in head:
        return "html"
    return ""


# Each reader imports its parser (python-docx, lxml, pdfplumber) only when a file of its kind comes.
READERS: dict[str, Callable[[Path, bytes], Document]] = {
    "docx": read_docx,
    "html": read_html,
    "pdf": read_pdf,
    "txt": read_txt,
}
