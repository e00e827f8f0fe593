"""docs/form-keys.md: the reference of every key of form.toml is generated from the key table the
loader checks with (xltool forms --keys, make docs) and the checked-in file is current."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from xltool.cli import main
from xltool.form.keys import TABLES
from xltool.form.kinds import KINDS
from xltool.reference.form_keys import TITLES, form_keys_markdown

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "form-keys.md"
REGENERATE = "run `make docs` (or `python -m xltool forms --keys > docs/form-keys.md`) and commit it"


def test_the_checked_in_key_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == form_keys_markdown(), f"docs/form-keys.md is stale: {REGENERATE}"


def test_the_reference_has_every_table_and_every_kind_of_rule() -> None:
    text = form_keys_markdown()
    assert set(TITLES) == set(TABLES)
    assert all(f'## [[rules]] kind = "{name}"' in text for name in KINDS)
    for keys in TABLES.values():
        assert all(f"| `{k.name}` |" in text for k in keys)
    title, _, english, *_ = text.splitlines()
    assert title.startswith("# ") and english.startswith("*English:")


def test_xltool_forms_keys_prints_it() -> None:
    result = CliRunner().invoke(main, ["forms", "--keys"])
    assert result.exit_code == 0 and result.output == form_keys_markdown()


def test_the_readme_links_it() -> None:
    assert "docs/form-keys.md" in (ROOT / "README.md").read_text(encoding="utf-8")
