"""Every unit's report in one go: refused returns listed with why, one LibreOffice run for all PDFs,
one broken return never sinking the batch."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import _required
from tests.returns import default_form, make_return
from xltool.cli import main
from xltool.office import find_soffice
from xltool.report.batch import Job, render_batch


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("returns")
    good = [make_return(folder, {"t2.fees.amount": i}, name=f"u{i}.xlsx") for i in range(3)]
    bad = make_return(folder, {"t3.new.natural": 19}, name="bad.xlsx")  # B1 and E1
    broken = folder / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    return [*good, bad, broken]


def jobs(paths: list[Path]) -> list[Job]:
    return [Job(p, f"报告_{p.stem}", p.stem) for p in paths]


def test_valid_returns_are_rendered_and_the_others_listed_with_why(returns: list[Path], tmp_path: Path) -> None:
    result = render_batch(default_form(), jobs(returns), tmp_path / "out", ["docx", "md"], workers=2)
    assert [i.job.unit for i in result.written] == ["u0", "u1", "u2"]
    refused = {i.job.unit: i for i in result.refused}
    assert set(refused) == {"bad", "broken"}
    assert "B1" in refused["bad"].refused and any(p.code == "B1" for p in refused["bad"].problems)
    assert refused["broken"].problems and refused["broken"].problems[0].code.startswith("H")
    for item in result.written:
        assert [p.suffix for p in item.paths] == [".docx", ".md"]
        assert zipfile.is_zipfile(item.paths[0])
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        f"报告_u{i}{ext}" for i in range(3) for ext in (".docx", ".md")
    )


def test_existing_reports_are_refused_before_any_work(returns: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "报告_u1.md").write_text("mine", encoding="utf-8")
    from xltool.outputs import OutputExists

    with pytest.raises(OutputExists):
        render_batch(default_form(), jobs(returns), out, ["md"])
    assert sorted(p.name for p in out.iterdir()) == ["报告_u1.md"]


def test_pdfs_of_the_whole_batch_come_from_one_libreoffice_run(
    returns: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _required(find_soffice(), "LibreOffice")
    import xltool.office as office

    runs: list[Any] = []
    real = office._run

    def counted(*args: Any, **kwargs: Any) -> str:
        runs.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(office, "_run", counted)  # a spy: LibreOffice itself runs
    result = render_batch(default_form(), jobs(returns), tmp_path / "out", ["pdf"], workers=1)
    assert len(runs) == 1
    pdfs = sorted((tmp_path / "out").glob("*.pdf"))
    assert [p.name for p in pdfs] == [f"报告_u{i}.pdf" for i in range(3)]
    assert all(p.read_bytes().startswith(b"%PDF") for p in pdfs)
    assert not list((tmp_path / "out").glob("*.docx"))  # the .docx were only the way to the PDF
    assert len(result.refused) == 2


def test_report_of_a_folder_on_the_command_line(returns: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = CliRunner().invoke(main, ["report", str(returns[0].parent), "-o", str(out), "--format", "md,html"])
    assert result.exit_code == 1, result.output  # two returns refused
    assert "已生成 3 份报告" in result.output and "未生成 2 份" in result.output
    assert len(list(out.glob("*.md"))) == 3 and len(list(out.glob("*.html"))) == 3
