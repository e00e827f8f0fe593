"""The facts the register keeps so that the board, the unit pages and the peer checks never read a
file again (issue 25: a view's time must not grow with the files anyone can mail in).

Per checked version (table ``facts``, written with its verdict: verify has read the return anyway):
the numbers the county's views watch (``checks.outliers.figure_keys``: the peer and history rules'
fields, the applications received), the unit type the return reports and the warnings its 情况说明
explains. Per workbook attachment (``attachments.named``): the unit its ``_meta`` names, which collect
reads when matching. A register made by an older xltool has neither for what it collected then
(NULL, no row): status reads those files as before, and the next collect fills them in.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xltool.campaign.records import Submission
from xltool.checks.verify import Facts

if TYPE_CHECKING:
    from typing import TypeVar

    _T = TypeVar("_T")

# Version 3 of the register's schema (appended to register.MIGRATIONS).
V3 = (
    """CREATE TABLE facts (
        submission_id INTEGER PRIMARY KEY REFERENCES submissions(id), unit_type TEXT NOT NULL DEFAULT '',
        figures_json TEXT NOT NULL, explained_json TEXT NOT NULL DEFAULT '{}', keys_json TEXT NOT NULL DEFAULT '[]',
        level TEXT NOT NULL DEFAULT '', sums INTEGER NOT NULL DEFAULT 0)""",
    "ALTER TABLE attachments ADD COLUMN named TEXT",  # NULL: not read when collected (an older register)
)


@dataclass(frozen=True)
class StrayRow:
    """An unmatched workbook with what the board says of it (one query, no file read)."""

    attachment_id: int
    stored_path: str | None
    safe_name: str
    flag: str | None
    named: str | None  # None: not recorded (a register of an older xltool)
    sender: str
    received: str


class StoredFacts:
    """The register's part that keeps the facts (mixed into Register)."""

    _db: sqlite3.Connection
    if TYPE_CHECKING:

        def transaction(self) -> AbstractContextManager[None]: ...
        def _all(self, cls: type[_T], sql: str, args: Any = ()) -> list[_T]: ...

    def set_facts(self, submission_id: int, facts: Facts) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (submission_id) DO UPDATE SET "
                "unit_type = excluded.unit_type, figures_json = excluded.figures_json, "
                "explained_json = excluded.explained_json, keys_json = excluded.keys_json, "
                "level = excluded.level, sums = excluded.sums",
                (
                    submission_id,
                    facts.unit_type,
                    json.dumps(facts.figures, sort_keys=True),  # the same register whatever the run
                    json.dumps(facts.explained, ensure_ascii=False, sort_keys=True),
                    json.dumps(sorted(facts.keys)),
                    facts.level,
                    facts.sums,
                ),
            )

    def facts(self, submission_ids: Iterable[int] | None = None) -> dict[int, Facts]:
        """The facts kept of these versions (all when None); a version without any is left out."""
        rows = self._db.execute("SELECT * FROM facts")
        wanted = None if submission_ids is None else set(submission_ids)
        return {
            int(r["submission_id"]): Facts(
                json.loads(r["figures_json"]),
                r["unit_type"],
                json.loads(r["explained_json"]),
                frozenset(json.loads(r["keys_json"])),
                r["level"],
                r["sums"],
            )
            for r in rows
            if wanted is None or r["submission_id"] in wanted
        }

    _NO_FACTS = (
        "FROM submissions s JOIN units u ON u.id = s.unit_id WHERE s.id IN (SELECT submission_id FROM verdicts) "
        "AND s.id NOT IN (SELECT submission_id FROM facts)"
    )
    _NO_NAME = "FROM attachments WHERE unit_id IS NULL AND kind = 'workbook' AND named IS NULL"

    def versions_without_facts(self) -> list[Submission]:
        """Versions checked by an older xltool (a verdict, no facts)."""
        return self._all(Submission, f"SELECT s.*, u.name AS unit_name {self._NO_FACTS} ORDER BY s.id")

    def lacks_facts(self) -> bool:
        """Whether a verdict lacks its facts or an unmatched workbook the unit it names."""
        found = self._db.execute(f"SELECT EXISTS (SELECT 1 {self._NO_FACTS}) OR EXISTS (SELECT 1 {self._NO_NAME})")
        return bool(found.fetchone()[0])

    def set_named(self, attachment_id: int, named: str) -> None:
        with self.transaction():
            self._db.execute("UPDATE attachments SET named = ? WHERE id = ?", (named, attachment_id))

    def stray_rows(self, limit: int | None = None) -> tuple[list[StrayRow], int]:
        """Workbooks tied to no unit, with their message's sender and time, in the order collected
        (only the last ``limit`` collected when given); and how many there are in all."""
        where = (
            "FROM attachments a JOIN messages m ON m.id = a.message_id WHERE a.unit_id IS NULL AND a.kind = 'workbook'"
        )
        rows = self._db.execute(
            "SELECT a.id, a.stored_path, a.safe_name, a.flag, a.named, m.sender, "
            f"COALESCE(NULLIF(m.date, ''), m.received_at) {where} ORDER BY a.id DESC LIMIT ?",
            (-1 if limit is None else limit,),
        )
        found = [StrayRow(*r) for r in rows][::-1]
        if limit is None or len(found) < limit:
            return found, len(found)
        return found, int(self._db.execute(f"SELECT COUNT(*) {where}").fetchone()[0])
