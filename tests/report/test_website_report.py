"""The report of the 政府网站工作年度报表 sample: one readable table in Word, HTML and Markdown, its
names, addresses and 是/否 printed as text (left-aligned), its counts as numbers (right-aligned)."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from tests.forms.website import FORM_ID, SAMPLE, UNIT
from xltool.cli import main

TITLE = f"{UNIT.name}政府网站工作年度报表（2025年度）"


def report(tmp_path: Path, ext: str) -> Path:
    out = tmp_path / f"网站年报.{ext}"
    result = CliRunner().invoke(main, ["report", "--form", FORM_ID, str(SAMPLE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_markdown(tmp_path: Path) -> None:
    text = report(tmp_path, "md").read_text(encoding="utf-8")
    assert text.startswith(f"# {TITLE}\n")
    assert "| 项目 | 填报内容 |" in text
    for line in (
        "| 首页网址 | http://www.tongbai.gov.cn |",
        "| 网站类型 | 政府门户网站 |",
        "| 办事服务·是否发布服务事项目录 | 是 |",
        "| 信息发布（单位：条）·其中·政务动态信息更新量 | 3175 |",
        "| 移动新媒体·微信·名称 | 桐柏发布 |",
    ):
        assert line in text


def test_html(tmp_path: Path) -> None:
    html = report(tmp_path, "html").read_text(encoding="utf-8")
    assert f"<h1>{TITLE}</h1>" in html
    assert "<td>桐柏县人民政府</td>" in html and "<td>是</td>" in html  # text: no number alignment
    assert '<td class="num">386215</td>' in html and '<td class="num">3.6</td>' in html


@pytest.mark.parametrize("label", ["网站名称", "安全防护", "是否明确网站安全负责人", "移动新媒体"])
def test_docx_merges_the_labels_as_printed(tmp_path: Path, label: str) -> None:
    document = docx.Document(str(report(tmp_path, "docx")))
    [table] = document.tables
    texts = [c.text for row in table.rows for c in row.cells]
    assert label in texts
    assert "桐柏县人民政府" in texts and "124530" in texts
    if label == "安全防护":  # a category label is one merged cell over its six rows
        first = texts.index(label)
        assert texts.count(label) == 6 and first % len(table.columns) == 0
