"""A good return mutated at the byte level and at the XML level (hypothesis), run through verify with a
problem list and annotated copies, and through report: every file is judged, nothing escapes as an
internal error, the outputs are written, and each file takes bounded time and memory."""

from __future__ import annotations

import io
import os
import resource
import signal
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.returns import make_return
from xltool.checks.problem_files import annotate_copies, write_problem_list
from xltool.checks.verify import verify
from xltool.form.loader import load_form
from xltool.report.render import ReportRefused, render_reports
from xltool.workbook.read import read_return

FORM = load_form()
T = TypeVar("T")
XML_MEMBERS = ("xl/workbook.xml", "xl/sharedStrings.xml", "xl/worksheets/sheet4.xml", "xl/worksheets/sheet8.xml")
# Generous bounds per mutated file (a good return takes ~0.3 s and ~20 MB through all of it): far
# above machine speed, far below a hang or a bomb.
SECONDS = 10  # verify, problem list, annotated copy and the three reports
MEGABYTES = 300  # peak memory: of the Python objects made reading it, and of the process through all of it


@cache
def good_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        return make_return(Path(tmp), name="good.xlsx").read_bytes()


def judge(data: bytes) -> None:
    rss_before, peak_before = rss(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as tmp, deadline(3 * SECONDS):
        start = time.perf_counter()
        path = Path(tmp) / "mutant.xlsx"
        path.write_bytes(data)
        _, peak = traced(lambda: read_return(path, FORM))  # where a bomb would go off
        assert peak < MEGABYTES * 2**20, f"reading took {peak / 2**20:.0f} MB"
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
        except ReportRefused as refused:
            assert "H0" not in {p.code for p in refused.problems}, "rendering failed"  # refused, as it should be
        took = time.perf_counter() - start
        assert took < SECONDS, f"{took:.1f} s"
    grown = new_peak(rss_before, peak_before)
    assert grown < MEGABYTES * 2**20, f"the process grew by {grown / 2**20:.0f} MB"


def traced(run: Callable[[], T]) -> tuple[T, int]:
    """``run()`` and the peak memory (bytes) of the Python objects it allocated."""
    tracemalloc.start()
    try:
        return run(), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def rss() -> int:
    """Resident memory of this process now (bytes; 0 where /proc is not available)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def new_peak(rss_before: int, peak_before: int) -> int:
    """How far above ``rss_before`` the process peaked since, when that peak is new (ru_maxrss only
    grows, so a peak below an earlier one cannot be seen: then 0). Covers all of judge(), C included."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return peak * 1024 - rss_before if rss_before and peak > peak_before else 0


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """A file that hangs fails the test instead of the suite: SIGALRM after ``seconds``."""

    def expired(*_: object) -> None:
        raise TimeoutError(f"no verdict after {seconds} s")

    old = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


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


def test_the_bounds_are_measured() -> None:
    """The instruments of judge(): a deadline interrupts, the traced peak sees an allocation."""
    with pytest.raises(TimeoutError), deadline(0.2):
        time.sleep(2)
    _, peak = traced(lambda: len(bytearray(50 * 2**20)))
    assert peak >= 50 * 2**20
