"""docs/rules: the rules reference is generated from the catalogue and the forms, current, complete,
and the project cites no document outside itself."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner, Result
from markdown_it import MarkdownIt

from xltool.cli import main
from xltool.form.catalogue import builtin_rules, text_checks
from xltool.form.kinds import KINDS
from xltool.form.loader import load_form
from xltool.form.registry import shipped_forms
from xltool.reference import checked_by, rule_entries, shipped_reference
from xltool.reference.listing import AUDIT, BY_STAGE, IMPORT, LIVE, REPORT, VERIFY, VERIFY_PREVIOUS

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "rules"
MINI = ROOT / "tests" / "forms" / "mini" / "form.toml"
REGENERATE = "run `make docs` (or `python -m xltool rules --markdown docs/rules --force`) and commit docs/rules"


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_the_checked_in_reference_is_current() -> None:
    """CI runs the tests: a rule changed in the catalogue or a form without `make docs` fails here."""
    expected = shipped_reference()
    present = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    stale = sorted(name for name, text in expected.items() if present.get(name) != text)
    extra = sorted(set(present) - set(expected))
    assert not stale, f"docs/rules is stale ({', '.join(stale)}): {REGENERATE}"
    assert not extra, f"docs/rules has files no form makes ({', '.join(extra)}): delete them, then {REGENERATE}"


def test_the_reference_names_every_rule_and_text_check() -> None:
    files = shipped_reference()
    assert set(files) == {"index.md", "builtin.md", *(f"{e.path.parent.name}.md" for e in shipped_forms())}
    assert all(f"`{r.id}`" in files["builtin.md"] for r in builtin_rules())
    assert all(f"### {name}\n" in files["builtin.md"] for name in text_checks())
    for entry in shipped_forms():
        page = files[f"{entry.path.parent.name}.md"]
        assert all(f"`{r.id}`" in page for r in load_form(entry.path).rules), entry.id
        assert f"]({entry.path.parent.name}.md)" in files["index.md"]


def test_the_reference_is_the_same_wherever_it_is_made() -> None:
    """No date, no absolute path: a clone anywhere makes the same bytes; English only as the first line."""
    files = shipped_reference()
    assert files == shipped_reference()
    for name, text in files.items():
        assert str(ROOT) not in text and "/home/" not in text and "/tmp/" not in text, name
        title, _, english, *_ = text.splitlines()
        assert title.startswith("# ") and english.startswith("*English:"), name


def test_the_reference_renders_as_written() -> None:
    """One heading per rule (and per text check), and text from the definitions shows as written: no
    emphasis or link made by a "*" or "[" of its own."""
    files = shipped_reference()
    md = MarkdownIt("commonmark")
    counts = {"builtin.md": len(builtin_rules()) + len(text_checks())}
    counts |= {f"{e.path.parent.name}.md": len(load_form(e.path).rules) for e in shipped_forms()}
    for name, count in counts.items():
        tokens = md.parse(files[name])
        assert sum(t.type == "heading_open" and t.tag == "h3" for t in tokens) == count, name
        html = md.render(files[name])
        assert html.count("<em>") == 1, name  # the English line only
        assert html.count("<a ") == files[name].count("]("), name  # only the links the generator writes
    assert "（*.xlsx）" in md.render(files["builtin.md"])  # the H1-et fix, its "*" escaped


def test_every_kind_and_stage_says_which_commands_check_it() -> None:
    commands = {VERIFY, REPORT, AUDIT, IMPORT, VERIFY_PREVIOUS, "xltool audit --previous", "xltool status"}
    for name, kind in KINDS.items():  # every kind but text (by its check's stage) names known commands
        assert {f"xltool {c}" for c in kind.reported_by} <= commands and (kind.reported_by or name == "text"), name
    assert {spec["stage"] for spec in text_checks().values()} <= set(BY_STAGE)
    form = load_form(None)
    by_id = {e.rule.id: e.commands for e in rule_entries(form)}
    assert by_id["B1"] == (VERIFY, REPORT, AUDIT, LIVE)  # an expr rule is a live cell of the template too
    assert by_id["F1"] == (REPORT,)  # headings: only the report's final text has them
    assert by_id["E1-unclear"] == by_id["E1"]  # a rule named by another's params runs with its check
    assert VERIFY_PREVIOUS in by_id["B5"] and VERIFY not in by_id["B5"]
    assert by_id["import:no_year"] == (IMPORT, AUDIT)
    assert checked_by(None, next(r for r in builtin_rules() if r.id == "H1-corrupt")) == (VERIFY, REPORT)


def test_rules_writes_the_reference_as_markdown(tmp_path: Path) -> None:
    """The example of `xltool rules -h`: the shipped forms' reference, as docs/rules holds it."""
    result = run("rules", "--markdown", tmp_path / "规则说明")
    assert result.exit_code == 0, result.output
    written = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "规则说明").iterdir()}
    assert written == shipped_reference()
    again = run("rules", "--markdown", tmp_path / "规则说明")
    assert again.exit_code == 1 and "--force" in again.output  # never over a file without --force
    assert run("rules", "--markdown", tmp_path / "规则说明", "--force").exit_code == 0


def test_rules_writes_another_forms_reference(tmp_path: Path) -> None:
    result = run("rules", "--form", MINI, "--markdown", tmp_path, "--force")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["builtin.md", "index.md", "mini.md"]
    page = (tmp_path / "mini.md").read_text(encoding="utf-8")
    assert "`K1`" in page and "`mini/form.toml`" in page and "tests/forms" not in page  # its folder and name only
    assert "rules --markdown" in run("rules", "-h").output


# ------------------------------------------------------------------ nothing cites a file outside the project
OUTSIDE = "FORMAT" + ".md"  # the old design document, never in the repository (spelt apart: this file is scanned)
SKIPPED = {".git", ".venv", "__pycache__", "out", "build", "node_modules"}


def _project_files() -> list[Path]:
    out = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIPPED and not d.endswith(("_cache", ".egg-info"))]
        out += [Path(folder) / f for f in files]
    return out


def test_nothing_cites_a_document_outside_the_project() -> None:
    citing = [str(p.relative_to(ROOT)) for p in _project_files() if OUTSIDE.encode() in p.read_bytes()]
    assert not citing, f"cite docs/rules instead of {OUTSIDE}: {citing}"


def test_the_readme_points_to_the_reference() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/rules" in text and "make docs" in text
