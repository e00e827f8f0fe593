"""The county's own files stay safe: no formula or link planted by a unit, no markup in a report, no
output over an input, atomic and exclusive writes, one Chinese line when a write fails."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from tests.returns import ROSTER, default_form, edit_xml, load_copy, make_previous, make_return
from xltool.checks.problem_files import annotate_copies, write_problem_list
from xltool.checks.verify import verify
from xltool.cli import main
from xltool.outputs import OutputExists, write_output
from xltool.report.build import build_report
from xltool.report.md import markdown
from xltool.workbook.read import read_return

FORM = default_form()
T3 = FORM.sheet("t3").name
LINK = '=HYPERLINK("http://example.com/x","点此查看")'


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    """A return whose unit typed a formula-like name and whose total was overwritten by broken text."""
    path = make_return(tmp_path, {"info.unit_name": LINK}, name="planted.xlsx")
    total = FORM.fields["t3.new.total"].cell
    return edit_xml(path, tmp_path / "planted2.xlsx", cells={(T3, total): "=SUM(D6:I6"})


def _formula_cells(path: Path) -> list[tuple[str, str, str]]:
    wb = load_copy(path)
    return [
        (ws.title, c.coordinate, str(c.value))
        for ws in wb.worksheets
        if ws.title in ("问题清单", "汇总")
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]


def test_the_problem_list_holds_text_never_formulas(planted: Path, tmp_path: Path) -> None:
    result = verify([planted], FORM)
    out = write_problem_list(result, tmp_path / "问题清单.xlsx")
    assert _formula_cells(out) == []
    texts = [str(c.value) for ws in load_copy(out).worksheets for row in ws.iter_rows() for c in row if c.value]
    assert any("HYPERLINK" in t for t in texts) and any("=SUM(D6:I6" in t for t in texts)  # shown as typed


def test_an_annotated_copy_holds_text_never_formulas(planted: Path, tmp_path: Path) -> None:
    (copy,) = annotate_copies(verify([planted], FORM), tmp_path / "copies")
    assert _formula_cells(copy) == []


def test_markdown_escapes_what_a_unit_typed(tmp_path: Path) -> None:
    text = "<script>alert(1)</script>请看[这里](javascript:alert(1))。\n# 假的标题\n| 伪造 | 表格 |\n1. 列表"
    ret = read_return(make_return(tmp_path, {"s1.platform": text}), FORM)
    html = MarkdownIt("commonmark").render(markdown(build_report(FORM, ret)))
    assert "<script" not in html and "<a " not in html and "<table" not in html  # no markup, link or table
    assert html.count("<h1>") == 1 and "假的标题</h" not in html  # no fake heading
    assert "&lt;script&gt;" in html and "javascript:alert(1)" in html  # what was typed is shown as text
    assert "<ol" not in html


# ------------------------------------------------------------------ never over an input
def run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def test_report_refuses_an_existing_file_without_force(tmp_path: Path) -> None:
    source = make_return(tmp_path)
    out = tmp_path / "报告.html"
    out.write_text("别人的文件", encoding="utf-8")
    code, output = run("report", source, "-o", out)
    assert code == 2 and "已存在" in output and out.read_text(encoding="utf-8") == "别人的文件"
    code, _ = run("report", source, "-o", out, "--force")
    assert code == 0 and "<html" in out.read_text(encoding="utf-8")


def test_report_never_writes_over_its_source_even_through_a_hard_link(tmp_path: Path) -> None:
    source = make_return(tmp_path)
    before = source.read_bytes()
    link = tmp_path / "link.html"
    os.link(source, link)
    code, output = run("report", source, "-o", link, "--force")
    assert code == 1 and "同一个文件" in output
    assert source.read_bytes() == before


@pytest.mark.parametrize("target", ["roster", "previous"])
def test_verify_out_never_replaces_the_roster_or_last_years_return(tmp_path: Path, target: str) -> None:
    source = make_return(tmp_path)
    prev = make_previous(tmp_path)
    roster = tmp_path / "名单.xlsx"
    roster.write_bytes(ROSTER.read_bytes())
    victim = roster if target == "roster" else prev
    before = victim.read_bytes()
    code, output = run("verify", source, "--roster", roster, "--previous", prev.parent, "--out", victim, "--force")
    assert code == 1 and "同一个文件" in output
    assert victim.read_bytes() == before


def test_annotate_never_overwrites_or_follows_a_link(tmp_path: Path) -> None:
    source = make_return(tmp_path, {"t3.new.natural": 19}, name="年报.xlsx")
    outdir = tmp_path / "copies"
    outdir.mkdir()
    (outdir / "年报_问题标注.xlsx").write_text("已有的文件")
    outside = tmp_path / "outside.xlsx"
    outside.write_text("外面的文件")
    (outdir / f"{tmp_path.name}_年报_问题标注.xlsx").symlink_to(outside)
    (copy,) = annotate_copies(verify([source], FORM), outdir)
    assert copy.name == "年报_2_问题标注.xlsx"
    assert (outdir / "年报_问题标注.xlsx").read_text() == "已有的文件" and outside.read_text() == "外面的文件"


# ------------------------------------------------------------------ atomic, exclusive, failing cleanly
def test_two_writers_cannot_both_claim_one_file(tmp_path: Path) -> None:
    out = tmp_path / "清单.xlsx"
    write_output(out, lambda tmp: tmp.write_text("first"))
    with pytest.raises(OutputExists):
        write_output(out, lambda tmp: tmp.write_text("second"))
    assert out.read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["清单.xlsx"]  # no temporary left behind


def test_a_write_that_cannot_happen_is_one_chinese_line(tmp_path: Path) -> None:
    source = make_return(tmp_path)
    blocker = tmp_path / "是文件"
    blocker.write_text("x")
    code, output = run("verify", source, "--out", blocker / "清单.xlsx")
    assert code == 1 and "无法写入" in output and "Traceback" not in output


def test_a_kill_leaves_no_partial_output(tmp_path: Path) -> None:
    """SIGKILL while the content is being written: the target never exists half-written, and what
    is left is a hidden temporary that a folder scan skips."""
    out = tmp_path / "问题清单.xlsx"
    code = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from xltool.outputs import write_output
        def slow(tmp):
            with open(tmp, "wb") as fh:
                fh.write(b"PK" + b"x" * 1000)
                fh.flush()
                print("writing", flush=True)
                time.sleep(30)
        write_output(Path({str(out)!r}), slow)
        """
    )
    for _ in range(3):
        proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert not out.exists()
    assert all(p.name.startswith(".xltool-") for p in tmp_path.iterdir())
