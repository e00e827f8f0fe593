"""How often the peer (G1) and history (G2) checks fire on returns whose numbers are genuine.

``python -m benchmarks.outlier_rates FOLDER [--previous FOLDER]`` verifies the folder as one batch
and prints, per code, the values checked and the values flagged (the false-positive rate when the
returns hold no planted mistakes: published reports imported with ``xltool import``, the demo's
campaign returns), and each flag's unit, field and message.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from xltool.checks.outliers import history_rules, peer_rules
from xltool.checks.verify import VerifyOptions, verify
from xltool.form.loader import load_form
from xltool.workbook.files import collect_paths


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--previous", type=Path)
    args = ap.parse_args()
    form = load_form()
    options = VerifyOptions(previous=(args.previous,) if args.previous else ())
    result = verify(collect_paths([args.folder]), form, options, workers=1)
    peer_keys = {k for r in peer_rules(form) for k in r.params["fields"]}
    values = sum(len(f.figures) for f in result.files)
    flags = [(f.unit, p) for f in result.files for p in f.problems if p.code in ("G1", "G2")]
    g1 = sum(p.code == "G1" for _, p in flags)
    print(f"{len(result.files)} returns, {values} values of {len(peer_keys)} peer fields")
    print(f"G1: {g1} flagged = {g1 / max(values, 1):.2%} of values")
    if history_rules(form) and args.previous:
        print(f"G2: {sum(p.code == 'G2' for _, p in flags)} flagged")
    for unit, p in flags:
        print(f"  {p.code} {unit} {p.field} = {p.value}: {p.message}")


if __name__ == "__main__":
    main()
