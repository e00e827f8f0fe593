"""The campaign register: schema and migrations, idempotent recording, every version kept and the
current one chosen by time, one transaction per message (also against a kill), what needs a reply."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.campaign.conftest import MARKET, NO_EMAIL, TOWN, Sample, receive
from xltool.campaign import register as register_module
from xltool.campaign.register import (
    APPLICATION_ID,
    MIGRATIONS,
    REGISTER_FILE,
    Register,
    iso_time,
    return_path,
    sha256_of,
    store_bytes,
)
from xltool.errors import XltoolError
from xltool.form.model import Form
from xltool.roster import Roster

ROOT = Path(__file__).resolve().parents[2]
TABLES = {"units", "messages", "attachments", "submissions", "verdicts", "replies"}


def _raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def _tables(path: Path) -> set[str]:
    with _raw(path) as db:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


# --- opening: schema, settings, versions ---------------------------------------------------------


def test_a_new_register_has_the_schema_wal_and_foreign_keys(campaign: Path) -> None:
    with Register.for_campaign(campaign) as reg:
        assert reg.path == campaign / REGISTER_FILE and reg.root == campaign
        assert reg.pragma("journal_mode") == "wal"
        assert reg.pragma("foreign_keys") == 1
        assert reg.pragma("busy_timeout") >= 1000
        assert reg.pragma("user_version") == len(MIGRATIONS)
        assert reg.pragma("application_id") == APPLICATION_ID
    assert _tables(campaign / REGISTER_FILE) >= TABLES


def test_a_missing_register_is_created_only_when_asked(tmp_path: Path) -> None:
    with pytest.raises(XltoolError, match="找不到登记簿"):
        Register.for_campaign(tmp_path / "typo", create=False)
    assert not (tmp_path / "typo").exists()
    Register.for_campaign(tmp_path / "new").close()
    Register.for_campaign(tmp_path / "new", create=False).close()


def test_foreign_keys_are_enforced(register: Register) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        register.add_attachment(999, name="a.xlsx", safe_name="a.xlsx", sha256="0" * 64)
    assert register.attachments() == []


def test_an_empty_sqlite_file_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / REGISTER_FILE
    _raw(path).close()  # user_version 0: nothing in it yet
    with Register.open(path) as reg:
        assert reg.pragma("user_version") == len(MIGRATIONS)
    assert _tables(path) >= TABLES


def test_an_older_register_is_migrated_in_order_and_keeps_its_data(
    tmp_path: Path, roster: Roster, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / REGISTER_FILE
    with Register.open(path) as reg:
        reg.sync_units(roster)
    later = [*MIGRATIONS, ("ALTER TABLE units ADD COLUMN phone TEXT NOT NULL DEFAULT ''",)]
    later.append(("UPDATE units SET phone = 'x' || id",))  # runs after the column exists: order kept
    monkeypatch.setattr(register_module, "MIGRATIONS", later)
    with Register.open(path) as reg:
        assert reg.pragma("user_version") == len(MIGRATIONS) + 2
        assert [u.name for u in reg.units()] == [u.name for u in roster]
    with _raw(path) as db:
        assert db.execute("SELECT phone FROM units WHERE id = 1").fetchone() == ("x1",)


def test_a_failing_migration_leaves_the_register_as_it_was(
    tmp_path: Path, roster: Roster, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / REGISTER_FILE
    with Register.open(path) as reg:
        reg.sync_units(roster)
    broken = [*MIGRATIONS, ("CREATE TABLE extra (id INTEGER)", "THIS IS NOT SQL")]
    monkeypatch.setattr(register_module, "MIGRATIONS", broken)
    with pytest.raises(XltoolError):
        Register.open(path)
    assert "extra" not in _tables(path)
    with _raw(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_a_register_of_a_newer_xltool_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / REGISTER_FILE
    Register.open(path).close()
    with _raw(path) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    before = path.read_bytes()
    with pytest.raises(XltoolError, match="更新版本") as err:
        Register.open(path)
    assert str(path) in str(err.value) and f"版本 {len(MIGRATIONS) + 1}" in str(err.value)
    assert path.read_bytes() == before


@pytest.mark.parametrize("what", ["text", "other_sqlite"])
def test_a_file_that_is_no_register_is_refused(tmp_path: Path, what: str) -> None:
    path = tmp_path / "x.sqlite"
    if what == "text":
        path.write_bytes("单位名称,联系邮箱\n".encode() * 200)
    else:
        with _raw(path) as db:
            db.execute("CREATE TABLE t (x)")
            db.execute("PRAGMA user_version = 1")
    with pytest.raises(XltoolError, match="登记簿"):
        Register.open(path)


# --- units and messages --------------------------------------------------------------------------


def test_units_are_synced_from_the_roster_by_name(register: Register, roster: Roster) -> None:
    units = register.units()
    assert [u.name for u in units] == [u.name for u in roster]
    first = roster.units[0]
    changed = Roster((type(first)(first.name, first.unit_type, "new@example.org", "新联系人"),), roster.source)
    register.sync_units(changed)
    again = register.unit(first.name)
    assert (again.id, again.email, again.contact) == (units[0].id, "new@example.org", "新联系人")
    assert len(register.units()) == len(units)  # nobody is dropped
    assert register.unit(NO_EMAIL).email == ""
    with pytest.raises(XltoolError, match="没有单位"):
        register.unit("不存在的单位")


def test_a_message_is_recorded_once(register: Register) -> None:
    assert not register.has_message("<m1@example.org>", "a" * 64)
    first = register.add_message("<m1@example.org>", "a" * 64, sender="x@example.org", subject="年报")
    assert register.has_message("<m1@example.org>", "f" * 64)  # the same Message-ID, other bytes (IMAP vs mbox)
    assert register.has_message(None, "a" * 64)  # the same bytes
    assert register.add_message("<m1@example.org>", "b" * 64) == first
    assert register.add_message(None, "a" * 64) == first
    no_id = register.add_message(None, "c" * 64)
    assert register.add_message("", "c" * 64) == no_id != first
    assert [m.id for m in register.messages()] == [first, no_id]
    assert register.message(first).subject == "年报"
    aid = register.add_attachment(first, name="年报.xlsx", safe_name="年报.xlsx", sha256="d" * 64, unit=MARKET)
    assert register.add_attachment(first, name="年报.xlsx", safe_name="年报.xlsx", sha256="d" * 64) == aid
    assert [a.id for a in register.attachments(first)] == [aid] and register.unmatched() == []


def test_iso_time_sorts_in_time_order() -> None:
    assert iso_time("Mon, 05 Jan 2026 09:00:00 +0800") == "2026-01-05T01:00:00+00:00"
    assert iso_time("2026-01-05T01:00:00Z") == iso_time("2026-01-05 09:00:00+08:00")
    assert iso_time("Mon, 05 Jan 2026 09:00:00 +0800") < iso_time("Mon, 05 Jan 2026 02:00:00 +0000")
    with pytest.raises(ValueError):
        iso_time("昨天")


# --- versions ------------------------------------------------------------------------------------


def test_every_version_is_kept_and_the_latest_received_is_current(
    register: Register, samples: dict[str, Sample]
) -> None:
    first = receive(register, samples["bad"], MARKET, date="Mon, 05 Jan 2026 09:00:00 +0800", message_id="<1@a>")
    second = receive(register, samples["good"], MARKET, date="Tue, 06 Jan 2026 09:00:00 +0800", message_id="<2@a>")
    assert first and second and (first.version_no, second.version_no) == (1, 2)
    assert register.current(MARKET) == second
    # the older file sent again later: no new version, the newer one stays current
    again = receive(register, samples["bad"], MARKET, date="Wed, 07 Jan 2026 09:00:00 +0800", message_id="<3@a>")
    assert again is None and register.current(MARKET) == second
    # a message dated before the current one but collected after it: a version, not current
    late = receive(register, samples["warn"], MARKET, date="Sun, 04 Jan 2026 09:00:00 +0800", message_id="<4@a>")
    assert late and late.version_no == 3 and register.current(MARKET) == second
    assert [v.version_no for v in register.versions(MARKET)] == [1, 2, 3]
    assert [v.sha256 for v in register.versions(MARKET)] == [
        sha256_of(samples[k].data) for k in ("bad", "good", "warn")
    ]
    # the same time: the one recorded last
    tie = receive(register, samples["good2"], MARKET, date="Tue, 06 Jan 2026 01:00:00 +0000", message_id="<5@a>")
    assert register.current(MARKET) == tie
    assert register.current(TOWN) is None and register.versions(TOWN) == []
    message, attachment = register.origin(second)
    assert message.message_id == "<2@a>" and attachment.id == second.attachment_id


def test_versions_are_numbered_per_unit(register: Register, samples: dict[str, Sample]) -> None:
    a = receive(register, samples["bad"], MARKET, date="2026-01-05T09:00:00+08:00", message_id="<1@a>")
    b = receive(register, samples["warn"], TOWN, date="2026-01-05T10:00:00+08:00", message_id="<2@a>")
    c = receive(register, samples["good"], MARKET, date="2026-01-06T09:00:00+08:00", message_id="<3@a>")
    d = receive(register, samples["bad"], TOWN, date="2026-01-06T10:00:00+08:00", message_id="<4@a>")
    assert [s.version_no for s in (a, b, c, d) if s] == [1, 1, 2, 2]


def test_stored_files_are_content_addressed_and_reused(campaign: Path) -> None:
    rel = return_path("安棚镇人民政府", sha256_of(b"v1"))
    assert rel == f"returns/安棚镇人民政府/{sha256_of(b'v1')[:12]}.xlsx"
    path = store_bytes(campaign, rel, b"v1")
    inode = path.stat().st_ino
    assert store_bytes(campaign, rel, b"v1").stat().st_ino == inode  # a rerun: reused, not written again
    path.write_bytes(b"damaged")
    assert store_bytes(campaign, rel, b"v1").read_bytes() == b"v1"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary file left


# --- one transaction per message -----------------------------------------------------------------


def test_an_error_inside_a_transaction_records_nothing(register: Register) -> None:
    with pytest.raises(RuntimeError), register.transaction():
        mid = register.add_message("<t@a>", "a" * 64, sender="x@example.org")
        aid = register.add_attachment(mid, name="a.xlsx", safe_name="a.xlsx", sha256="b" * 64)
        register.add_submission(MARKET, aid, "b" * 64, "2026-01-05T09:00:00+08:00", "returns/x/b.xlsx")
        raise RuntimeError("the disk went away")
    assert register.messages() == [] and register.attachments() == [] and register.versions(MARKET) == []
    assert not register.has_message("<t@a>", "a" * 64)


def test_a_nested_transaction_is_a_savepoint(register: Register) -> None:
    with register.transaction():
        kept = register.add_message("<keep@a>", "a" * 64)
        with pytest.raises(RuntimeError), register.transaction():
            register.add_message("<drop@a>", "b" * 64)
            raise RuntimeError
    assert [m.id for m in register.messages()] == [kept]


KILLED = """
import os, signal, sys
sys.path.insert(0, {root!r})
from xltool.campaign.register import Register
reg = Register.open({path!r})
with reg.transaction():
    mid = reg.add_message("<k@a>", "a" * 64, sender="x@example.org")
    aid = reg.add_attachment(mid, name="a.xlsx", safe_name="a.xlsx", sha256="b" * 64)
    reg.add_submission({unit!r}, aid, "b" * 64, "2026-01-05T09:00:00+08:00", "returns/x/b.xlsx")
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_kill_inside_a_transaction_records_nothing(register: Register) -> None:
    code = KILLED.format(root=str(ROOT), path=str(register.path), unit=MARKET)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()
    with Register.open(register.path) as reg:
        assert reg.messages() == [] and reg.attachments() == [] and reg.versions(MARKET) == []
        mid = reg.add_message("<k@a>", "a" * 64)  # the rerun records it
        assert reg.has_message("<k@a>", "a" * 64) and mid
    assert os.path.exists(register.path)


