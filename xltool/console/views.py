"""The data of the console's board and unit pages, kept between views and made anew only when the
register has changed (issue 25: quick under load).

Reading the board from the files (every current return, every unmatched workbook) took 0.3 s alone
and grew with each junk file anyone could mail to the inbox; 200 colleagues' page loads then queued
for tens of seconds. Here a view costs one look at the register's change counter (``app.watch``:
SQLite's data_version, changed by every commit of a collect, a verify, a version decision, a
reply, in this process or another). The returns behind the board are content-addressed (a stored
path never changes its bytes), and the settings and the form are part of the key, so an unchanged
number means an unchanged board. Misses are made by one thread at a time: a burst of views after a
change computes the board once. Making it reads the register alone: the figures, unit types and
roll-up levels of the current versions and the units unmatched workbooks name are kept there when
they are collected and checked (campaign/facts.py), so a miss costs milliseconds whatever number
of files the inbox brought.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from xltool.app.codes import code_meanings
from xltool.app.reports import REPORTS_DIR, report_stem
from xltool.app.unit import UnitView, unit_view
from xltool.app.watch import RegisterChanges
from xltool.campaign.settings import Campaign
from xltool.campaign.status import StatusResult, campaign_status
from xltool.campaign.status_files import status_html
from xltool.form.model import Form

_T = TypeVar("_T")
# The unmatched workbooks the board lists (the last collected; the rest are counted): anyone who
# can mail the inbox can send a thousand, and the board must not grow with them.
BOARD_STRAYS = 50
CHARTS = re.compile(r'<section id="(?:by-state|applications)">.*?</section>', re.S)


@dataclass(frozen=True)
class Board:
    status: StatusResult
    charts: list[str]  # the status page's charts (by state, applications), as HTML
    meanings: dict[str, str]  # check code -> what it checks (the codes' tooltips)


@dataclass(frozen=True)
class UnitPage:
    view: UnitView
    meanings: dict[str, str]
    draft: tuple[Path, int] | None  # the reply draft's .eml and its mtime: edited outside the register
    stem: Path  # the unit's reports without their suffix: a report job writes them outside the register

    def reports(self) -> dict[str, Path]:
        """The unit's reports there are now (three stats, never a stale list after a report job)."""
        found = ((fmt, self.stem.with_name(f"{self.stem.name}.{fmt}")) for fmt in ("docx", "html", "pdf"))
        return {fmt: path for fmt, path in found if path.is_file()}


class Views:
    """The board and unit pages of one campaign folder, cached on the register's change counter."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._make = threading.Lock()  # one thread makes a missing board; the others wait and reuse it
        # one lock per unit page (never waiting for the board or for another unit's page): a page's
        # making waits on the register many times, and a single lock made a burst queue them all
        self._unit_locks: dict[str, threading.Lock] = {}
        self._unit_locks_lock = threading.Lock()
        self._form_lock = threading.Lock()
        self._changes = RegisterChanges(self.root)
        self._board: tuple[Any, Board] | None = None
        self._units: dict[str, tuple[Any, UnitPage]] = {}
        self._form: tuple[Any, Form, dict[str, str]] | None = None
        self.made = 0  # pages made (not reused): the tests' proof that a view read nothing (approximate count)

    def changes(self) -> int:
        """The register's change counter as this process sees it (other connections' commits)."""
        return self._changes.count()

    def close(self) -> None:
        self._changes.close()

    def board(self, campaign: Campaign) -> Board:
        key = (self.changes(), dt.date.today(), repr(campaign))
        return self._cached(lambda: self._board, key, lambda: self._make_board(campaign), self._set_board)

    def unit(self, campaign: Campaign, name: str) -> UnitPage:
        key = (self.changes(), dt.date.today(), repr(campaign))
        found = self._units.get(name)
        if found is not None and found[0] == key and not _draft_changed(found[1]):
            return found[1]
        with self._unit_lock(name):
            found = self._units.get(name)
            if found is not None and found[0] == key and not _draft_changed(found[1]):
                return found[1]
            page = self._make_unit(campaign, name)
            with self._unit_locks_lock:
                if len(self._units) > 2000:  # names come from URLs: never an unbounded cache
                    self._units.clear()
                self._units[name] = (key, page)
                self.made += 1
            return page

    def _unit_lock(self, name: str) -> threading.Lock:
        with self._unit_locks_lock:
            if len(self._unit_locks) > 2000:  # names come from URLs (a lock in use is kept by its holder)
                self._unit_locks.clear()
            return self._unit_locks.setdefault(name, threading.Lock())

    def _cached(self, get: Callable[[], tuple[Any, _T] | None], key: Any, make: Callable[[], _T],
                put: Callable[[Any, _T], None]) -> _T:  # fmt: skip
        found = get()
        if found is not None and found[0] == key:
            return found[1]
        with self._make:
            found = get()
            if found is not None and found[0] == key:
                return found[1]
            value = make()
            put(key, value)
            self.made += 1
            return value

    def _set_board(self, key: Any, board: Board) -> None:
        self._board = (key, board)

    def _form_of(self, campaign: Campaign) -> tuple[Form, dict[str, str]]:
        """The campaign's form and its codes' meanings, loaded again only when its file changed."""
        spec = campaign.root / campaign.form_spec if campaign.form_spec.lower().endswith(".toml") else None
        stat = spec.stat() if spec is not None and spec.is_file() else None
        key = (campaign.form_spec, stat.st_mtime_ns if stat else 0, stat.st_size if stat else 0)
        with self._form_lock:
            if self._form is None or self._form[0] != key:
                form = campaign.form()
                self._form = (key, form, code_meanings(form))
            return self._form[1], self._form[2]

    def _make_board(self, campaign: Campaign) -> Board:
        form, meanings = self._form_of(campaign)
        status = campaign_status(campaign, form=form, stray_limit=BOARD_STRAYS)
        return Board(status, CHARTS.findall(status_html(status)), meanings)

    def _make_unit(self, campaign: Campaign, name: str) -> UnitPage:
        form, meanings = self._form_of(campaign)
        view = unit_view(_with_form(campaign, form), name)
        draft = None
        if view.reply is not None and view.reply.eml_path:
            path = campaign.root / view.reply.eml_path
            draft = (path, _mtime(path))
        return UnitPage(
            view, meanings, draft, campaign.root / REPORTS_DIR / report_stem(campaign, form, view.unit.name)
        )


def _with_form(campaign: Campaign, form: Form) -> Campaign:
    """The campaign with its form already loaded (loading it is 90 % of a unit page's time)."""
    known = copy.copy(campaign)
    object.__setattr__(known, "form", lambda: form)  # an instance's attribute, before the class's method
    return known


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _draft_changed(page: UnitPage) -> bool:
    """The draft's text is saved in its .eml, not in the register: one stat tells."""
    return page.draft is not None and _mtime(page.draft[0]) != page.draft[1]
