"""What a workbook looks like on paper, read from the PDF the real LibreOffice prints: its pages,
their sizes, and the texts of the workbook that are not printed whole (clipped at a margin, or cut
by a row too low for its wrapped text). The template's print test began this check; every .xlsx
xltool writes goes through it."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import openpyxl

from tests.conftest import _required


def tool(name: str) -> str:
    return _required(shutil.which(name), f"{name} (poppler-utils)")


def page_texts(pdf: Path) -> list[str]:
    """The text of each page, laid out as printed."""
    text = subprocess.run([tool("pdftotext"), "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


def page_sizes(pdf: Path) -> list[tuple[int, int]]:
    """(width, height) in points of every page, rounded."""
    info = subprocess.run([tool("pdfinfo"), "-f", "1", "-l", "9999", str(pdf)], capture_output=True, text=True).stdout
    return [(round(float(w)), round(float(h))) for w, h in re.findall(r"size:\s+([\d.]+) x ([\d.]+)", info)]


def page_count(pdf: Path) -> int:
    info = subprocess.run([tool("pdfinfo"), str(pdf)], capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]


def printed(pdf: Path) -> str:
    """Every character the PDF prints, in reading order, without white space."""
    raw = subprocess.run([tool("pdftotext"), "-raw", str(pdf), "-"], capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", raw)


def shown_texts(book: Path, sheets: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
    """(sheet, cell, text) of every text a workbook shows (formulas aside), on ``sheets`` or all."""
    wb = openpyxl.load_workbook(book)
    chosen = list(sheets) if sheets is not None else wb.sheetnames
    return [
        (name, c.coordinate, c.value)
        for name in chosen
        for row in wb[name].iter_rows()
        for c in row
        if isinstance(c.value, str) and not c.value.startswith("=")
    ]


def cut_texts(pdf: Path, book: Path, sheets: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
    """(sheet, cell, the text's start) of every text of ``book`` not printed whole in ``pdf``."""
    whole = printed(pdf)
    shown = shown_texts(book, sheets)
    assert shown, "a workbook without text proves nothing"
    return [(sheet, cell, text[:30]) for sheet, cell, text in shown if re.sub(r"\s+", "", text) not in whole]
