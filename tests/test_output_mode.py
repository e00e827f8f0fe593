"""What xltool writes gets the mode any file the user saves gets: 0o666 less the umask (0644 under the
usual 022, 0640 under 027), never the 0600 of a temporary file."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import xltool.outputs
from xltool.outputs import write_output

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")


@pytest.fixture(params=[(0o022, 0o644), (0o027, 0o640), (0o077, 0o600), (0o002, 0o664)], ids=lambda m: oct(m[0]))
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """The umask of the test's case, the previous one restored afterwards; the mode it should give."""
    mask, mode = request.param
    previous = os.umask(mask)
    try:
        yield mode
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_respects_the_umask(tmp_path: Path, umask: int) -> None:
    out = write_output(tmp_path / "问题清单.xlsx", lambda tmp: tmp.write_bytes(b"PK"))
    assert _mode(out) == umask


def test_a_replaced_file_respects_the_umask(tmp_path: Path, umask: int) -> None:
    out = tmp_path / "问题清单.xlsx"
    out.write_bytes(b"old")
    out.chmod(0o600)
    write_output(out, lambda tmp: tmp.write_bytes(b"new"), replace=True)
    assert out.read_bytes() == b"new" and _mode(out) == umask


def test_a_file_system_without_links_too(tmp_path: Path, umask: int, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_link(_src: object, _dst: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(xltool.outputs.os, "link", no_link)
    out = write_output(tmp_path / "问题清单.xlsx", lambda tmp: tmp.write_bytes(b"PK"))
    assert _mode(out) == umask and [p.name for p in tmp_path.iterdir()] == [out.name]


def test_a_writer_that_replaces_the_temporary_does_not_change_the_mode(tmp_path: Path, umask: int) -> None:
    def replacing(tmp: Path) -> None:  # as a library that writes elsewhere and renames would
        other = tmp.with_name("other")
        other.write_bytes(b"PK")
        other.chmod(0o600)
        other.replace(tmp)

    assert _mode(write_output(tmp_path / "a.xlsx", replacing)) == umask
