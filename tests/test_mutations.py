"""A good return mutated at the byte level and at the XML level (hypothesis), run through verify with a
problem list and annotated copies, and through report: every file is judged, nothing escapes as an
internal error, and the outputs are written."""

from __future__ import annotations

import io
import tempfile
import zipfile
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.returns import make_return
from xltool.checks.problem_files import annotate_copies, write_problem_list
from xltool.checks.verify import verify
from xltool.form.loader import load_form
from xltool.report.render import ReportRefused, render_reports

FORM = load_form()
XML_MEMBERS = ("xl/workbook.xml", "xl/sharedStrings.xml", "xl/worksheets/sheet4.xml", "xl/worksheets/sheet8.xml")


@cache
def good_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        return make_return(Path(tmp), name="good.xlsx").read_bytes()


def judge(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mutant.xlsx"
        path.write_bytes(data)
        result = verify([path], FORM)
        (judged,) = result.files
        assert judged.path == path
        assert "H0" not in {p.code for p in judged.problems}, [p.line() for p in judged.problems]
        annotate_copies(result, Path(tmp) / "copies")
        write_problem_list(result, Path(tmp) / "问题清单.xlsx")
        assert "H0" not in {p.code for p in judged.problems}, "annotating failed"
        try:
            outs = [(Path(tmp) / f"r.{fmt}", fmt) for fmt in ("md", "html", "docx")]
            render_reports(FORM, path, outs, force=True)
        except ReportRefused:
            pass  # not a readable return: refused with its problems, as it should be


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=6))
def test_byte_level_mutations(edits: list[tuple[float, int]]) -> None:
    data = bytearray(good_bytes())
    for where, byte in edits:
        data[int(where * (len(data) - 1))] = byte
    judge(bytes(data))


@FAST
@given(st.floats(0, 1))
def test_truncated_files(where: float) -> None:
    data = good_bytes()
    judge(data[: int(where * len(data))])


@FAST
@given(
    st.sampled_from(XML_MEMBERS),
    st.floats(0, 1),
    st.floats(0, 1),
    st.sampled_from(["delete", "duplicate", "insert"]),
    st.text(alphabet='<>/="&;abcvrt 0123456789-.E\u4e00', max_size=12),
)
def test_xml_level_mutations(member: str, a: float, b: float, how: str, junk: str) -> None:
    with zipfile.ZipFile(io.BytesIO(good_bytes())) as zin:
        parts = {i.filename: zin.read(i) for i in zin.infolist()}
    xml = parts[member].decode("utf-8")
    i, j = sorted((int(a * len(xml)), int(b * len(xml))))
    j = min(j, i + 400)
    xml = {"delete": xml[:i] + xml[j:], "duplicate": xml[:j] + xml[i:j] + xml[j:], "insert": xml[:i] + junk + xml[i:]}[
        how
    ]
    parts[member] = xml.encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)
    judge(out.getvalue())