# --- verdicts, replies, status -------------------------------------------------------------------


def test_unanswered_is_current_versions_with_a_verdict_and_no_reply(
    register: Register, samples: dict[str, Sample], form: Form
) -> None:
    v1 = receive(register, samples["bad"], MARKET, date="2026-01-05T09:00:00+08:00", message_id="<1@a>", form=form)
    town = receive(register, samples["warn"], TOWN, date="2026-01-05T10:00:00+08:00", message_id="<2@a>")
    assert v1 and town
    assert [(s.id, v.verdict) for s, v in register.unanswered()] == [(v1.id, "fix")]  # the town is not checked yet
    verdict = register.verdict(v1.id)
    assert verdict and (verdict.errors, verdict.warnings, verdict.zh) == (4, 0, "待修改")  # E1 also on 结转下年度
    assert {p["code"] for p in verdict.problems} == {"B1", "E1"}
    assert (verdict.form_id, verdict.form_version) == (form.id, form.version)

    reply = register.add_reply(v1.id, "fix", to_addr="a@example.org", subject="回复：年报", eml_path="replies/x.eml")
    assert reply and reply.status == "draft" and register.unanswered() == []
    assert register.claim_reply(reply.id) and not register.claim_reply(reply.id)  # claimed once
    register.mark_failed(reply.id, "550 no such user")
    assert [s.id for s, _ in register.unanswered()] == [v1.id]  # a failed send needs sending again
    assert register.add_reply(v1.id, "fix", to_addr="a@example.org", subject="s", eml_path="e") is not None
    assert register.claim_reply(reply.id)
    register.mark_sent(reply.id, "250 ok")
    sent = register.reply(reply.id)
    assert (sent.status, sent.attempts, sent.server_answer) == ("sent", 2, "250 ok") and sent.sent_at
    assert register.unanswered() == []
    assert register.add_reply(v1.id, "fix", to_addr="a@example.org", subject="s", eml_path="e") is None
    register.mark_failed(reply.id, "late")  # a sent reply never goes back
    assert register.reply(reply.id).status == "sent"

    # a new version needs its own reply; a re-check with another verdict too
    v2 = receive(register, samples["good"], MARKET, date="2026-01-06T09:00:00+08:00", message_id="<3@a>", form=form)
    assert v2 and [(s.id, v.verdict) for s, v in register.unanswered()] == [(v2.id, "pass")]
    register.set_verdict(v2.id, samples["warn"].result.to_dict())
    assert [(s.id, v.verdict) for s, v in register.unanswered()] == [(v2.id, "warn")]


