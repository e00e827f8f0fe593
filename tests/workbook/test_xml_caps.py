"""Caps on what one workbook may hold, checked before it is held: XML nodes (elements and attributes)
over all parts read, nesting depth, and cells and rows from the form's own extent.

Each trap is built here from a good return; each is refused as H1 naming the part or the sheet, in
bounded time and memory, and a return with a unit's legitimate extra cells is still read.
"""

from __future__ import annotations

import re
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.returns import default_form, make_return
from tests.zipparts import members, rezip
from xltool.checks.verify import verify
from xltool.workbook import limits
from xltool.workbook.read import read_return

FORM = default_form()
T3 = FORM.sheet("t3").name
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return make_return(tmp_path, name="good.xlsx")


def sheet_member(parts: dict[str, bytes], name: str) -> str:
    rels = ET.fromstring(parts["xl/_rels/workbook.xml.rels"])
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    for sheet in ET.fromstring(parts["xl/workbook.xml"]).iter(f"{{{MAIN}}}sheet"):
        if sheet.get("name") == name:
            return "xl/" + targets[sheet.get(rid)].removeprefix("/xl/")
    raise KeyError(name)


def with_sheet_data(good: Path, out: Path, rows: bytes) -> Path:
    """``good`` with ``rows`` appended to the sheet data of table 三."""
    parts = members(good)
    member = sheet_member(parts, T3)
    parts[member] = parts[member].replace(b"</sheetData>", rows + b"</sheetData>", 1)
    return rezip(good, out, parts)


