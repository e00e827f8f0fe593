"""Workbook-structure protection, which xlsxwriter cannot write.

Adds ``<workbookProtection lockStructure="1">`` to ``xl/workbook.xml`` in the schema's element order,
so sheets cannot be added, deleted, renamed or unhidden from the Excel/WPS user interface.
"""

from __future__ import annotations

import io
import re
import zipfile

from xltool.errors import XltoolError


def lock_structure(content: bytes, password: str) -> bytes:
    """Add <workbookProtection lockStructure="1"> (xlsxwriter cannot) in the schema's order."""
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = _add_protection(data.decode("utf-8"), password).encode("utf-8")
            dst.writestr(info, data)
    return out.getvalue()


def _add_protection(xml: str, password: str) -> str:
    attrs = f' workbookPassword="{legacy_hash(password)}"' if password else ""
    element = f'<workbookProtection{attrs} lockStructure="1"/>'
    # CT_Workbook order: fileVersion, fileSharing, workbookPr, workbookProtection, bookViews, ...
    m = re.search(r"<bookViews[ >]", xml)
    if not m:
        raise XltoolError("内部错误：生成的工作簿缺少 bookViews 元素")
    return xml[: m.start()] + element + xml[m.start() :]


def legacy_hash(password: str) -> str:
    """The 16-bit legacy password hash Excel uses for sheet and workbook protection."""
    h = 0
    for i, ch in enumerate(password, start=1):
        v = ord(ch) << i
        h ^= (v & 0x7FFF) | (v >> 15)
    h ^= len(password)
    h ^= 0xCE4B
    return f"{h:04X}"
