"""The `xltool` command line (click): one module per command group, nothing but parse, call, render, exit."""

from xltool.cli import campaign, console, demo, forms, importer, overview, report, template, verify  # noqa: F401 - registers the commands
from xltool.cli.main import main

__all__ = ["main"]
