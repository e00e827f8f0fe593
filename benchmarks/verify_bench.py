"""Benchmark: verify 1,000 generated returns; compare with a raw zip+XML read of the same files.

Run: make bench   (or .venv/bin/python -m benchmarks.verify_bench --count 1000)
Generated returns are cached in out/bench/returns-<key>; the key changes with the form definition and
the template writer, so a cache made by older code is never measured.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from xltool.checks.verify import verify
from xltool.form.loader import load_form
from xltool.workbook.filldata import load_values
from xltool.workbook.write import UnitInfo, write_template

ROOT = Path(__file__).resolve().parent.parent


def generate(count: int, outdir: Path) -> list[Path]:
    """Valid returns with random numbers; every tenth one breaks a rule so checks have work."""
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
        if path.exists():
            continue
        values = dict(base, **{"s1.on_request": None})  # left blank: the report writes it
        for c in columns:
            got = {o: rng.choice((0, 0, 0, 1, 2, 5)) for o in outcomes}
            values.update({f"t3.{o}.{c}": v for o, v in got.items()})
            carried_out, carried_in = rng.randint(0, 3), rng.randint(0, 3)
            values[f"t3.carried_out.{c}"] = carried_out
            values[f"t3.carried_in.{c}"] = carried_in
            values[f"t3.new.{c}"] = max(0, sum(got.values()) + carried_out - carried_in)
            if sum(got.values()) + carried_out - carried_in < 0:
                values[f"t3.carried_in.{c}"] = sum(got.values()) + carried_out
        if i % 10 == 0:
            values["t3.new.natural"] = values["t3.new.natural"] + 1  # B1
        if i % 25 == 0:
            values["t3.r_open.legal"] = "/"  # A2
        write_template(form, UnitInfo(f"第{i}号单位", "部门", 2025), path, values=values)
    return paths


def raw_read(paths: list[Path]) -> float:
    """The floor: unzip and parse every sheet and the shared strings with ElementTree."""
    start = time.perf_counter()
    for p in paths:
        with zipfile.ZipFile(p) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml":
                    ET.fromstring(zf.read(name))
    return time.perf_counter() - start


def _cache_key() -> str:
    """What the generated returns depend on: the definition, the catalogue and the writing code."""
    h = hashlib.sha256()
    for part in ("workbook_templates/annual_report_2021/form.toml", "xltool/form/catalogue.toml"):
        h.update((ROOT / part).read_bytes())
    for module in sorted((ROOT / "xltool" / "workbook").glob("*.py")):
        h.update(module.read_bytes())
    return h.hexdigest()[:10]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    cache = ROOT / "out" / "bench" / f"returns-{_cache_key()}"
    paths = generate(args.count, cache)
    print(f"returns ready: {len(paths)} in {time.perf_counter() - t0:.1f} s (cached in {cache.relative_to(ROOT)})")
    raw = raw_read(paths)
    form = load_form()
    verify(paths[:2], form)  # warm up: imports of pandas/pandera are paid once per process
    n = len(paths)
    print(f"raw zip+XML read:     {raw:7.2f} s   {raw / n * 1000:7.2f} ms per return")
    for label, workers in (("verify, 1 process:   ", 1), ("verify, all cores:   ", None)):
        start = time.perf_counter()
        result = verify(paths, form, workers=workers)
        took = time.perf_counter() - start
        print(f"{label}{took:7.2f} s   {took / n * 1000:7.2f} ms per return   ({took / raw:.1f}x the raw read)")
    s = result.summary()
    print(f"result: {s['valid']} valid, {s['invalid']} with errors, {s['errors']} errors, {s['warnings']} warnings")


if __name__ == "__main__":
    main()
