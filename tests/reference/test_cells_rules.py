"""The rules reference of a form with 其中 cells: the built-in A5 (or the form's own 其中 rule) is
listed with every command that reports it, the template's live check among them."""

from __future__ import annotations

from pathlib import Path

from tests.forms.cells import CELLS, OWN_RULE
from tests.forms.inline import inline_form
from xltool.reference.listing import LIVE, rule_entries


def test_a5_is_listed_where_it_is_reported(tmp_path: Path) -> None:
    [entry] = [e for e in rule_entries(inline_form(CELLS, tmp_path)) if e.rule.id == "A5"]
    assert entry.commands == ("xltool verify", "xltool report", "xltool audit", LIVE)
    assert (entry.source_zh, entry.fix) == ("内置", "其中项不能大于它所属的总数，请核对。")


def test_the_forms_own_rule_is_listed_instead(tmp_path: Path) -> None:
    form = inline_form(CELLS.replace('checks_below = ["A5"]', "") + OWN_RULE, tmp_path)
    ids = {e.rule.id: e for e in rule_entries(form)}
    assert "A5" not in ids
    assert (ids["W3"].rule.kind, ids["W3"].source_zh) == ("part_of", "表单")
