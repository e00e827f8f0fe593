"""The county roster: which units must report, their type and where to reach them.

The roster is a small table kept by the county office (.xlsx from Excel/WPS, or .csv). Loading it
either returns a :class:`Roster` or raises :class:`RosterError` with one Chinese line naming the row
as the user sees it in Excel. Unit names double as file names elsewhere, hence :func:`safe_filename`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, NoReturn

from xltool.errors import RosterError
from xltool.form.levels import is_area
from xltool.form.model import UnitTypes
from xltool.wording import describe_error
from xltool.workbook.filenames import safe_filename
from xltool.workbook.limits import Refused, name_flaw, read_limited, shown_name
from xltool.workbook.sniff import OLE_MAGIC, sniff

NAME, TYPE, EMAIL, CONTACT = "单位名称", "单位类型", "联系邮箱", "联系人"
REQUIRED_COLUMNS = (NAME, TYPE, EMAIL)
OPTIONAL_COLUMNS = (CONTACT,)  # a roster without a 联系人 column is read with no contacts
HEADER_SEARCH_ROWS = 10

_RESAVE_HINT = "请用 Excel/WPS 另存为 .xlsx 或 .csv 后重试"
# Lenient on purpose: any local part without spaces or separators, any domain of two or more labels
# (a@b.c, 张三@例子.中国, QQ numbers); what it refuses is what no mail server would take.
_EMAIL_RE = re.compile(r"[^\s@,;:<>()\[\]\\\"]+@(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]+")
_EMAIL_WRAPPED = re.compile(r"(?:[^<>@]*<)?(?:mailto:)?([^<>]*?)>?", re.IGNORECASE)  # 张三 <a@b.c>, mailto:

Row = tuple[int, list[str]]  # (1-based sheet row as Excel shows it, cell texts)


@dataclass(frozen=True)
class Unit:
    """One reporting unit (a row of the roster)."""

    name: str
    unit_type: str
    email: str
    contact: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class Roster:
    """All units of one county, in roster order."""

    units: tuple[Unit, ...]
    source: Path

    def by_name(self, name: str) -> Unit | None:
        """The unit called ``name``, ignoring surrounding spaces and full-/half-width differences."""
        key = _name_key(name)
        return next((u for u in self.units if _name_key(u.name) == key), None)

    def __len__(self) -> int:
        return len(self.units)

    def __iter__(self) -> Iterator[Unit]:
        return iter(self.units)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": str(self.source),
            "count": len(self.units),
            "units": [u.to_dict() for u in self.units],
        }


def load_roster(path: Path, units: UnitTypes | None = None) -> Roster:
    """Read and check a roster (.xlsx or .csv); raise RosterError with a Chinese message.

    ``units`` are the form's unit types: the 单位类型 column is read through them. A form without
    unit types needs no such column (a 单位类型 column is then not read)."""
    path = Path(path)
    data = _read_bytes(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        rows = _xlsx_rows(data)
    elif suffix in (".csv", ".txt"):
        rows = _csv_rows(data, suffix)
    else:
        raise RosterError(f"名单文件类型不支持：{path.name}。请提供 .xlsx 或 .csv 文件")
    return Roster(units=_parse_rows(rows, units or UnitTypes()), source=path)


def lacking_county(roster: Roster, county: str) -> list[Unit]:
    """The units whose name does not contain ``county`` (a report's title is the unit's name as the
    roster gives it, so "安棚镇人民政府" of 桐柏县 would be published without its county)."""
    key = _name_key(county)
    return [u for u in roster if key and key not in _name_key(u.name)]


def lacking_county_warning(roster: Roster, county: str) -> str:
    """One Chinese line naming every unit that lacks ``county`` (never cut: the one cut off may be the
    typo), each with the likely intended name when it holds a near miss of the county, or ""."""
    lacking = lacking_county(roster, county)
    if not lacking:
        return ""
    county = county.strip()
    names = "、".join(u.name + (f"（是否应为 {fixed}？）" if (fixed := likely_name(u.name, county)) else "")
                     for u in lacking)  # fmt: skip
    return (
        f"警告：名单中有 {len(lacking)} 个单位的名称不含“{county}”：{names}。"
        f"单位名称会原样用作模板和报告的标题，如需写全称（如“{county}{lacking[0].name}”），请改名单后重新生成"
    )


def likely_name(name: str, county: str) -> str:
    """``name`` with a near miss of ``county`` (one character typed wrong, added or left out, as in
    沁阳县 for 泌阳县) replaced by it, or "" when there is none. The miss must keep the county's last
    character (县, 区, 市…), so that a town named after its county (桐柏镇 of 桐柏县) is not taken
    for a typo."""
    key, text = _name_key(county), _squash(unicodedata.normalize("NFKC", name))
    if len(key) < 2:
        return ""
    best: tuple[int, int, int] | None = None  # (distance, start, end)
    for size in (len(key) - 1, len(key), len(key) + 1):
        for start in range(0, len(text) - size + 1):
            window = text[start : start + size]
            if window.endswith(key[-1]) and (d := _edit_distance(window, key)) == 1:
                best = min(best or (d, start, start + size), (d, start, start + size))
    return text[: best[1]] + key + text[best[2] :] if best else ""


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein: characters typed wrong, added or left out."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, start=1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


# --- reading ---------------------------------------------------------------------------------


def _read_bytes(path: Path) -> bytes:
    if path.is_dir():
        raise RosterError(f"名单路径是一个文件夹，不是文件：{path}")
    try:
        data = read_limited(path)  # a regular file of bounded size: a FIFO or /dev/zero never hangs
    except Refused as refused:
        if not path.exists():
            raise RosterError(f"找不到名单文件：{path}") from None
        raise RosterError(f"无法读取名单文件：{path}（{refused.detail}）") from None
    except FileNotFoundError:
        raise RosterError(f"找不到名单文件：{path}") from None
    except IsADirectoryError:
        raise RosterError(f"名单路径是一个文件夹，不是文件：{path}") from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise RosterError(f"无法读取名单文件：{path}（{reason}）") from None
    if not data.strip():
        raise RosterError(f"名单文件是空的：{path.name}。{_RESAVE_HINT}")
    return data


def _xlsx_rows(data: bytes) -> list[Row]:
    problem = _not_xlsx_reason(data)
    if problem:
        raise RosterError(f"名单文件不是有效的 .xlsx 表格：{problem}。{_RESAVE_HINT}")
    try:
        return _openpyxl_rows(data)
    except RosterError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        reason = f"文件已损坏或无法解析（{describe_error(exc)}）"
        raise RosterError(f"名单文件不是有效的 .xlsx 表格：{reason}。{_RESAVE_HINT}") from None


_NOT_XLSX = {
    "empty": "文件是空的",
    "encrypted": "这是设置了打开密码的 Excel 文件，请取消密码后重试",
    "xls": "这是旧版 .xls 格式（或设置了打开密码的 Excel 文件），本工具只读 .xlsx",
    "et": "这是 WPS 表格专用的 .et 格式",
    "word": "这是 Word 文档，只是扩展名被改成了表格",
    "macro": "",  # a roster with macros is still read for its cells (never run)
    "xlsx": "",
}


def _not_xlsx_reason(data: bytes) -> str:
    sniffed = sniff(data)
    if sniffed.kind in ("unknown", "corrupt", "too_big"):
        return f"文件内容不是 Excel 工作簿（{sniffed.detail}）"
    return _NOT_XLSX[sniffed.kind]


def _openpyxl_rows(data: bytes) -> list[Row]:
    import openpyxl  # imported here so that `xltool --help` stays fast

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheets = []
        for ws in wb.worksheets:
            ws.reset_dimensions()  # WPS writes a wrong <dimension>; read_only would trust it
            rows = [(i, [_cell_text(v) for v in r]) for i, r in enumerate(ws.iter_rows(values_only=True), 1)]
            if _find_header(rows, (NAME,)) is not None:
                return rows
            sheets.append(rows)
    finally:
        wb.close()
    return sheets[0] if sheets else []


def _csv_rows(data: bytes, suffix: str) -> list[Row]:
    text = _decode(data, suffix)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if "\t" in first and "," not in first else ","  # Excel's "Unicode 文本"
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [(i, [_cell_text(v) for v in r]) for i, r in enumerate(reader, 1)]
    except csv.Error as exc:
        raise RosterError(f"名单文件不是有效的 {suffix} 表格：{exc}。{_RESAVE_HINT}") from None


def _decode(data: bytes, suffix: str) -> str:
    if data.startswith((b"PK", OLE_MAGIC)):
        raise RosterError(
            f"名单文件扩展名是 {suffix}，但内容是 Excel 工作簿。请把扩展名改为 .xlsx，或{_RESAVE_HINT[1:]}"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise RosterError(f"名单文件不是有效的 {suffix} 表格：无法识别文字编码（应为 UTF-8 或 GBK 文本）。{_RESAVE_HINT}")


# --- checking --------------------------------------------------------------------------------


def _parse_rows(rows: list[Row], types: UnitTypes) -> tuple[Unit, ...]:
    required = REQUIRED_COLUMNS if types.names else tuple(c for c in REQUIRED_COLUMNS if c != TYPE)
    header = _find_header(rows, required)
    if header is None:
        _raise_missing_columns(rows, required)
    header_row, columns = header
    units: list[Unit] = []
    names: dict[str, int] = {}  # name key -> row
    files: dict[str, tuple[int, str]] = {}  # file-name key -> (row, name)
    for row_no, cells in rows:
        if row_no <= header_row:
            continue
        values = {col: _at(cells, i) for col, i in columns.items()}
        unit = _parse_unit(row_no, {TYPE: "", CONTACT: "", **values}, types)
        if unit is not None:
            _check_unique(row_no, unit.name, names, files)
            units.append(unit)
    if not units:
        raise RosterError(f"名单中没有任何单位（表头在第{header_row}行，下面没有内容）")
    return tuple(units)


def _find_header(rows: list[Row], required: tuple[str, ...]) -> tuple[int, dict[str, int]] | None:
    """The header row number and the column index of each required column, or None."""
    for row_no, cells in rows[:HEADER_SEARCH_ROWS]:
        labels = [_squash(c) for c in cells]
        if NAME not in labels:
            continue
        missing = [c for c in required if c not in labels]
        if missing:
            raise RosterError(_missing_message(missing, required))
        for col in required:
            if labels.count(col) > 1:
                raise RosterError(f"名单表头（第{row_no}行）有不止一列叫“{col}”，请只保留一列")
        optional = [col for col in OPTIONAL_COLUMNS if col in labels]
        return row_no, {col: labels.index(col) for col in (*required, *optional)}
    return None


def _raise_missing_columns(rows: list[Row], required: tuple[str, ...]) -> NoReturn:
    best: list[str] = []
    for _, cells in rows[:HEADER_SEARCH_ROWS]:
        labels = {_squash(c) for c in cells}
        found = [c for c in required if c in labels]
        best = found if len(found) > len(best) else best
    if not best and not any(any(cells) for _, cells in rows):
        raise RosterError(f"名单中没有任何内容。需要的列：{'、'.join(required)}")
    missing = [c for c in required if c not in best]
    raise RosterError(_missing_message(missing, required))


def _missing_message(missing: list[str], required: tuple[str, ...]) -> str:
    where = f"（表头应在前{HEADER_SEARCH_ROWS}行内）" if NAME in missing else ""
    optional = "、".join(OPTIONAL_COLUMNS)
    return f"名单缺少列：{'、'.join(missing)}{where}。需要的列：{'、'.join(required)}（{optional}可选）"


def _parse_unit(row_no: int, values: dict[str, str], types: UnitTypes) -> Unit | None:
    name = values[NAME]
    if not name:
        if values[TYPE] or values[EMAIL] or values[CONTACT]:
            raise RosterError(f"名单第{row_no}行没有填单位名称，但填了其他内容。请补上单位名称或删除该行")
        return None  # a blank row, or one with only a 序号/备注
    if flaw := name_flaw(name):  # it would become a template's unit, its file name and a report's title
        raise RosterError(f"名单第{row_no}行的单位名称“{shown_name(name)}”{flaw}。请只填写单位全称")
    return Unit(
        name=name,
        unit_type=_unit_type(row_no, name, values[TYPE], types) if types.names else values[TYPE],
        email=_email(row_no, name, values[EMAIL]),
        contact=values[CONTACT],
    )


def _unit_type(row_no: int, name: str, raw: str, types: UnitTypes) -> str:
    choices = "、".join(types.names)
    if not raw:
        raise RosterError(f"名单第{row_no}行（{name}）没有填单位类型。可填：{choices}")
    if is_area(raw):  # a higher level's roster: a county (县, 区…) sends its roll-up, it has no unit type
        return _squash(raw)
    normalised = types.normalise(_squash(raw))
    if normalised is None:
        raise RosterError(f"名单第{row_no}行（{name}）的单位类型“{raw}”无法识别。可填：{choices}")
    return normalised


def _email(row_no: int, name: str, raw: str) -> str:
    email = unicodedata.normalize("NFKC", raw).strip()  # full-width ＠ and ． from Chinese input
    if not email:
        return ""  # allowed: that unit's replies are drafted for sending by hand
    wrapped = _EMAIL_WRAPPED.fullmatch(email)
    email = wrapped.group(1).strip() if wrapped else email
    if not _EMAIL_RE.fullmatch(email):
        raise RosterError(f"名单第{row_no}行（{name}）的联系邮箱“{raw}”格式不对，应类似 name@example.org")
    return email


def _check_unique(row_no: int, name: str, names: dict[str, int], files: dict[str, tuple[int, str]]) -> None:
    key, file_key = _name_key(name), safe_filename(name).casefold()
    if key in names:
        raise RosterError(f"名单第{names[key]}行与第{row_no}行的单位名称重复：{name}")
    if file_key in files:
        other_row, other = files[file_key]
        raise RosterError(
            f"名单第{other_row}行与第{row_no}行的单位名称只差特殊符号或大小写，存成文件时会重名：{other} / {name}"
        )
    names[key] = row_no
    files[file_key] = (row_no, name)


# --- small helpers ---------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip(" \t\r\n\u3000\u00a0\ufeff")


def _at(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def _squash(text: str) -> str:
    """A label with every kind of space removed (headers are typed with stray and full-width ones)."""
    return re.sub(r"\s+", "", text.replace("\u3000", "").replace("\ufeff", ""))


def _name_key(name: str) -> str:
    return _squash(unicodedata.normalize("NFKC", name))
