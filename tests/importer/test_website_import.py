"""A published 政府网站工作年度报表 (our own report of the sample, in each format) imported back: the
names, addresses and 是/否 of the one-column table are read as text (never a number, never 0), the
counts as numbers — every value of the sample, nothing missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.forms.website import FORM, FORM_ID, SAMPLE, sample_values
from xltool.cli import main


@pytest.mark.parametrize("ext", ["html", "docx", "md"])
def test_the_published_table_reads_back_whole(tmp_path: Path, ext: str) -> None:
    runner = CliRunner()
    published = tmp_path / f"网站年报.{ext}"
    assert runner.invoke(main, ["report", "--form", FORM_ID, str(SAMPLE), "-o", str(published)]).exit_code == 0
    result = runner.invoke(
        main, ["import", "--form", FORM_ID, str(published), "-o", str(tmp_path / "r.xlsx"), "--json"]
    )
    assert result.exit_code == 0, result.output
    [read] = json.loads(result.stdout)["files"]
    assert read["problems"] == []
    table = {k: v for k, v in sample_values().items() if FORM.fields[k].grid}
    assert {k: read["values"][k] for k in table} == table
    assert read["values"]["w.site_code"] == "4113300001"  # digits in a text row stay text
