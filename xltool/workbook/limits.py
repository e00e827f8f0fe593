"""Limits checked before any work: what a file sent by email may be, so none can hang or exhaust a batch.

A return made from the template is about 50 KB (a few hundred KB when re-saved by an office suite)
with about 20 zip members. Each limit is far above that and far below what would hurt a clerk's PC;
each comes with the Chinese words the problem uses.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from pathlib import Path

MAX_FILE_BYTES = 20 * 1024 * 1024  # a return is ~50 KB; 20 MB is a scanned image pasted in, or worse
MAX_MEMBERS = 500  # zip members (a return has ~20)
MAX_MEMBER_BYTES = 50 * 1024 * 1024  # one member, uncompressed
MAX_TOTAL_BYTES = 200 * 1024 * 1024  # all members, uncompressed
MAX_RATIO = 200  # uncompressed : compressed of a member larger than RATIO_FROM (XML packs ~10:1)
RATIO_FROM = 1024 * 1024
METHODS = {zipfile.ZIP_STORED: "不压缩", zipfile.ZIP_DEFLATED: "Deflate"}  # what Excel, WPS, LibreOffice write
MAX_CELL_TEXT = 32_767  # Excel's limit for the text of one cell
MAX_NUMBER = 1e12  # no count or amount of a county report comes near; 1e308 is not a number anyone typed
DATE_SERIALS = (1, 110_000)  # 1900-01-01 .. about 2201: a date serial outside is not a date

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


class Refused(Exception):
    """The file is outside a limit: ``kind`` is the sniffer's kind, ``detail`` the Chinese reason."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind, self.detail = kind, detail


def read_limited(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES (a FIFO would block, /dev/zero never end)."""
    try:
        info = os.stat(path)  # follows a symlink: what matters is what it points to
    except OSError as err:
        raise Refused("unknown", f"无法读取：{err.strerror or err}") from None
    if not stat.S_ISREG(info.st_mode):
        raise Refused("unknown", "不是普通文件（可能是设备、管道或文件夹）")
    if info.st_size > MAX_FILE_BYTES:
        raise Refused(
            "too_big", f"文件有 {info.st_size // (1024 * 1024)} MB，超过了 {MAX_FILE_BYTES // (1024 * 1024)} MB 的上限"
        )
    with open(path, "rb") as fh:
        data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise Refused("too_big", f"文件超过了 {MAX_FILE_BYTES // (1024 * 1024)} MB 的上限")
    return data


def check_zip(zf: zipfile.ZipFile) -> None:
    """Members, sizes, ratios, methods, encryption and overlaps, from the directory alone."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise Refused("corrupt", f"压缩包中有 {len(infos)} 个文件，超过上限 {MAX_MEMBERS}")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise Refused("encrypted", "")
        if info.compress_type not in METHODS:
            raise Refused("corrupt", f"压缩包使用了 Excel 不支持的压缩方式（{info.compress_type}）")
        if info.file_size > MAX_MEMBER_BYTES:
            raise Refused("corrupt", f"压缩包中的 {info.filename} 解压后过大")
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise Refused("corrupt", f"压缩包中的 {info.filename} 压缩比异常（可能是“压缩炸弹”）")
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise Refused("corrupt", "压缩包解压后总量过大")
    starts = sorted((i.header_offset, i.compress_size, i.filename) for i in infos)
    for (a, size, name), (b, _, _) in zip(starts, starts[1:], strict=False):
        if a == b or a + size > b:
            raise Refused("corrupt", f"压缩包中的 {name} 与其他文件重叠")


def check_xml(name: str, xml: bytes) -> None:
    """No DTD at all: entity tricks (billion laughs, external entities) need one, a workbook never does."""
    if _DOCTYPE.search(xml):
        raise Refused("corrupt", f"{name} 含有文档类型定义（DOCTYPE），不是办公软件保存的文件")
