"""``xltool template``: the locked template of one unit, or of every unit of a roster."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xltool.app.errors import UsageProblem
from xltool.app.policy import refuse_overwrite, require_suffix
from xltool.app.progress import SILENT, Progress
from xltool.form.model import Form
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


def unit_template(
    form: Form, unit: str, unit_type: str, year: int, out: Path, *, password: str = "", force: bool = False
) -> TemplateDone:
    """One unit's template at ``out`` (a file, or named for the unit in the folder ``out``)."""
    from xltool.workbook.write import UnitInfo, template_filename, write_template

    target = out / template_filename(form, unit, year) if out.is_dir() else out
    require_suffix(target, (".xlsx",), "-o")
    refuse_overwrite([target], force)
    info = UnitInfo(unit.strip(), unit_type or form.units.guess_type(unit), year)
    result = write_template(form, info, target, password=password)
    return TemplateDone(result.path, 1, info.unit_type)


def roster_templates(
    form: Form, roster: Path, year: int, out: Path, *, password: str = "", force: bool = False, county: str = "",
    progress: Progress = SILENT,
) -> TemplateDone:  # fmt: skip
    """Every roster unit's template in the folder ``out``; none is written when any exists already."""
    from xltool.workbook.write import template_filename, write_roster_templates

    loaded = load_roster(roster, form.units)
    units = list(loaded)
    if out.exists() and not out.is_dir():
        raise UsageProblem(f"使用 --roster 时 -o 应为文件夹：{out}", option="-o")
    refuse_overwrite([out / template_filename(form, u.name, year) for u in units], force)
    progress.total(len(units))
    write_roster_templates(form, units, out, year, password=password, progress=progress.step)
    return TemplateDone(out, len(units), warning=lacking_county_warning(loaded, county) or "")
