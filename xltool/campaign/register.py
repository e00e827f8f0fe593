"""The campaign register: one SQLite file (``<campaign>/register.sqlite``) that records every message
collected, every attachment, every version of every unit's return, its verdict and every reply.

Files come first, records second: a return or a raw message is written (atomically, at a path named
by its content) before the message is recorded, and a message is recorded with its attachments and
submissions in one transaction. A kill at any moment leaves either the whole message recorded or none
of it; a file the register does not know is harmless, and a rerun finds it at the same path and
reuses it. The register never loses a version: the current one is chosen explicitly (the clerk's
pick, else the latest ``received`` not held for review: see ``choice``), every decision of the clerk
is a row of ``actions``, and a reply is sent at most once for a verdict of a version.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import fields
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar

from xltool.campaign.choice import VersionActions, choose_current
from xltool.campaign.facts import V3, StoredFacts
from xltool.campaign.mailbook import create_table as create_mailings_table
from xltool.campaign.records import (  # the records live there; imported from here too
    REPLY_STATUSES,  # noqa: F401
    STANDING_ZH,  # noqa: F401
    STATE_ZH,  # noqa: F401
    VERDICT_ZH,  # noqa: F401
    Action,  # noqa: F401
    Attachment,
    HasName,
    HasUnitFields,
    Message,
    Reply,
    Submission,
    Summary,
    UnitRecord,
    UnitStatus,
    Verdict,
)
from xltool.checks.verify import Facts
from xltool.errors import XltoolError
from xltool.outputs import write_output
from xltool.roster import safe_filename

REGISTER_FILE = "register.sqlite"
APPLICATION_ID = 0x786C7431  # "xlt1": marks the file as an xltool register
MATCHES = ("meta", "sender", "filename", "none")  # how an attachment was tied to its unit
_V1 = (
    """CREATE TABLE units (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, unit_type TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '', contact TEXT NOT NULL DEFAULT '', file_stem TEXT NOT NULL)""",
    """CREATE TABLE messages (
        id INTEGER PRIMARY KEY, message_id TEXT UNIQUE, sha256 TEXT NOT NULL UNIQUE,
        sender TEXT NOT NULL DEFAULT '', sender_name TEXT NOT NULL DEFAULT '', subject TEXT NOT NULL DEFAULT '',
        date TEXT, refs TEXT NOT NULL DEFAULT '', received_at TEXT NOT NULL, source TEXT NOT NULL DEFAULT '',
        raw_path TEXT, note TEXT NOT NULL DEFAULT '')""",
    """CREATE TABLE attachments (
        id INTEGER PRIMARY KEY, message_id INTEGER NOT NULL REFERENCES messages(id),
        name TEXT NOT NULL DEFAULT '', safe_name TEXT NOT NULL, sha256 TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT '', what TEXT NOT NULL DEFAULT '', via TEXT NOT NULL DEFAULT '',
        stored_path TEXT, unit_id INTEGER REFERENCES units(id),
        match TEXT NOT NULL DEFAULT 'none' CHECK (match IN ('meta', 'sender', 'filename', 'none')),
        flag TEXT, UNIQUE (message_id, safe_name, sha256))""",
    "CREATE INDEX attachments_unit ON attachments(unit_id)",
    """CREATE TABLE submissions (
        id INTEGER PRIMARY KEY, unit_id INTEGER NOT NULL REFERENCES units(id),
        attachment_id INTEGER NOT NULL REFERENCES attachments(id), sha256 TEXT NOT NULL,
        received TEXT NOT NULL, stored_path TEXT NOT NULL, version_no INTEGER NOT NULL,
        UNIQUE (unit_id, sha256), UNIQUE (unit_id, version_no))""",
    """CREATE TABLE verdicts (
        submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
        verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'warn', 'fix')),
        errors INTEGER NOT NULL, warnings INTEGER NOT NULL, problems_json TEXT NOT NULL,
        checked_at TEXT NOT NULL, form_id TEXT NOT NULL DEFAULT '', form_version TEXT NOT NULL DEFAULT '')""",
    """CREATE TABLE replies (
        id INTEGER PRIMARY KEY, submission_id INTEGER NOT NULL REFERENCES submissions(id),
        verdict TEXT NOT NULL, to_addr TEXT NOT NULL DEFAULT '', subject TEXT NOT NULL DEFAULT '', eml_path TEXT,
        status TEXT NOT NULL CHECK (status IN ('draft', 'sending', 'sent', 'failed')),
        server_answer TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL, sent_at TEXT, UNIQUE (submission_id, verdict))""",
)
# Version 2: the clerk's control of versions. ``review``: why collect held a version for review (待核实),
# "" when it did not; ``confirmed``: the clerk chose it since; ``voided``: set aside (kept, never deleted).
# Every decision is a row of ``actions`` (``seen``: the last version recorded when it was taken, so
# that a version collected later still takes over from the clerk's pick).
_V2 = (
    "ALTER TABLE submissions ADD COLUMN review TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE submissions ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE submissions ADD COLUMN voided INTEGER NOT NULL DEFAULT 0",
    """CREATE TABLE actions (
        id INTEGER PRIMARY KEY, at TEXT NOT NULL, action TEXT NOT NULL CHECK (action IN ('use', 'void', 'move')),
        submission_id INTEGER NOT NULL REFERENCES submissions(id), unit_id INTEGER NOT NULL REFERENCES units(id),
        version_no INTEGER NOT NULL, to_unit_id INTEGER REFERENCES units(id), to_version_no INTEGER,
        reason TEXT NOT NULL, seen INTEGER NOT NULL)""",
    "CREATE INDEX actions_submission ON actions(submission_id)",
)
# In order; migration i brings a register from user_version i to i + 1. Never edit a shipped one: append.
# Version 3: the facts the board and the peer checks need, kept so that no view reads a file (facts.py).
MIGRATIONS: list[tuple[str, ...]] = [_V1, _V2, V3]

UnitRef = str | int | HasName  # a unit by name, by register id, or any object with .name (roster Unit, UnitRecord)
_T = TypeVar("_T")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def iso_time(value: str | datetime) -> str:
    """A time as ISO 8601 in UTC (text that sorts in time order): a datetime, ISO text or an RFC 5322
    Date header. A time without zone is local time. ValueError when it is none of these."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            value = parsedate_to_datetime(text)  # raises ValueError on garbage
    return value.astimezone(UTC).isoformat(timespec="seconds")


