"""kind = "text": a narrative check of the report's text, run by xltool after the return arrives.

``check`` names one of the catalogue's [text_checks] (its ``params`` are checked against it when the
form loads, form/catalogue.py); checks/text.py and checks/narrative_checks.py implement them. A text
rule without ``check`` is one another rule's ``params`` names (its finding's wording).
"""

from __future__ import annotations

from typing import ClassVar

from xltool.form.kinds.base import RuleKind
from xltool.form.model import Rule

# What the narrative checks fill: the sentence and concept found, the numbers stated and in the
# table with their cells, a detail of what is wrong.
TEXT_PLACEHOLDERS = ("detail", "found", "expected", "cells", "concept", "sentence")


class TextKind(RuleKind):
    reported_by: ClassVar[tuple[str, ...]] = ()  # by the stage of its check (catalogue [text_checks])
    name = "text"
    optional = ("check", "params")
    placeholder_names = TEXT_PLACEHOLDERS

    def placeholders(self, rule: Rule) -> frozenset[str]:
        # a text parameter of the check is shown as such ("the correct document number")
        words = {k for k, v in rule.params.items() if isinstance(v, str)}
        return super().placeholders(rule) | words

    def about_text(self, rule: Rule) -> bool:
        return True
