"""audit of a published document of a form with 其中 rows and constants: a 其中 cell above its total
is reported under A5 at its place in the document; the printed constants are the form's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.forms.cells import CELLS, GOOD, UNIT
from tests.forms.inline import inline_form
from xltool.cli import main
from xltool.form.model import Form
from xltool.importer.audit import audit
from xltool.importer.build import import_document
from xltool.workbook.write import write_template

SECTIONS = """
[[sections]]
heading = "一、事项情况"
table = "g"

[[sections]]
heading = "二、新媒体"
fields = ["media.has_new_media", "media.name", "media.accounts", "media.full"]
"""


@pytest.fixture(scope="module")
def form(tmp_path_factory: pytest.TempPathFactory) -> Form:
    return inline_form(CELLS + SECTIONS, tmp_path_factory.mktemp("form"))


def published(form: Form, folder: Path, values: dict[str, Any]) -> Path:
    """The report ``xltool report`` writes from a return holding ``values``."""
    ret, out = folder / "return.xlsx", folder / "report.docx"
    write_template(form, UNIT, ret, values=values)
    result = CliRunner().invoke(
        main, ["report", "--allow-errors", "--form", str(form.source), str(ret), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def test_an_of_which_cell_above_its_total_in_a_document(form: Form, tmp_path: Path) -> None:
    doc = published(form, tmp_path, {**GOOD, "g.x_new.b": 4})
    [p] = audit([doc], form).files[0].problems
    assert (p.code, p.message) == ("A5", "其中项为 4，大于它所属的总数 3。")
    assert p.place() == "一、事项情况（行：其中：新增；列：乙）"


def test_a_consistent_document_passes_and_its_constants_are_the_forms(form: Form, tmp_path: Path) -> None:
    doc = published(form, tmp_path, GOOD)
    assert audit([doc], form).files[0].problems == []
    assert "g.x.full" not in import_document(doc, form).values  # printed, never read as an input
