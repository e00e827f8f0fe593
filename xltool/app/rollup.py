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
from xltool.campaign.settings import default_signature
from xltool.campaign.status import UnitRow
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
    roll-up its contact and texts (None: the unit the campaign's replies are signed by, if any)."""
    require_suffix(as_return, (".xlsx",), "--as-return")
    refuse_overwrite([as_return, *([out] if out else [])], force)
    ov = overview(source)
    refuse_any_input(as_return, [(ov.inputs, "报表或名单")])
    done = sum_up(ov, out, force=force) if out else AggregateDone(run_aggregate(ov.status, ov.form), ov.status,
                                                                   ov.form, as_return)  # fmt: skip
    row = _office(ov, unit)
    government = _current(ov, row) if row is not None else None
    rolled = write_rollup(done.summed, ov.status, as_return, government=government, office=row.name if row else "")
    return RollUpDone(done, rolled)


def _office(ov: Overview, unit: str | None) -> UnitRow | None:
    """The roster's row of the county government: the unit named (XltoolError when the roster has no
    such unit), else the unit the campaign's replies are signed by ([mail] signature, or the form's
    reply_signature for the county: 桐柏县人民政府办公室 for “桐柏县人民政府办公室（政务公开办）”);
    None when no unit of the roster is so named."""
    if unit:
        return county_row(ov.status.rows, unit, ov.status.county)
    county = ov.status.county
    signature = ov.campaign.reply_signature() if ov.campaign else default_signature(county, ov.form)
    signed = "".join(signature.split())
    named = [r for r in ov.status.rows if _signs(signed, "".join(r.name.split()))]
    return max(named, key=lambda r: len(r.name), default=None)


def _signs(signature: str, name: str) -> bool:
    """Whether ``signature`` is the unit ``name``, alone or followed by another name in brackets."""
    return bool(name) and signature.startswith(name) and signature[len(name) : len(name) + 1] in ("", "（", "(")


def _current(ov: Overview, row: UnitRow) -> Return | None:
    """The county government's current return (None when it has sent none)."""
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
