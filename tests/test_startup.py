"""How the command starts: what it imports and how it sets the collector (the figures are in
`make bench`; these tests keep the choices from being undone silently)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLEAN = ROOT / "samples" / "returns" / "市场监管局_2025_完整正确.xlsx"

_PROBE = """
import atexit, gc, sys
def report():
    print("hypothesis" in sys.modules and sys.modules["hypothesis"] is not None, gc.get_freeze_count() > 0,
          gc.get_threshold()[0], file=sys.stderr)
atexit.register(report)
from xltool.cli import run
sys.argv = ["xltool", "verify", sys.argv[1]]
run()
"""


def test_verify_runs_without_hypothesis_with_pandas_frozen_and_young_collections_spaced() -> None:
    from xltool.gcpolicy import YOUNG_THRESHOLD

    out = subprocess.run([sys.executable, "-c", _PROBE, str(CLEAN)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "结论：通过" in out.stdout
    hypothesis, frozen, threshold = out.stderr.strip().splitlines()[-1].split()
    assert hypothesis == "False"  # pandera would import it (0.15 s) only to synthesise data
    assert frozen == "True"  # pandas and pandera frozen once imported: no collection walks them again
    assert int(threshold) == YOUNG_THRESHOLD


def test_library_caller_keeps_its_collector_settings() -> None:
    probe = (
        "import gc, sys; from pathlib import Path; from xltool.checks.verify import verify;"
        "from xltool.form.loader import load_form;"
        "r = verify([Path(sys.argv[1])], load_form());"
        "print(r.files[0].valid, gc.get_threshold()[0])"
    )
    out = subprocess.run([sys.executable, "-c", probe, str(CLEAN)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "700"]


def _loaded(*args: str) -> set[str]:
    code = (
        "import sys, atexit; atexit.register(lambda: print(' '.join(sorted(sys.modules)), file=sys.stderr));"
        f"from xltool.cli import run; sys.argv = ['xltool', *{list(args)!r}]; run()"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    return set(proc.stderr.split())


def test_help_loads_no_form_and_verify_no_writer() -> None:
    """`xltool --help` lists the commands without loading a form; verify without --out/--annotate/
    --previous loads neither the writers (openpyxl, xlsxwriter) nor the importer."""
    helped = _loaded("--help")
    assert "xltool.cli.main" in helped and "xltool.form.loader" not in helped
    verified = _loaded("verify", str(CLEAN))
    assert "xltool.checks.verify" in verified
    assert not {"openpyxl", "xlsxwriter", "xltool.importer.previous", "xltool.checks.problem_files"} & verified
