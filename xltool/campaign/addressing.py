"""Whom a reply answers: the unit whose address sent the version (greeted by name), and what a unit
that filled in another unit's template is told (to fill in its own, attached)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from xltool.campaign.collect import unit_of_address, workbook_unit
from xltool.campaign.register import Register, Submission
from xltool.campaign.settings import TEMPLATES, load_campaign
from xltool.errors import XltoolError
from xltool.form.model import Form
from xltool.workbook.filenames import template_filename


def sender_unit_name(register: Register, sender: str, fallback: str) -> str:
    """The roster unit whose address sent the version (the reply greets it), else ``fallback``."""
    found = unit_of_address(register.units(), sender)
    return found.name if found is not None else fallback


def wrong_template(campaign_dir: Path, sub: Submission, unit: str) -> str:
    """The other unit whose template this version was filled in ("" when it is the unit's own)."""
    path = Path(campaign_dir) / sub.stored_path
    named = workbook_unit(path.read_bytes()) if path.is_file() else ""
    return named if named and _key(named) != _key(unit) else ""


def own_template(campaign_dir: Path, form: Form, unit: str) -> Path | None:
    """The unit's own template in the campaign's templates/ (None when there is none)."""
    try:
        when = load_campaign(Path(campaign_dir)).when
    except XltoolError:
        return None
    path = Path(campaign_dir) / TEMPLATES / template_filename(form, unit, when)
    return path if path.is_file() else None


def with_wrong_template(body: str, used: str, template_name: str) -> str:
    """The reply's text with, after the greeting, what to do about another unit's template."""
    greeting, _, rest = body.partition("\n\n")
    attached = f"（附件“{template_name}”）" if template_name else "（可向我办索取）"
    words = (
        f"贵单位报送的文件用的是{used}的模板，不能在这个文件上修改。"
        f"请用本单位的模板重新填写{attached}，填好后以附件形式回复本邮件重新报送。"
    )
    return f"{greeting}\n\n{words}\n\n{rest}"


def _key(name: str) -> str:
    """Names compared as collect compares them: without width, case or spaces."""
    return "".join(unicodedata.normalize("NFKC", name).lower().split())
