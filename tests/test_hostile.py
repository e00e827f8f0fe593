"""Files anyone can email the county: each is judged on its own, none hangs, crashes or floods a batch.

The corpus is built here from a good return (no checked-in binaries): zip traps (bombs, unsupported
methods, encryption bits, undecodable members, overlaps), XML tricks (a DTD), odd values (NaN, inf,
1e308, absurd date serials, a shared-string index of -1, an over-long cell), file-system traps (a
FIFO, a symlink to /dev/zero, a file over the size limit) and a macro part in upper case.
"""

from __future__ import annotations

import os
import re
import signal
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.returns import default_form, edit_xml, make_return
from tests.zipparts import members, rezip
from xltool.checks.verify import VerifyOptions, verify
from xltool.workbook import limits
from xltool.workbook.read import read_return

FORM = default_form()
T3 = FORM.sheet("t3").name


def patch_member(path: Path, out: Path, name: str, **fields: int) -> Path:
    """A copy whose central-directory and local headers of ``name`` say something else
    (flag_bits, compress_type): what a hand-crafted or damaged zip carries."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
    raw = name.encode()
    local = info.header_offset
    central = next(
        m.start()
        for m in re.finditer(rb"PK\x01\x02", bytes(data))
        if data[m.start() + 46 : m.start() + 46 + len(raw)] == raw
    )
    for key, value in fields.items():
        at_local, at_central = {"flag_bits": (6, 8), "compress_type": (8, 10)}[key]
        struct.pack_into("<H", data, local + at_local, value)
        struct.pack_into("<H", data, central + at_central, value)
    out.write_bytes(bytes(data))
    return out


def codes(path: Path) -> list[str]:
    return [p.code for p in read_return(path, FORM).problems]


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return make_return(tmp_path, name="good.xlsx")


# ------------------------------------------------------------------ zip traps
def test_unsupported_compression_method(good: Path, tmp_path: Path) -> None:
    assert codes(patch_member(good, tmp_path / "m99.xlsx", "xl/workbook.xml", compress_type=99)) == ["H1"]


def test_encryption_bit(good: Path, tmp_path: Path) -> None:
    path = patch_member(good, tmp_path / "enc.xlsx", "xl/workbook.xml", flag_bits=1)
    (problem,) = read_return(path, FORM).problems
    assert problem.rule == "H1-encrypted"


def test_undecodable_member(good: Path, tmp_path: Path) -> None:
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as zf:
        info = zf.getinfo("xl/worksheets/sheet4.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start : start + 40] = bytes(range(40))  # garbage where deflate data should be
    (tmp_path / "zlib.xlsx").write_bytes(bytes(data))
    assert codes(tmp_path / "zlib.xlsx") == ["H1"]


def test_zip_bomb(good: Path, tmp_path: Path) -> None:
    parts = members(good)
    parts["xl/media/bomb.bin"] = bytes(limits.MAX_MEMBER_BYTES + 1)
    path = rezip(good, tmp_path / "bomb.xlsx", parts)
    assert path.stat().st_size < 1_000_000  # small on disk
    (problem,) = read_return(path, FORM).problems
    assert problem.rule == "H1-corrupt" and "过大" in problem.message


def test_many_members(good: Path, tmp_path: Path) -> None:
    parts = members(good) | {f"xl/x/{i}.xml": b"<x/>" for i in range(limits.MAX_MEMBERS)}
    assert codes(rezip(good, tmp_path / "many.xlsx", parts)) == ["H1"]


def test_macro_part_in_upper_case(good: Path, tmp_path: Path) -> None:
    parts = members(good) | {"xl/VBAPROJECT.BIN": b"\xd0\xcf\x11\xe0" + bytes(60)}
    assert codes(rezip(good, tmp_path / "macro.xlsx", parts)) == ["H6"]


# ------------------------------------------------------------------ XML tricks
def test_a_dtd_is_refused(good: Path, tmp_path: Path) -> None:
    parts = members(good)
    laughs = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    parts["xl/sharedStrings.xml"] = laughs + parts["xl/sharedStrings.xml"].split(b"?>", 1)[1]
    (problem,) = read_return(rezip(good, tmp_path / "dtd.xlsx", parts), FORM).problems
    assert problem.rule == "H1-corrupt" and "DOCTYPE" in problem.message


def test_shared_string_index_minus_one(good: Path, tmp_path: Path) -> None:
    parts = members(good)
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = re.sub(rb'(t="s"[^>]*><v>)\d+(</v>)', rb"\g<1>-1\g<2>", sheet, count=1)
    assert codes(rezip(good, tmp_path / "minus.xlsx", parts)) == ["H1"]


def test_an_over_long_cell(good: Path, tmp_path: Path) -> None:
    """Longer than Excel allows in a cell (xlsxwriter would cut it): no office suite wrote this."""
    parts = members(good)
    too_long = ("很" * (limits.MAX_CELL_TEXT + 1)).encode()
    parts["xl/sharedStrings.xml"] = re.sub(
        rb"<t>[^<]*</t>", b"<t>" + too_long + b"</t>", parts["xl/sharedStrings.xml"], count=1
    )
    assert codes(rezip(good, tmp_path / "long.xlsx", parts)) == ["H1"]


# ------------------------------------------------------------------ odd values
@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), 1e308])
def test_non_numbers_in_a_number_cell(good: Path, tmp_path: Path, value: float) -> None:
    cell = FORM.fields["t3.new.natural"].cell
    path = edit_xml(good, tmp_path / "odd.xlsx", cells={(T3, cell): value})
    (result,) = verify([path], FORM).files
    assert ("A2", cell) in {(p.code, p.cell) for p in result.problems}
    assert "H0" not in {p.code for p in result.problems}


@pytest.mark.parametrize("serial", [1e308, -1, 10_000_000])
def test_date_serials_that_are_no_dates(good: Path, tmp_path: Path, serial: float) -> None:
    date = FORM.fields[FORM.role("date")]
    path = edit_xml(good, tmp_path / "date.xlsx", cells={(FORM.sheet(date.sheet).name, date.cell): serial})
    (result,) = verify([path], FORM).files
    assert ("A2", date.cell) in {(p.code, p.cell) for p in result.problems}


# ------------------------------------------------------------------ file-system traps
@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail (not hang the suite) if the code under test blocks: SIGALRM after 20 s."""

    def expired(*_: object) -> None:
        raise TimeoutError("blocked")

    old = signal.signal(signal.SIGALRM, expired)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def test_a_fifo_does_not_block(tmp_path: Path, deadline: None) -> None:
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    assert codes(fifo) == ["H1"]


