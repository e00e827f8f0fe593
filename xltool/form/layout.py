"""Where the merged labels of a national table go, computed from the label paths alone.

The format prints multi-level headers ("申请人情况" over "法人或其他组织" over "商业企业"). Each row and
column of a grid carries its label path; this module turns the paths into merged label boxes. The
template (Excel), and the Word and HTML reports all draw the same boxes, so a table looks the same
everywhere and a new row is one line in the definition.

It also estimates the printed page (A4) from the definition's column widths and the row heights the
template sets: the orientation, the scale and whether a sheet fits one page, and how tall a row must
be to show a wrapped text whole.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    """A label spanning levels [level, level_end] and positions [start, end] (inclusive, 0-based)."""

    text: str
    level: int
    level_end: int
    start: int
    end: int


def label_boxes(paths: Sequence[Sequence[str]], depth: int, spans: Sequence[int] | None = None) -> list[Box]:
    """Merge the label paths of consecutive items into boxes.

    ``paths[i]`` is the label path of item i (a column or a row); ``depth`` the number of header
    levels; ``spans[i]`` how many positions item i occupies (default 1). Items sharing a path prefix
    share the box of that prefix; the last label of a path shorter than ``depth`` extends to the
    deepest level.
    """
    spans = list(spans or [1] * len(paths))
    starts = [sum(spans[:i]) for i in range(len(paths))]
    boxes: list[Box] = []
    for level in range(depth):
        i = 0
        while i < len(paths):
            path = paths[i]
            if len(path) <= level:
                i += 1
                continue
            j = i
            while (
                j + 1 < len(paths)
                and len(paths[j + 1]) > level
                and list(paths[j + 1][: level + 1]) == list(path[: level + 1])
            ):
                j += 1
            last = all(len(paths[k]) == level + 1 for k in range(i, j + 1))
            end_level = depth - 1 if last else level
            boxes.append(Box(path[level], level, end_level, starts[i], starts[j] + spans[j] - 1))
            i = j + 1
    return boxes


def a1(row: int, col: int) -> str:
    """0-based (row, col) -> "D12"."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def parse_a1(ref: str) -> tuple[int, int]:
    """ "D12" -> 0-based (row, col); ValueError when it is not a plain cell reference."""
    ref = ref.replace("$", "").strip().upper()
    i = 0
    while i < len(ref) and ref[i].isalpha():
        i += 1
    if not (0 < i <= 3) or not ref[i:].isdigit() or int(ref[i:]) < 1:
        raise ValueError(ref)
    col = 0
    for ch in ref[:i]:
        col = col * 26 + ord(ch) - 64
    return int(ref[i:]) - 1, col - 1


# ---------------------------------------------------------------- the printed page
# How big the template's sheets are on paper, estimated from the definition's column widths and the
# row heights the writer sets: enough to choose an orientation and whether a sheet fits one page.
A4_INCHES = (8.27, 11.69)
MARGINS_INCHES = (0.5, 0.5, 0.6, 0.6)  # left, right, top, bottom
FOOTER_POINTS = 24  # the page-number footer sits inside the bottom margin; keep a little room
PX_PER_CHAR = 8  # a column width unit in pixels with 宋体 11 (its widest digit at 96 dpi), as Excel/WPS draw it
COLUMN_PADDING_PX = 5
SMALLEST_PORTRAIT_SCALE = 0.75  # narrower than this on a portrait page -> landscape
ONE_PAGE_UP_TO = 1.5  # pages tall at the width's scale still shrunk onto one (a table and its check rows)
SHORT_TAIL = 0.25  # a last page this full is squeezed onto the pages before it
DEFAULT_ROW_POINTS = 15.0


@dataclass(frozen=True)
class PageFit:
    """How a sheet prints: orientation, the scale its width needs, pages tall (0 = as many as needed)."""

    landscape: bool
    scale: float
    pages_tall: int


def column_points(widths: Sequence[float]) -> float:
    """Width in points of columns of ``widths`` (Excel character units)."""
    return sum(w * PX_PER_CHAR + COLUMN_PADDING_PX for w in widths) * 0.75


def printable_points(landscape: bool) -> tuple[float, float]:
    """(width, height) in points inside the margins of an A4 page."""
    w, h = A4_INCHES[::-1] if landscape else A4_INCHES
    left, right, top, bottom = MARGINS_INCHES
    return (w - left - right) * 72, (h - top - bottom) * 72 - FOOTER_POINTS


def page_fit(widths: Sequence[float], height: float, landscape: bool = False) -> PageFit:
    """Landscape when asked for or when portrait would print the columns too small; one page tall
    when the sheet, scaled to the page width, is at most ``ONE_PAGE_UP_TO`` pages (a clerk wants the
    table and its check rows on one sheet of paper, not a near-empty second page); a longer sheet
    keeps the width's scale over as many pages as it needs, unless its last page would be nearly
    empty (then it is squeezed onto the pages before)."""
    width = column_points(widths) or 1.0
    landscape = landscape or printable_points(False)[0] / width < SMALLEST_PORTRAIT_SCALE
    page_w, page_h = printable_points(landscape)
    scale = min(1.0, page_w / width)
    pages = height * scale / page_h
    if pages <= ONE_PAGE_UP_TO:
        return PageFit(landscape, scale, 1)
    return PageFit(landscape, scale, math.floor(pages) if pages % 1 <= SHORT_TAIL else 0)


def text_units(text: str) -> float:
    """Width of ``text`` in column-width units: a CJK or full-width character takes about two."""
    return sum(2.1 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)


def wrapped_lines(text: str, width: float) -> int:
    """Lines ``text`` takes when wrapped in a cell ``width`` units wide (each paragraph at least one)."""
    usable = max(width - 1, 1.0)
    return sum(max(1, math.ceil(text_units(p) / usable)) for p in text.split("\n"))


def wrapped_height(text: str, width: float, line: float = 16.0, padding: float = 4.0) -> float:
    """Row height in points that shows ``text`` whole in a wrapped cell ``width`` units wide."""
    return line * wrapped_lines(text, width) + padding


def row_height(
    cells: Sequence[object], widths: Sequence[float], least: float = DEFAULT_ROW_POINTS, line: float = 16.0
) -> float:
    """Height in points of a row of wrapped cells (``cells[i]`` in a column ``widths[i]`` wide) that
    shows every text whole (``line``: points a line of its font takes). Set explicitly because
    LibreOffice keeps a row's stored height on open (Excel and WPS would fit it, LibreOffice prints
    one line and cuts the rest)."""
    texts = [(str(c), w) for c, w in zip(cells, widths, strict=False) if c not in (None, "")]
    return max([least, *(wrapped_height(t, w, line) for t, w in texts)])
