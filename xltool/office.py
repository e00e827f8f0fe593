"""Headless LibreOffice: recalculate workbooks and convert documents (e.g. .docx -> .pdf).

Every call starts soffice with its own throw-away profile in which Calc recalculates all formulas
on load, so parallel calls never share a profile and cached formula results are always fresh.
Outputs are written to a staging folder inside ``outdir`` and moved into place only once complete.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from xltool.errors import OfficeError

XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"
MISSING_MESSAGE = (
    "未找到 LibreOffice（soffice）。请安装 LibreOffice 后重试，例如："
    "apt-get install libreoffice-calc libreoffice-writer"
)
_FALLBACK = Path("/usr/lib/libreoffice/program/soffice")
_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" \
oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" \
oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


class ConversionError(OfficeError):
    """Some files could not be converted; the others were (``converted`` lists their outputs)."""

    def __init__(self, message: str, failed: list[Path], converted: list[Path]) -> None:
        super().__init__(message)
        self.failed = failed
        self.converted = converted


def find_soffice() -> str | None:
    """Path of the LibreOffice executable, or None when it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return str(_FALLBACK) if os.access(_FALLBACK, os.X_OK) else None


def recalculate(paths: Sequence[Path], outdir: Path, timeout: float = 300) -> list[Path]:
    """Open each workbook in Calc, recalculate every formula and save it as ``outdir/<stem>.xlsx``.

    Returns the outputs in input order. ``timeout`` (seconds) applies to each soffice run.
    Raises ConversionError (an OfficeError) naming the files that could not be converted; the
    others are converted all the same.
    """
    return _convert_all([Path(p) for p in paths], XLSX_FILTER, Path(outdir), timeout)


def convert(path: Path, fmt: str, outdir: Path, timeout: float = 300) -> Path:
    """Convert one document with LibreOffice, e.g. ``fmt="pdf"`` turns a .docx into a .pdf.

    ``fmt`` is soffice's ``--convert-to`` argument (``ext`` or ``ext:Filter name``).
    """
    return _convert_all([Path(path)], fmt, Path(outdir), timeout)[0]


def convert_many(paths: Sequence[Path], fmt: str, outdir: Path, timeout: float = 300) -> list[Path]:
    """Convert many documents in one LibreOffice run (its start-up is most of the cost of one);
    ConversionError names the files it could not convert, the others are converted all the same."""
    return _convert_all([Path(p) for p in paths], fmt, Path(outdir), timeout)


def _convert_all(paths: list[Path], fmt: str, outdir: Path, timeout: float) -> list[Path]:
    soffice = find_soffice()
    if soffice is None:
        raise OfficeError(MISSING_MESSAGE)
    if not paths:
        return []
    ext = fmt.split(":", 1)[0].strip().lower()
    outdir.mkdir(parents=True, exist_ok=True)
    out_resolved = outdir.resolve()
    targets: dict[str, Path] = {}
    for path in paths:
        if not path.is_file():
            raise OfficeError(f"文件不存在：{path}")
        if path.resolve().parent == out_resolved:
            raise OfficeError(f"输出目录不能与输入文件所在目录相同（会覆盖原文件）：{outdir}")
        name = f"{path.stem}.{ext}"
        if name in targets:
            raise OfficeError(f"{targets[name].name} 与 {path} 转换后同名（{name}），请分批转换。")
        targets[name] = path
    outputs = [outdir / f"{p.stem}.{ext}" for p in paths]

    profile = Path(tempfile.mkdtemp(prefix="xltool-lo-profile-"))
    staging = Path(tempfile.mkdtemp(prefix=".xltool-convert-", dir=outdir))
    try:
        (profile / "user").mkdir()
        (profile / "user" / "registrymodifications.xcu").write_text(_REGISTRY, encoding="utf-8")
        problems: dict[Path, str] = {}
        remaining = paths
        while remaining:
            note = _run(soffice, profile, fmt, staging, remaining, timeout)
            missing = [p for p in remaining if not _done(staging / f"{p.stem}.{ext}")]
            if not missing:
                break
            # soffice converts in argument order and a crash aborts the rest of the batch: the
            # first missing file is the likely culprit. Confirm it alone, then go on with the rest.
            first, batch_size, remaining = missing[0], len(remaining), missing[1:]
            if batch_size > 1:
                note = _run(soffice, profile, fmt, staging, [first], timeout)
            if not _done(staging / f"{first.stem}.{ext}"):
                problems[first] = note
        converted: list[Path] = []
        for path, final in zip(paths, outputs, strict=True):
            if path not in problems:
                os.replace(staging / final.name, final)
                converted.append(final)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(staging, ignore_errors=True)
    if problems:
        lines = "\n".join(f"  {p}（{why}）" for p, why in problems.items())
        raise ConversionError(
            f"LibreOffice 未能转换以下 {len(problems)} 个文件（文件可能已损坏或不是有效的文档）：\n" + lines,
            failed=list(problems),
            converted=converted,
        )
    return outputs


def _done(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0


def _run(soffice: str, profile: Path, fmt: str, outdir: Path, files: list[Path], timeout: float) -> str:
    """Run one soffice conversion; returns a short Chinese note on how it ended."""
    cmd = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nologo",
        "--nodefault",
        "--nolockcheck",
        "--convert-to",
        fmt,
        "--outdir",
        str(outdir),
        *(str(f.resolve()) for f in files),
    ]
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # own process group, so a hung soffice.bin can be killed too
    )
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_tree(proc)
        proc.wait()
        return f"超过 {timeout:g} 秒未完成"
    if code < 0:
        return f"LibreOffice 被信号 {-code} 终止"
    if code > 128:
        return f"LibreOffice 异常退出，代码 {code}"
    return f"LibreOffice 退出代码 {code}，未生成输出"


def _kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """Kill soffice and the soffice.bin it starts. POSIX: its own process group (start_new_session);
    Windows has neither killpg nor SIGKILL (start_new_session is ignored there): taskkill /T."""
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        return
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, timeout=30, check=False)
    with contextlib.suppress(OSError):
        proc.kill()
