"""A fingerprint of a workbook's locked content: sheet names, labels, formulas and merged ranges.

Sheet passwords are removable in seconds, so a return's integrity is checked by recomputing this
fingerprint from the file and comparing it with the one recorded in ``_meta`` when the template was
made. Formulas are canonicalised so that office suites that re-quote sheet names, add ``$`` or
change spacing and case, or write TRUE as TRUE(), when they save do not count as tampering.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Sequence

_STRING = re.compile(r'("(?:[^"]|"")*")')
_QUOTED_SHEET = re.compile(r"'((?:[^']|'')+)'!")


@functools.lru_cache(maxsize=16384)  # the same labels and formulas recur in every return
def canonical(content: str) -> str:
    """Normalise a cell's locked content; formulas lose quoting, ``$``, spaces and case."""
    content = content.replace("\r\n", "\n")
    if not content.startswith("="):
        return content
    parts = _STRING.split(content[1:])
    out = []
    for i, part in enumerate(parts):
        if i % 2:  # a string literal: keep as typed
            out.append(part)
            continue
        part = _QUOTED_SHEET.sub(lambda m: m.group(1).replace("''", "'") + "!", part)
        part = part.replace("$", "").replace(" ", "").upper()
        out.append(part.replace("TRUE()", "TRUE").replace("FALSE()", "FALSE"))  # LibreOffice writes TRUE()
    return "=" + "".join(out)


def fingerprint(
    sheets: Iterable[str],
    cells: Iterable[tuple[str, str, str]],
    merges: Iterable[tuple[str, str]],
    field_map: Iterable[Sequence[str]] = (),
) -> str:
    """sha256 over sheet order, (sheet, cell, content) of locked cells, merged ranges and the rows of
    the field map the reader will rely on."""
    # one text hashed once: the same bytes as hashing piece by piece, a call per cell fewer
    text = "".join(
        [
            "\x1f".join(sheets),
            *(f"\x1e{sheet}\x1f{cell}\x1f{canonical(content)}" for sheet, cell, content in sorted(cells)),
            *(f"\x1d{sheet}\x1f{rng.replace('$', '').upper()}" for sheet, rng in sorted(merges)),
            *("\x1c" + "\x1f".join(row) for row in field_map),
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()
