"""One progress type: the command line's bar or count, the console's job state, the demo's silence."""

from __future__ import annotations

import io
import threading

import pytest

from xltool.app.progress import SILENT, Progress
from xltool.cli.main import TerminalProgress
from xltool.console.jobs import JobState
from xltool.console.jobs import Progress as JobProgress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_every_front_end_reports_through_the_one_type() -> None:
    job = JobProgress(JobState("collect"), threading.Lock())
    for progress in (SILENT, TerminalProgress("x"), job):
        assert isinstance(progress, Progress)


def test_the_console_job_counts_its_steps() -> None:
    state = JobState("reports")
    job = JobProgress(state, threading.Lock())
    job.total(3)
    job.step("甲")
    assert (state.total, state.done, state.step) == (3, 1, "甲")


def test_the_terminal_counts_messages_when_the_total_is_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    err = _Terminal()
    monkeypatch.setattr("sys.stderr", err)
    with TerminalProgress("收取邮件") as progress:
        progress.total(None)
        progress.step("a")
        progress.step("b")
    assert "\r收取邮件：已处理 2 封" in err.getvalue() and err.getvalue().endswith("\n")


def test_the_terminal_shows_nothing_when_piped_or_asked_not_to(monkeypatch: pytest.MonkeyPatch) -> None:
    for err, shown in ((io.StringIO(), True), (_Terminal(), False)):
        monkeypatch.setattr("sys.stderr", err)
        with TerminalProgress("读取文件", shown=shown) as progress:
            progress.total(10)
            progress.step()
        assert err.getvalue() == ""
