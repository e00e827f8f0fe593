"""A golden run of xltool's observable results, to hold a refactor to "behaviour unchanged".

``python -m benchmarks.golden OUT.json`` runs, through the CLI in fresh processes: ``verify --json`` on
every sample and flawed file, ``audit --json`` on the published excerpts the tests keep, the demo
campaign's ``status --json``, its aggregate's cell values and its reports as Markdown. Run it before and
after a change and compare the two files (``python -m benchmarks.golden --diff A.json B.json``).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VOLATILE = re.compile(
    r"/tmp/[^\s\"']+|\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?!:)|\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2})?"
)


def _mask(text: str) -> str:
    return VOLATILE.sub("<v>", text.replace(str(ROOT), "<root>"))


def _run(*args: str, cwd: Path = ROOT) -> dict[str, object]:
    proc = subprocess.run([sys.executable, "-m", "xltool", *args], capture_output=True, text=True, cwd=cwd)
    return {"rc": proc.returncode, "out": _mask(proc.stdout), "err": _mask(proc.stderr)}


def _cells(path: Path) -> dict[str, object]:
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=False)
    return {
        f"{ws.title}!{c.coordinate}": _mask(c.value) if isinstance(c.value, str) else c.value
        for ws in book
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    }


def snapshot() -> dict[str, object]:
    out: dict[str, object] = {}
    files = sorted((ROOT / "samples" / "returns").iterdir()) + sorted((ROOT / "samples" / "flawed").iterdir())
    for path in files:
        out[f"verify {path.name}"] = _run("verify", str(path), "--json")
    for path in sorted((ROOT / "tests" / "data" / "published").glob("*.txt")):
        out[f"audit {path.name}"] = _run("audit", str(path), "--json")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        out["demo"] = _run("demo", "--out", str(work / "demo"))
        camp = work / "demo" / "campaign"
        out["status"] = _run("status", str(camp), "--json")
        out["aggregate"] = _run("aggregate", str(camp), "-o", str(work / "agg.xlsx"))
        if (work / "agg.xlsx").exists():
            out["aggregate cells"] = _cells(work / "agg.xlsx")
        out["report"] = _run("report", str(camp), "-o", str(work / "reports"), "--format", "md", "--force")
        for md in sorted((work / "reports").rglob("*.md")):
            out[f"report {md.name}"] = md.read_text(encoding="utf-8")
    return out


def diff(a: dict[str, object], b: dict[str, object]) -> list[str]:
    return [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


if __name__ == "__main__":
    if sys.argv[1] == "--diff":
        old, new = (json.loads(Path(p).read_text(encoding="utf-8")) for p in sys.argv[2:4])
        changed = diff(old, new)
        print("\n".join(changed) or "identical")
        sys.exit(1 if changed else 0)
    Path(sys.argv[1]).write_text(json.dumps(snapshot(), ensure_ascii=False, indent=1, default=str), encoding="utf-8")
