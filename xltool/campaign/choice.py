"""Which version of a unit's return counts, and the clerk's three decisions on a version (use it,
void it, move it to the unit that really sent it), as the register keeps them.

The clerk decides, the tool proposes: a version held for review (待核实) never replaces another by
itself; a decision is one SQLite transaction (the version's new state and its row in ``actions``
together, or neither), is listed with its reason, and is undone by the next decision (use a voided
version again, move a version back, use another one).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from xltool.campaign.records import Action, Submission, UnitRecord
from xltool.errors import XltoolError

if TYPE_CHECKING:
    from typing import TypeVar

    _T = TypeVar("_T")

Pick = tuple[int, int]  # (the version the clerk chose, the last version recorded when it was chosen)


def choose_current(versions: Sequence[Submission], pick: Pick | None = None) -> Submission | None:
    """The version that counts among ``versions`` (one unit's): the clerk's pick, unless a version not
    held for review was collected after it; else the latest not held; else the latest held one (a
    unit's first version may be held: it counts, marked 待核实). Voided versions never count."""
    live = [s for s in versions if not s.voided]
    clear = [s for s in live if not s.held]
    chosen = next((s for s in live if pick and s.id == pick[0]), None)
    if chosen is not None and pick is not None:
        return _latest([s for s in clear if s.id > pick[1]]) or chosen
    return _latest(clear) or _latest(live)


def _latest(subs: Sequence[Submission]) -> Submission | None:
    return max(subs, key=lambda s: (s.received, s.id), default=None)


class VersionActions:
    """The register's part that records the clerk's decisions (mixed into Register)."""

    _db: sqlite3.Connection
    if TYPE_CHECKING:

        def transaction(self) -> AbstractContextManager[None]: ...
        def unit(self, ref: Any) -> UnitRecord: ...
        def versions(self, unit: Any) -> list[Submission]: ...
        def submission(self, id: int) -> Submission: ...
        def _all(self, cls: type[_T], sql: str, args: Any = ()) -> list[_T]: ...

    _ACTIONS = (
        "SELECT a.*, u.name AS unit_name, t.name AS to_unit_name FROM actions a "
        "JOIN units u ON u.id = a.unit_id LEFT JOIN units t ON t.id = a.to_unit_id"
    )

    def all_versions(self) -> dict[int, list[Submission]]:
        """Every unit's versions (by unit id, in version order): one query for a whole board, where
        asking unit by unit made hundreds (each a wait on SQLite while pages are served)."""
        out: dict[int, list[Submission]] = {}
        sql = (
            "SELECT s.*, u.name AS unit_name FROM submissions s JOIN units u ON u.id = s.unit_id ORDER BY s.version_no"
        )
        for sub in self._all(Submission, sql):
            out.setdefault(sub.unit_id, []).append(sub)
        return out

    def currents(self, versions: dict[int, list[Submission]] | None = None) -> dict[int, Submission | None]:
        """Every unit's current version (by unit id; ``versions``: ``all_versions()`` when known), as
        ``current`` says it for one unit."""
        versions = self.all_versions() if versions is None else versions
        picks: dict[int, Pick] = {}
        rows = self._db.execute(
            "SELECT s.unit_id, a.submission_id, a.seen FROM actions a JOIN submissions s ON s.id = a.submission_id "
            "WHERE a.action = 'use' AND s.voided = 0 ORDER BY a.id"
        )
        for unit_id, sub_id, seen in rows:  # the latest pick of each unit wins
            picks[int(unit_id)] = (int(sub_id), int(seen))
        return {unit_id: choose_current(subs, picks.get(unit_id)) for unit_id, subs in versions.items()}

    def pick(self, unit_id: int) -> Pick | None:
        """The clerk's latest pick of a version still the unit's and not voided."""
        row = self._db.execute(
            "SELECT a.submission_id, a.seen FROM actions a JOIN submissions s ON s.id = a.submission_id "
            "WHERE a.action = 'use' AND s.unit_id = ? AND s.voided = 0 ORDER BY a.id DESC LIMIT 1",
            (unit_id,),
        ).fetchone()
        return (int(row[0]), int(row[1])) if row else None

    def actions(self, unit: Any = None) -> list[Action]:
        """Every decision (on ``unit``'s versions, or moves to it), oldest first."""
        if unit is None:
            return self._all(Action, f"{self._ACTIONS} ORDER BY a.id")
        uid = self.unit(unit).id
        sql = f"{self._ACTIONS} WHERE a.unit_id = ? OR a.to_unit_id = ? ORDER BY a.id"
        return self._all(Action, sql, (uid, uid))

    def version(self, unit: Any, number: int) -> Submission:
        """Version ``number`` of ``unit``; XltoolError naming the versions there are."""
        subs = self.versions(unit)
        found = next((s for s in subs if s.version_no == number), None)
        if found is None:
            have = "、".join(str(s.version_no) for s in subs) or "无"
            raise XltoolError(f"{self.unit(unit).name}没有第 {number} 版（现有版本：{have}）。")
        return found

    def same_file_units(self, sha256: str, unit_id: int) -> list[str]:
        """Other units that sent these very bytes (the same file from two units is held for review)."""
        rows = self._db.execute(
            "SELECT DISTINCT u.name FROM submissions s JOIN units u ON u.id = s.unit_id "
            "WHERE s.sha256 = ? AND s.unit_id != ? ORDER BY u.id",
            (sha256, unit_id),
        )
        return [str(r[0]) for r in rows]

    def use_version(self, unit: Any, number: int, reason: str) -> Action:
        """Make version ``number`` current (confirmed, and no longer voided)."""
        with self.transaction():
            sub = self.version(unit, number)
            self._db.execute("UPDATE submissions SET voided = 0, confirmed = 1 WHERE id = ?", (sub.id,))
            return self._record("use", sub, reason)

    def void_version(self, unit: Any, number: int, reason: str) -> Action:
        """Set version ``number`` aside: kept, listed, never current (``use_version`` takes it back)."""
        with self.transaction():
            sub = self.version(unit, number)
            self._db.execute("UPDATE submissions SET voided = 1 WHERE id = ?", (sub.id,))
            return self._record("void", sub, reason)

    def move_version(self, unit: Any, number: int, to: Any, reason: str, stored_path: str) -> Action:
        """Give version ``number`` to the unit ``to`` (its next version there, stored at
        ``stored_path``, which the caller has written first)."""
        with self.transaction():
            sub, target = self.version(unit, number), self.unit(to)
            if target.id == sub.unit_id:
                raise XltoolError(f"第 {number} 版已经是{target.name}的。")
            twin = next((s for s in self.versions(target.id) if s.sha256 == sub.sha256), None)
            if twin is not None:
                raise XltoolError(f"{target.name}已有同一个文件（第 {twin.version_no} 版），不能再移交。")
            new_no = 1 + max((s.version_no for s in self.versions(target.id)), default=0)
            self._db.execute(
                "UPDATE submissions SET unit_id = ?, version_no = ?, stored_path = ?, confirmed = 1 WHERE id = ?",
                (target.id, new_no, stored_path, sub.id),
            )
            self._db.execute("UPDATE attachments SET unit_id = ? WHERE id = ?", (target.id, sub.attachment_id))
            return self._record("move", sub, reason, target.id, new_no)

    def _record(
        self, action: str, sub: Submission, reason: str, to: int | None = None, to_no: int | None = None
    ) -> Action:
        """The decision's row, the last statement of its transaction."""
        if not reason.strip():
            raise XltoolError("请写明理由（--reason），它会记入登记簿。")
        seen = int(self._db.execute("SELECT COALESCE(MAX(id), 0) FROM submissions").fetchone()[0])
        cur = self._db.execute(
            "INSERT INTO actions (at, action, submission_id, unit_id, version_no, to_unit_id, to_version_no, reason,"
            " seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                datetime.now(UTC).isoformat(timespec="seconds"),
                action,
                sub.id,
                sub.unit_id,
                sub.version_no,
                to,
                to_no,
                reason.strip(),
                seen,
            ),
        )
        return self._all(Action, f"{self._ACTIONS} WHERE a.id = ?", (cur.lastrowid,))[0]
