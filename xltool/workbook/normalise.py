"""What staff type -> a value, accepting only what is unambiguous and saying what was changed.

"12", " 12 ", "１２", "12.0", "1,234" and "12件" (in a 件 cell) are read as numbers with a note;
"/", "—", "无", "减4" stay text and are reported. Text is never turned into 0. A percent is kept as
a ratio: 0.985 as it is, the text "98.5%" (how a percentage is written) as 0.985, without a note.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xltool.workbook.limits import MAX_NUMBER

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_SPACES = "\u3000\u00a0\u200b\ufeff \t\r\n"


@dataclass(frozen=True)
class Typed:
    value: Any  # int/float for numbers, str for text (invalid numeric text stays str), date, None
    note: str = ""  # how it was normalised, in Chinese ("" when taken as is)
    invalid: bool = False  # numeric field holding something that is not a number


def normalise(raw: Any, ftype: str, unit: str = "") -> Typed:
    if raw is None:
        return Typed(None)
    if ftype in ("int", "decimal", "money_yuan", "percent", "year"):
        return _number(raw, ftype, unit)
    if ftype == "date":
        return _date(raw)
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip(_SPACES)
    return Typed(text or None)


def _number(raw: Any, ftype: str, unit: str) -> Typed:
    if isinstance(raw, (bool, dt.date | dt.datetime | dt.time)):
        return Typed(str(raw), invalid=True)
    if isinstance(raw, int | float):
        if not math.isfinite(raw) or abs(raw) > MAX_NUMBER:  # NaN, ±inf, 1e308: no one typed that
            return Typed(f"{raw:g}", invalid=True)
        return Typed(_tidy(raw, ftype))
    original = str(raw)
    text = original.strip(_SPACES)
    if not text:
        return Typed(None)
    notes = ["以文本形式保存的数字"]
    folded = unicodedata.normalize("NFKC", text).replace(" ", "")
    if folded != text.replace(" ", ""):
        notes.append("全角字符已转换")
    if ftype == "year" and re.fullmatch(r"\d{4}年度?", folded):
        folded = folded.rstrip("年度")
        notes.append("去掉了“年”字")
    if unit and folded.endswith(unit) and len(folded) > len(unit):
        folded = folded[: -len(unit)]
        notes.append(f"去掉了单位“{unit}”")
    percent = ftype == "percent" and folded.endswith("%") and len(folded) > 1
    if percent:
        folded = folded[:-1]
        notes.remove("以文本形式保存的数字")  # "98.5%" is how a percentage is written: nothing to mend
    if _THOUSANDS.match(folded):
        folded = folded.replace(",", "")
        notes.append("去掉了千位分隔符")
    if not _NUMBER.match(folded):
        return Typed(text, invalid=True)
    number = float(Decimal(folded) / 100) if percent else float(folded)  # 98.5% -> 0.985, not 0.9850000000000001
    if abs(number) > MAX_NUMBER:
        return Typed(text, invalid=True)
    return Typed(_tidy(number, ftype), "、".join(notes))


def _tidy(v: float | int, ftype: str) -> float | int:
    """12.0 in a count cell is 12; a fraction stays a fraction so A2 can report it."""
    if ftype in ("int", "year") and float(v).is_integer():
        return int(v)
    return v


def _date(raw: Any) -> Typed:
    if isinstance(raw, dt.datetime):
        return Typed(raw.date())
    if isinstance(raw, dt.date):
        return Typed(raw)
    text = unicodedata.normalize("NFKC", str(raw)).strip(_SPACES)
    m = re.match(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$", text)
    if m:
        try:
            return Typed(dt.date(*map(int, m.groups())), "日期以文本形式保存")
        except ValueError:
            pass
    return Typed(text or None)
