"""The form's rules, compiled into pandera schemas and run on many returns at once.

Two schemas: one over the cells as typed (A1 blanks, A2/A3 types), in long form — one row per
(return, cell), one check per rule, not one per column: pandera's cost is per check, and a check for
each of two hundred cells was most of the time to verify one file — and one over the arithmetic
values (every expression rule of the form, row-wise). All returns of a batch are stacked
into one frame and validated once, lazily, so every problem of every file is collected in one pass
and pandera's fixed cost is paid once. Failure cases come back as (check, row) and are mapped to the
field's cell through the form. Totals are always recomputed from the inputs; a total cell that was
overwritten by hand keeps its typed value, so the sum rules (B2, B3, C1) catch it at that cell.
"""

from __future__ import annotations

import datetime as dt
import gc
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from xltool.form import expr as ex
from xltool.form.calc import check_leaves, is_number
from xltool.form.cells import required_here
from xltool.form.kinds import kind_of
from xltool.form.kinds.base import CellCheck
from xltool.form.levels import LEVEL_KEY
from xltool.form.model import PREVIOUS, Check, Field, Form
from xltool.form.problems import Problem, make_problem
from xltool.workbook.read import Return

if TYPE_CHECKING:
    import pandas as pd

TEMPLATE_YEAR = "__template_year__"
HAS_PREVIOUS = "__has_previous__"


def check_returns(
    form: Form, returns: Sequence[Return], previous: Mapping[int, Return] | None = None
) -> list[list[Problem]]:
    """Problems of each readable return (aligned with ``returns``); ``previous[i]`` is last year's."""
    load_pandera()  # here, not at the top: pandas/pandera cost ~0.7 s, --help must stay instant
    import pandas as pd

    out: list[list[Problem]] = [[] for _ in returns]
    rows = [i for i, r in enumerate(returns) if r.readable]
    if not rows:
        return out
    previous = previous or {}
    cells = _cells(form, [(i, returns[i]) for i in rows])
    nums = pd.DataFrame([_numbers(form, returns[i], previous.get(i)) for i in rows], index=rows)
    for at, check_name, _ in _failures(_cell_schema(form), cells):
        index, key, value = cells.at[at, RETURN], cells.at[at, KEY], cells.at[at, VALUE]
        out[index].extend(_cell_problem(form, returns[index], f"{check_name}@{key}", value))
    checks = [c for c in form.checks if not c.rule.cross_year or previous]
    try:
        failures = _failures(_row_schema(form, checks), nums)
    finally:
        _FRAMES.clear()
    for index, check_name, _ in failures:
        check = checks[int(check_name.removeprefix("rule#"))]
        out[index].append(_rule_problem(form, check, nums.loc[index], returns[index]))
    for i in rows:
        out[i].extend(_blank_texts(form, returns[i]))
    return out


def load_pandera() -> None:
    """Import pandas and pandera (once per process) with the collector paused, then freeze what they
    left: about a million long-lived objects that every full collection would otherwise walk again —
    a third of the time of a one-file verify. A worker forked after this shares them untouched."""
    if "pandera.pandas" in sys.modules:
        return
    enabled = gc.isenabled()
    gc.disable()
    try:
        import pandas  # noqa: F401
        import pandera.pandas  # noqa: F401
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


# ------------------------------------------------------------------ frames
RETURN, KEY, TYPE, REQUIRED, VALUE = "return", "key", "type", "required", "value"


def _cells(form: Form, returns: Sequence[tuple[int, Return]]) -> pd.DataFrame:
    """Numeric inputs as typed (normalised: numbers, unreadable text as str, blank None), one row
    per (return, cell), with the field's type and whether it must be filled."""
    import pandas as pd

    filled = any(kind_of(r).marks_blanks for r in form.rules)
    fields = form.numeric_inputs
    needed = _required_now(form)
    keys = [f.key for f in fields]
    values = [ret.values[k].value if k in ret.values else None for _, ret in returns for k in keys]
    n = len(returns)
    return pd.DataFrame(
        {
            RETURN: [i for i, _ in returns for _ in keys],
            KEY: keys * n,
            TYPE: [f.type for f in fields] * n,
            REQUIRED: [filled and f.required and needed(ret, f) for _, ret in returns for f in fields],
            VALUE: pd.Series(values, dtype=object),
        }
    )


def _numbers(form: Form, ret: Return, prev: Return | None) -> dict[str, Any]:
    """Arithmetic view: inputs as numbers (NaN when blank/unreadable), totals recomputed."""
    row = _arith(form, ret)
    row[TEMPLATE_YEAR] = ret.year
    row[HAS_PREVIOUS] = prev is not None
    if prev is not None:
        row.update({PREVIOUS + k: v for k, v in _arith(form, prev).items()})
    return row


