"""What a file *is*, decided from its bytes before any parser sees it (one sniffer for every reader).

Returns and rosters arrive by email: an old .xls, a WPS .et, an encrypted workbook, a Word file
renamed, a truncated download, a macro workbook. Each becomes one kind with a Chinese detail, which
the reader turns into its H1/H6 problem and the roster into its message.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass, field

from xltool.wording import describe_error
from xltool.workbook.limits import Refused, check_zip

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls/.doc, WPS .et, encrypted .xlsx

XLSX = "xlsx"  # a workbook we may open
KINDS = ("empty", "encrypted", "et", "word", "xls", "unknown", "corrupt", "too_big", "macro", XLSX)


@dataclass(frozen=True)
class Sniffed:
    kind: str  # one of KINDS
    detail: str = ""
    archive: zipfile.ZipFile | None = field(default=None, compare=False, repr=False)  # opened and checked

    @property
    def ok(self) -> bool:
        return self.kind == XLSX


def _renamed(suffix: str) -> str:
    """A Word file under a spreadsheet's name was renamed; a .docx sent as is was not."""
    return "（扩展名被改成了表格的）" if suffix.lower() in (".xlsx", ".xlsm", ".xls", ".et", ".ods", ".csv") else ""


def sniff(data: bytes, suffix: str = "") -> Sniffed:
    if not data:
        return Sniffed("empty")
    if data.startswith(OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            return Sniffed("encrypted")
        if suffix.lower() == ".et":
            return Sniffed("et")
        if "WordDocument".encode("utf-16-le") in data:
            return Sniffed("word", _renamed(suffix))
        return Sniffed("xls")
    if not data.startswith(b"PK"):
        head = data[:200].lstrip().lower()
        kind = "网页（HTML）" if head.startswith((b"<!doctype html", b"<html", b"<?xml")) else "文本或其他格式"
        if data.startswith(b"%PDF"):
            kind = "PDF 文件"
        return Sniffed("unknown", kind)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        check_zip(zf)  # sizes, ratios, methods, overlaps: before anything is decompressed
        names = {n.lower(): n for n in zf.namelist()}  # Excel matches part names without case
        content_types = zf.read(names["[content_types].xml"]) if "[content_types].xml" in names else b""
    except Refused as refused:
        return Sniffed(refused.kind, refused.detail)
    except (zipfile.BadZipFile, EOFError, ValueError, OSError, zlib.error, NotImplementedError, RuntimeError) as err:
        return Sniffed("corrupt", f"压缩包无法解压：{describe_error(err)}")
    if "word/document.xml" in names:
        return Sniffed("word", _renamed(suffix))
    if "xl/vbaproject.bin" in names or b"macroenabled" in content_types.lower():
        return Sniffed("macro")
    if "xl/workbook.xml" not in names:
        if "ppt/presentation.xml" in names:
            return Sniffed("unknown", "PowerPoint 演示文稿")
        if "content.xml" in names:
            return Sniffed("unknown", "OpenDocument 表格（.ods），请另存为 .xlsx")
        return Sniffed("unknown", "压缩包中没有 Excel 工作簿")
    return Sniffed(XLSX, archive=zf)  # the reader goes on with it: the directory is read once
