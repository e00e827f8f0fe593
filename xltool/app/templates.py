"""``xltool template``: the locked template of one unit, or of every unit of a roster."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xltool.app.errors import UsageProblem
from xltool.app.policy import refuse_overwrite, require_suffix
from xltool.app.progress import SILENT, Progress
from xltool.form.model import Form
from xltool.form.period import Period, PeriodError, as_period, period_for
from xltool.roster import lacking_county_warning, load_roster


@dataclass
class TemplateDone:
    """Templates written: ``path`` and ``unit_type`` of one unit's, or how many of a roster's in ``path``
    (a folder); ``warning``: roster names lacking the county's."""

    path: Path
    units: int
    unit_type: str = ""
    warning: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "units": self.units, "unit_type": self.unit_type, "warning": self.warning}


def command_period(form: Form, period: str | None, year: int | None) -> Period:
    """The period a command works on, from its --period and --year, for the form's [form] period:
    a usage error (exit 2) saying what to type when they do not fit the form."""
    try:
        return period_for(form.period, period, year)
    except PeriodError as err:
        raise UsageProblem(str(err), option="--period" if period else None) from None  # missing: no option to blame


def unit_template(
    form: Form, unit: str, unit_type: str, year: int | Period, out: Path, *, password: str = "", force: bool = False
) -> TemplateDone:
    """One unit's template for a year or period at ``out`` (a file, or named for the unit in the folder ``out``)."""
    from xltool.workbook.write import UnitInfo, template_filename, write_template

    when = as_period(year)
    target = out / template_filename(form, unit, when) if out.is_dir() else out
    require_suffix(target, (".xlsx",), "-o")
    refuse_overwrite([target], force)
    info = UnitInfo(unit.strip(), unit_type or form.units.guess_type(unit), when.year, None if when.yearly else when)
    result = write_template(form, info, target, password=password)
    return TemplateDone(result.path, 1, info.unit_type)


def roster_templates(
    form: Form, roster: Path, year: int | Period, out: Path, *, password: str = "", force: bool = False, county: str = "",
    progress: Progress = SILENT,
) -> TemplateDone:  # fmt: skip
    """Every roster unit's template in the folder ``out``; none is written when any exists already."""
    from xltool.workbook.write import template_filename, write_roster_templates

    loaded = load_roster(roster, form.units)
    units = list(loaded)
    if out.exists() and not out.is_dir():
        raise UsageProblem(f"使用 --roster 时 -o 应为文件夹：{out}", option="-o")
    when = as_period(year)
    refuse_overwrite([out / template_filename(form, u.name, when) for u in units], force)
    progress.total(len(units))
    write_roster_templates(form, units, out, when.year, password=password, progress=progress.step,
                           period=None if when.yearly else when)  # fmt: skip
    return TemplateDone(out, len(units), warning=lacking_county_warning(loaded, county) or "")
