"""File names made from what units type: one name, safe on Windows, macOS and Linux, for templates,
returns kept in a campaign and annotated copies (the roster and the template writer both name files
after units, so the rule lives once, below both)."""

from __future__ import annotations

import re
import unicodedata

from xltool.form.model import Form
from xltool.form.period import Period

_ILLEGAL_FILENAME_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')

_WINDOWS_RESERVED = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\..*)?", re.IGNORECASE)
_MAX_FILENAME_BYTES = 150


def safe_filename(name: str) -> str:
    """``name`` made usable as one file name on Windows, macOS and Linux (Chinese kept)."""
    text = _ILLEGAL_FILENAME_CHARS.sub("_", unicodedata.normalize("NFC", str(name)))
    text = text.strip(" .\u3000\u00a0")
    if _WINDOWS_RESERVED.fullmatch(text):
        text = "_" + text
    while len(text.encode("utf-8")) > _MAX_FILENAME_BYTES:
        text = text[:-1].rstrip(" .")
    return text or "未命名单位"


def template_filename(form: Form, unit: str, when: int | Period) -> str:
    """A unit's template file name for a year or period, after the form's ``file_pattern``."""
    return safe_filename(form.file_name(safe_filename(unit), when))
