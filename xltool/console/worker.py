"""A long job's work in a process of its own (multiprocessing "spawn": the same on Windows and Linux).

The pages and the jobs used to share one interpreter: under a burst of page loads the threads
serving them held the GIL most of the time, and 生成全部报告 took twice as long (issue 25). A child
process has its own interpreter and, on a PC of two cores or more, a core of its own. It loads the
campaign from its folder, runs the action and tells its progress, lines and closing summary (or its
Chinese error) to the console over a pipe, message by message; the console's JobState is what the
page polls, as before.

Spawn, never fork: forking a server with threads running can leave the child holding a lock another
thread held. The child watches its parent and ends when the console ends, however it ended (a
killed console leaves no child writing on). What a child killed mid-run leaves is sound: the
register's writes are SQLite transactions, and its ``.xltool-*`` temporaries go at the next start.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from xltool.campaign.settings import load_campaign
from xltool.errors import XltoolError

CONTEXT = multiprocessing.get_context("spawn")
INTERNAL = "程序内部错误（{}）。请用命令行加 --debug 重新运行，并把输出发给技术支持人员。"
PARENT_GONE = 70  # the child's exit code when the console it worked for has ended


@dataclass(frozen=True)
class Task:
    """A job's work as a child process runs it: ``action(campaign, *args, progress=…, **kwargs)``,
    the campaign loaded from ``root`` there. ``action`` is a module-level function (sent by name)."""

    action: Callable[..., str]
    root: Path
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


class Sender:
    """The child's Progress: every call is one message to the console."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def total(self, n: int | None) -> None:
        self._conn.send(("total", n))

    def step(self, text: str = "") -> None:
        self._conn.send(("step", text))

    def line(self, text: str, tone: str = "", href: str = "") -> None:
        self._conn.send(("line", text, tone, href))


def internal_error(err: BaseException) -> str:
    return INTERNAL.format(type(err).__name__)


def run_child(task: Task, conn: Connection) -> None:
    """The child process's whole life: the work, then ("done", summary, error) as its last word."""
    _end_with_parent()
    summary, error = "", ""
    try:
        summary = task.action(load_campaign(task.root), *task.args, progress=Sender(conn), **task.kwargs)
    except XltoolError as err:
        error = str(err)
    except Exception as err:  # noqa: BLE001 - the console shows it; the child ends normally
        error = internal_error(err)
    conn.send(("done", summary, error))
    conn.close()


def _end_with_parent() -> None:
    """A thread that ends this process as soon as the console's process is gone (killed or stopped):
    the parent's sentinel becomes ready then, on Windows and Linux alike."""
    parent = multiprocessing.parent_process()
    if parent is None:  # run in-process (a test calling run_child directly)
        return

    def watch() -> None:
        parent.join()
        os._exit(PARENT_GONE)

    threading.Thread(target=watch, name="xltool-parent-watch", daemon=True).start()


def start(task: Task, name: str) -> tuple[Any, Connection]:
    """The child running ``task`` and the console's end of its pipe (the child's end closed here, so
    the console reads EOFError when the child ends without its last word)."""
    here, there = CONTEXT.Pipe(duplex=False)
    process = CONTEXT.Process(target=run_child, args=(task, there), name=name, daemon=True)
    process.start()
    there.close()
    return process, here
