"""Which files an output may replace: never an input (a return, a roster, a report read), and an
existing output only when replacing is asked for (``--force``), refused before any work is done."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from xltool.app.errors import UsageProblem
from xltool.errors import XltoolError
from xltool.outputs import refuse_inputs


def refuse_overwrite(paths: Iterable[Path], force: bool, *, usage: bool = True) -> None:
    """An existing output without ``force`` is refused: a usage problem when said before any work is
    done; ``usage=False`` for a name known only midway (an error like any refusal after work began)."""
    existing = [p for p in paths if p.exists() or p.is_symlink()]
    if existing and not force:
        more = f"等 {len(existing)} 个文件" if len(existing) > 1 else ""
        message = f"文件已存在：{existing[0]}{more}。如确需覆盖，请加 --force。"
        raise UsageProblem(message) if usage else XltoolError(message)


def refuse_any_input(out: Path, groups: Iterable[tuple[Iterable[Path], str]]) -> None:
    """``out`` is none of the inputs of any group (files, what they are called in the message)."""
    for inputs, what in groups:
        refuse_inputs(out, inputs, what)


def require_suffix(out: Path, suffixes: tuple[str, ...], option: str) -> None:
    """An output named for another format (问题清单.csv written as .xlsx) is a usage problem."""
    if out.suffix.lower() not in suffixes:
        allowed = " 或 ".join(suffixes)
        raise UsageProblem(f"“{out.name}”的扩展名不对，应以 {allowed} 结尾。", option=option)
