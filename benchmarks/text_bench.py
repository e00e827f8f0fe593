"""Benchmark: every narrative check on hostile text of 100 KB per text field (linear-time figures).

Run: .venv/bin/python -m benchmarks.text_bench   (also part of make bench)
"""

from __future__ import annotations

import time
from collections.abc import Callable

from xltool.checks.text import TEXT_CHECKS, TextContext, copy_problems
from xltool.form.loader import load_form
from xltool.form.model import Form

PATTERNS: dict[str, Callable[[int], str]] = {
    "X 连续": lambda n: "X" * n,
    "xX 交替": lambda n: "xX" * (n // 2),
    "共1件，其中1件、": lambda n: "共1件，其中1件、" * (n // 9),
    "收到申请1件，": lambda n: "收到申请1件，" * (n // 7),
    "2024年，": lambda n: "2024年，" * (n // 6),
    "一是二是": lambda n: "一是二是" * (n // 4),
    "未发生复议": lambda n: "未发生复议" * (n // 5),
    "（（（": lambda n: "（" * n,
    "普通句子": lambda n: "本机关认真落实政务公开工作要求。" * (n // 16),
    "其中予以公开1件、": lambda n: "其中予以公开1件、" * (n // 9),
    "未收到申请，": lambda n: "未收到政府信息公开申请，" * (n // 12),
    "〔2021〕30号": lambda n: "国办公开办函（2021）30号" * (n // 15),
}


def run_checks(form: Form, text: str) -> dict[str, float]:
    """Seconds per check with ``text`` in every text field of a return (F8 against its reverse)."""
    texts: dict[str, str | None] = {f.key: text for f in form.inputs if not f.numeric}
    numbers: dict[str, int | float | None] = {k: 1 for k, f in form.fields.items() if f.numeric}
    out: dict[str, float] = {}
    context = TextContext(unit="本单位", unit_type="乡镇", peers=("桐柏县新集乡", "桐柏县城郊乡"))
    form.memo.pop("narrative_statements", None)  # each pattern measured from scratch
    for rule in form.rules:
        if rule.check in TEXT_CHECKS:
            started = time.perf_counter()
            TEXT_CHECKS[rule.check](form, rule, texts, numbers, 2025, context)
            out[rule.id] = time.perf_counter() - started
    started = time.perf_counter()
    reverse = {k: v[::-1] if v else v for k, v in texts.items()}
    copy_problems(form, texts, numbers, reverse, numbers)
    out["copied"] = time.perf_counter() - started
    return out


def main() -> None:
    form = load_form()
    size = 100_000
    print(
        f"narrative checks on {size // 1000} KB in each of the {sum(not f.numeric for f in form.inputs)} text fields:"
    )
    for name, make in PATTERNS.items():
        timings = run_checks(form, make(size))
        slowest = max(timings, key=lambda k: timings[k])
        print(f"  {name:<14} all checks {sum(timings.values()):6.2f} s   slowest {slowest} {timings[slowest]:.2f} s")


if __name__ == "__main__":
    main()
