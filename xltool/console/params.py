"""What comes in and goes out as text: the ids a request names (a reply, a version, a submission), read
strictly — anything but a plain number the register can hold is the clerk's 400 page, never a 500
(SQLite cannot take a 23-digit id) — and the values a page prints, without control characters."""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup
from werkzeug.exceptions import BadRequest

MAX_ID = 2**63 - 1  # SQLite's INTEGER: a larger number overflows in the driver


class BadParameter(BadRequest):
    """A malformed id: said in Chinese, with what was expected."""


def parse_id(value: str | None, what: str) -> int:
    """``value`` as a positive id (ASCII digits only: "1e3", "٣", "²", " 7" and "" are refused)."""
    text = value or ""
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or not 0 < int(text) <= MAX_ID:
        shown = text if len(text) <= 30 else text[:30] + "…"
        raise BadParameter(f"请求中的{what}“{shown}”无效：应是页面上给出的编号（正整数）。请刷新页面后重试。")
    return int(text)


CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab and line ends stay (a reply's text has them)


def printable(value: Any) -> Any:
    """What a page prints, control characters replaced (a NUL in a mailed file's name never reaches the
    HTML raw): Jinja's ``finalize``, so it holds for every value of every template."""
    if isinstance(value, str) and CONTROL.search(value):
        cleaned = CONTROL.sub("\ufffd", value)
        return Markup(cleaned) if isinstance(value, Markup) else cleaned
    return value