def test_summary_says_where_each_unit_stands(register: Register, samples: dict[str, Sample], form: Form) -> None:
    a = receive(register, samples["bad"], MARKET, date="2026-01-05T09:00:00+08:00", message_id="<1@a>", form=form)
    receive(register, samples["warn"], TOWN, date="2026-01-05T10:00:00+08:00", message_id="<2@a>")
    c = receive(register, samples["good"], NO_EMAIL, date="2026-01-05T11:00:00+08:00", message_id="<3@a>", form=form)
    assert a and c
    manual = register.add_reply(c.id, "pass", to_addr="", subject="回复", eml_path="replies/c.eml")
    assert manual and manual.manual and not register.claim_reply(manual.id)  # nobody to send it to
    states = {u.unit.name: u.state for u in register.summary().units}
    assert (states[MARKET], states[TOWN], states[NO_EMAIL]) == ("unanswered", "unchecked", "manual")
    summary = register.summary()
    assert summary.messages == 3 and summary.attachments == 3 and summary.unmatched == 3
    counts = summary.counts()
    assert counts["missing"] == len(register.units()) - 3 and counts["manual"] == 1
    as_dict = summary.to_dict()
    assert {u["unit"]: u["state_zh"] for u in as_dict["units"]}[NO_EMAIL].startswith("需人工发送")
