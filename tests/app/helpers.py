"""Helpers of the application layer's tests: a Progress that records what it is told, and the
command line run in-process (to compare its --json with the use case's ``to_dict()``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from xltool.cli import main


class Recorder:
    """A Progress that keeps what it was told."""

    def __init__(self) -> None:
        self.totals: list[int | None] = []
        self.steps: list[str] = []

    def total(self, n: int | None) -> None:
        self.totals.append(n)

    def step(self, text: str = "") -> None:
        self.steps.append(text)


def cli_json(*args: str) -> tuple[int, Any]:
    """(exit code, the parsed --json output) of ``xltool ARGS``."""
    done = CliRunner().invoke(main, list(args))
    try:
        return done.exit_code, json.loads(done.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"not JSON (exit {done.exit_code}): {done.output}") from None


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def relative(data: Any, root: Path) -> Any:
    """``data`` (a to_dict()) with every path under ``root`` written relative to it, to compare two runs
    of one use case on two copies of a folder."""
    return json.loads(json.dumps(data, ensure_ascii=False).replace(str(root), "<root>"))
