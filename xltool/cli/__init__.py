"""The `xltool` command line (click): one module per command group, nothing but parse, call, render, exit."""

from __future__ import annotations

import sys

from xltool import gcpolicy
from xltool.cli import (  # noqa: F401 - registers the commands
    campaign,
    console,
    demo,
    forms,
    importer,
    mailings,
    overview,
    report,
    template,
    verify,
    versions,
)
from xltool.cli.main import main

__all__ = ["main", "run"]


def run() -> None:
    """The installed `xltool` command and `python -m xltool`.

    pandera imports hypothesis (~0.15 s) whenever it is installed, only to synthesise test data, which
    xltool never does: the command runs as if it were absent (a test session that already imported
    it keeps it). Young objects are collected less often (gcpolicy)."""
    sys.modules.setdefault("hypothesis", None)  # type: ignore[arg-type]
    gcpolicy.for_batches()
    main()
