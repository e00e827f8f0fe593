"""kind = "import": what import and audit find in a published document (ids "import:<finding>").

Built-in (xltool/form/catalogue.toml), in every form, reworded by a form like any built-in rule.
``code_from`` names the kind of the form's rule whose code a finding takes (a blank cell the form's
"filled" rule's, text in a number cell its own "type" rule's, a printed total its "sum" rule's):
that kind's ``import_code`` says which.
"""

from __future__ import annotations

from typing import ClassVar

from xltool.form.kinds.base import RuleKind


class ImportKind(RuleKind):
    name = "import"
    optional = ("code_from",)
    reported_by: ClassVar[tuple[str, ...]] = ("import", "audit")
    on_documents = True
    # {form} the form's name, {title} an example title; the rest the finding's own
    placeholder_names = ("form", "title", "detail", "found", "expected", "count", "table", "what", "position")
