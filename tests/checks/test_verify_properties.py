"""Properties of verification over random fillings of table 三 (hypothesis, real workbooks).

A valid filling is drawn per column: outcome counts and 结转下年度 first, then the split of their sum
into 上年结转 and 本年新收, so the official 勾稽 rule B1 holds by construction. Each example writes
and reads a real return (~0.5 s), hence few examples.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.returns import T3_COLUMNS, default_form, make_return, valid_values
from xltool.checks.verify import VerifyOptions, verify

FORM = default_form()
GRID = next(g for g in FORM.grids if g.key == "t3")
INPUT_ROWS = tuple(r.key for r in GRID.rows if not r.sum)  # new, carried_in, 21 outcomes, carried_out
OUTCOMES = tuple(k for k in INPUT_ROWS if k.startswith("r_"))
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def balanced_table3(draw: st.DrawFn) -> dict[str, int]:
    """Every input cell of table 三, each column balanced: new + carried_in == outcomes + carried_out."""
    values: dict[str, int] = {}
    for col in T3_COLUMNS:
        outcomes = draw(st.lists(st.integers(0, 3) | st.just(0), min_size=len(OUTCOMES), max_size=len(OUTCOMES)))
        carried_out = draw(st.integers(0, 4))
        handled = sum(outcomes) + carried_out
        carried_in = draw(st.integers(0, handled))
        values.update({f"t3.{row}.{col}": n for row, n in zip(OUTCOMES, outcomes, strict=True)})
        values.update(
            {
                f"t3.new.{col}": handled - carried_in,
                f"t3.carried_in.{col}": carried_in,
                f"t3.carried_out.{col}": carried_out,
            }
        )
    return values


def problems_for(folder: Path, table3: dict[str, Any]) -> list[Any]:
    # s1.on_request states the sample's 26 applications (E1): left blank, the report writes it from table 三
    path = make_return(folder, {**table3, "s1.on_request": None})
    return verify([path], FORM, VerifyOptions(year=2025)).files[0].problems


def test_inputs_cover_table3() -> None:
    assert len(INPUT_ROWS) == 24 and len(OUTCOMES) == 21
    assert all(f"t3.{r}.{c}" in valid_values(FORM) for r in INPUT_ROWS for c in T3_COLUMNS)


@EXAMPLES
@given(table3=balanced_table3())
def test_balanced_fillings_have_no_errors(tmp_path_factory: pytest.TempPathFactory, table3: dict[str, int]) -> None:
    problems = problems_for(tmp_path_factory.mktemp("valid"), table3)
    assert [(p.code, p.cell) for p in problems if p.is_error] == []
    # C3 (table 四 without any application) is the only warning a random table 三 can cause
    assert {p.code for p in problems} <= {"C3"}


@EXAMPLES
@given(
    table3=balanced_table3(),
    row=st.sampled_from(INPUT_ROWS),
    col=st.sampled_from(T3_COLUMNS),
    k=st.integers(1, 5),
)
def test_one_more_in_any_cell_is_b1_in_its_column(
    tmp_path_factory: pytest.TempPathFactory, table3: dict[str, int], row: str, col: str, k: int
) -> None:
    key = f"t3.{row}.{col}"
    broken = {**table3, key: table3[key] + k}
    problems = problems_for(tmp_path_factory.mktemp("broken"), broken)
    b1 = {p.cell for p in problems if p.code == "B1" and p.is_error}
    at = FORM.fields[f"t3.carried_out.{col}"].cell  # the B1 rule's `at` cell of that column
    assert at in b1
    assert b1 == {at, FORM.fields["t3.carried_out.total"].cell}  # and the 总计 column, which adds it up
    assert {p.code for p in problems if p.is_error} <= {"B1", "B4"}  # B4 when more concluded than received
