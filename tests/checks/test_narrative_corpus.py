"""The extraction layer on real sentences (tests/data/narrative_corpus.toml: 92 sentences from
published reports of towns, streets, departments and counties, 2017–2025, each with its source
address): every statement it finds, with its concept, number, scope and flags, and nothing else."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.returns import default_form
from xltool.checks.narrative import Statement
from xltool.checks.narrative_checks import statements_of
from xltool.form.model import Form

CORPUS = tomllib.loads((Path(__file__).parents[1] / "data" / "narrative_corpus.toml").read_text(encoding="utf-8"))
SENTENCES: list[dict[str, Any]] = CORPUS["sentence"]


def found(st: Statement) -> dict[str, Any]:
    flags = [f for f, on in (("denied", st.denied), ("vague", st.vague), ("subset", st.subset)) if on]
    out: dict[str, Any] = {"concept": "+".join(st.concepts), "value": st.value}
    if st.scope:
        out["scope"] = st.scope
    if flags:
        out["flags"] = flags
    if st.qualifier:
        out["qualifier"] = st.qualifier
    return out


def expected(e: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in e.items() if v not in ("", [])}


@pytest.fixture(scope="module")
def form() -> Form:
    return default_form()


def test_the_corpus_is_real_and_large_enough() -> None:
    assert len(SENTENCES) >= 80
    assert all(s["source"].startswith(("http://", "https://", "reference:")) for s in SENTENCES)
    sources = {s["source"].split("/")[2] if "://" in s["source"] else s["source"] for s in SENTENCES}
    assert len(sources) >= 30  # many bodies, not one report cut into pieces
    assert sum(bool(s["expect"]) for s in SENTENCES) >= 50


@pytest.mark.parametrize("case", SENTENCES, ids=[f"{i:02d}" for i in range(len(SENTENCES))])
def test_extraction(form: Form, case: dict[str, Any]) -> None:
    got = [found(st) for st in statements_of(form, case["text"], case.get("field", "s1.on_request"))]
    assert got == [expected(e) for e in case["expect"]], case["text"]
