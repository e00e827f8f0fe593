"""Traditional script read as simplified (xltool/form/script.py): one character for one."""

from __future__ import annotations

from pathlib import Path

from xltool.form.script import is_traditional, simplified

REAL = Path(__file__).parents[1] / "data" / "real_reports"


def test_traditional_words_become_simplified() -> None:
    assert simplified("上年結轉") == "上年结转"
    assert simplified("行政復議、行政訴訟，結果糾正") == "行政复议、行政诉讼，结果纠正"


def test_simplified_text_is_returned_as_it_is() -> None:
    text = "显著提高，了解情况，上年结转2件。"
    assert simplified(text) is text and not is_traditional(text)


def test_every_position_stays_where_it_was() -> None:
    for path in sorted(REAL.glob("*_trad.txt")):
        text = path.read_text(encoding="utf-8")
        assert is_traditional(text)
        assert len(simplified(text)) == len(text)
        assert not is_traditional(simplified(text))
