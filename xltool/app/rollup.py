"""``xltool aggregate --as-return``: the county's totals as a return of the form, for the city to collect."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xltool.app.errors import UsageProblem
from xltool.app.overview import AggregateDone, Overview, StatusSource, overview, sum_up
from xltool.app.overview import aggregate as summary_book
from xltool.app.policy import refuse_any_input, refuse_overwrite, require_suffix
from xltool.app.reports import county_row
from xltool.campaign.aggregate import aggregate as run_aggregate
from xltool.campaign.rollup import RollUp, write_rollup
from xltool.workbook.read import Return, read_return


@dataclass
class RollUpDone:
    """The totals (written as a summary book when asked) and the roll-up return (when asked)."""

    done: AggregateDone
    rollup: RollUp | None = None

    @property
    def ok(self) -> bool:
        return self.done.ok

    def to_dict(self) -> dict[str, Any]:
        out = self.done.to_dict()
        if self.rollup is not None:
            out["as_return"] = self.rollup.to_dict()
            if self.done.out == self.rollup.path:  # no summary book was asked for
                out["out"] = None
        return out


def roll_up(
    source: StatusSource, as_return: Path, out: Path | None = None, *, unit: str | None = None, force: bool = False
) -> RollUpDone:
    """The totals written as a return of the form to ``as_return`` (and as the summary book to
    ``out`` when given); ``unit``: the county government on the roster, whose return gives the
    roll-up its contact and texts."""
    require_suffix(as_return, (".xlsx",), "--as-return")
    refuse_overwrite([as_return, *([out] if out else [])], force)
    ov = overview(source)
    refuse_any_input(as_return, [(ov.inputs, "报表或名单")])
    done = sum_up(ov, out, force=force) if out else AggregateDone(run_aggregate(ov.status, ov.form), ov.status,
                                                                   ov.form, as_return)  # fmt: skip
    return RollUpDone(done, write_rollup(done.summed, ov.status, as_return, government=_government(ov, unit)))


def _government(ov: Overview, unit: str | None) -> Return | None:
    """The county government's current return, when its unit is named (XltoolError when it has none)."""
    if not unit:
        return None
    row = county_row(ov.status.rows, unit, ov.status.county)
    path = ov.status.path_of(row)
    return ov.status.returns.get(row.name) or (read_return(path, ov.form) if path else None)


def aggregate(
    source: StatusSource, out: Path | None, as_return: Path | None, *, unit: str | None = None, force: bool = False
) -> RollUpDone:
    """``xltool aggregate``: the summary book to ``out``, the roll-up return to ``as_return``, or both."""
    if as_return is not None:
        return roll_up(source, as_return, out, unit=unit, force=force)
    if out is None:
        raise UsageProblem("请用 -o 指定汇总表的文件名，或用 --as-return 指定汇总报表的文件名。", option="-o")
    return RollUpDone(summary_book(source, out, force=force))
