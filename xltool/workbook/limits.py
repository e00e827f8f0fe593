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
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from xltool.form.model import Form, block_extents

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
MAX_UNIT_NAME = 100  # characters of a unit's full name (the longest real ones have about 30)
SHOWN_NAME = 30  # characters of a flawed name shown in a message

# XML, before it is parsed. A "node" is an element or an attribute: ElementTree holds each in about
# 100-250 bytes, so MAX_XML_NODES bounds what reading one workbook can take (about 120 MB at worst).
MAX_XML_NODES = 500_000  # in all parts read from one workbook (a return has ~7,000, ~17,000 re-saved by LibreOffice)
MAX_XML_DEPTH = 64  # levels of nesting (a return's parts have at most 8; lxml, used by openpyxl, stops at 256)
DEPTH_SCAN_FROM = 50_000  # nodes: a worksheet or shared-strings part this big is also scanned for depth
# Cells and rows, from the form's own extent: what its template lays out (each sheet to its last used
# row and column, and the field map in _meta) times EXTENT_FACTOR, and never less than the floors.
# No value outside the field map is read, but every cell of a sheet is held while it is read.
EXTENT_FACTOR = 8
MIN_CELLS = 20_000  # a return has ~2,500 cells
MIN_ROWS = 5_000  # and ~400 rows
META_CELLS_PER_FIELD = 8  # templates before the packed field map kept a row of cells per field in _meta

