"""What runs on the county's Windows PCs: the process pool started by "spawn", a GBK console, file
systems without hard links, killing a hung LibreOffice without POSIX process groups."""

from __future__ import annotations

import errno
import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import xltool.office
import xltool.outputs
from tests.returns import SAMPLES, default_form, make_return
from xltool.checks.verify import VerifyOptions, verify_stream
from xltool.errors import XltoolError
from xltool.outputs import OutputExists, write_output
from xltool.roster import load_roster

ROOT = Path(__file__).resolve().parent.parent


def test_verify_pool_started_by_spawn_gives_the_serial_result(tmp_path: Path) -> None:
    """Windows (and macOS) start pool workers by "spawn": nothing is inherited, everything the workers
    get (form, options with the roster, last year's returns) must travel pickled."""
    form = default_form()
    made = [
        make_return(tmp_path, name="clean.xlsx"),
        make_return(tmp_path, {"t3.new.natural": 7}, name="sum.xlsx"),
        make_return(tmp_path, remove=["info.phone"], name="blank.xlsx"),
        *sorted((SAMPLES / "flawed").glob("*.xlsx")),
    ]
    files = []
    for i in range(45):
        files.append(tmp_path / "batch" / f"{i:02d}_{made[i % len(made)].name}")
        files[-1].parent.mkdir(exist_ok=True)
        shutil.copyfile(made[i % len(made)], files[-1])
    options = VerifyOptions(year=2025, roster=load_roster(SAMPLES / "roster.xlsx", form.units))
    spawn = multiprocessing.get_context("spawn")
    pooled = [r.to_dict() for r in verify_stream(files, form, options, workers=2, mp_context=spawn)]
    serial = [r.to_dict() for r in verify_stream(files, form, options, workers=1)]
    assert len(pooled) == 45 and pooled == serial
    assert {len(r["problems"]) > 0 for r in serial} == {True, False}  # some pass, some do not


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": "gbk", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "xltool", *args], cwd=tmp_path, env=env, capture_output=True, timeout=120
    )


def test_output_survives_a_gbk_console(tmp_path: Path) -> None:
    """A Chinese Windows console is GBK: "↵" and emoji are not in it."""
    done = _cli(tmp_path, "template", "-o", "安棚镇↵😀.xlsx", "--year", "2025", "--unit", "桐柏县安棚镇人民政府")
    assert done.returncode == 0, done.stderr.decode("gbk", "replace")
    assert done.stdout.decode("gbk").startswith("已生成模板：安棚镇??.xlsx（桐柏县安棚镇人民政府")
    assert (tmp_path / "安棚镇↵😀.xlsx").is_file()
    failed = _cli(tmp_path, "verify", "没有↵😀.xlsx")
    assert failed.returncode in (1, 2) and "Traceback" not in failed.stderr.decode("gbk", "replace")
    assert "没有" in failed.stderr.decode("gbk", "replace")


def _no_link(winerror: int | None, code: int) -> Any:
    def link(_src: object, _dst: object) -> None:
        err = OSError(code, "Incorrect function")
        if winerror is not None:
            err.winerror = winerror  # type: ignore[attr-defined]  # what Windows sets
        raise err

    return link


@pytest.mark.parametrize(
    ("winerror", "code"),
    [(1, errno.EINVAL), (50, errno.EINVAL), (17, errno.EXDEV), (None, errno.EOPNOTSUPP), (None, errno.EPERM)],
)
def test_a_file_system_without_hard_links_still_gets_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, winerror: int | None, code: int
) -> None:
    """FAT/exFAT USB drives and some network shares cannot hard-link (Windows: ERROR_INVALID_FUNCTION,
    ERROR_NOT_SUPPORTED); the file is still written, exclusively."""
    monkeypatch.setattr(xltool.outputs.os, "link", _no_link(winerror, code))
    out = tmp_path / "问题清单.txt"
    write_output(out, lambda tmp: tmp.write_text("一", encoding="utf-8"))
    assert out.read_text(encoding="utf-8") == "一" and [p.name for p in tmp_path.iterdir()] == [out.name]
    with pytest.raises(OutputExists):
        write_output(out, lambda tmp: tmp.write_text("二", encoding="utf-8"))
    assert out.read_text(encoding="utf-8") == "一"


def test_another_link_failure_is_said_not_hidden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xltool.outputs.os, "link", _no_link(112, errno.ENOSPC))  # ERROR_DISK_FULL
    with pytest.raises(XltoolError, match="磁盘已满"):
        write_output(tmp_path / "a.txt", lambda tmp: tmp.write_text("x", encoding="utf-8"))
    assert not list(tmp_path.iterdir())


def test_a_hung_libreoffice_is_killed_without_process_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no os.killpg or SIGKILL: the tree is ended with taskkill /T."""
    calls: list[list[str]] = []
    monkeypatch.delattr(xltool.office.os, "killpg")
    monkeypatch.setattr(xltool.office.subprocess, "run", lambda cmd, **_kw: calls.append(cmd))

    class Proc:
        pid, killed = 4242, False

        def kill(self) -> None:
            self.killed = True

    proc = Proc()
    xltool.office._kill_tree(proc)  # type: ignore[arg-type]
    assert calls == [["taskkill", "/F", "/T", "/PID", "4242"]] and proc.killed
