"""What an attachment is (for the clerk and the reply), and unpacking a .zip within limits.

A unit zips its return (sometimes with a Word file beside it), names members in GBK on a Chinese
Windows (the zip says CP437), or sends a zip that would fill the disk. A workbook is a zip too and is
never unpacked. Every limit is checked from the zip's directory before anything is inflated, and an
archive that breaks one is refused whole: its bytes are kept and the reply says why.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from xltool.campaign.mailnames import safe_name, split_ext

MAX_ZIP_MEMBERS = 200  # a unit zips one return and perhaps a letter; 200 is a folder, not a return
MAX_MEMBER_BYTES = 20 * 1024 * 1024  # one member, uncompressed (a return is ~50 KB)
MAX_TOTAL_BYTES = 100 * 1024 * 1024  # all members, uncompressed
MAX_MESSAGE_UNPACKED = 200 * 1024 * 1024  # all zips of one message: many small zips are one big bomb
MAX_RATIO = 100  # uncompressed : compressed, for members above RATIO_FROM
# A small text file of repeated characters packs far above 100:1 and harms no one; a bomb needs size.
RATIO_FROM = 1024 * 1024
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # what Windows, WPS, 7-Zip and macOS write
_UTF8_FLAG = 0x800
_JUNK = {".ds_store", "thumbs.db", "desktop.ini"}  # left by Explorer and Finder, never a return
_OFFICE_MARKERS = ("[content_types].xml", "mimetype")  # OOXML and OpenDocument files are zips

_WHAT = {
    ".xlsx": "Excel 工作簿",
    ".xlsm": "Excel 启用宏的工作簿（.xlsm）",
    ".xls": "旧版 Excel 工作簿（.xls）：请另存为 .xlsx 后重新发送",
    ".et": "WPS 表格（.et）：请另存为 .xlsx 后重新发送",
    ".ett": "WPS 表格模板（.ett）：请另存为 .xlsx 后重新发送",
    ".ods": "OpenDocument 表格（.ods）：请另存为 .xlsx 后重新发送",
    ".csv": "CSV 文本表格：请使用下发的 .xlsx 模板填报",
    ".docx": "Word 文档（.docx）",
    ".doc": "Word 文档（.doc）",
    ".wps": "WPS 文字文档（.wps）",
    ".pdf": "PDF 文件",
    ".ofd": "OFD 版式文件",
    ".txt": "文本文件",
    ".rar": "RAR 压缩包：无法打开，请改用 .zip 压缩或直接发送 .xlsx 附件",
    ".7z": "7z 压缩包：无法打开，请改用 .zip 压缩或直接发送 .xlsx 附件",
    ".eml": "邮件文件（.eml）",
}
_IMAGES = {".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic"}
_WINMAIL = "Outlook 专用格式（winmail.dat）：附件被封装，请发件人改用 HTML 或纯文本格式重新发送"


def _zip_names(data: bytes) -> list[str] | None:
    """Lower-cased member names when ``data`` is a readable zip, else None."""
    if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return [n.lower() for n in zf.namelist()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return None


def _is_office(names: list[str]) -> bool:
    return any(m in names for m in _OFFICE_MARKERS) or "xl/workbook.xml" in names


def is_zip_archive(name: str, data: bytes) -> bool:
    """A .zip to unpack: by its name, or by its bytes when it is a zip and not an office document."""
    ext = split_ext(name)[1].lower()
    if ext in (".xlsx", ".xlsm"):
        return False
    names = _zip_names(data)
    if names is not None and _is_office(names):
        return False  # a workbook sent as "报表.zip" is still a workbook
    return ext == ".zip" or names is not None


def classify(name: str, data: bytes, *, in_zip: bool = False) -> tuple[str, str]:
    """(kind, what) of an attachment that is not unpacked."""
    ext = split_ext(name)[1].lower()
    if ext in (".xlsx", ".xlsm"):
        return "workbook", _WHAT[ext]
    names = _zip_names(data)
    if names is not None and "xl/workbook.xml" in names:
        return "workbook", f"Excel 工作簿（文件名为“{name}”，按内容识别）"
    if in_zip and names is not None and not _is_office(names):
        return "other", "压缩包内的压缩包（未展开）：请直接发送 .xlsx 附件"
    if name.casefold() == "winmail.dat":
        return "other", _WINMAIL
    if ext in _WHAT:
        return "other", _WHAT[ext]
    if ext in _IMAGES:
        return "other", f"图片（{ext}）"
    return "other", f"其他文件（{ext}）" if ext else "其他文件（无扩展名）"


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its writer meant it. Without the UTF-8 flag zipfile reads CP437, but a
    Chinese Windows writes GBK there (and some tools UTF-8): the raw bytes are decoded again."""
    if info.flag_bits & _UTF8_FLAG:
        return info.orig_filename
    try:
        raw = info.orig_filename.encode("cp437")
    except UnicodeEncodeError:
        return info.orig_filename
    if raw.isascii():
        return info.orig_filename
    for codec in ("utf-8", "gb18030"):  # valid UTF-8 is almost never GBK by chance; the reverse is common
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return info.orig_filename