def test_a_symlink_to_dev_zero(tmp_path: Path, deadline: None) -> None:
    link = tmp_path / "zero.xlsx"
    link.symlink_to("/dev/zero")
    assert codes(link) == ["H1"]


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    big = tmp_path / "big.xlsx"
    with open(big, "wb") as fh:
        fh.truncate(limits.MAX_FILE_BYTES + 1)  # sparse: nothing is written, nothing must be read
    (problem,) = read_return(big, FORM).problems
    assert problem.rule == "H1-big"


# ------------------------------------------------------------------ one file never sinks a batch
def test_a_batch_of_traps_judges_every_file(good: Path, tmp_path: Path) -> None:
    traps = [
        patch_member(good, tmp_path / "a.xlsx", "xl/workbook.xml", compress_type=99),
        rezip(good, tmp_path / "b.xlsx", members(good) | {"xl/VBAPROJECT.BIN": b"x"}),
        edit_xml(good, tmp_path / "c.xlsx", cells={(T3, FORM.fields["t3.new.natural"].cell): float("nan")}),
    ]
    result = verify([good, *traps], FORM, VerifyOptions(year=2025))
    assert [f.path for f in result.files] == [good, *traps]
    assert result.files[0].problems == []
    assert all(f.problems and not f.valid for f in result.files[1:])


def test_a_failure_inside_xltool_is_h0_for_that_file_only(
    good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xltool.workbook.read as reader

    other = make_return(tmp_path, name="other.xlsx")
    real = reader._read_workbook

    def flaky(ret: reader.Return, book: object, form: object, any_version: bool) -> None:
        if ret.path.name == "other.xlsx":
            raise RuntimeError("boom")
        real(ret, book, form, any_version)  # type: ignore[arg-type]

    monkeypatch.setattr(reader, "_read_workbook", flaky)
    result = verify([good, other], FORM)
    assert result.files[0].problems == []
    assert [(p.code, p.rule) for p in result.files[1].problems] == [("H0", "H0")]
    assert "RuntimeError" in result.files[1].problems[0].message


def test_a_check_that_fails_for_one_file_is_h0_for_that_file_only(
    good: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xltool.checks.schemas as schemas

    other = make_return(tmp_path, name="other.xlsx")
    real = schemas.check_returns

    def flaky(form: object, returns: list[object], previous: object = None) -> object:
        if any(getattr(r, "path", Path()).name == "other.xlsx" for r in returns):
            raise ValueError("pandas")
        return real(form, returns, previous)  # type: ignore[arg-type]

    monkeypatch.setattr(schemas, "check_returns", flaky)
    result = verify([good, other], FORM)
    assert result.files[0].problems == []
    assert "H0" in {p.code for p in result.files[1].problems}


def test_results_come_out_while_the_batch_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import xltool.checks.verify as verifying

    monkeypatch.setattr(verifying, "CHUNK", 2)
    paths = [make_return(tmp_path, name=f"r{i}.xlsx") for i in range(5)]
    events: list[str] = []
    for result in verifying.verify_stream(paths, FORM, progress=lambda p: events.append(f"read {p.name}")):
        events.append(f"done {result.path.name}")
    assert [e for e in events if e.startswith("done")] == [f"done r{i}.xlsx" for i in range(5)]
    assert events.index("done r0.xlsx") < events.index("read r4.xlsx")  # not only at the end


@pytest.mark.parametrize(
    ("pattern", "replacement"),
    [(rb'<c r="D6"', b'<c r="E20&gt;-3"'), (rb'<mergeCell ref="[A-Z]+\d+:', b'<mergeCell ref="A1b:')],
    ids=["cell-reference", "merged-range"],
)
def test_references_no_office_suite_writes(good: Path, tmp_path: Path, pattern: bytes, replacement: bytes) -> None:
    """Found by mutating a good return: the reader took them, then the annotated copy (openpyxl) failed."""
    parts = members(good)
    sheet = next(n for n, d in parts.items() if n.startswith("xl/worksheets/") and re.search(pattern, d))
    parts[sheet] = re.sub(pattern, replacement, parts[sheet], count=1)
    assert codes(rezip(good, tmp_path / "refs.xlsx", parts)) == ["H1"]
