"""Problems found in a return: the class and its builders live in ``xltool.form.problems`` (below
workbook, which reports reading problems with them); this name stays for callers that know it."""

from __future__ import annotations

from xltool.form.problems import SEVERITY_ZH, Problem, escalate, generic, make_problem

__all__ = ["SEVERITY_ZH", "Problem", "escalate", "generic", "make_problem"]
