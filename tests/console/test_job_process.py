"""Jobs keep making progress while pages are served (issue 25): each long job runs in a child process
of its own ("spawn", as on Windows), its progress, lines and summary passed back to the state the page
polls. A job of a kind at a time still holds; a failure is a Chinese error, never a dead server; a
child killed mid-run leaves a sound register and nothing half-written after the next start; stopping
the console (or killing it) ends the child."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.console.conftest import Client
from xltool.app.campaign import InitOptions, collect, init
from xltool.app.mail import MailSource
from xltool.console import actions
from xltool.console.jobs import Jobs
from xltool.console.priority import PAGE_NICE
from xltool.console.server import Console, make_console
from xltool.console.worker import Task

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture(scope="session")
def demo_made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's campaign (the sample roster, every return of samples/mail/returns.mbox), made once."""
    folder = tmp_path_factory.mktemp("job-demo") / "campaign"
    made = init(InitOptions(folder, 2025, SAMPLES / "roster.xlsx", county="桐柏县")).made
    collect(made.campaign, MailSource(mbox=SAMPLES / "mail" / "returns.mbox"))
    return folder


@pytest.fixture
def demo(demo_made: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(demo_made, tmp_path / "campaign"))


@pytest.fixture
def served(demo: Path) -> Iterator[Console]:
    console = make_console(demo)
    console.start()
    yield console
    console.stop()


def _jobs(console: Console) -> Jobs:
    return console.app.extensions["xltool_jobs"]


def _wait_for(what: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not what():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _units(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "returns").iterdir() if p.is_dir())


def test_a_report_job_runs_in_its_own_process_and_advances_while_pages_load(served: Console, demo: Path) -> None:
    client = Client(served)
    client.open_board()
    paths = ["/"] + [f"/unit/{quote(u)}" for u in _units(demo)[:6]]
    stop, statuses = threading.Event(), []

    def load() -> None:  # a colleague reloading the board and unit pages all the while
        pages = Client(served)
        while not stop.is_set():
            statuses.append(pages.request("GET", paths[len(statuses) % len(paths)])[0])

    loaders = [threading.Thread(target=load) for _ in range(4)]
    for t in loaders:
        t.start()
    try:
        status, state = client.post("/jobs/reports")
        assert status == 202 and state["running"]
        _wait_for(lambda: _jobs(served).child("reports") is not None)
        child = _jobs(served).child("reports")
        assert child.pid != os.getpid() and child.is_alive()
        seen = []
        while state["running"]:
            seen.append(state["done"])
            time.sleep(0.05)
            state = _state(client)
    finally:
        stop.set()
        for t in loaders:
            t.join(timeout=60)
    assert state["error"] == "" and "已生成" in state["summary"]
    assert state["done"] == state["total"] and state["total"] >= 20
    assert seen == sorted(seen) and len(set(seen)) >= 3  # the page saw it advance, step by step
    assert any(line["text"].startswith("[已生成]") for line in state["lines"])
    assert len(list((demo / "reports").glob("*.docx"))) >= 20
    assert statuses and set(statuses) == {200}
    assert not child.is_alive()


def _state(client: Client) -> dict[str, Any]:
    status, _, data = client.request("GET", "/jobs/reports")
    assert status == 200
    return json.loads(data)


