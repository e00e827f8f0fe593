"""The unit in a URL owns what the request names: another unit's reply or version is not found here.

A page of unit A can only act on A's objects, so a forged request (or a stale tab after a version was
moved) never edits, sends or annotates another unit's draft or return.
"""

from __future__ import annotations

from pathlib import Path

from werkzeug.exceptions import NotFound

from xltool.app.unit import ANNOTATED_DIR
from xltool.campaign.records import Reply, Submission, UnitRecord
from xltool.campaign.register import Register
from xltool.campaign.settings import Campaign
from xltool.checks.problem_files import ANNOTATED_SUFFIX
from xltool.errors import XltoolError
from xltool.roster import safe_filename


class NotTheUnits(NotFound):
    """The object is not the unit's (or does not exist): one answer, so ids cannot be probed."""


def _unit(reg: Register, name: str) -> UnitRecord:
    try:
        return reg.unit(name)
    except XltoolError:
        raise NotTheUnits(f"登记簿中没有单位“{name}”。") from None


def owned_reply(campaign: Campaign, unit: str, reply_id: int) -> Reply:
    """The reply ``reply_id`` when it answers a version of ``unit``; else 404."""
    with campaign.register() as reg:
        owner = _unit(reg, unit)
        try:
            reply = reg.reply(reply_id)
            sub = reg.submission(reply.submission_id)
        except KeyError:
            sub = None
    if sub is None or sub.unit_id != owner.id:
        raise NotTheUnits(f"“{unit}”没有这封回复（编号 {reply_id}）。请回到该单位的页面刷新后重试。")
    return reply


def owned_submission(campaign: Campaign, unit: str, submission_id: int) -> tuple[Submission, UnitRecord]:
    """The version ``submission_id`` when it is ``unit``'s; else 404."""
    with campaign.register() as reg:
        owner = _unit(reg, unit)
        try:
            sub = reg.submission(submission_id)
        except KeyError:
            sub = None
    if sub is None or sub.unit_id != owner.id:
        raise NotTheUnits(f"“{unit}”没有这个版本（编号 {submission_id}）。请回到该单位的页面刷新后重试。")
    return sub, owner


def annotated_path(campaign: Campaign, sub: Submission, unit: UnitRecord) -> tuple[Path, str]:
    """Where ``app.unit.annotated_copy`` writes the version's annotated copy, and its download name."""
    folder = campaign.root / ANNOTATED_DIR / unit.file_stem / f"v{sub.version_no}"
    path = folder / f"{safe_filename(Path(sub.stored_path).stem)}{ANNOTATED_SUFFIX}"
    return path, f"{unit.file_stem}_第{sub.version_no}版{ANNOTATED_SUFFIX}"