def judged(path: Path, *, seconds: float = 10, megabytes: float = 300) -> list[tuple[str, str]]:
    """(rule, message) of each problem of ``path``, read within ``seconds`` and ``megabytes``."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        problems = read_return(path, FORM).problems
        took, (_, peak) = time.perf_counter() - start, tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert took < seconds, f"{took:.1f} s"
    assert peak < megabytes * 2**20, f"{peak / 2**20:.0f} MB"
    return [(p.rule, p.message) for p in problems]


# ------------------------------------------------------------------ cells and rows from the form
def test_the_caps_follow_the_form() -> None:
    caps = limits.form_caps(FORM)
    assert caps.cells >= limits.MIN_CELLS and caps.rows >= limits.MIN_ROWS
    assert caps.cells >= limits.EXTENT_FACTOR * len(FORM.fields)  # a template holds more than its fields
    assert limits.form_caps(FORM) is caps  # worked out once per form


def test_a_sheet_of_a_million_rows_is_refused_before_it_is_parsed(good: Path, tmp_path: Path) -> None:
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(100, 1_000_100))
    path = with_sheet_data(good, tmp_path / "rows.xlsx", rows)
    assert path.stat().st_size < limits.MAX_FILE_BYTES  # small enough to be opened at all
    ((rule, message),) = judged(path, seconds=5, megabytes=200)  # the sheet alone is ~40 MB of XML
    assert rule == "H1-big"
    assert f"工作表“{T3}”" in message and "XML 元素和属性" in message


def test_cells_far_beyond_the_form_are_refused(good: Path, tmp_path: Path) -> None:
    cap = limits.form_caps(FORM).cells
    cells = b"".join(b'<c r="%s%d" s="1"/>' % (col, row) for row in range(100, 100 + cap // 20 + 1) for col in
                     (b"AA", b"AB", b"AC", b"AD", b"AE", b"AF", b"AG", b"AH", b"AI", b"AJ", b"AK", b"AL", b"AM", b"AN",
                      b"AO", b"AP", b"AQ", b"AR", b"AS", b"AT"))  # fmt: skip
    rows = b'<row r="100">' + cells + b"</row>"  # blank formatted cells: read as nothing, yet held while read
    ((rule, message),) = judged(with_sheet_data(good, tmp_path / "cells.xlsx", rows))
    assert rule == "H1-big"
    assert f"工作表“{T3}”" in message and "单元格" in message and f"{cap:,}" in message


def test_rows_far_beyond_the_form_are_refused(good: Path, tmp_path: Path) -> None:
    cap = limits.form_caps(FORM).rows
    rows = b"".join(b'<row r="%d" ht="15" customHeight="1"/>' % i for i in range(100, 100 + cap + 1))
    ((rule, message),) = judged(with_sheet_data(good, tmp_path / "rows.xlsx", rows))
    assert rule == "H1-big"
    assert "行" in message and f"{cap:,}" in message


def test_a_units_own_formatting_beyond_the_form_is_still_read(good: Path, tmp_path: Path) -> None:
    """Row heights and a few thousand formatted blank cells (a unit that formatted a block of the
    sheet): far below the caps, no problem of their own."""
    rows = b"".join(
        b'<row r="%d" ht="15" customHeight="1">' % r
        + b"".join(b'<c r="%s%d" s="1"/>' % (c, r) for c in (b"M", b"N"))
        + b"</row>"
        for r in range(100, 1100)
    )
    assert judged(with_sheet_data(good, tmp_path / "formatted.xlsx", rows)) == []


def test_a_sheet_listed_again_and_again_cannot_run_up_the_work(good: Path, tmp_path: Path) -> None:
    parts = members(good)
    wb = parts["xl/workbook.xml"].decode()
    one = re.search(r'<sheet [^>]*name="([^"]*)"[^>]*/>', wb)
    assert one is not None
    copies = "".join(one.group(0).replace(f'name="{one.group(1)}"', f'name="x{i}"') for i in range(5000))
    parts["xl/workbook.xml"] = wb.replace(one.group(0), one.group(0) + copies, 1).encode()
    ((rule, _),) = judged(rezip(good, tmp_path / "again.xlsx", parts), seconds=5)
    assert rule == "H1-big"


# ------------------------------------------------------------------ XML nodes and depth
@pytest.mark.parametrize(
    "bomb",
    [
        b"".join(b"<si><t>%d</t></si>" % i for i in range(300_000)),  # many elements
        b'<si><t a="" ' + b" ".join(b'a%d=""' % i for i in range(600_000)) + b">x</t></si>",  # many attributes
    ],
    ids=["elements", "attributes"],
)
def test_too_many_xml_nodes(good: Path, tmp_path: Path, bomb: bytes) -> None:
    parts = members(good)
    parts["xl/sharedStrings.xml"] = parts["xl/sharedStrings.xml"].replace(b"</sst>", bomb + b"</sst>")
    ((rule, message),) = judged(rezip(good, tmp_path / "nodes.xlsx", parts), megabytes=150)
    assert rule == "H1-big" and "xl/sharedStrings.xml" in message


def nest(depth: int) -> bytes:
    return b'<x:n xmlns:x="urn:x">' + b"<x:n>" * (depth - 1) + b"</x:n>" * depth


@pytest.mark.parametrize("member", ["xl/workbook.xml", "xl/_rels/workbook.xml.rels"])
def test_deep_nesting_in_the_workbook_parts(good: Path, tmp_path: Path, member: str) -> None:
    """The parts openpyxl hands to lxml (which stops at 256 levels, so the annotated copy would fail)."""
    parts = members(good)
    root_end = parts[member].rindex(b"</")
    parts[member] = parts[member][:root_end] + nest(limits.MAX_XML_DEPTH) + parts[member][root_end:]
    ((rule, message),) = judged(rezip(good, tmp_path / "deep.xlsx", parts))
    assert rule == "H1-corrupt" and member in message and f"{limits.MAX_XML_DEPTH} 层" in message


def test_nesting_up_to_the_cap_is_read(good: Path, tmp_path: Path) -> None:
    parts = members(good)
    wb = parts["xl/workbook.xml"]
    end = wb.rindex(b"</")
    parts["xl/workbook.xml"] = wb[:end] + nest(limits.MAX_XML_DEPTH - 1) + wb[end:]  # under the root
    assert judged(rezip(good, tmp_path / "nested.xlsx", parts)) == []


def test_a_deep_worksheet(good: Path, tmp_path: Path) -> None:
    """Worksheets are read only by ElementTree, which copes with any depth: a deep one that is small
    is judged (never H0); one deep enough to be big is scanned and refused."""
    small = with_sheet_data(
        good, tmp_path / "small.xlsx", b'<row r="200"><c r="A200"><is>' + nest(5_000) + b"</is></c></row>"
    )
    assert "H0" not in {rule for rule, _ in judged(small)}
    big = with_sheet_data(
        good,
        tmp_path / "big.xlsx",
        b'<row r="200"><c r="A200"><is>' + nest(limits.DEPTH_SCAN_FROM + 1) + b"</is></c></row>",
    )
    ((rule, message),) = judged(big)
    assert rule == "H1-corrupt" and "嵌套" in message


def test_a_batch_with_every_cap_judges_every_file(good: Path, tmp_path: Path) -> None:
    rows = b"".join(b'<row r="%d"/>' % i for i in range(100, 100 + limits.form_caps(FORM).rows + 1))
    traps = [with_sheet_data(good, tmp_path / "rows.xlsx", rows)]
    parts = members(good)
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b"</workbook>", nest(100) + b"</workbook>")
    traps.append(rezip(good, tmp_path / "deep.xlsx", parts))
    result = verify([good, *traps], FORM)
    assert [f.path for f in result.files] == [good, *traps]
    assert result.files[0].problems == []
    assert [[p.rule for p in f.problems] for f in result.files[1:]] == [["H1-big"], ["H1-corrupt"]]


# ------------------------------------------------------------------ the depth scan is exact
def tree(depth: int) -> st.SearchStrategy[str]:
    """Small well-formed XML with what could fool a reduction to tag marks: attributes holding "/",
    "?" and (escaped) ">", empty elements with and without attributes, text with "/" and "?",
    declarations and comments."""
    text = st.sampled_from(["", "a/b", "?", "x/", "&gt;/", "a>b/", "文字"])
    attrs = st.sampled_from(["", ' a="/"', " b='?/'", ' c="x/" d=""', ' e="&gt;"', ' f="&gt;/"', ' g="a>/"'])
    leaf = st.builds(lambda a, t: f"<e{a}/>" if not t else f"<e{a}>{t}</e>", attrs, text)
    if depth == 0:
        return leaf
    kids = st.lists(st.one_of(leaf, tree(depth - 1), st.just("<!-- </x> -->"), st.just("<?pi ?>")), max_size=4)
    return st.one_of(leaf, st.builds(lambda a, k, t: f"<n{a}>{t}{''.join(k)}</n>", attrs, kids, text))


@settings(max_examples=300, deadline=None)
@given(tree(6), st.integers(1, 8))
def test_the_depth_scan_agrees_with_a_parser(xml: str, limit: int) -> None:
    data = ('<?xml version="1.0"?><r>' + xml + "</r>").encode()
    assert limits.nested_within(data, limit) == limits._expat_within(data, limit)


@pytest.mark.parametrize("reduce", [lambda x: x, lambda x: x.replace(b"&gt;", b">")], ids=["plain", "raw-gt"])
def test_the_depth_scan_is_exact_at_the_cap(reduce: Callable[[bytes], bytes]) -> None:
    for depth, within in ((limits.MAX_XML_DEPTH, True), (limits.MAX_XML_DEPTH + 1, False)):
        xml = reduce(b"<r>" + b'<a t="&gt;/">' * (depth - 2) + b"<b/>" + b"</a>" * (depth - 2) + b"</r>")
        assert limits.nested_within(xml, limits.MAX_XML_DEPTH) is within
