"""Long jobs (收取邮件, 生成回复, 汇总, 生成全部报告) in background threads, one of a kind at a time.

The page starts a job and polls its state; a second tab asking for the same kind while it runs is
told so (never a second run). A job's failure is its state's Chinese error, never a dead server.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from xltool.app.progress import Progress as AppProgress
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


class Jobs:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states = {kind: JobState(kind) for kind in KINDS}

    def start(self, kind: str, work: Work) -> bool:
        """Run ``work`` in a thread; False when a job of this kind is running already."""
        with self._lock:
            old = self._states[kind]
            if old.running:
                return False
            state = JobState(kind, running=True, started=time.monotonic(), runs=old.runs + 1, started_at=time.time())
            self._states[kind] = state
        threading.Thread(target=self._run, args=(state, work), name=f"xltool-{kind}", daemon=True).start()
        return True

    def _run(self, state: JobState, work: Work) -> None:
        progress = Progress(state, self._lock)
        summary, error = "", ""
        try:
            summary = work(progress)
        except XltoolError as err:
            error = str(err)
        except Exception as err:  # noqa: BLE001 - a job's failure is shown on the page, the server goes on
            error = f"程序内部错误（{type(err).__name__}）。请用命令行加 --debug 重新运行，并把输出发给技术支持人员。"
        with self._lock:
            state.summary, state.error = summary, error
            state.running, state.finished, state.finished_at = False, time.monotonic(), time.time()

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
