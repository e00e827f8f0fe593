"""A workbook taken apart and put back: its zip members by name, and a new zip of (edited) members.

What the trap tests build their files from (a good return with one part changed), kept here so that
no test module imports another.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.returns import NOW


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def rezip(path: Path, out: Path, parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(out, "w", method) as zf:
        for name, data in parts.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=NOW.timetuple()[:6]), data, compress_type=method)
    return out
