"""The real-report corpus (tests/data/real_reports) is well formed: every report has its entry in
SOURCES.toml with the keys the benchmark reads, and every expected number names a real field of the
form. What import and audit make of the reports is measured by benchmarks/real_reports.py, not here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from xltool.form.model import Form

CORPUS = Path(__file__).resolve().parent.parent / "data" / "real_reports"
REQUIRED = ("source", "year", "unit", "kind", "cut", "script", "format", "expected", "findings", "narrative_correct")
KINDS = {"town", "street", "department", "district", "city"}
NAME = re.compile(r"^(2021|2022|2023|2024)_(town|street|department|district|city)_[0-9a-z_]+\.txt$")
RULE = re.compile(r"^[A-H][0-9]{1,2}$")


@pytest.fixture(scope="module")
def sources() -> dict[str, Any]:
    return tomllib.loads((CORPUS / "SOURCES.toml").read_text(encoding="utf-8"))


def reports() -> list[Path]:
    return sorted(CORPUS.glob("*.txt"))


def test_at_least_forty_reports_of_every_kind() -> None:
    files = reports()
    assert len(files) >= 40
    assert {f.name.split("_")[1] for f in files} == KINDS
    assert {f.name.split("_")[0] for f in files} == {"2021", "2022", "2023", "2024"}


def test_every_file_has_an_entry_and_every_entry_a_file(sources: dict[str, Any]) -> None:
    assert {f.name for f in reports()} == set(sources)


def test_file_names_and_text(sources: dict[str, Any]) -> None:
    for path in reports():
        assert NAME.match(path.name), path.name
        text = path.read_text(encoding="utf-8")  # UTF-8, or this raises
        assert len(text.strip()) > 200, path.name


def test_entries_have_the_required_keys(sources: dict[str, Any]) -> None:
    for name, entry in sources.items():
        assert not [k for k in REQUIRED if k not in entry], name
        assert entry["kind"] in KINDS and name.split("_")[1] == entry["kind"], name
        assert entry["script"] in ("simplified", "traditional"), name
        assert entry["format"] in ("2021", "2019", "none"), name
        assert entry["year"] in ("", "2021", "2022", "2023", "2024"), name
        assert isinstance(entry["unit"], str) and isinstance(entry["narrative_correct"], bool), name
        assert isinstance(entry["cut"], bool) and (not entry["cut"] or entry.get("cut_after")), name
        assert entry["source"].startswith(("http://", "https://")), name


def test_no_source_twice(sources: dict[str, Any]) -> None:
    addresses = [entry["source"] for entry in sources.values()]
    assert len(addresses) == len(set(addresses))


def test_expected_keys_are_fields_of_the_form(sources: dict[str, Any], form: Form) -> None:
    for name, entry in sources.items():
        for key, value in entry["expected"].items():
            assert key in form.fields and key.startswith(("t2.", "t3.", "t4.")), (name, key)
            ok = value == "/" or (isinstance(value, int | float) and not isinstance(value, bool) and value >= 0)
            assert ok, (name, key, value)


def test_expected_numbers_only_where_the_report_has_tables(sources: dict[str, Any]) -> None:
    for name, entry in sources.items():
        if entry["format"] in ("none", "2019"):
            assert not entry["expected"], name


def test_findings_name_a_rule_code(sources: dict[str, Any]) -> None:
    for name, entry in sources.items():
        for finding in entry["findings"]:
            assert RULE.match(finding["rule"]) and finding["note"], (name, finding)
            assert isinstance(finding.get("many", False), bool), (name, finding)


def test_traditional_script_reports_are_there(sources: dict[str, Any]) -> None:
    traditional = [n for n, e in sources.items() if e["script"] == "traditional"]
    assert len(traditional) >= 2
    for name in traditional:
        assert re.search("[國開關報總]", (CORPUS / name).read_text(encoding="utf-8")), name