def _arith(form: Form, ret: Return) -> dict[str, Any]:
    recomputed = ret.totals()  # by the return's own sums: last year's may be of an older version
    row: dict[str, Any] = {}
    for f in form.fields.values():
        v = ret.values.get(f.key)
        if not f.editable and v is not None and v.formula is not None and v.note != "edited":
            computed = recomputed.get(f.key)
            row[f.key] = float("nan") if computed is None else computed  # NaN: empty (a division by zero)
        elif f.numeric or f.type == "year":
            row[f.key] = v.value if v is not None and is_number(v.value) else float("nan")
        elif f.key == form.role("unit_type") and ret.meta.get("unit_type"):
            row[f.key] = ret.meta["unit_type"]  # the template's type decides the rules (H7 reports an edit)
        elif f.type == "choice":
            row[f.key] = v.value if v is not None and v.value is not None else ""
    return row


# ------------------------------------------------------------------ schemas
def _cell_schema(form: Form) -> Any:
    """ "not_nullable" (the form's blank rule) and one "type#<rule>" check per rule whose kind checks
    each typed cell (the "type" rules)."""
    import pandera.pandas as pa

    # ignore_na off: the checks judge blanks themselves, and pandera's own NaN scan of the frame for
    # every check cost more than the checks (no row here is ever all blank)
    checks = [pa.Check(lambda df: ~(df[REQUIRED] & df[VALUE].isna()), name="not_nullable", ignore_na=False)]
    for rule in form.rules:
        ok = kind_of(rule).cell_check(rule)
        if ok is not None:
            checks.append(pa.Check(_cells_check(ok), name=f"type#{rule.id}", ignore_na=False))
    return pa.DataFrameSchema(checks=checks, coerce=False)


def _cells_check(ok: CellCheck) -> Any:
    # plain lists: iterating pandas columns item by item costs more than the checks themselves
    return lambda df: pd_series([ok(t, v) for t, v in zip(df[TYPE].tolist(), df[VALUE].tolist(), strict=True)], df)


def pd_series(values: list[bool], df: pd.DataFrame) -> pd.Series:
    import pandas as pd

    return pd.Series(values, index=df.index, dtype=bool)


def _row_schema(form: Form, checks: Sequence[Check]) -> Any:
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        checks=[pa.Check(_row_check(form, c), name=f"rule#{i}", ignore_na=False) for i, c in enumerate(checks)]
    )


def _row_check(form: Form, check: Check) -> Any:
    """Holds, or cannot be judged yet: inputs blank (A1 says so), rule not applicable, no last year."""
    leaves = [k for k in check_leaves(form, check)]
    prev_keys = [k for k in check.expr.fields if k.startswith(PREVIOUS)]
    may_be_empty = check.expr.divides or any(k in _computed_keys(form) for k in check.expr.fields)

    def run(df: pd.DataFrame) -> pd.Series:
        import numpy as np
        import pandas as pd

        frame = _frame(df)
        n = len(df)
        ctx = {"template_year": frame.columns[TEMPLATE_YEAR]}
        value = lambda k: frame.columns.get(k, frame.nan)  # noqa: E731
        holds = ex.evaluate(check.expr, value, ctx)
        pending = frame.any_blank(leaves) if leaves else np.zeros(n, dtype=bool)
        if prev_keys:
            pending = pending | ~frame.columns[HAS_PREVIOUS].astype(bool) | frame.any_blank(prev_keys)
        applies = ex.evaluate(check.when, value, ctx) if check.when is not None else True
        empty = ex.undefined(check.expr, value, ctx, _computed_keys(form)) if may_be_empty else False
        ok = _as_bool(holds, n) | pending | ~_as_bool(applies, n) | _as_bool(empty, n)
        return pd.Series(ok, index=df.index)

    return run


def _computed_keys(form: Form) -> frozenset[str]:
    """Formula cells (not sums): empty where they divide by zero; a check over them passes there."""
    memo = form.memo
    if "formula_keys" not in memo:
        keys = frozenset(k for k, f in form.fields.items() if f.formula is not None)
        memo["formula_keys"] = keys | frozenset(PREVIOUS + k for k in keys)
    return memo["formula_keys"]


