"""kind = "read": what reading a cell finds beyond blanks and types (A1-text, A2-choice, A2-date,
A2-normalised, A2-unit): required text items, choices, dates, numbers typed as text.

Code raises them by id while reading (built-in, in every form; a form may only reword them).
"""

from __future__ import annotations

from xltool.form.kinds.base import RuleKind


class ReadKind(RuleKind):
    name = "read"
    placeholder_names = ("label", "choices", "detail", "number")
