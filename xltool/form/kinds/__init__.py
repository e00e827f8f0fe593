"""The registry of rule kinds: the name a rule's ``kind`` gives -> the object that knows that kind.

Each kind is one module here (base.py says what a kind knows). Code elsewhere never compares a
rule's kind with a name: it asks the kind (``kind_of(rule)``), so a new kind is its module and its
line below.
"""

from __future__ import annotations

from collections.abc import Mapping

from xltool.form.kinds.base import RuleKind
from xltool.form.kinds.cross_year import CrossYearKind
from xltool.form.kinds.expr import ExprKind
from xltool.form.kinds.file import FileKind
from xltool.form.kinds.filled import FilledKind
from xltool.form.kinds.imports import ImportKind
from xltool.form.kinds.outlier import HistoryKind, PeerKind
from xltool.form.kinds.part_of import PartOfKind
from xltool.form.kinds.range import RangeKind
from xltool.form.kinds.read import ReadKind
from xltool.form.kinds.sum import SumKind
from xltool.form.kinds.text import TextKind
from xltool.form.kinds.type import TypeKind
from xltool.form.model import Rule

__all__ = ["KINDS", "RuleKind", "kind_of"]

KINDS: Mapping[str, RuleKind] = {
    k.name: k
    for k in (
        FilledKind(),
        TypeKind(),
        SumKind(),
        ExprKind(),
        CrossYearKind(),
        TextKind(),
        FileKind(),
        ReadKind(),
        ImportKind(),
        RangeKind(),
        PartOfKind(),
        PeerKind(),
        HistoryKind(),
    )
}


def kind_of(rule: Rule) -> RuleKind:
    """The kind object of a loaded rule."""
    return KINDS[rule.kind]
