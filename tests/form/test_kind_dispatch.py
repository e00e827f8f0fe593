"""Code asks a rule's kind object, never compares a rule's kind with a name: outside
xltool/form/kinds no ``<x>.kind == "<a registered kind>"`` (nor ``!=``, ``in (…)``) is left, so a
new kind is its module and its registry line, not an edit in every package that handles rules.

Other things have a ``kind`` too (a report block's "heading1", an attachment's "workbook", a
reading token's "number"): only a comparison with a registered kind's name counts, and a Field's
kind ("input", "text", "formula") is told apart by its receiver's name (f, field)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from xltool.form.kinds import KINDS

PACKAGE = Path(__file__).resolve().parents[2] / "xltool"
KINDS_DIR = PACKAGE / "form" / "kinds"
FIELD_NAMES = {"f", "field"}  # Field.kind: "text" is also a rule kind's name


def _names(node: ast.expr) -> set[str]:
    """The string constants a comparison's other side holds (one, or a tuple/list/set of them)."""
    items = node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else [node]
    return {e.value for e in items if isinstance(e, ast.Constant) and isinstance(e.value, str)}


def _kind_attr(node: ast.expr) -> bool:
    if not (isinstance(node, ast.Attribute) and node.attr == "kind"):
        return False
    return not (isinstance(node.value, ast.Name) and node.value.id in FIELD_NAMES)


def kind_comparisons(source: str) -> Iterator[tuple[int, str]]:
    """(line, code) of every comparison of a ``.kind`` with a registered kind's name."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        if any(_kind_attr(s) for s in sides) and any(_names(s) & set(KINDS) for s in sides):
            yield node.lineno, ast.unparse(node)


def test_no_code_outside_the_kinds_compares_a_rule_kind_with_a_name() -> None:
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {code}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if KINDS_DIR not in path.parents
        for line, code in kind_comparisons(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "ask the rule's kind (xltool.form.kinds.kind_of) instead:\n" + "\n".join(found)


def test_the_scan_sees_a_planted_dispatch_and_nothing_else() -> None:
    planted = """
if r.kind == "sum": pass
x = [o for o in own if o.kind != "filled"]
y = rule.kind in ("expr", "cross_year")
z = check.rule.kind == "type"
"""
    assert sorted(line for line, _ in kind_comparisons(planted)) == [2, 3, 4, 5]
    others = """
a = block.kind == "heading1"
b = f.kind == "text"
c = attachment.kind != "workbook"
d = kind == "sum"
e = t.kind in ("concept", "vague")
"""
    assert list(kind_comparisons(others)) == []


def test_the_old_kind_lists_are_gone() -> None:
    """RULE_KINDS, WORKBOOK_KINDS and CODE_FROM were the registry spread over model.py."""
    model = (PACKAGE / "form" / "model.py").read_text(encoding="utf-8")
    assert not {"RULE_KINDS", "WORKBOOK_KINDS", "CODE_FROM"} & {
        n.id for n in ast.walk(ast.parse(model)) if isinstance(n, ast.Name)
    }
