"""Benchmark: import and audit every published report of the real corpus (tests/data/real_reports).

Run: python -m benchmarks.real_reports [--json] [--keep DIR]

Each report goes through the CLI as a county officer would run it (`xltool import FILE -o OUT.xlsx
--json`, `xltool audit FILE --json`), two at a time. The written return is read back with
read_return and compared with the numbers written down by hand in SOURCES.toml; the audit's findings
are compared with the findings judged by hand. Printed: reports imported, numbers in the right cell
(and wrong numbers), audit findings true / false, false errors of the narrative checks on reports
judged correct, and crashes (none allowed).

How a finding is judged: it is true when a finding judged by hand for that file has its code (A1, D1,
F5 …); each judged finding stands for one audit finding of its code, or for all of them when marked
`many = true` (blanks spread over many rows). Besides, "no year found" counts as true on a file whose text never states its year, "no unit found"
on a file that never names its unit, and one finding saying where the text ends on a cut file. Every
other finding counts as false: in a cut excerpt the rows, tables and sections after the cut are not
wrong, they are simply not there.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "real_reports"
TIMEOUT = 180  # seconds for one command on one report
CUT_WORDS = ("中断", "截断", "文本在", "cut")  # how a "the text ends here" finding may say it


@dataclass
class FileResult:
    """What import and audit made of one report, against its hand-written expectation."""

    file: str
    imported: bool = False
    import_note: str = ""
    expected: int = 0
    right: int = 0
    wrong: list[str] = field(default_factory=list)
    t3_expected: int = 0
    t3_right: int = 0
    findings: int = 0
    true_findings: int = 0
    false_findings: list[str] = field(default_factory=list)
    judged: int = 0
    judged_found: int = 0
    narrative_errors: list[str] = field(default_factory=list)
    crash: str = ""


def run(args: list[str]) -> subprocess.CompletedProcess[str]:
    """One xltool command with this checkout's package first on the path."""
    env = dict(os.environ)
    root = str(CORPUS.parent.parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return subprocess.run(
        [sys.executable, "-m", "xltool", *args], capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False
    )


def crashed(proc: subprocess.CompletedProcess[str]) -> str:
    """Why a command counts as a crash ("" when it did not): a traceback, or an exit status past 1."""
    if "Traceback" in proc.stderr:
        return proc.stderr.strip().splitlines()[-1][:200]
    if proc.returncode not in (0, 1):
        return f"exit status {proc.returncode}: {proc.stderr.strip()[:200]}"
    return ""


def cell_values(out: Path) -> dict[str, Any]:
    """The numbers of a written return: typed values, and totals recomputed where complete."""
    from xltool.form.loader import load_form
    from xltool.workbook.read import read_return

    ret = read_return(out, load_form())
    totals = ret.complete_totals()
    values: dict[str, Any] = {}
    for key, value in ret.values.items():
        values[key] = value.value if value.value is not None or value.formula is None else totals.get(key)
    return values


def same(found: Any, wanted: Any) -> bool:
    """A number equals a number; "/" or printed text equals the same text."""
    if isinstance(wanted, str):
        return isinstance(found, str) and found.strip() == wanted.strip()
    if isinstance(found, bool) or not isinstance(found, int | float):
        return False
    return abs(float(found) - float(wanted)) < 1e-9


def score_numbers(res: FileResult, entry: dict[str, Any], values: dict[str, Any]) -> None:
    """Right, wrong and missing numbers of one report (missing = neither right nor wrong)."""
    for key, wanted in entry.get("expected", {}).items():
        found = values.get(key)
        if same(found, wanted):
            res.right += 1
            res.t3_right += key.startswith("t3.")
        elif found is not None and found != "":
            res.wrong.append(f"{key}: {found!r} (expected {wanted!r})")


def do_import(res: FileResult, path: Path, entry: dict[str, Any], workdir: Path) -> None:
    out = workdir / (path.stem + ".xlsx")
    proc = run(["import", str(path), "-o", str(out), "--json", "--force"])
    res.crash = crashed(proc)
    if out.exists():
        res.imported = True
        score_numbers(res, entry, cell_values(out))
        return
    try:
        problems = json.loads(proc.stdout)["files"][0].get("problems", [])
        # the reason a return was refused comes first: no year, then any other error, then the rest
        order = sorted(problems, key=lambda p: (p.get("rule") != "import:no_year", p.get("severity") != "error"))
        res.import_note = (order or [{"message": "no return written"}])[0]["message"][:80]
    except (ValueError, KeyError, IndexError):
        res.import_note = (proc.stderr.strip() or proc.stdout.strip() or "no output")[:80]


@dataclass
class Judged:
    """The findings judged by hand for one report, used up as audit findings match them."""

    left: dict[str, int]  # code -> audit findings it may still stand for
    many: set[str]  # codes that stand for any number of audit findings
    cut_seen: bool = False

    @classmethod
    def of(cls, entry: dict[str, Any]) -> Judged:
        left: dict[str, int] = {}
        for finding in entry.get("findings", []):
            left[finding["rule"]] = left.get(finding["rule"], 0) + 1
        return cls(left, {f["rule"] for f in entry.get("findings", []) if f.get("many")})


def judge(problem: dict[str, Any], entry: dict[str, Any], judged: Judged) -> bool:
    """Whether one audit finding is true for this report (see the module docstring)."""
    rule, code = str(problem.get("rule") or ""), str(problem.get("code") or "")
    text = f"{rule} {problem.get('message') or ''}"
    # the cut finding first: it may share its code with a finding judged by hand (F1), which it must
    # not use up
    if entry.get("cut") and not judged.cut_seen and any(w in text for w in CUT_WORDS):
        judged.cut_seen = True
        return True
    if code in judged.many:
        return True
    if judged.left.get(code, 0) > 0:
        judged.left[code] -= 1
        return True
    if rule in ("import:no_year", "import:year_guessed") and entry.get("year") == "":  # no year, or one from the file name
        return True
    return rule == "import:no_unit" and entry.get("unit") == ""


def do_audit(res: FileResult, path: Path, entry: dict[str, Any], narrative_rules: set[str]) -> None:
    proc = run(["audit", str(path), "--json"])
    res.crash = res.crash or crashed(proc)
    try:
        problems = [p for f in json.loads(proc.stdout)["files"] for p in f.get("problems", [])]
    except (ValueError, KeyError, TypeError):
        res.crash = res.crash or f"audit printed no JSON (exit status {proc.returncode})"
        return
    codes = {f["rule"] for f in entry.get("findings", [])}
    judged = Judged.of(entry)
    res.findings = len(problems)
    for p in problems:
        if p.get("code") == "H0":
            res.crash = res.crash or str(p.get("message"))[:200]
        if judge(p, entry, judged):
            res.true_findings += 1
        else:
            res.false_findings.append(f"{p.get('code')} {p.get('rule')}: {str(p.get('message'))[:60]}")
        if entry.get("narrative_correct") and p.get("severity") == "error" and p.get("rule") in narrative_rules:
            res.narrative_errors.append(f"{p.get('rule')}: {str(p.get('message'))[:80]}")
    found = {str(p.get("code")) for p in problems}
    res.judged = len(codes)
    res.judged_found = len(codes & found)


def narrative_rule_ids() -> set[str]:
    """The rules of the form that read the narrative (the checks in xltool.checks.text)."""
    from xltool.checks.text import TEXT_CHECKS
    from xltool.form.loader import load_form

    return {rule.id for rule in load_form().rules if rule.check in TEXT_CHECKS}


def one(name: str, entry: dict[str, Any], workdir: Path, narrative_rules: set[str]) -> FileResult:
    path = CORPUS / name
    res = FileResult(file=name)
    res.expected = len(entry.get("expected", {}))
    res.t3_expected = sum(k.startswith("t3.") for k in entry.get("expected", {}))
    try:
        do_import(res, path, entry, workdir)
        do_audit(res, path, entry, narrative_rules)
    except Exception as err:  # noqa: BLE001 - a benchmark reports a failure, it does not stop at it
        res.crash = res.crash or f"{type(err).__name__}: {err}"[:200]
    return res


def summarise(results: list[FileResult], sources: dict[str, Any]) -> dict[str, Any]:
    findings = sum(r.findings for r in results)
    expected = sum(r.expected for r in results)
    correct = [r for r in results if sources[r.file].get("narrative_correct")]
    return {
        "reports": len(results),
        "imported": sum(r.imported for r in results),
        "numbers_expected": expected,
        "numbers_right": sum(r.right for r in results),
        "numbers_right_share": round(sum(r.right for r in results) / expected, 3) if expected else None,
        "numbers_wrong": sum(len(r.wrong) for r in results),
        "t3_expected": sum(r.t3_expected for r in results),
        "t3_right": sum(r.t3_right for r in results),
        "audit_findings": findings,
        "audit_findings_true": sum(r.true_findings for r in results),
        "audit_findings_false": sum(len(r.false_findings) for r in results),
        "false_share": round(sum(len(r.false_findings) for r in results) / findings, 3) if findings else None,
        "judged_findings": sum(r.judged for r in results),
        "judged_findings_found": sum(r.judged_found for r in results),
        "reports_judged_correct": len(correct),
        "narrative_false_errors": sum(len(r.narrative_errors) for r in correct),
        "reports_with_narrative_false_errors": sum(bool(r.narrative_errors) for r in correct),
        "crashes": sum(bool(r.crash) for r in results),
    }


def table(results: list[FileResult], summary: dict[str, Any]) -> str:
    head = f"{'report':<38} {'import':<6} {'right':>9} {'wrong':>5} {'find':>4} {'true':>4} {'false':>5} {'judged':>6} {'narr':>4}  note"
    lines = [head, "-" * len(head)]
    for r in results:
        note = r.crash and f"CRASH {r.crash}" or r.import_note
        lines.append(
            f"{r.file[:38]:<38} {'yes' if r.imported else 'no':<6} {f'{r.right}/{r.expected}':>9} {len(r.wrong):>5} "
            f"{r.findings:>4} {r.true_findings:>4} {len(r.false_findings):>5} {f'{r.judged_found}/{r.judged}':>6} "
            f"{len(r.narrative_errors):>4}  {note}"
        )
    s = summary
    lines += [
        "",
        f"reports imported (a return written): {s['imported']} / {s['reports']}",
        f"numbers in the right cell: {s['numbers_right']} / {s['numbers_expected']} ({s['numbers_right_share']}); "
        f"table 三: {s['t3_right']} / {s['t3_expected']}; wrong numbers: {s['numbers_wrong']}",
        f"audit findings: {s['audit_findings']} (true {s['audit_findings_true']}, false {s['audit_findings_false']}, "
        f"false share {s['false_share']}); hand-judged findings caught: {s['judged_findings_found']} / {s['judged_findings']}",
        f"narrative-check errors on the {s['reports_judged_correct']} reports judged correct: "
        f"{s['narrative_false_errors']} (in {s['reports_with_narrative_false_errors']} reports)",
        f"crashes: {s['crashes']}",
    ]
    for r in results:
        lines += [f"  wrong number {r.file}: {w}" for w in r.wrong]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the summary and each report's result as JSON")
    parser.add_argument("--keep", type=Path, help="keep the imported returns in this folder")
    args = parser.parse_args(argv)
    sources = tomllib.loads((CORPUS / "SOURCES.toml").read_text(encoding="utf-8"))
    names = sorted(n for n in sources if (CORPUS / n).is_file())
    narrative_rules = narrative_rule_ids()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda n: one(n, sources[n], workdir, narrative_rules), names))
    summary = summarise(results, sources)
    if args.json:
        print(json.dumps({"summary": summary, "files": [asdict(r) for r in results]}, ensure_ascii=False, indent=2))
    else:
        print(table(results, summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
