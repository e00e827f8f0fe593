"""Benchmark: verify a province-sized batch; compare with python-calamine and a plain ElementTree read.

Run: make bench   (or .venv/bin/python -m benchmarks.verify_bench [--count 10000] [--distinct 1000])

Prints, from one run:
- per-return cost of a plain read of the same files: python-calamine (all values of all sheets) and
  zipfile + ElementTree (every sheet and the shared strings parsed), on one core;
- ``verify`` on one process and on all cores for ``--distinct`` returns, and on all cores for
  ``--count`` returns (the distinct ones repeated under other names, as hard links), each in a
  process of its own so that its peak memory (parent and workers) can be read;
- the same for returns re-saved by LibreOffice, as units send them;
- ``xltool verify ONE.xlsx`` and ``xltool --help`` as whole processes against ``python -c "import
  pandera"`` (the floor of any pandera check), medians of several runs.

Generated returns are cached in out/bench/; the key changes with the form definition and the
template writer, so a cache made by older code is never measured. Figures also go to
out/bench/verify_bench.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out" / "bench"
WRITER_MODULES = ("write.py", "meta.py", "formulas.py", "styles.py", "validation.py", "lock.py", "fingerprint.py",
                  "filldata.py")  # fmt: skip
RESAVED = 100  # returns re-saved by LibreOffice (converting more adds minutes, not information)


def generate(count: int, outdir: Path) -> list[Path]:
    """Valid returns with random numbers; every tenth one breaks a rule so checks have work."""
    from xltool.form.loader import load_form
    from xltool.workbook.filldata import load_values
    from xltool.workbook.write import UnitInfo, write_template

    form = load_form()
    _, base = load_values(ROOT / "samples" / "data" / "market_2025.toml", form)
    rng = random.Random(2025)
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    columns = ["natural", "commercial", "research", "nonprofit", "legal", "other"]
    outcomes = [r.key for r in form.grids_of("t3")[0].rows if r.key.startswith("r_") and r.key != "r_total"]
    for i in range(count):
        path = outdir / f"return_{i:04d}.xlsx"
        paths.append(path)
        values = dict(base, **{"s1.on_request": None})  # left blank: the report writes it
        for c in columns:  # drawn even for cached files, so file i is the same whatever the count
            got = {o: rng.choice((0, 0, 0, 1, 2, 5)) for o in outcomes}
            values.update({f"t3.{o}.{c}": v for o, v in got.items()})
            carried_out, carried_in = rng.randint(0, 3), rng.randint(0, 3)
            values[f"t3.carried_out.{c}"] = carried_out
            values[f"t3.carried_in.{c}"] = carried_in
            values[f"t3.new.{c}"] = max(0, sum(got.values()) + carried_out - carried_in)
            if sum(got.values()) + carried_out - carried_in < 0:
                values[f"t3.carried_in.{c}"] = sum(got.values()) + carried_out
        if path.exists():
            continue
        if i % 10 == 0:
            values["t3.new.natural"] = values["t3.new.natural"] + 1  # B1
        if i % 25 == 0:
            values["t3.r_open.legal"] = "/"  # A2
        write_template(form, UnitInfo(f"第{i}号单位", "部门", 2025), path, values=values)
    return paths


def repeated(distinct: list[Path], count: int, outdir: Path) -> list[Path]:
    """``count`` files: the distinct returns again and again, as hard links under new names."""
    outdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = outdir / f"r{i:05d}.xlsx"
        if not path.exists():
            try:
                os.link(distinct[i % len(distinct)], path)
            except OSError:
                shutil.copyfile(distinct[i % len(distinct)], path)
        paths.append(path)
    return paths


def resaved(paths: list[Path], outdir: Path) -> list[Path]:
    """The returns opened and saved again by LibreOffice (its own XML, shared formulas, styles)."""
    from xltool.office import find_soffice, recalculate

    done = sorted(outdir.glob("*.xlsx")) if outdir.exists() else []
    if len(done) >= len(paths):
        return done[: len(paths)]
    if find_soffice() is None:
        return []
    outdir.mkdir(parents=True, exist_ok=True)
    return recalculate(paths, outdir)


def raw_read(paths: list[Path]) -> float:
    """The floor of a Python read: unzip and parse every sheet and the shared strings."""
    start = time.perf_counter()
    for p in paths:
        with zipfile.ZipFile(p) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml":
                    ET.fromstring(zf.read(name))
    return time.perf_counter() - start


def calamine_read(paths: list[Path]) -> float | None:
    """python-calamine (Rust) reading every value of every sheet: what a plain value read costs."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        return None
    start = time.perf_counter()
    for p in paths:
        wb = CalamineWorkbook.from_path(str(p))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()
        wb.close()
    return time.perf_counter() - start


