"""What import and audit report about a document: Problems with a place in the document.

A published document has no sheets or cells; its places are a part (section), a table's row and
column, or a quoted sentence. ``DocProblem`` is a Problem that says that place, so verify's
printing, JSON and problem lists work unchanged. The wording of what only a document can have
(an unreadable file, a table or row not found, the old format, label drift) is data in
catalogue.toml beside this file; the form's rules keep their own.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from xltool.checks.problems import Problem

CATALOGUE = Path(__file__).with_name("catalogue.toml")


@cache
def catalogue() -> dict[str, Any]:
    return tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))


def old_format_markers() -> tuple[str, ...]:
    return tuple(catalogue()["old_format"]["markers"])


@dataclass(frozen=True)
class DocProblem(Problem):
    where: str = ""  # the place in the document: "三、收到和处理… 表格（行：…；列：…）"

    def place(self) -> str:
        return self.where

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["where"] = self.where or None
        return out


def finding(kind: str, where: str = "", value: Any = None, **params: Any) -> DocProblem:
    """A finding of catalogue.toml, its placeholders filled from ``params``."""
    spec = catalogue()["findings"][kind]
    fill = {k: _show(v) for k, v in params.items()}
    return DocProblem(
        code=params.get("code", spec["code"]),
        severity=spec["severity"],
        message=spec["message"].format_map(_Blank(fill)),
        fix=spec["fix"].format_map(_Blank(fill)),
        value=value,
        rule=f"import:{kind}",
        where=where,
        row_label=str(params.get("row", "")),
        col_label=str(params.get("column", "")),
    )


def located(p: Problem, where: str) -> DocProblem:
    """A form rule's problem (found in the imported return) at its place in the document."""
    return DocProblem(
        code=p.code, severity=p.severity, message=p.message, fix=p.fix, field=p.field, value=p.value,
        row_label=p.row_label, col_label=p.col_label, rule=p.rule, explanation=p.explanation, where=where,
    )  # fmt: skip


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def _show(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
