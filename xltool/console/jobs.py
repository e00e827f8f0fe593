"""Long jobs (收取邮件, 生成回复, 汇总, 生成全部报告, the mailings), one of a kind at a time.

The page starts a job and polls its state; a second tab asking for the same kind while it runs is
told so (never a second run). A job's failure is its state's Chinese error, never a dead server.
The console's jobs are ``Task``s, each run in a child process (``worker``: the pages served meanwhile
do not slow it down) and followed by a thread here that turns the child's messages into the state;
a plain function is run in a thread of its own (tests).
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from xltool.app.progress import Progress as AppProgress
from xltool.console import worker
from xltool.console.worker import Task
from xltool.errors import XltoolError

KINDS = {"collect": "收取邮件", "reply": "生成回复", "send": "发送回复", "aggregate": "汇总", "reports": "生成全部报告"}
KINDS |= {"distribute": "下发通知", "remind": "催报"}  # the campaign's mailings (console.app: their own routes)


@dataclass
class JobState:
    kind: str
    running: bool = False
    done: int = 0
    total: int | None = None  # None: not known in advance (a mailbox)
    step: str = ""
    summary: str = ""
    lines: list[dict[str, str]] = field(default_factory=list)  # {"text", "tone", "href"}
    error: str = ""
    started: float = 0.0
    finished: float = 0.0
    runs: int = 0
    started_at: float = 0.0  # wall clock (time.time()), shown as the panel's start and end
    finished_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": KINDS[self.kind],
            "running": self.running,
            "done": self.done,
            "total": self.total,
            "step": self.step,
            "summary": self.summary,
            "lines": self.lines,
            "error": self.error,
            "seconds": round((self.finished or time.monotonic()) - self.started, 1) if self.started else None,
            "runs": self.runs,
            "started_at": _clock(self.started_at),
            "finished_at": _clock(self.finished_at),
            "order": self.started_at,  # the page shows the newest job first
        }


def _clock(moment: float) -> str:
    """ "12月7日 14:03:05" in local time ("" when not yet)."""
    if not moment:
        return ""
    t = datetime.fromtimestamp(moment).astimezone()
    return f"{t.month}月{t.day}日 {t:%H:%M:%S}"


class Reporter(AppProgress, Protocol):
    """What an action tells as it goes (a job's Progress, or the lines of a quick request's answer):
    the use case's progress, and the lines its result is rendered as."""

    def line(self, text: str, tone: str = "", href: str = "") -> None: ...


class Progress:
    """What a job reports as it goes (called from its thread)."""

    def __init__(self, state: JobState, lock: threading.Lock) -> None:
        self._state, self._lock = state, lock

    def total(self, n: int | None) -> None:
        with self._lock:
            self._state.total = n

    def step(self, text: str = "") -> None:
        with self._lock:
            self._state.done += 1
            self._state.step = text

    def line(self, text: str, tone: str = "", href: str = "") -> None:
        with self._lock:
            self._state.lines.append({"text": text, "tone": tone, "href": href})


Work = Callable[[Progress], str]  # returns the closing summary
KILLED = ("“{}”的工作进程意外结束（退出码 {}），任务没有完成。已记入登记簿的内容完好，未写完的临时文件会在下次启动控制台时"
          "清除。请重新运行；如果再次出现，请用命令行运行同一操作并加 --debug 查看原因。")  # fmt: skip
STOPPED = "控制台已停止，“{}”被中断，没有完成。已记入登记簿的内容完好；重新启动控制台后请再运行一次。"


def _in_thread(work: Work, progress: Progress) -> tuple[str, str]:
    try:
        return work(progress), ""
    except XltoolError as err:
        return "", str(err)
    except Exception as err:  # noqa: BLE001 - a job's failure is shown on the page, the server goes on
        return "", worker.internal_error(err)


def _apply(progress: Progress, message: tuple[Any, ...]) -> None:
    """One message of a child's ``worker.Sender``."""
    what, *args = message
    if what == "total":
        progress.total(args[0])
    elif what == "step":
        progress.step(args[0])
    elif what == "line":
        progress.line(*args)


class Jobs:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states = {kind: JobState(kind) for kind in KINDS}
        self._children: dict[str, Any] = {}  # kind -> its running child process
        self._stopping = False
        # the jobs' threads are made by this one, of the priority of the thread making Jobs (a page
        # worker's lowered priority, ``priority``, would pass on to the thread and the child it starts)
        self._launch: queue.SimpleQueue[tuple[JobState, Task | Work] | None] = queue.SimpleQueue()
        threading.Thread(target=self._launcher, name="xltool-jobs", daemon=True).start()

    def start(self, kind: str, work: Task | Work) -> bool:
        """Run ``work`` (a Task: in a child process; a function: in a thread); False when a job of
        this kind is running already (or the console is stopping)."""
        with self._lock:
            old = self._states[kind]
            if old.running or self._stopping:
                return False
            state = JobState(kind, running=True, started=time.monotonic(), runs=old.runs + 1, started_at=time.time())
            self._states[kind] = state
        self._launch.put((state, work))
        return True

    def _launcher(self) -> None:
        while (item := self._launch.get()) is not None:  # None: the console stops
            state, work = item
            threading.Thread(target=self._run, args=(state, work), name=f"xltool-{state.kind}", daemon=True).start()

    def _run(self, state: JobState, work: Task | Work) -> None:
        progress = Progress(state, self._lock)
        if isinstance(work, Task):
            summary, error = self._in_child(state.kind, work, progress)
        else:
            summary, error = _in_thread(work, progress)
        with self._lock:
            state.summary, state.error = summary, error
            state.running, state.finished, state.finished_at = False, time.monotonic(), time.time()

    def _in_child(self, kind: str, task: Task, progress: Progress) -> tuple[str, str]:
        """The child's messages applied to the state until its last word ("done", summary, error)."""
        try:
            process, conn = worker.start(task, f"xltool-{kind}")
        except Exception as err:  # noqa: BLE001 - no process to run it in: said on the page, the server goes on
            return "", worker.internal_error(err)
        with self._lock:
            self._children[kind] = process
            if self._stopping:  # stop() came while it started: it ends now (its pipe then says EOF)
                process.terminate()
        try:
            while True:
                message = conn.recv()  # EOFError: the child ended without its last word (killed)
                if message[0] == "done":
                    return message[1], message[2]
                _apply(progress, message)
        except (EOFError, OSError):
            process.join(timeout=10)
            return "", (STOPPED if self._stopping else KILLED).format(KINDS[kind], process.exitcode)
        finally:
            conn.close()
            process.join(timeout=30)
            with self._lock:
                self._children.pop(kind, None)

    def child(self, kind: str) -> Any:
        """The child process running the job ``kind`` now (None: none)."""
        with self._lock:
            return self._children.get(kind)

    def stop(self) -> None:
        """End every job's child process (the console stops): its state says the job was interrupted."""
        with self._lock:
            self._stopping = True
            children = dict(self._children)
        self._launch.put(None)
        for process in children.values():
            process.terminate()
        for kind in children:  # its thread reaps the child (one waiter per process: a second one's wait fails)
            with contextlib.suppress(TimeoutError):
                self.wait(kind, timeout=10)

    def state(self, kind: str) -> dict[str, Any]:
        with self._lock:
            return self._states[kind].to_dict()

    def all(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {k: s.to_dict() for k, s in self._states.items()}

    def wait(self, kind: str, timeout: float = 60) -> dict[str, Any]:
        """For tests and the command line: the state once the job has finished."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.state(kind)
            if not state["running"]:
                return state
            time.sleep(0.05)
        raise TimeoutError(kind)
