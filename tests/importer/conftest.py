"""Fixtures of the import tests: the form, the market_2025 sample as the numbers and texts of a
published report, and a writer of such reports with changes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.importer.docs import write_docx, write_html
from tests.returns import default_form, valid_values
from xltool.form.model import Form

UNIT = "桐柏县市场监督管理局"


@pytest.fixture(scope="session")
def form() -> Form:
    return default_form()


def numbers(form: Form) -> dict[str, Any]:
    return {k: v for k, v in valid_values(form).items() if form.fields[k].grid}


def texts(form: Form) -> dict[str, str]:
    keys = [k for s in form.sections for k in s.fields]
    out = {k: v for k, v in valid_values(form).items() if k in keys and isinstance(v, str)}
    return {**out, "s6.fee_text": "本年度未收取信息处理费。"}


@pytest.fixture
def published(tmp_path: Path, form: Form) -> Callable[..., Path]:
    """published(changes={...}, texts={...}, unit=..., year=..., kind="html"|"docx") -> a report."""
    count = iter(range(1000))

    def make(
        changes: dict[str, Any] | None = None,
        text_changes: dict[str, str] | None = None,
        *,
        unit: str = UNIT,
        year: int = 2025,
        kind: str = "html",
        drift: bool = False,
        name: str = "",
    ) -> Path:
        values = {**numbers(form), **(changes or {})}
        words = {**texts(form), **(text_changes or {})}
        out = tmp_path / (name or f"report{next(count)}.{kind}")
        out.parent.mkdir(parents=True, exist_ok=True)
        writer = write_html if kind == "html" else write_docx
        return writer(form, out, unit, year, values, words, drift=drift)

    return make
