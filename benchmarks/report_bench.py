"""Benchmark: every unit's .docx in one go, and one unit's report as a whole process.

Run: .venv/bin/python -m benchmarks.report_bench [--units 40]   (also part of make bench)
Targets (issue 10): 40 units' .docx in under 20 s on 2 cores; one unit's .docx under 1 s beyond start-up.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "returns" / "市场监管局_2025_完整正确.xlsx"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=40)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.returns import make_return
    from xltool.form.loader import load_form
    from xltool.report.batch import Job, render_batch

    form = load_form()
    with tempfile.TemporaryDirectory(prefix="xltool-report-bench-") as tmp:
        folder = Path(tmp)
        jobs = [
            Job(make_return(folder, {"t2.fees.amount": i % 5}, name=f"u{i:02d}.xlsx"), f"report_{i:02d}", f"u{i}")
            for i in range(args.units)
        ]
        start = time.perf_counter()
        result = render_batch(form, jobs, folder / "out", ["docx"])
        took = time.perf_counter() - start
        cores = min(os.cpu_count() or 1, 4)
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        print(f"{len(result.written)} units' .docx in one go ({cores} processes): {took:6.2f} s "
              f"({took / len(jobs):.2f} s per unit)")  # fmt: skip

        py = sys.executable
        startup = _median([py, "-m", "xltool", "report", "--help"])
        runs = []
        for i in range(5):
            out = folder / f"one{i}.docx"
            start = time.perf_counter()
            subprocess.run([py, "-m", "xltool", "report", str(SAMPLE), "-o", str(out)], capture_output=True, check=True)
            runs.append(time.perf_counter() - start)
        one = statistics.median(runs)
        floor = _median([py, "-c", "import pandera, docx"])
        print(f"xltool report ONE.xlsx -o x.docx:      {one:6.2f} s (median of 5)")
        print(f"  start-up (xltool report --help):     {startup:6.2f} s")
        print(f"  imports (pandera + python-docx):     {floor:6.2f} s")
        print(f"  beyond start-up and imports:         {one - floor:6.2f} s")


def _median(argv: list[str], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


if __name__ == "__main__":
    main()
