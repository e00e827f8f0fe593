"""Fixtures of the form tests: a small form written inline in the test, loaded by the real loader."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from xltool.form.loader import load_form
from xltool.form.model import Form

InlineForm = Callable[[str], Form]


@pytest.fixture
def inline_form(tmp_path: Path) -> InlineForm:
    """``inline_form(text)``: the form whose TOML is ``text`` (dedented), loaded from tmp_path."""

    def load(text: str) -> Form:
        path = tmp_path / "form.toml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return load_form(path)

    return load
