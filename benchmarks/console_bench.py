"""Benchmark: the console under load (issue 25) — `xltool serve` on the demo campaign with 1,000
unmatched junk files in its register, 200 concurrent page loads of the board and the unit pages,
idle, in the first burst right after a register change (the board and unit pages made anew), and
while 生成全部报告 renders every unit's report.

Run: .venv/bin/python -m benchmarks.console_bench [--loads 200] [--junk 1000] [--pause 2] [--repeat 3]   (make bench)
Goal (issue 25): median ≤ 1 s and p95 ≤ 3 s on 2 cores; the report job within 1.5× its time alone.
Traffic goes to 127.0.0.1 only; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "console-bench-口令-2026"
CHANGES = 3  # register changes, each followed by one burst (the pages are made anew after each)
MAX_BURSTS = 300  # bursts while the report job runs: never an endless loop (the job's own limit: 900 s)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loads", type=int, default=200, help="concurrent page loads per burst")
    parser.add_argument("--junk", type=int, default=1000, help="unmatched junk files in the register")
    parser.add_argument("--pause", type=float, default=2.0,
                        help="seconds between bursts while the report job renders (0: back to back)")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=1,
                        help="report job runs alone and under load, in turn (the median ratio is shown)")  # fmt: skip
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="xltool-console-bench-") as tmp:
        campaign = _demo(Path(tmp))
        units = _add_junk(campaign, args.junk)
        server, port = _serve(campaign)
        try:
            _run(port, units, args, campaign)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _demo(tmp: Path) -> Path:
    """The demo campaign, as ``make demo`` builds it."""
    subprocess.run([sys.executable, "-m", "xltool", "demo", "--out", str(tmp / "demo")], cwd=ROOT,
                   capture_output=True, check=True)  # fmt: skip
    return tmp / "demo" / "campaign"


def _add_junk(campaign: Path, count: int, first: int = 0) -> list[str]:
    """``count`` workbooks tied to no unit (as anyone who can mail the inbox can cause), recorded as
    collect records them (naming no unit); the units."""
    from xltool.campaign.register import Register, sha256_of, store_bytes

    with Register.for_campaign(campaign) as reg:
        for i in range(first, first + count):
            data = b"PK\x03\x04 not really a workbook %d" % i
            digest = sha256_of(data)
            rel = f"unmatched/junk-{i:04d}.xlsx"
            store_bytes(campaign, rel, data)
            message = reg.add_message(f"<junk-{i}@bench.invalid>", digest, sender=f"junk{i}@bench.invalid")
            reg.add_attachment(message, name=f"junk-{i}.xlsx", safe_name=f"junk-{i}.xlsx", sha256=digest,
                               kind="workbook", stored_path=rel, named="")  # fmt: skip
        return [u.name for u in reg.units()]


def _serve(campaign: Path) -> tuple[subprocess.Popen[str], int]:
    env = {**os.environ, "XLTOOL_CONSOLE_PASSWORD": PASSWORD, "PYTHONUNBUFFERED": "1"}
    argv = [sys.executable, "-m", "xltool", "serve", str(campaign), "--port", "0", "--no-browser"]
    server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert server.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if found := re.search(r"http://127\.0\.0\.1:(\d+)/", line):
            threading.Thread(target=server.stdout.read, daemon=True).start()  # drain the rest
            return server, int(found.group(1))
    server.kill()
    raise SystemExit("xltool serve did not start")


class Session:
    """A logged-in browser's cookie and the page's CSRF token."""

    def __init__(self, port: int) -> None:
        self.port, self.cookie, self.token = port, "", ""
        self.token = _token(self.get("/login")[1])
        status, _ = self.post("/login", {"password": PASSWORD})
        assert status in (302, 303), f"login failed: {status}"
        self.token = _token(self.get("/")[1])  # a login gives the session a new token (and makes the board)

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str]:  # fmt: skip
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers={"Cookie": self.cookie, **(headers or {})})
            response = conn.getresponse()
            data = response.read().decode(errors="replace")
            if cookie := response.getheader("Set-Cookie"):
                self.cookie = cookie.split(";", 1)[0]
            return response.status, data
        finally:
            conn.close()

    def get(self, path: str) -> tuple[int, str]:
        return self.request("GET", path)

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        body = urlencode({**fields, "csrf": self.token}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{self.port}",
                   "X-CSRF-Token": self.token}  # fmt: skip
        return self.request("POST", path, body, headers)


def _token(page: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def burst(session: Session, paths: list[str], loads: int) -> tuple[list[float], int]:
    """``loads`` page loads at once (one thread each); their times and how many failed."""
    times: list[float] = [0.0] * loads
    failed = [0]
    gate = threading.Barrier(loads)

    def load(i: int) -> None:
        gate.wait()
        start = time.perf_counter()
        try:
            status, _ = session.get(paths[i % len(paths)])
            if status != 200:
                failed[0] += 1
        except OSError:
            failed[0] += 1
        times[i] = time.perf_counter() - start

    threads = [threading.Thread(target=load, args=(i,)) for i in range(loads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return times, failed[0]


def report_job(session: Session, during: threading.Event | None = None) -> float:
    """Start 生成全部报告 and wait for it; the seconds it took (as the console counts them)."""
    status, text = session.post("/jobs/reports", {})
    assert status == 202, f"report job not started: {status} {text[:200]}"
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        state = json.loads(session.get("/jobs/reports")[1])
        if not state["running"]:
            assert not state["error"], state["error"]
            if during is not None:
                during.set()
            return float(state["seconds"])
        time.sleep(0.2)
    raise SystemExit("the report job did not finish in 15 minutes")


def _figures(name: str, times: list[float], failed: int) -> None:
    p95 = statistics.quantiles(times, n=20)[-1]
    print(f"{name:<44} median {statistics.median(times):6.2f} s   p95 {p95:6.2f} s   "
          f"max {max(times):6.2f} s   failed {failed}")  # fmt: skip


def _run(port: int, units: list[str], args: argparse.Namespace, campaign: Path) -> None:
    session = Session(port)  # its login lands on the board: the board is made once here
    paths = ["/"] + [f"/unit/{quote(u)}" for u in units]
    paths = [p for pair in zip(["/"] * len(units), paths[1:], strict=True) for p in pair]  # board, unit, board, …
    print(f"demo campaign: {len(units)} units, {args.junk} unmatched junk files; pages: board and unit pages")
    times, failed = burst(session, paths, args.loads)
    _figures(f"{args.loads} loads, idle, unit pages not yet made", times, failed)
    times, failed = burst(session, paths, args.loads)
    _figures(f"{args.loads} loads, idle", times, failed)
    changed: list[float] = []
    failed = 0
    for n in range(CHANGES):  # one more junk mail (a commit): the next views make the board and pages anew
        _add_junk(campaign, 1, args.junk + n)
        times, lost = burst(session, paths, args.loads)
        changed += times
        failed += lost
    _figures(f"{args.loads} loads, first after a change ({CHANGES}×)", changed, failed)
    ratios: list[float] = []
    loaded: list[float] = []
    failed = bursts = 0
    for _ in range(args.repeat):  # alone, then under load, in turn: the machine's other load changes meanwhile
        alone = report_job(session)
        under, times, lost, made = _under_load(session, paths, args)
        loaded, failed, bursts = loaded + times, failed + lost, bursts + made
        ratios.append(under / alone)
        print(f"{'report job alone / under load':<44} {alone:6.2f} s / {under:6.2f} s   ({under / alone:.2f}× alone)")
    _figures(f"{args.loads} loads every {args.pause:g} s, report rendering ({bursts}×)", loaded, failed)
    print(f"{'report job under load, median of ' + str(len(ratios)):<44} {statistics.median(ratios):.2f}× alone")
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


def _under_load(session: Session, paths: list[str], args: argparse.Namespace) -> tuple[float, list[float], int, int]:
    """The report job's seconds while bursts of page loads come; the loads' times, failures, bursts."""
    done = threading.Event()
    result: list[float] = []
    job = threading.Thread(target=lambda: result.append(report_job(session, done)))
    job.start()
    loaded: list[float] = []
    failed = bursts = 0
    while not done.is_set() and bursts < MAX_BURSTS:
        times, lost = burst(session, paths, args.loads)
        loaded += times
        failed += lost
        bursts += 1
        done.wait(args.pause)
    job.join(timeout=900)
    return (result[0] if result else float("nan")), loaded, failed, bursts


if __name__ == "__main__":
    main()
