"""Whatever goes wrong while reporting on one return is that return's problem (H0, the file named):
no report of it is written (not even the formats that worked), no traceback reaches the user, and the
other returns of a batch or of the demo are still reported on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import xltool.report.docx as report_docx
import xltool.report.html as report_html
import xltool.report.render as render
from tests.returns import default_form, make_return
from xltool.cli import main
from xltool.demo import _report_step
from xltool.report.batch import Job, render_batch
from xltool.report.render import RenderFailed, render_reports

FORM = default_form()


def broken_renderer(*_: object) -> Path:
    raise ValueError("a renderer that breaks")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.suffix != ".xlsx")


def test_a_renderer_that_breaks_is_h0_and_leaves_no_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = make_return(tmp_path, name="good.xlsx")
    monkeypatch.setattr(report_html, "render_html", broken_renderer)
    outs = [(tmp_path / f"r.{fmt}", fmt) for fmt in ("md", "docx", "html")]  # md and docx would work
    with pytest.raises(RenderFailed) as failed:
        render_reports(FORM, source, outs)
    ((code, rule, message),) = [(p.code, p.rule, p.message) for p in failed.value.problems]
    assert (code, rule) == ("H0", "H0-report") and "ValueError" in message
    assert "good.xlsx" in str(failed.value)
    assert leftovers(tmp_path) == []  # nothing written, no temporary file left


def test_a_failure_while_building_the_report_is_h0_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = make_return(tmp_path, name="good.xlsx")
    monkeypatch.setattr(render, "build_report", broken_renderer)
    with pytest.raises(RenderFailed):
        render_reports(FORM, source, [(tmp_path / "r.md", "md")])
    assert leftovers(tmp_path) == []


def test_the_command_says_it_in_chinese_without_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = make_return(tmp_path, name="good.xlsx")
    monkeypatch.setattr(report_docx, "render_docx", broken_renderer)
    result = CliRunner().invoke(main, ["report", str(source), "-o", str(tmp_path / "r.docx")])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert "未能为 good.xlsx 生成报告" in result.output and "【H0】" in result.output
    assert leftovers(tmp_path) == []


def test_one_return_that_breaks_does_not_stop_a_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = make_return(tmp_path, name="good.xlsx")
    bad = make_return(tmp_path, name="bad.xlsx")
    real = render.build_report

    def flaky(form: object, ret: Any, **kwargs: object) -> object:
        if ret.path.name == "bad.xlsx":
            raise RuntimeError("boom")
        return real(form, ret, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "build_report", flaky)
    jobs = [Job(bad, "bad", "bad"), Job(good, "good", "good")]
    result = render_batch(FORM, jobs, tmp_path / "out", ["md", "html"], workers=1)
    assert [i.job.unit for i in result.written] == ["good"]
    (refused,) = result.refused
    assert [p.code for p in refused.problems] == ["H0"] and "H0" in refused.refused
    assert leftovers(tmp_path / "out") == ["good.html", "good.md"]


def test_the_demo_goes_on_past_a_return_that_breaks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    samples = tmp_path / "samples"
    make_return(samples / "returns", name="a.xlsx")
    make_return(samples / "returns", name="b.xlsx")
    real = render.build_report

    def flaky(form: object, ret: Any, **kwargs: object) -> object:
        if ret.path.name == "a.xlsx":
            raise RuntimeError("boom")
        return real(form, ret, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "build_report", flaky)
    lines = list(_report_step(FORM, samples, tmp_path / "out"))
    assert any("a.xlsx：未生成，【H0】" in line for line in lines), lines
    assert [line.strip() for line in lines[-3:]] == ["- b.docx", "- b.html", "- b.md"]
    assert leftovers(tmp_path / "out" / "reports") == ["b.docx", "b.html", "b.md"]