def _junk(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return "__MACOSX" in parts or parts[-1].startswith("._") or parts[-1].lower() in _JUNK


def _label(info: zipfile.ZipInfo) -> str:
    return f"压缩包内的文件“{safe_name(member_name(info))[:40]}”"


def _limits(infos: list[zipfile.ZipInfo], size: int, budget: int) -> str | None:
    """The first limit the zip's directory breaks, in Chinese; None when within all."""
    if len(infos) > MAX_ZIP_MEMBERS:
        return f"压缩包内文件过多（超过 {MAX_ZIP_MEMBERS} 个）：请只压缩报表文件，或直接发送 .xlsx 附件"
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            return f"{_label(info)}已加密：请去掉密码后重新压缩，或直接发送 .xlsx 附件"
        if info.compress_type not in _METHODS:
            return f"{_label(info)}使用了不支持的压缩方式：请用常见的 zip 格式重新压缩，或直接发送 .xlsx 附件"
        if info.file_size > MAX_MEMBER_BYTES:
            return f"{_label(info)}解压后超过 {MAX_MEMBER_BYTES // 2**20} MB，未解压"
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            return f"{_label(info)}压缩比异常（超过 {MAX_RATIO} 倍），疑似“压缩炸弹”，未解压"
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        return f"压缩包解压后总大小超过 {MAX_TOTAL_BYTES // 2**20} MB，未解压"
    if total > RATIO_FROM and total > MAX_RATIO * max(size, 1):  # many small members, each under RATIO_FROM
        return f"压缩包整体压缩比异常（超过 {MAX_RATIO} 倍），疑似“压缩炸弹”，未解压"
    if total > budget:
        return f"同一封邮件中的压缩包解压后总大小超过 {MAX_MESSAGE_UNPACKED // 2**20} MB，此压缩包未解压"
    starts = sorted((i.header_offset, i.compress_size) for i in infos)
    for (a, size), (b, _) in zip(starts, starts[1:], strict=False):
        if a == b or a + size > b:  # members sharing bytes: the "overlapping" zip bomb
            return "压缩包结构异常（文件相互重叠），疑似“压缩炸弹”，未解压"
    return None


def expand_zip(data: bytes, budget: int = MAX_MESSAGE_UNPACKED) -> list[tuple[str, bytes]] | str:
    """(name as meant, bytes) of each file in the zip, or the Chinese reason it is refused.

    ``budget``: the bytes the message may still unpack (its earlier zips have used the rest)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError):
        return "压缩包已损坏，无法打开：请重新压缩或直接发送 .xlsx 附件"
    problem = _limits(infos, len(data), budget)
    if problem:
        return problem
    members = []
    for info in infos:
        name = member_name(info)
        if info.is_dir() or _junk(name):
            continue
        try:
            with zf.open(info) as fh:
                content = fh.read(info.file_size + 1)  # zipfile stops at the declared size
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, ValueError, OSError, NotImplementedError):
            return f"{_label(info)}已损坏，无法解压：请重新压缩或直接发送 .xlsx 附件"
        if len(content) != info.file_size:
            return f"{_label(info)}已损坏，无法解压：请重新压缩或直接发送 .xlsx 附件"
        members.append((name, content))
    return members