def verdict_key(errors: int, warnings: int) -> str:
    """The verdict (a key of VERDICT_ZH) of a return with these many problems of each severity."""
    return "fix" if errors else "warn" if warnings else "pass"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def return_path(file_stem: str, sha256: str, suffix: str = ".xlsx") -> str:
    """Where a unit's return is kept: same content, same path."""
    return f"returns/{safe_filename(file_stem)}/{sha256[:12]}{suffix.lower()}"


def mail_path(sha256: str) -> str:
    return f"mail/{sha256[:16]}.eml"


def store_bytes(root: Path, relpath: str, data: bytes) -> Path:
    """Write ``data`` at ``root/relpath`` atomically, or reuse the file there when it already holds
    exactly these bytes (a rerun after a kill). Content-addressed paths make a different content
    there a damaged file, which is replaced."""
    path = Path(root) / relpath
    if path.is_file() and not path.is_symlink() and sha256_of(path.read_bytes()) == sha256_of(data):
        return path
    return write_output(path, lambda tmp: tmp.write_bytes(data), replace=path.exists())


class Register(VersionActions, StoredFacts):
    """The campaign's register; open with ``Register.open(path)``, use as a context manager."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db, self.path, self._depth = db, path, 0
        self.root = path.parent  # the campaign folder: stored paths are relative to it

    # --- opening -----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, *, create: bool = True) -> Register:
        """Open the register at ``path`` (creating it unless ``create`` is False) and bring its schema
        up to date."""
        path = Path(path)
        if not create and not path.is_file():
            raise XltoolError(f"找不到登记簿：{path}。请检查收集文件夹是否选对。")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=10, isolation_level=None)
        except (OSError, sqlite3.Error) as err:
            raise XltoolError(f"无法打开登记簿 {path}：{err}") from None
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA busy_timeout = 10000")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA journal_mode = WAL")  # stays "delete" where WAL cannot work (some network shares)
            cls._migrate(db, path)
            create_mailings_table(db)  # the notices and reminders sent (campaign/mailbook.py)
        except sqlite3.DatabaseError as err:
            db.close()
            raise XltoolError(f"{path} 不是可用的登记簿（{err}）。请检查是否选错了文件。") from None
        except BaseException:
            db.close()
            raise
        return cls(db, path)

    @classmethod
    def for_campaign(cls, campaign_dir: Path | str, *, create: bool = True) -> Register:
        return cls.open(Path(campaign_dir) / REGISTER_FILE, create=create)

    @staticmethod
    def _migrate(db: sqlite3.Connection, path: Path) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version == len(MIGRATIONS) and db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID:
            return  # up to date: no write lock taken (a page, a status or a job's read opens it often)
        db.execute("BEGIN IMMEDIATE")
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            app = db.execute("PRAGMA application_id").fetchone()[0]
            if version > len(MIGRATIONS):
                raise XltoolError(
                    f"登记簿 {path} 由更新版本的 xltool 建立（结构版本 {version}，"
                    f"本程序只认识到版本 {len(MIGRATIONS)}）。请升级 xltool 后再打开，不要用旧版本修改它。"
                )
            if version and app != APPLICATION_ID:
                raise XltoolError(f"{path} 不是 xltool 的登记簿。请检查是否选错了文件。")
            for number in range(version, len(MIGRATIONS)):
                for statement in MIGRATIONS[number]:
                    db.execute(statement)
            if version != len(MIGRATIONS):  # an up-to-date register opened to be read is not written to
                db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")  # (the console's views watch for writes)
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pragma(self, name: str) -> Any:
        """A setting of this connection (journal_mode, foreign_keys, user_version, busy_timeout)."""
        if name not in ("journal_mode", "foreign_keys", "user_version", "busy_timeout", "application_id"):
            raise ValueError(name)
        return self._db.execute(f"PRAGMA {name}").fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside happen together or not at all (nested: a savepoint)."""
        begin, commit, rollback = "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"
        if self._depth:
            name = f"sp{self._depth}"
            begin, commit, rollback = f"SAVEPOINT {name}", f"RELEASE {name}", f"ROLLBACK TO {name}; RELEASE {name}"
        self._db.execute(begin)
        self._depth += 1
        try:
            yield
        except BaseException:
            if self._db.in_transaction:  # SQLite may have rolled back already (a full disk, an I/O error)
                for statement in rollback.split("; "):
                    self._db.execute(statement)
            raise
        else:
            self._db.execute(commit)
        finally:
            self._depth -= 1

    # --- small helpers -----------------------------------------------------------------------

    def _all(self, cls: type[_T], sql: str, args: Iterable[Any] = ()) -> list[_T]:
        names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
        return [cls(**{n: row[n] for n in names}) for row in self._db.execute(sql, tuple(args))]

    def _one(self, cls: type[_T], sql: str, args: Iterable[Any] = ()) -> _T | None:
        found = self._all(cls, sql, args)
        return found[0] if found else None

    def _write(self, sql: str, args: Iterable[Any] = ()) -> sqlite3.Cursor:
        with self.transaction():
            return self._db.execute(sql, tuple(args))

    # --- units -------------------------------------------------------------------------------

    def sync_units(self, roster: Iterable[HasUnitFields]) -> list[UnitRecord]:
        """Load the roster's units (insert new, update by name); units no longer listed are kept."""
        with self.transaction():
            for u in roster:
                self._db.execute(
                    "INSERT INTO units (name, unit_type, email, contact, file_stem) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET unit_type = excluded.unit_type, email = excluded.email, "
                    "contact = excluded.contact, file_stem = excluded.file_stem",
                    (u.name, u.unit_type, u.email, u.contact, safe_filename(u.name)),
                )
        return self.units()

    def units(self) -> list[UnitRecord]:
        return self._all(UnitRecord, "SELECT * FROM units ORDER BY id")

    def unit(self, ref: UnitRef) -> UnitRecord:
        """A unit by id, name or an object with ``.name``; XltoolError when the register has none."""
        if isinstance(ref, int):
            found = self._one(UnitRecord, "SELECT * FROM units WHERE id = ?", (ref,))
        else:
            name = ref if isinstance(ref, str) else ref.name
            found = self._one(UnitRecord, "SELECT * FROM units WHERE name = ?", (name,))
        if found is None:
            raise XltoolError(
                f"登记簿中没有单位“{ref if isinstance(ref, str | int) else ref.name}”。请先导入单位名单。"
            )
        return found

    # --- messages and attachments ------------------------------------------------------------

    def has_message(self, message_id: str | None, sha256: str) -> bool:
        """Whether this message is recorded: the same Message-ID, or the very same bytes."""
        row = self._db.execute(
            "SELECT 1 FROM messages WHERE sha256 = ? OR (message_id IS NOT NULL AND message_id = ?)",
            (sha256, message_id or None),
        ).fetchone()
        return row is not None

    def add_message(
        self,
        message_id: str | None,
        sha256: str,
        *,
        sender: str = "",
        sender_name: str = "",
        subject: str = "",
        date: str | None = None,
        refs: str = "",
        received_at: str | datetime | None = None,
        source: str = "",
        raw_path: str | None = None,
        note: str = "",
    ) -> int:
        """Record a message; a message already recorded (same Message-ID or bytes) keeps its row."""
        with self.transaction():
            row = self._db.execute(
                "SELECT id FROM messages WHERE sha256 = ? OR (message_id IS NOT NULL AND message_id = ?)",
                (sha256, message_id or None),
            ).fetchone()
            if row is not None:
                return int(row[0])
            cur = self._db.execute(
                "INSERT INTO messages (message_id, sha256, sender, sender_name, subject, date, refs, received_at,"
                " source, raw_path, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    message_id or None,
                    sha256,
                    sender,
                    sender_name,
                    subject,
                    date,
                    refs,
                    iso_time(received_at) if received_at else now_iso(),
                )
                + (source, raw_path, note),
            )
            return int(cur.lastrowid or 0)

    def message(self, id: int) -> Message:
        found = self._one(Message, "SELECT * FROM messages WHERE id = ?", (id,))
        if found is None:
            raise KeyError(id)
        return found

    def messages(self) -> list[Message]:
        return self._all(Message, "SELECT * FROM messages ORDER BY id")

    def add_attachment(
        self,
        message: int,
        *,
        name: str,
        safe_name: str,
        sha256: str,
        kind: str = "",
        what: str = "",
        via: str = "",
        stored_path: str | None = None,
        unit: UnitRef | None = None,
        match: str = "none",
        flag: str | None = None,
        named: str | None = None,
    ) -> int:
        """Record an attachment of the message row ``message``; the same one again keeps its row.
        ``named``: the unit a workbook's ``_meta`` names ("" none; None: not read)."""
        if match not in MATCHES:
            raise ValueError(f"match must be one of {MATCHES}: {match!r}")
        with self.transaction():
            unit_id = None if unit is None else self.unit(unit).id
            self._db.execute(
                "INSERT INTO attachments (message_id, name, safe_name, sha256, kind, what, via, stored_path, unit_id,"
                " match, flag, named) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (message, name, safe_name, sha256, kind, what, via, stored_path, unit_id, match, flag, named),
            )
            row = self._db.execute(
                "SELECT id FROM attachments WHERE message_id = ? AND safe_name = ? AND sha256 = ?",
                (message, safe_name, sha256),
            ).fetchone()
            return int(row[0])

    def attachments(self, message: int | None = None) -> list[Attachment]:
        if message is None:
            return self._all(Attachment, "SELECT * FROM attachments ORDER BY id")
        return self._all(Attachment, "SELECT * FROM attachments WHERE message_id = ? ORDER BY id", (message,))

    def unmatched(self) -> list[Attachment]:
        """Attachments tied to no unit (a person decides)."""
        return self._all(Attachment, "SELECT * FROM attachments WHERE unit_id IS NULL ORDER BY id")

    # --- submissions -------------------------------------------------------------------------

    _SUB = "SELECT s.*, u.name AS unit_name FROM submissions s JOIN units u ON u.id = s.unit_id"

    def add_submission(
        self,
        unit: UnitRef,
        attachment_id: int,
        sha256: str,
        received: str | datetime,
        stored_path: str,
        *,
        review: str = "",
    ) -> Submission | None:
        """A new version of ``unit``'s return; None when the unit already sent these exact bytes.
        ``review``: why it is held for the clerk's review (待核实), "" when it is not."""
        when = iso_time(received)
        with self.transaction():
            unit_id = self.unit(unit).id
            cur = self._db.execute(
                "INSERT INTO submissions (unit_id, attachment_id, sha256, received, stored_path, version_no, review) "
                "SELECT ?, ?, ?, ?, ?, COALESCE(MAX(version_no), 0) + 1, ? FROM submissions WHERE unit_id = ? "
                "ON CONFLICT (unit_id, sha256) DO NOTHING",
                (unit_id, attachment_id, sha256, when, stored_path, review, unit_id),
            )
            if cur.rowcount == 0:
                return None
            return self.submission(int(cur.lastrowid or 0))

    def submission(self, id: int) -> Submission:
        found = self._one(Submission, f"{self._SUB} WHERE s.id = ?", (id,))
        if found is None:
            raise KeyError(id)
        return found

    def versions(self, unit: UnitRef) -> list[Submission]:
        return self._all(Submission, f"{self._SUB} WHERE s.unit_id = ? ORDER BY s.version_no", (self.unit(unit).id,))

    def current(self, unit: UnitRef) -> Submission | None:
        """The one place that says which version counts (status, aggregate, replies and reports all
        ask here): the clerk's pick, unless a version collected after it came in; otherwise the
        version received last (ties: recorded last) of those not held for review, and a held one
        only when nothing else is there. Voided versions never count. A re-sent older file is no new
        version, and a message dated earlier but collected later does not displace a newer one."""
        unit_id = self.unit(unit).id
        return choose_current(self.versions(unit_id), self.pick(unit_id))

    def unverified(self) -> list[Submission]:
        """Versions without a verdict (just collected, or collected by a run that was cut short)."""
        sql = f"{self._SUB} WHERE s.id NOT IN (SELECT submission_id FROM verdicts) ORDER BY s.id"
        return self._all(Submission, sql)

    def origin(self, submission: Submission) -> tuple[Message, Attachment]:
        """The message and attachment that brought this version."""
        attachment = self._one(Attachment, "SELECT * FROM attachments WHERE id = ?", (submission.attachment_id,))
        assert attachment is not None  # a foreign key
        return self.message(attachment.message_id), attachment

    # --- verdicts ----------------------------------------------------------------------------

    def set_verdict(
        self,
        submission_id: int,
        result: Mapping[str, Any],
        *,
        form_id: str = "",
        form_version: str = "",
        facts: Facts | None = None,
    ) -> Verdict:
        """Record (or replace, after a new check) the verdict of a version: ``FileResult.to_dict()``,
        with the ``facts`` of the return when it could be read (in the same transaction)."""
        problems = list(result.get("problems", []))
        errors = sum(p.get("severity") == "error" for p in problems)
        warnings = len(problems) - errors
        verdict = verdict_key(errors, warnings)
        with self.transaction():
            if facts is not None:
                self.set_facts(submission_id, facts)
            self._set_verdict(submission_id, verdict, errors, warnings, problems, form_id, form_version)
        found = self.verdict(submission_id)
        assert found is not None
        return found

    def _set_verdict(
        self, submission_id: int, verdict: str, errors: int, warnings: int, problems: list[Any], *form: str
    ) -> None:
        self._write(
            "INSERT INTO verdicts VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (submission_id) DO UPDATE SET "
            "verdict = excluded.verdict, errors = excluded.errors, warnings = excluded.warnings, "
            "problems_json = excluded.problems_json, checked_at = excluded.checked_at, "
            "form_id = excluded.form_id, form_version = excluded.form_version",
            (submission_id, verdict, errors, warnings, json.dumps(problems, ensure_ascii=False), now_iso(), *form),
        )

    def _verdicts(self, ids: set[int]) -> dict[int, Verdict]:
        """The verdicts of these versions (one query; the others' problems are not parsed)."""
        out = {}
        for row in self._db.execute("SELECT * FROM verdicts"):
            if row["submission_id"] in ids:
                values = {k: row[k] for k in row.keys() if k != "problems_json"}  # noqa: SIM118 - a Row iterates values
                out[int(row["submission_id"])] = Verdict(problems=tuple(json.loads(row["problems_json"])), **values)
        return out

    def verdict(self, submission_id: int) -> Verdict | None:
        row = self._db.execute("SELECT * FROM verdicts WHERE submission_id = ?", (submission_id,)).fetchone()
        if row is None:
            return None
        values = {k: row[k] for k in row.keys() if k != "problems_json"}  # noqa: SIM118 - a Row iterates values
        return Verdict(problems=tuple(json.loads(row["problems_json"])), **values)

    def unanswered(self) -> list[tuple[Submission, Verdict]]:
        """Current versions with a verdict and no reply to that verdict drafted, being sent or sent
        (a failed send is unanswered again)."""
        out = []
        for unit in self.units():
            sub = self.current(unit.id)
            verdict = self.verdict(sub.id) if sub else None
            if sub is None or verdict is None:
                continue
            reply = self.reply_for(sub.id, verdict.verdict)
            if reply is None or reply.status == "failed":
                out.append((sub, verdict))
        return out

    # --- replies -----------------------------------------------------------------------------

    def add_reply(
        self, submission_id: int, verdict: str, *, to_addr: str, subject: str, eml_path: str | None
    ) -> Reply | None:
        """Record a draft reply (replacing an unsent draft or a failed one); None when this verdict
        of this version was already sent or is being sent."""
        with self.transaction():
            cur = self._db.execute(
                "INSERT INTO replies (submission_id, verdict, to_addr, subject, eml_path, status, created_at) "
                "VALUES (?, ?, ?, ?, ?, 'draft', ?) ON CONFLICT (submission_id, verdict) DO UPDATE SET "
                "to_addr = excluded.to_addr, subject = excluded.subject, eml_path = excluded.eml_path, "
                "status = 'draft', created_at = excluded.created_at WHERE status IN ('draft', 'failed')",
                (submission_id, verdict, to_addr, subject, eml_path, now_iso()),
            )
            return self.reply_for(submission_id, verdict) if cur.rowcount else None

    def reply(self, id: int) -> Reply:
        found = self._one(Reply, "SELECT * FROM replies WHERE id = ?", (id,))
        if found is None:
            raise KeyError(id)
        return found

    def reply_for(self, submission_id: int, verdict: str) -> Reply | None:
        sql = "SELECT * FROM replies WHERE submission_id = ? AND verdict = ?"
        return self._one(Reply, sql, (submission_id, verdict))

    def replies(self, *statuses: str) -> list[Reply]:
        if not statuses:
            return self._all(Reply, "SELECT * FROM replies ORDER BY id")
        marks = ", ".join("?" * len(statuses))
        return self._all(Reply, f"SELECT * FROM replies WHERE status IN ({marks}) ORDER BY id", statuses)

    def claim_reply(self, reply_id: int) -> bool:
        """Mark a draft (or failed) reply as being sent, before it is handed to the server; False when
        it was sent or claimed already. A kill after the server took it but before ``mark_sent``
        leaves "sending": never sent again automatically (at most once), shown for a person to check."""
        cur = self._write(
            "UPDATE replies SET status = 'sending', attempts = attempts + 1 "
            "WHERE id = ? AND status IN ('draft', 'failed') AND to_addr != ''",
            (reply_id,),
        )
        return cur.rowcount == 1

    def mark_sent(self, reply_id: int, answer: str = "") -> None:
        self._write(
            "UPDATE replies SET status = 'sent', server_answer = ?, sent_at = ? WHERE id = ?",
            (answer, now_iso(), reply_id),
        )

    def mark_unknown(self, reply_id: int, answer: str) -> None:
        """The connection broke while the server took it: stays "sending" (never resent by itself)."""
        self._write("UPDATE replies SET server_answer = ? WHERE id = ? AND status = 'sending'", (answer, reply_id))

    def mark_failed(self, reply_id: int, answer: str) -> None:
        """The server refused it (or a person found a "sending" one never arrived): send again later."""
        self._write(
            "UPDATE replies SET status = 'failed', server_answer = ? WHERE id = ? AND status != 'sent'",
            (answer, reply_id),
        )

    # --- status ------------------------------------------------------------------------------

    def status_of(self, unit: UnitRecord) -> UnitStatus:
        """Where one unit stands (as ``summary`` lists it), without looking at the other units."""
        versions = self.versions(unit.id)
        current = self.current(unit.id)
        verdict = self.verdict(current.id) if current else None
        reply = self.reply_for(current.id, verdict.verdict) if current and verdict else None
        return UnitStatus(unit, len(versions), current, verdict, reply)

    def summary(self, versions: dict[int, list[Submission]] | None = None) -> Summary:
        """Every unit's status in a few queries (``versions``: ``all_versions()`` when known)."""
        versions = self.all_versions() if versions is None else versions
        currents = self.currents(versions)
        verdicts = self._verdicts({c.id for c in currents.values() if c is not None})
        replies = {(r.submission_id, r.verdict): r for r in self.replies()}
        units = []
        for unit in self.units():
            current = currents.get(unit.id)
            verdict = verdicts.get(current.id) if current else None
            reply = replies.get((current.id, verdict.verdict)) if current and verdict else None
            units.append(UnitStatus(unit, len(versions.get(unit.id, [])), current, verdict, reply))
        count = lambda table: int(self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: E731
        unmatched = int(self._db.execute("SELECT COUNT(*) FROM attachments WHERE unit_id IS NULL").fetchone()[0])
        return Summary(tuple(units), count("messages"), count("attachments"), unmatched)  # not the rows: junk is cheap