def test_a_child_killed_mid_run_leaves_a_sound_register_and_the_console_serving(served: Console, demo: Path) -> None:
    client = Client(served)
    client.open_board()
    jobs = _jobs(served)
    assert client.post("/jobs/reports")[0] == 202
    _wait_for(lambda: jobs.state("reports")["done"] >= 3)  # some reports written, more on the way
    jobs.child("reports").kill()
    state = jobs.wait("reports")
    assert "“生成全部报告”的工作进程意外结束" in state["error"] and "重新运行" in state["error"]
    assert not state["running"] and jobs.child("reports") is None
    assert client.request("GET", "/")[0] == 200  # the server goes on
    with sqlite3.connect(demo / "register.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    served.stop()
    again = make_console(demo)  # the next start: the killed child's temporaries are gone
    again.start()
    try:
        assert list(demo.rglob(".xltool-*")) == []
        second = Client(again)
        second.open_board()
        assert second.post("/jobs/reports")[0] == 202  # and the job runs to its end
        done = _jobs(again).wait("reports", timeout=120)
        assert done["error"] == "" and done["done"] == done["total"]
    finally:
        again.stop()


def test_one_job_of_a_kind_at_a_time_also_in_a_child(served: Console) -> None:
    client = Client(served)
    client.open_board()
    assert client.post("/jobs/reports")[0] == 202
    status, answer = client.post("/jobs/reports")
    assert status == 409 and "正在进行中" in answer["error"]
    assert client.post("/jobs/aggregate")[0] == 202  # another kind runs beside it, in its own child
    assert _jobs(served).wait("aggregate")["error"] == ""
    assert _jobs(served).wait("reports", timeout=120)["error"] == ""


def test_a_jobs_failure_in_its_child_is_a_chinese_error(tmp_path: Path, demo: Path) -> None:
    jobs = Jobs()
    jobs.start("reports", Task(actions.render_all, tmp_path))  # no campaign folder there
    said = jobs.wait("reports")["error"]
    assert "xltool.toml" in said or "报送工作文件夹" in said
    jobs.start("aggregate", Task(actions.aggregate_all, demo, ("多余的参数",)))  # a fault of the program itself
    assert jobs.wait("aggregate")["error"].startswith("程序内部错误（TypeError）")
    jobs.start("aggregate", Task(actions.aggregate_all, demo))  # the next run is not hindered
    assert "已汇总" in jobs.wait("aggregate")["summary"]


def test_stopping_the_console_ends_the_jobs_child(demo: Path) -> None:
    console = make_console(demo)
    console.start()
    client = Client(console)
    client.open_board()
    assert client.post("/jobs/reports")[0] == 202
    jobs = _jobs(console)
    _wait_for(lambda: jobs.child("reports") is not None)
    child = jobs.child("reports")
    console.stop()
    assert "控制台已停止" in jobs.wait("reports")["error"]
    assert not child.is_alive() and child.exitcode is not None


KILLED_CONSOLE = """
import sys, time
from pathlib import Path
from xltool.console import actions
from xltool.console.jobs import Jobs
from xltool.console.priority import PAGE_NICE
from xltool.console.worker import Task

if __name__ == "__main__":
    jobs = Jobs()
    jobs.start("reports", Task(actions.render_all, Path(sys.argv[1])))
    while jobs.child("reports") is None:
        time.sleep(0.01)
    print(jobs.child("reports").pid, flush=True)
    time.sleep(120)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="/proc tells whether a process runs")
def test_a_killed_console_leaves_no_child_working(demo: Path, tmp_path: Path) -> None:
    script = tmp_path / "console.py"
    script.write_text(KILLED_CONSOLE, encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script), str(demo)], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    pid = int(parent.stdout.readline())
    parent.kill()  # as the task manager would: no atexit, no stop()
    parent.wait(timeout=30)
    _wait_for(lambda: not _alive(pid), timeout=30)


def _alive(pid: int) -> bool:
    """The process runs (a zombie waiting for its reaper has ended)."""
    status = Path(f"/proc/{pid}/status")
    try:
        return "State:\tZ" not in status.read_text()
    except OSError:
        return False


def _nice(stat: Path) -> int:
    return int(stat.read_text().rsplit(")", 1)[1].split()[16])  # field 19 of proc(5): nice


@pytest.mark.skipif(sys.platform != "linux", reason="/proc shows each thread's nice value")
def test_the_page_workers_yield_to_the_jobs_child(served: Console) -> None:
    client = Client(served)
    for _ in range(12):  # enough views to reach several of waitress's workers
        client.open_board()
    own = os.getpriority(os.PRIO_PROCESS, 0)
    workers = [t for t in threading.enumerate() if t.name.startswith("waitress-") and t.native_id]
    nices = [_nice(Path(f"/proc/self/task/{t.native_id}/stat")) for t in workers]
    assert PAGE_NICE + own in nices  # a worker that served a page yields
    assert _nice(Path(f"/proc/self/task/{threading.get_native_id()}/stat")) == own  # the rest keep theirs
    assert client.post("/jobs/aggregate")[0] == 202  # started from a page worker…
    jobs = _jobs(served)
    _wait_for(lambda: jobs.child("aggregate") is not None or not jobs.state("aggregate")["running"])
    child = jobs.child("aggregate")
    if child is not None:  # …its child runs at the console's own priority, not the page's
        assert _nice(Path(f"/proc/{child.pid}/stat")) == own
    assert jobs.wait("aggregate")["error"] == ""
