"""kind = "file": xltool's checks of a file as a whole (H0–H8: opens, is the form's template, of the
campaign's year and version, intact, without macros, of the right unit, recalculated).

Code raises them by id (they are the built-in catalogue's, in every form); a form may only reword
them. They have no keys of their own, no check of cells and no live cell.
"""

from __future__ import annotations

from xltool.form.kinds.base import RuleKind


class FileKind(RuleKind):
    name = "file"
    placeholder_names = ("detail", "found", "expected")
