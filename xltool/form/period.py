"""Reporting periods: the year, a half, a quarter or a month ([form] period), and filling the
placeholders a form's patterns name.

A yearly form is collected once a year ("2025"); a quarterly form once a quarter ("2025Q1"). The
period is typed on the command line (``--period 2025Q1``), kept in the campaign's settings, written
into each template's ``_meta`` and checked when the return comes back (H3). Every pattern of a form
that names the year (title_pattern, file_pattern, sheet titles, the guide, the subtitle, the mail
texts) is filled here, so ``{period}``, ``{quarter}`` and ``{month}`` work wherever ``{year}`` does:

- ``{period}``: the period in Chinese: 2025年, 2025年上半年, 2025年第一季度, 2025年3月;
- ``{quarter}``: the quarter as a Chinese numeral, 一 to 四 (“第{quarter}季度”), for a quarterly or
  monthly form;
- ``{month}``: the month as a number, 1 to 12 (“{month}月”), for a monthly form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from xltool.errors import XltoolError

KINDS = ("year", "half", "quarter", "month")
KIND_ZH = {"year": "年度", "half": "半年", "quarter": "季度", "month": "月度"}
EXAMPLE = {"year": "2025", "half": "2025H1", "quarter": "2025Q1", "month": "2025-03"}
COUNT = {"year": 1, "half": 2, "quarter": 4, "month": 12}  # periods in a year
NUMERALS = "一二三四"
HALVES = ("上半年", "下半年")
PLACEHOLDERS = ("year", "period", "quarter", "month")
# Which placeholders a form of each period can fill (a yearly form has no quarter to print).
FILLABLE = {
    "year": ("year", "period"),
    "half": ("year", "period"),
    "quarter": ("year", "period", "quarter"),
    "month": ("year", "period", "quarter", "month"),
}
_PATTERNS = (
    (re.compile(r"(\d{4})年?(?:度)?"), "year"),
    (re.compile(r"(\d{4})\s*[-_ ]?\s*[Hh]([12])"), "half"),
    (re.compile(r"(\d{4})\s*[-_ ]?\s*[Qq]([1-4])"), "quarter"),
    (re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})月?"), "month"),
)
_NAME = re.compile(r"\{\{|\}\}|\{(\w+)\}")


class PeriodError(XltoolError):
    """A period that cannot be read, or not of the form's kind (the CLI: a usage error)."""


@dataclass(frozen=True)
class Period:
    """One reporting period: ``index`` is 1 for a year, 1–2 for a half, 1–4 for a quarter, 1–12 for a month."""

    year: int
    kind: str = "year"
    index: int = 1

    @property
    def label_zh(self) -> str:
        """The period as a Chinese reader writes it: 2025年第一季度."""
        if self.kind == "half":
            return f"{self.year}年{HALVES[self.index - 1]}"
        if self.kind == "quarter":
            return f"{self.year}年第{NUMERALS[self.index - 1]}季度"
        if self.kind == "month":
            return f"{self.year}年{self.index}月"
        return f"{self.year}年"

    @property
    def heading_zh(self) -> str:
        """The period in a title before the form's name: 2025年度, 2025年第一季度."""
        return f"{self.year}年度" if self.kind == "year" else self.label_zh

    @property
    def code(self) -> str:
        """What ``--period`` takes and ``_meta`` records: 2025, 2025H1, 2025Q1, 2025-03."""
        if self.kind == "half":
            return f"{self.year}H{self.index}"
        if self.kind == "quarter":
            return f"{self.year}Q{self.index}"
        if self.kind == "month":
            return f"{self.year}-{self.index:02d}"
        return str(self.year)

    @property
    def first_month(self) -> int:
        return (self.index - 1) * (12 // COUNT[self.kind]) + 1

    @property
    def last_month(self) -> int:
        return self.index * (12 // COUNT[self.kind])

    @property
    def yearly(self) -> bool:
        return self.kind == "year"

    def names(self) -> dict[str, object]:
        """What the period fills in a pattern: year, period, quarter (一…四), month (1…12); a
        placeholder the period cannot fill is left out (the loader refuses it in a form)."""
        out: dict[str, object] = {"year": self.year, "period": self.label_zh}
        if self.kind == "quarter":
            out["quarter"] = NUMERALS[self.index - 1]
        if self.kind == "month":
            out["quarter"] = NUMERALS[(self.index - 1) // 3]
            out["month"] = self.index
        return out


def as_period(when: int | Period) -> Period:
    """A bare year is the yearly period of that year."""
    return when if isinstance(when, Period) else Period(int(when))


def parse_period(text: str) -> Period:
    """ "2025" / "2025H1" / "2025Q1" / "2025-03" (also 2025年, 2025年3月) -> Period; PeriodError otherwise."""
    typed = str(text).strip()
    for pattern, kind in _PATTERNS:
        m = pattern.fullmatch(typed)
        if m:
            year, index = int(m.group(1)), int(m.group(2)) if kind != "year" else 1
            if not 2000 <= year <= 2100:
                raise PeriodError(f"报告期“{typed}”的年份 {year} 无效，应为四位年份，如 2025")
            if not 1 <= index <= COUNT[kind]:
                raise PeriodError(f"报告期“{typed}”无效：月份应为 1 到 12")
            return Period(year, kind, index)
    raise PeriodError(f"报告期“{typed}”无法识别，应写成 2025（年度）、2025H1（半年）、2025Q1（季度）或 2025-03（月份）")


def period_for(kind: str, period: str | None, year: int | None = None) -> Period:
    """The period a command works on for a form of ``kind`` (its [form] period), from ``--period``
    and ``--year``: a yearly form takes either (``--period 2025`` is ``--year 2025``); any other form
    needs ``--period`` of its own kind. PeriodError says what to type."""
    if not period:
        if kind != "year":
            raise PeriodError(f"本表单按{KIND_ZH[kind]}报送，请用 --period 指定报告期，如 {EXAMPLE[kind]}")
        if year is None:
            raise PeriodError("请用 --year 指定报告年度，如 2025")
        return Period(year)
    found = parse_period(period)
    if found.kind != kind:
        raise PeriodError(
            f"本表单按{KIND_ZH[kind]}报送，报告期“{period}”是{KIND_ZH[found.kind]}，应写成 {EXAMPLE[kind]} 的形式"
        )
    if year is not None and year != found.year:
        raise PeriodError(f"--year {year} 与 --period {period} 的年份不一致，只需给出 --period")
    return found


def fill(pattern: str, values: Mapping[str, object]) -> str:
    """``pattern`` with every ``{name}`` of ``values`` filled (``{{`` and ``}}`` are braces, as in
    str.format); a name ``values`` lacks is left as written, never an internal error."""

    def one(m: re.Match[str]) -> str:
        if m.group(1) is None:
            return m.group(0)[0]
        return str(values[m.group(1)]) if m.group(1) in values else m.group(0)

    return _NAME.sub(one, pattern)


def unfillable(kind: str, texts: Iterable[tuple[str, str]]) -> str:
    """The first period placeholder a form of ``kind`` cannot fill, as a load error's text ("" when
    none): {quarter} in a yearly form would print nothing."""
    for where, text in texts:
        for m in _NAME.finditer(text):
            name = m.group(1)
            if name in PLACEHOLDERS and name not in FILLABLE[kind]:
                usable = "、".join("{" + n + "}" for n in FILLABLE[kind])
                return (
                    f"表单定义错误：{where} 中的“{{{name}}}”不会被填写：本表单按{KIND_ZH[kind]}报送"
                    f'（[form] period = "{kind}"），可用的有：{usable}'
                )
    return ""
