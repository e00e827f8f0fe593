"""What every narrative check shares: the texts and numbers of a return, the unit they are about,
and the few helpers that quote a sentence back to the unit."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from xltool.form.script import simplified

Texts = Mapping[str, str | None]
Numbers = Mapping[str, int | float | None]
WIDE = str.maketrans("０１２３４５６７８９", "0123456789")
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])")
_STOPS = "。！？!?；;\n"


@dataclass(frozen=True)
class TextContext:
    """Who wrote the text: the unit's name and type, and the names of its peers on the roster."""

    unit: str = ""
    unit_type: str = ""
    peers: tuple[str, ...] = ()


NO_CONTEXT = TextContext()


_WIDE_DIGIT = re.compile("[０-９]")


def narrow(text: str) -> str:
    """Full-width digits as ASCII, traditional script as simplified ("上年結轉" is 上年结转; both keep
    every character in its place). str.translate looks every character up in a dict, which costs more
    than all the checks of a return together; most texts have nothing to change."""
    return simplified(text.translate(WIDE) if _WIDE_DIGIT.search(text) else text)


def filled(texts: Texts, keys: Sequence[str]) -> Iterator[tuple[str, str]]:
    for key in keys:
        text = texts.get(key)
        if text and text.strip():
            yield key, narrow(text)


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def bounds(text: str, at: int) -> tuple[int, int]:
    """Start and end of the sentence holding position ``at``."""
    start = max(text.rfind(c, 0, at) for c in _STOPS) + 1
    ends = [i + 1 for c in _STOPS if (i := text.find(c, at)) >= 0]
    return start, min(ends, default=len(text))


def around(text: str, at: int, width: int = 60) -> str:
    """The sentence holding position ``at``, cut to ``width`` characters around it."""
    start, end = bounds(text, at)
    return clip(text, start, end, at, width)


def clip(text: str, start: int, end: int, at: int, width: int = 60) -> str:
    """text[start:end], cut to ``width`` characters around ``at``."""
    if end - start <= width:
        return text[start:end].strip()
    cut = max(start, min(at - width // 3, end - width))
    return ("…" if cut > start else "") + text[cut : cut + width] + ("…" if cut + width < end else "")


def short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def value(numbers: Numbers, key: str) -> int | float | None:
    """A number, or None for a blank or for text left in a numeric cell (A2 reports that)."""
    v = numbers.get(key)
    return v if isinstance(v, int | float) and not isinstance(v, bool) else None


def int_value(numbers: Numbers, key: str) -> int | None:
    v = value(numbers, key)
    return None if v is None else int(v)


def total(numbers: Numbers, keys: Sequence[str]) -> float | None:
    """The sum of the cells, None when one of them is blank or not a number."""
    out = 0.0
    for key in keys:
        v = value(numbers, key)
        if v is None:
            return None
        out += v
    return out