class _Frame:
    """The frame being validated as plain numpy columns and its NaN mask, taken once per frame: the
    rules run on arrays (a pandas Series operation costs its index alignment, most of the time of a
    check on one return) and selecting columns by name cost more than the rules."""

    def __init__(self, df: pd.DataFrame) -> None:
        import numpy as np

        self.df = df
        # the numeric columns in one block (taking 200 columns one by one cost more than the rules)
        numeric = df.select_dtypes("number")
        block = numeric.to_numpy(dtype=float)
        self.columns = {c: block[:, i] for i, c in enumerate(numeric.columns)}
        self.columns.update({c: df[c].to_numpy() for c in df.columns if c not in self.columns})
        self.position = {c: i for i, c in enumerate(df.columns)}
        self.mask = df.isna().to_numpy()
        self.nan = np.full(len(df), np.nan)

    def any_blank(self, keys: Sequence[str]) -> Any:
        """Rows where any of ``keys`` is NaN (a column the frame lacks counts as NaN)."""
        import numpy as np

        if any(k not in self.position for k in keys):
            return np.ones(len(self.df), dtype=bool)
        return self.mask[:, [self.position[k] for k in keys]].any(axis=1)


_FRAMES: list[_Frame] = []  # the frame being validated (cleared when validation ends)


def _frame(df: pd.DataFrame) -> _Frame:
    if not _FRAMES or _FRAMES[0].df is not df:
        _FRAMES[:] = [_Frame(df)]
    return _FRAMES[0]


def _as_bool(v: Any, n: int) -> Any:
    """An expression's result as n booleans (a rule without fields gives one)."""
    import numpy as np

    return np.broadcast_to(np.asarray(v, dtype=bool), (n,))


def _failures(schema: Any, df: pd.DataFrame) -> list[tuple[int, str, Any]]:
    """(row, check name, failing value) for every failure, each (row, check) once."""
    import pandera.pandas as pa

    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
        seen: set[tuple[Any, ...]] = set()
        out = []
        for row in fc.itertuples(index=False):
            index, name = row.index, str(row.check)
            # Checks over whole rows report one failure per column of a failing row: keep one per row.
            if index is None or (index, name) in seen:
                continue
            seen.add((index, name))
            out.append((int(index), name, row.failure_case))
        return out
    return []


# ------------------------------------------------------------------ problems
def _cell_problem(form: Form, ret: Return, label: str, value: Any) -> list[Problem]:
    name, _, key = label.partition("@")
    if key not in ret.values:  # on a sheet that is missing: H4 already says so
        return []
    if name == "not_nullable":
        return [make_problem(form, form.filled_rule.id, key)]
    rule_id = name.removeprefix("type#")
    typed = ret.values[key].raw if key in ret.values else value
    if isinstance(value, str) and form.rule(rule_id).builtin:  # the built-in wording for text typed in
        return [make_problem(form, "A2-text", key, typed)]
    return [make_problem(form, rule_id, key, typed)]


def _rule_problem(form: Form, check: Check, row: pd.Series, ret: Return) -> Problem:
    value = lambda k: row.get(k)  # noqa: E731
    ctx = {"template_year": row.get(TEMPLATE_YEAR)}
    params: dict[str, Any] = {k: _num(row.get(k)) for k in check.expr.fields}
    params.update(kind_of(check.rule).problem_values(check, lambda part: _num(ex.evaluate(part, value, ctx))))
    params["template_year"] = _num(ctx["template_year"])
    value = _num(row.get(check.at))
    if value is None and check.at in ret.values:  # not a number: show what was typed ("2025年度x")
        value = ret.values[check.at].raw
    return make_problem(form, check.rule.id, check.at, value, **params)


def _num(v: Any) -> Any:
    try:
        if v != v:  # NaN
            return None
        return int(v) if float(v).is_integer() else float(v)
    except (TypeError, ValueError):
        return v


def _required_now(form: Form) -> Callable[[Return, Field], bool]:
    """Whether a cell of a return must be filled: a ``required_if`` is judged on that return's values."""

    def needed(ret: Return, f: Field) -> bool:
        if ret.meta.get(LEVEL_KEY) and f.key == form.role("unit_type"):
            return False  # a roll-up (a county's total) is of no kind of unit
        if f.required_if is None:
            return True
        values = {k: v.value for k, v in ret.values.items()}
        return required_here(form, f, values, ret.totals(), {"template_year": ret.year})

    return needed


def _blank_texts(form: Form, ret: Return) -> list[Problem]:
    """Required text items left blank, choices outside their list, dates that are not dates."""
    out = []
    needed = _required_now(form)
    for f in form.inputs:
        v = ret.values.get(f.key)
        if f.numeric or v is None:  # v is None: the field's sheet is missing (H4)
            continue
        if v.value in (None, ""):
            if f.required and needed(ret, f):
                out.append(make_problem(form, "A1-text", f.key, label=f.label))
        elif f.choices and v.value not in f.choices:
            out.append(make_problem(form, "A2-choice", f.key, v.value, label=f.label, choices="、".join(f.choices)))
        elif f.type == "date" and not isinstance(v.value, dt.date):
            out.append(make_problem(form, "A2-date", f.key, v.value, label=f.label))
    return out