_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_BREAKS = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")  # what splits a line (str.splitlines)
# other control characters, and the bidirectional overrides that reorder what a title seems to say
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class Refused(Exception):
    """The file is outside a limit: ``kind`` is the sniffer's kind, ``detail`` the Chinese reason."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind, self.detail = kind, detail


def name_flaw(name: str) -> str:
    """What makes ``name`` unfit as a unit's name in a title, a signature or a file list, in Chinese
    ("" when nothing): a line break or a control character inside it, or more than MAX_UNIT_NAME characters."""
    name = name.strip()
    if _BREAKS.search(name):
        return "中间有换行"
    if _CONTROLS.search(name):
        return "含有控制字符（如制表符或不可见的排版符号）"
    if len(name) > MAX_UNIT_NAME:
        return f"有 {len(name):,} 个字符，超过了 {MAX_UNIT_NAME} 个字符的上限"
    return ""


def shown_name(name: str) -> str:
    """``name`` for a message: line breaks as ↵, other control characters as □, at most SHOWN_NAME characters."""
    name = name.strip()
    text = _CONTROLS.sub("□", _BREAKS.sub("↵", name[: SHOWN_NAME + 1]))
    return text[:SHOWN_NAME] + f"…（共 {len(name):,} 个字符）" if len(name) > SHOWN_NAME else text


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


@dataclass(frozen=True)
class Caps:
    """How much one workbook may hold: cells and rows over all its sheets, XML nodes over all parts read."""

    cells: int = MAX_XML_NODES
    rows: int = MAX_XML_NODES
    nodes: int = MAX_XML_NODES


def form_caps(form: Form) -> Caps:
    """The caps for a return of ``form``, from what its template lays out (worked out once per form)."""
    known = form.memo.get("caps")
    if isinstance(known, Caps):
        return known
    ends: dict[str, tuple[int, int]] = {}  # sheet -> (rows, columns) used
    spots = [(s, bottom, right) for s, _, _, _, bottom, right in block_extents(form)]
    spots += [(f.sheet, f.row, f.col + f.span - 1) for f in form.fields.values()]
    for sheet, bottom, right in spots:
        rows, cols = ends.get(sheet, (0, 0))
        ends[sheet] = (max(rows, bottom + 1), max(cols, right + 1))
    widths = {s.key: len(s.widths) for s in form.sheets}
    guide, fields = len(form.guide) + 2, len(form.fields)  # the guide sheet: its lines under a title
    cells = sum(r * max(c, widths.get(s, 0)) for s, (r, c) in ends.items()) + 2 * guide + META_CELLS_PER_FIELD * fields
    rows = sum(r for r, _ in ends.values()) + guide + fields
    caps = form.memo["caps"] = Caps(max(MIN_CELLS, EXTENT_FACTOR * cells), max(MIN_ROWS, EXTENT_FACTOR * rows))
    return caps


class Budget:
    """What one workbook has taken so far while it is read, against its caps (one per read)."""

    def __init__(self, caps: Caps | None = None) -> None:
        self.caps = caps or Caps()
        self.nodes = self.cells = self.rows = 0

    def xml(self, name: str, xml: bytes, *, bulk: bool = False) -> None:
        """One XML part, before it is parsed: no DTD, its nodes within what is left, not nested too
        deep. ``bulk``: a worksheet or the shared strings, read only by ElementTree (xltool's reader and
        openpyxl's streaming one), which copes with any depth: scanned for depth only when big."""
        if _DOCTYPE.search(xml):
            raise Refused("corrupt", f"{name} 含有文档类型定义（DOCTYPE），不是办公软件保存的文件")
        nodes = len(xml) // 4  # an element takes at least 4 bytes ("<a/>"), an attribute 5 (' a=""')
        if nodes > DEPTH_SCAN_FROM or self.nodes + nodes > self.caps.nodes:
            nodes = min(nodes, xml.count(b"<") - xml.count(b"</") + xml.count(b"="))  # a closer bound
        self.nodes += nodes
        if self.nodes > self.caps.nodes:
            raise Refused(
                "too_big",
                f"{name} 的内容过多（约 {self.nodes:,} 个 XML 元素和属性，上限 {self.caps.nodes:,}；"
                "一份报表通常不到 2 万个），可能在表格外粘贴或填写了大量内容",
            )
        if nodes > MAX_XML_DEPTH and (not bulk or nodes > DEPTH_SCAN_FROM) and not nested_within(xml, MAX_XML_DEPTH):
            raise Refused("corrupt", f"{name} 的 XML 嵌套超过 {MAX_XML_DEPTH} 层，不是办公软件保存的文件")

    def sheet(self, name: str, rows: int, cells: int) -> None:
        """A parsed worksheet's rows and cells, before any cell is read."""
        self.rows, self.cells = self.rows + rows, self.cells + cells
        for used, cap, what in ((self.cells, self.caps.cells, "单元格"), (self.rows, self.caps.rows, "行")):
            if used > cap:
                raise Refused(
                    "too_big",
                    f"到工作表“{name}”为止共有 {used:,} 个{what}，远超本表模板的范围（上限 {cap:,}），"
                    "可能在表格外粘贴或填写了大量内容",
                )


# Tag marks: "<" opens, ")" closes. Everything else is deleted (bytes.translate runs at C speed).
_TAG_BYTES = bytes(range(256)).translate(None, b"<>/\"'?!\x01")
_MARK_BYTES = bytes(range(256)).translate(None, b"<)")


def nested_within(xml: bytes, limit: int) -> bool:
    """Whether no element of ``xml`` is nested more than ``limit`` levels deep, without a Python step
    per element: the part is reduced to its tag marks and innermost pairs are removed ``limit`` times.
    Exact when every ">" ends a tag and there are no comments or CDATA (as Excel, WPS and LibreOffice
    write); otherwise an expat pass decides. What is not well-formed is left to the parser to refuse."""
    if b"\x01" in xml:
        return True  # not a character XML allows: the parser refuses the part
    tags = xml.replace(b"</", b"\x01").translate(None, _TAG_BYTES)
    if b"<!" in tags or tags.count(b"<") + tags.count(b"\x01") != tags.count(b">"):
        return _expat_within(xml, limit)
    # "<?...?>" is a declaration, no element; "/>" closes the empty element its "<" opened; "\x01" is an end tag
    tags = tags.replace(b"<?", b"").replace(b"?>", b"")
    marks = tags.replace(b"/>", b")").replace(b"\x01", b")").translate(None, _MARK_BYTES)
    for _ in range(limit):
        if not marks:
            return True
        inner = marks.replace(b"<)", b"")
        if len(inner) == len(marks):
            return True  # unbalanced: not well-formed
        marks = inner
    return not marks


class _TooDeep(Exception):
    pass


def _expat_within(xml: bytes, limit: int) -> bool:
    parser = expat.ParserCreate()
    depth = 0

    def start(_name: str, _attrs: object) -> None:
        nonlocal depth
        depth += 1
        if depth > limit:
            raise _TooDeep

    def end(_name: str) -> None:
        nonlocal depth
        depth -= 1

    parser.StartElementHandler, parser.EndElementHandler = start, end
    try:
        parser.Parse(xml, True)
    except _TooDeep:
        return False
    except expat.ExpatError:
        return True  # not well-formed: the parser refuses the part
    return True