# A verify run in a process of its own: its time, and peak memory of the parent and of the largest
# worker (ru_maxrss of RUSAGE_CHILDREN is the largest single child, so the total is at most
# parent + workers x largest worker).
_RUN = """
import json, resource, sys, time
from pathlib import Path
from xltool.checks.verify import verify_stream
from xltool.form.loader import load_form
paths = [Path(p) for p in Path(sys.argv[1]).read_text().split("\\n") if p]
workers = int(sys.argv[2]) or None
form = load_form()
list(verify_stream(paths[:2], form, workers=1))  # imports paid before the clock starts
start = time.perf_counter()
valid = invalid = 0
for r in verify_stream(paths, form, workers=workers):  # results streamed, not held
    valid += r.valid
    invalid += not r.valid
took = time.perf_counter() - start
kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": took, "parent_mb": kb / 1024, "worker_mb": child / 1024,
                  "valid": valid, "invalid": invalid}))
"""


def verify_run(paths: list[Path], workers: int) -> dict[str, float]:
    listing = OUT / f"paths-{len(paths)}.txt"
    listing.write_text("\n".join(str(p) for p in paths))
    out = subprocess.run(
        [sys.executable, "-c", _RUN, str(listing), str(workers)], capture_output=True, text=True, check=True
    )
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    cores = workers or min(os.cpu_count() or 1, 4)
    figures["peak_mb"] = figures["parent_mb"] + (cores if workers != 1 else 0) * figures["worker_mb"]
    return figures


def median_seconds(argv: list[str], runs: int = 7, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, env=env, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _cache_key() -> str:
    """What the generated returns depend on: the definition, the catalogue and the writing code."""
    h = hashlib.sha256()
    for part in ("workbook_templates/annual_report_2021/form.toml", "xltool/form/catalogue.toml"):
        h.update((ROOT / part).read_bytes())
    for module in WRITER_MODULES:  # not the reader's: a change there must be measured on the same files
        h.update((ROOT / "xltool" / "workbook" / module).read_bytes())
    return h.hexdigest()[:10]


def _line(label: str, seconds: float, n: int, extra: str = "") -> str:
    return f"{label:<34}{seconds:8.2f} s {seconds / n * 1000:8.2f} ms/return  {extra}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000, help="the province-sized batch")
    parser.add_argument("--distinct", type=int, default=1000, help="distinct generated returns")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    cores = min(os.cpu_count() or 1, 4)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}")
    key = _cache_key()
    t0 = time.perf_counter()
    distinct = generate(min(args.distinct, args.count), OUT / f"returns-{key}")
    batch = repeated(distinct, args.count, OUT / f"batch-{key}")
    again = resaved(distinct[:RESAVED], OUT / f"resaved-{key}")
    print(
        f"returns ready in {time.perf_counter() - t0:.1f} s: {len(distinct)} distinct, {len(again)} re-saved by LibreOffice"
    )
    figures: dict[str, object] = {"machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]}}

    for label, paths in (("generated by xltool", distinct), ("re-saved by LibreOffice", again)):
        if not paths:
            print(f"\n{label}: skipped (LibreOffice not found)")
            continue
        n = len(paths)
        print(f"\n{label}, {n} returns")
        raw, cal = raw_read(paths), calamine_read(paths)
        print(_line("zipfile + ElementTree, 1 core", raw, n))
        if cal is not None:
            print(_line("python-calamine values, 1 core", cal, n))
        one, all_ = verify_run(paths, 1), verify_run(paths, 0)
        print(_line("verify, 1 process", one["seconds"], n, f"peak {one['peak_mb']:.0f} MB"))
        # as the issue compares them: verify's wall time on all cores against calamine's plain read on one
        ratio = f" = {all_['seconds'] / cal:.1f}x calamine's 1-core read" if cal else ""
        print(_line(f"verify, {cores} cores", all_["seconds"], n, f"peak {all_['peak_mb']:.0f} MB{ratio}"))
        figures[label] = {"n": n, "elementtree_s": raw, "calamine_s": cal, "verify_1": one, "verify_all": all_}

    n = len(batch)
    big = verify_run(batch, 0)
    print(f"\nprovince-sized batch: {n} returns, {cores} cores")
    print(
        _line(
            "verify --json equivalent",
            big["seconds"],
            n,
            f"peak {big['peak_mb']:.0f} MB (parent {big['parent_mb']:.0f} MB, each worker {big['worker_mb']:.0f} MB)",
        )
    )
    print(f"  {big['valid']:.0f} valid, {big['invalid']:.0f} with errors")
    figures["batch"] = {"n": n, **big}

    one_file = str(ROOT / "samples" / "returns" / "市场监管局_2025_完整正确.xlsx")
    py = sys.executable
    # As installed, Python keeps its compiled modules (pip compiles them): a PYTHONDONTWRITEBYTECODE
    # in the environment would make every run recompile xltool and measure the compiler instead.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([py, "-m", "xltool", "verify", one_file], capture_output=True, env=env, check=False)
    floor = median_seconds([py, "-c", "import pandera"], env=env)
    verify_one = median_seconds([py, "-m", "xltool", "verify", one_file], env=env)
    help_ = median_seconds([py, "-m", "xltool", "--help"], env=env)
    print("\nwhole processes (median of 7)")
    print(f"python -c 'import pandera'         {floor:6.2f} s")
    print(f"xltool verify ONE.xlsx             {verify_one:6.2f} s  ({verify_one / floor:.2f}x)")
    print(f"xltool --help                      {help_:6.2f} s")
    figures["processes"] = {"import_pandera": floor, "verify_one": verify_one, "help": help_}
    (OUT / "verify_bench.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
