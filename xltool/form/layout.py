"""Where the merged labels of a national table go, computed from the label paths alone.

The format prints multi-level headers ("申请人情况" over "法人或其他组织" over "商业企业"). Each row and
column of a grid carries its label path; this module turns the paths into merged label boxes. The
template (Excel), and the Word and HTML reports all draw the same boxes, so a table looks the same
everywhere and a new row is one line in the definition.
"""

from __future__ import annotations

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
