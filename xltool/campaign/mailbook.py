"""The register's record of the notices and reminders mailed to the units (``xltool distribute``,
``xltool remind``): one row per unit, kind and the state the mail answers, so that the same mail is
never sent twice for the same state while a unit whose state changed is reminded again.

The table lives in the register's file, beside the replies, and is made (``create_table``) whenever
the register opens. ``Mailbook`` keeps its own connection to that file: a mail is claimed before it
is handed to the server and marked sent only when the server took it, as the replies are.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MAILING_KINDS = {"distribute": "下发通知", "remind": "催报"}
_TABLE = """CREATE TABLE IF NOT EXISTS mailings (
    id INTEGER PRIMARY KEY, unit_id INTEGER NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL CHECK (kind IN ('distribute', 'remind')), state TEXT NOT NULL,
    to_addr TEXT NOT NULL DEFAULT '', subject TEXT NOT NULL DEFAULT '', eml_path TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'sending', 'sent', 'failed')),
    server_answer TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, sent_at TEXT, UNIQUE (unit_id, kind, state))"""


def create_table(db: sqlite3.Connection) -> None:
    """Called when the register opens: a register of an older xltool gains the table, nothing else."""
    db.execute(_TABLE)


@dataclass(frozen=True)
class Mailing:
    id: int
    unit_id: int
    kind: str  # "distribute" | "remind"
    state: str  # what it answers: "notice", "missing", "missing:overdue", "fix:2", "review:2"
    to_addr: str  # "" when the unit has no address: a person sends it (需人工通知)
    subject: str
    eml_path: str  # relative to the campaign folder
    status: str  # "draft" | "sending" | "sent" | "failed"
    server_answer: str
    attempts: int
    created_at: str
    sent_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


class Mailbook:
    """The mailings table of the register at ``path`` (open it after the register: it made the table)."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, timeout=10, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA busy_timeout = 10000")
        self._db.execute("PRAGMA foreign_keys = ON")
        create_table(self._db)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Mailbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _all(self, sql: str, args: tuple[Any, ...] = ()) -> list[Mailing]:
        names = [f.name for f in fields(Mailing)]
        return [Mailing(**{n: row[n] for n in names}) for row in self._db.execute(sql, args)]

    def find(self, unit_id: int, kind: str, state: str) -> Mailing | None:
        found = self._all("SELECT * FROM mailings WHERE unit_id = ? AND kind = ? AND state = ?", (unit_id, kind, state))
        return found[0] if found else None

    def get(self, id: int) -> Mailing:
        found = self._all("SELECT * FROM mailings WHERE id = ?", (id,))
        if not found:
            raise KeyError(id)
        return found[0]

    def add(self, unit_id: int, kind: str, state: str, *, to_addr: str, subject: str, eml_path: str) -> Mailing | None:
        """Record a draft; None when this unit already has a mail of this kind for this state."""
        cur = self._db.execute(
            "INSERT INTO mailings (unit_id, kind, state, to_addr, subject, eml_path, status, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 'draft', ?) ON CONFLICT (unit_id, kind, state) DO NOTHING",
            (unit_id, kind, state, to_addr, subject, eml_path, _now()),
        )
        return self.get(int(cur.lastrowid or 0)) if cur.rowcount else None

    def mailings(self, kind: str | None = None, *statuses: str) -> list[Mailing]:
        sql, args = "SELECT * FROM mailings WHERE 1", []
        if kind:
            sql, args = sql + " AND kind = ?", [kind]
        if statuses:
            sql += f" AND status IN ({', '.join('?' * len(statuses))})"
        return self._all(sql + " ORDER BY id", (*args, *statuses))

    def claim(self, id: int) -> bool:
        """A draft (or failed) mail with an address marked as being sent; False when it was sent or
        claimed already. Left "sending" by a kill: never sent again by itself (at most once)."""
        cur = self._db.execute(
            "UPDATE mailings SET status = 'sending', attempts = attempts + 1 "
            "WHERE id = ? AND status IN ('draft', 'failed') AND to_addr != ''",
            (id,),
        )
        return cur.rowcount == 1

    def mark_sent(self, id: int, answer: str) -> None:
        self._db.execute(
            "UPDATE mailings SET status = 'sent', server_answer = ?, sent_at = ? WHERE id = ?", (answer, _now(), id)
        )

    def mark_failed(self, id: int, answer: str) -> None:
        self._db.execute(
            "UPDATE mailings SET status = 'failed', server_answer = ? WHERE id = ? AND status != 'sent'", (answer, id)
        )

    def mark_unknown(self, id: int, answer: str) -> None:
        self._db.execute("UPDATE mailings SET server_answer = ? WHERE id = ? AND status = 'sending'", (answer, id))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
