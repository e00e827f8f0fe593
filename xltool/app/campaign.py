"""The campaign's use cases: init a folder, collect mail, draft replies, send them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xltool.app.forms import load_form_spec
from xltool.app.mail import MailSettings, MailSource, open_source, sender
from xltool.app.progress import SILENT, Progress
from xltool.app.templates import command_period
from xltool.campaign.collect import CollectResult
from xltool.campaign.collect import collect as run_collect
from xltool.campaign.prefill import uses_last_year
from xltool.campaign.reply import ReplyDraft, SendResult, draft_replies, pending_drafts, send_replies, write_drafts
from xltool.campaign.settings import Campaign, InitResult, init_campaign
from xltool.roster import lacking_county_warning, load_roster


@dataclass(frozen=True)
class InitOptions:
    folder: Path
    year: int | None
    roster: Path
    county: str = ""
    deadline: dt.date | None = None
    previous: Path | None = None
    from_addr: str = ""
    password: str = ""
    form_spec: str | None = None
    period: str = ""  # --period: for a form not collected yearly, "2025Q1"; a yearly form may give "2025"


@dataclass
class InitDone:
    """A new campaign folder; ``prefilled_shown``: last year's returns were asked for and the form uses
    them; ``warning``: units of the roster whose names lack the county's (said, not refused)."""

    made: InitResult
    prefilled_shown: bool
    warning: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {**self.made.to_dict(), "warning": self.warning}


def init(options: InitOptions, progress: Progress = SILENT) -> InitDone:
    """``xltool init``: the folder, its settings, the roster's copy, the register and every template."""

    o = options
    form = load_form_spec(o.form_spec)
    when = command_period(form, o.period, o.year)
    loaded = load_roster(o.roster, form.units)
    progress.total(len(loaded))
    made = init_campaign(o.folder, when.year, o.roster, form_spec=o.form_spec or "", county=o.county,
                         deadline=o.deadline, previous=o.previous, from_addr=o.from_addr, password=o.password,
                         progress=progress.step, period=when)  # fmt: skip
    shown = bool(o.previous) and uses_last_year(form)
    return InitDone(made, shown, lacking_county_warning(loaded, o.county) or "")


def collect(campaign: Campaign, source: MailSource, progress: Progress = SILENT) -> CollectResult:
    """``xltool collect``: every message of ``source`` into the register, each new version verified."""

    messages, name = open_source(source)
    progress.total(None)  # a mailbox's size is not known in advance
    return run_collect(campaign, messages, name, progress=lambda msg: progress.step(msg.subject))


@dataclass
class DraftDone:
    """The reply drafts written (``eml_path`` set), in ``folder``/replies."""

    folder: Path
    drafts: list[ReplyDraft] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"drafts": [_draft_dict(d) for d in self.drafts]}


def _draft_dict(d: ReplyDraft) -> dict[str, Any]:
    return {"unit": d.unit, "verdict": d.verdict, "to": d.to_addr, "eml": str(d.eml_path or ""), "manual": d.manual}


def draft(campaign: Campaign, from_addr: str = "", *, unit: str | None = None, option: str = "") -> DraftDone:
    """``xltool reply``: a draft for every current version not yet answered (or only ``unit``'s).
    ``from_addr`` overrides the campaign's sender; ``option`` names how to give one in the error."""

    address = sender(campaign, from_addr, option=option)
    with campaign.register() as reg:
        drafts = draft_replies(reg, campaign.root, campaign.form(), from_addr=address, county_name=campaign.county,
                               deadline=campaign.deadline, signature=campaign.reply_signature())  # fmt: skip
        drafts = [d for d in drafts if unit is None or d.unit == unit]
        return DraftDone(campaign.root, write_drafts(reg, campaign.root, drafts))


@dataclass
class SendDone:
    """What became of each pending draft (``pending``: how many there were to send)."""

    result: SendResult
    pending: int

    @property
    def ok(self) -> bool:
        """Nothing failed and nothing is in doubt (skipped drafts are not failures)."""
        return not (self.result.failed or self.result.unknown)

    def to_dict(self) -> dict[str, Any]:
        return self.result.to_dict()


def send(
    campaign: Campaign, settings: MailSettings, *, reply_id: int | None = None, cafile: Path | None = None,
    progress: Progress = SILENT,
) -> SendDone:  # fmt: skip
    """``xltool reply --send``: every draft not yet sent (or the one ``reply_id``), through SMTP."""

    s = settings
    with campaign.register() as reg:
        drafts = [d for d in pending_drafts(reg, campaign.root) if reply_id is None or d.reply_id == reply_id]
        if not drafts:
            return SendDone(SendResult(), 0)
        progress.total(len(drafts))
        result = send_replies(reg, drafts, s.host, s.smtp_port(), s.user or None, s.password or None, s.tls, cafile)
    return SendDone(result, len(drafts))
