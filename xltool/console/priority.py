"""The threads serving pages yield the processor to the jobs (issue 25: jobs keep making progress).

A job's child process has an interpreter of its own, but on a PC of two cores a burst of page loads
(the waitress workers at full speed, the browsers, the clerk's other programs) still left it half a
core: 生成全部报告 took twice its time. A page can wait some milliseconds more; the clerk's job should
not. Each page worker lowers its own scheduling priority once, on its first request: on Linux the
thread's nice value (a thread is a task of its own there), on Windows the thread's priority
(BELOW_NORMAL). Only these threads: the jobs, the waitress loop that reads the sockets and the rest of
the PC keep theirs. Elsewhere (macOS) nothing changes.

On Linux a thread or a process inherits the nice value of the thread that creates it: the jobs'
threads and children are therefore created by a launcher thread of normal priority (``Jobs``).
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading

PAGE_NICE = 5  # Linux: a task of nice 5 weighs a third of a normal one when both want a core
BELOW_NORMAL = -1  # Windows: THREAD_PRIORITY_BELOW_NORMAL

_done = threading.local()


def lower_this_thread() -> bool:
    """Lower the calling thread's priority once (later calls do nothing); False where it cannot be."""
    if getattr(_done, "lowered", None) is not None:
        return bool(_done.lowered)
    _done.lowered = _lower()
    return bool(_done.lowered)


def _lower() -> bool:
    try:
        if sys.platform == "win32":
            kernel = ctypes.windll.kernel32
            return bool(kernel.SetThreadPriority(kernel.GetCurrentThread(), BELOW_NORMAL))
        if sys.platform.startswith("linux"):
            task = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, task, min(19, os.getpriority(os.PRIO_PROCESS, task) + PAGE_NICE))
            return True
    except (OSError, AttributeError):  # not allowed, or no such call here: the pages keep their priority
        return False
    return False


def thread_nice() -> int | None:
    """The calling thread's nice value (Linux; None elsewhere): for the tests."""
    if not sys.platform.startswith("linux"):
        return None
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
