"""The rules reference: one listing of a form's rules for ``xltool rules`` and for docs/rules.

``listing`` turns a form's rules (xltool's catalogue merged with the form's own) into entries: code,
severity, source, the fix in generic words, the codes a finding is reported under and the commands
that check it. ``markdown`` renders the entries, the catalogue's own rules and its narrative checks
as the Markdown checked in under docs/rules; a test regenerates it, so the reference is never stale.
"""

from xltool.reference.listing import RuleEntry, checked_by, natural_key, rule_entries
from xltool.reference.markdown import reference_files, shipped_reference, write_reference

__all__ = [
    "RuleEntry",
    "checked_by",
    "natural_key",
    "reference_files",
    "rule_entries",
    "shipped_reference",
    "write_reference",
]
