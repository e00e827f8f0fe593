"""The form definition: one declarative file (workbook_templates/<form>/form.toml) that drives everything.

``load_form`` reads and checks a definition; the dataclasses of ``model`` are what every other
package reads; ``expr`` is the rule language; ``layout`` places labels and cells; ``calc`` computes
what the workbook's formulas compute; ``problems`` is the Problem every package reports with.
"""

from xltool.form.loader import load_form
from xltool.form.model import Check, Field, Form, Grid, Rule

__all__ = ["Check", "Field", "Form", "Grid", "Rule", "load_form"]
