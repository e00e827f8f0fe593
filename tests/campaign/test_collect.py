"""`xltool init`, `collect` and `reply` end to end: a campaign folder, real returns in real mail
(mbox, Maildir, .eml, a real Dovecot over IMAP), the register afterwards, reruns and kills."""

from __future__ import annotations

import json
import mailbox
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from tests.campaign import mailfixtures as F
from tests.campaign.campaignfixtures import CHENGGUAN, EDUCATION, MARKET, ROSTER, TOWN, mail, make_campaign
from tests.campaign.conftest import Collector
from xltool.campaign.collect import collect
from xltool.campaign.register import Register
from xltool.campaign.settings import SETTINGS_FILE, load_campaign
from xltool.cli import main

ROOT = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------ fixtures
@pytest.fixture
def camp(tmp_path: Path) -> Path:
    return make_campaign(tmp_path / "2025年报")


def write_mbox(path: Path, messages: list[bytes]) -> Path:
    box = mailbox.mbox(str(path))
    for raw in messages:
        box.add(raw)
    box.flush()
    box.close()
    return path


def dump(camp: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The register's content without the times of collection and checking."""
    volatile = {"received_at", "checked_at", "created_at", "sent_at"}
    db = sqlite3.connect(camp / "register.sqlite")
    out = {}
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        cols = [r[1] for r in db.execute(f"PRAGMA table_info({table})") if r[1] not in volatile]
        out[table] = list(db.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY 1"))
    db.close()
    return out


def files(camp: Path) -> dict[str, bytes]:
    """What collect stores (templates and the register aside)."""
    keep = ("mail", "returns", "unmatched")
    return {
        str(p.relative_to(camp)): p.read_bytes()
        for p in sorted(camp.rglob("*"))
        if p.is_file() and p.parts[len(camp.parts)] in keep and not p.name.startswith(".xltool-")
    }  # a temporary file a kill left behind is never read: it is not part of the state


# ------------------------------------------------------------------ init
def test_init_makes_settings_roster_templates_and_register(camp: Path) -> None:
    c = load_campaign(camp)
    assert (c.year, c.county, c.from_addr) == (2025, "桐柏县", "gkb@tongbai.example.org")
    assert (camp / c.roster_file).read_text(encoding="utf-8") == ROSTER
    assert len(list((camp / "templates").glob("*.xlsx"))) == 4
    with Register.for_campaign(camp) as reg:
        units = {u.name: u.email for u in reg.units()}
    assert units[MARKET] == "tbscjgj@example.org" and units[EDUCATION] == ""


def test_init_never_stores_a_password_and_refuses_a_used_folder(tmp_path: Path) -> None:
    camp = make_campaign(tmp_path / "c", password="s3cret-pw")
    assert "s3cret-pw" not in (camp / SETTINGS_FILE).read_text(encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(camp), "--year", "2025", "--roster", str(tmp_path / "c-名单.csv")])
    assert result.exit_code == 1 and "不是空文件夹" in result.output


def test_init_with_last_years_returns_prefills_carried_over_cases(tmp_path: Path) -> None:
    from tests.returns import make_previous
    from xltool.form.loader import load_form
    from xltool.workbook.read import read_return

    form = load_form()
    prev = make_previous(tmp_path)  # 市场监管局, 2024
    last = read_return(prev, form, any_version=True)
    camp = make_campaign(tmp_path / "c", previous=prev.parent)
    template = next(p for p in (camp / "templates").glob("*.xlsx") if MARKET in p.name)
    ret = read_return(template, form)
    carried = {k: v.value for k, v in ret.values.items() if k.startswith("t3.carried_in.") and v.formula is None}
    assert carried and all(v == last.values[k.replace("carried_in", "carried_out")].value for k, v in carried.items())
    ws = openpyxl.load_workbook(template)["表三 依申请公开"]
    notes = [c.comment.text for row in ws.iter_rows() for c in row if c.comment]
    assert any("已按上年（2024）报表预填" in n for n in notes), notes
    other = next(p for p in (camp / "templates").glob("*.xlsx") if TOWN in p.name)
    assert not any(c.comment for row in openpyxl.load_workbook(other)["表三 依申请公开"].iter_rows() for c in row)


# ------------------------------------------------------------------ collect
def test_collect_ties_every_workbook_to_its_unit_or_to_nobody(camp: Path, returns: dict[str, bytes]) -> None:
    result = collect(load_campaign(camp), mail(returns), "test")
    outcomes = [(i.outcome, i.unit) for i in result.items]
    assert outcomes == [
        ("new", MARKET),
        ("new", TOWN),
        ("new", CHENGGUAN),
        ("new", CHENGGUAN),
        ("new", EDUCATION),
        ("unmatched", ""),
        ("other", ""),
        ("empty", ""),
        ("new", MARKET),
        ("duplicate", MARKET),
        ("unmatched", ""),
    ]
    flags = {i.name: i.flag for i in result.items}
    assert "发件邮箱却是“安棚镇人民政府”的" in flags["城关镇.xlsx"]
    assert "按发件人邮箱" in flags["新建表格.xlsx"] and "按文件名" in flags["桐柏县教育局年报.xlsx"]
    with Register.for_campaign(camp) as reg:
        current = reg.current(MARKET)
        assert current is not None and current.version_no == 2  # the correction, not the re-sent first file
        assert [a.match for a in reg.attachments() if a.unit_id is not None][:3] == ["meta", "meta", "meta"]
        assert len(reg.unmatched()) == 3  # 报表.xlsx, 说明.docx, the forward's workbook
        assert reg.unverified() == []
        assert reg.verdict(current.id) is not None
    assert len(list((camp / "unmatched").iterdir())) == 2
    assert len(list((camp / "mail").iterdir())) == 11  # every message kept, byte for byte
    for raw in mail(returns):
        from xltool.campaign.register import mail_path, sha256_of

        assert (camp / mail_path(sha256_of(raw))).read_bytes() == raw


def test_a_rerun_on_the_same_source_adds_nothing(camp: Path, returns: dict[str, bytes], tmp_path: Path) -> None:
    box = write_mbox(tmp_path / "inbox.mbox", mail(returns))
    runner = CliRunner()
    first = runner.invoke(main, ["collect", str(camp), "--mbox", str(box)])
    assert first.exit_code == 0, first.output
    assert "新收到 6" in first.output and "无法识别单位 2" in first.output
    before, stored = dump(camp), files(camp)
    again = runner.invoke(main, ["collect", str(camp), "--mbox", str(box), "--json"])
    assert again.exit_code == 0
    assert json.loads(again.output)["counts"]["known"] == 11
    assert dump(camp) == before and files(camp) == stored


def test_mbox_maildir_and_eml_give_the_same_register(tmp_path: Path, returns: dict[str, bytes]) -> None:
    messages = mail(returns)
    sources: dict[str, list[str]] = {}
    sources["mbox"] = ["--mbox", str(write_mbox(tmp_path / "a.mbox", messages))]
    md = mailbox.Maildir(str(tmp_path / "md"))
    for raw in messages:
        md.add(raw)
    sources["maildir"] = ["--maildir", str(tmp_path / "md")]
    eml = tmp_path / "eml"
    eml.mkdir()
    for i, raw in enumerate(messages):
        (eml / f"{i:02d}.eml").write_bytes(raw)
    sources["eml"] = ["--eml", str(eml)]
    dumps = {}
    for kind, args in sources.items():
        camp = make_campaign(tmp_path / f"camp-{kind}")
        result = CliRunner().invoke(main, ["collect", str(camp), *args])
        assert result.exit_code == 0, result.output
        d = dump(camp)
        sources_named = ("mbox:", "maildir:", "eml:")  # the source's description differs, nothing else
        d["messages"] = [tuple(x for x in r if not str(x).startswith(sources_named)) for r in d["messages"]]
        dumps[kind] = {k: v for k, v in d.items() if k != "units"}
    assert dumps["maildir"]["submissions"] and {len(d["submissions"]) for d in dumps.values()} == {6}
    assert dumps["mbox"]["attachments"] == dumps["eml"]["attachments"]


def test_hostile_names_write_nothing_outside_the_campaign(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    camp = make_campaign(outside / "camp")
    raw, _ = F.hostile_names()
    before = {p for p in tmp_path.rglob("*")}
    result = collect(load_campaign(camp), [raw, F.nfc_nfd_twins(), F.zip_message()], "test")
    assert result.counts()["unmatched"] >= 9
    new = {p for p in tmp_path.rglob("*")} - before
    assert new and all(camp in p.parents for p in new), sorted(str(p) for p in new if camp not in p.parents)
    assert all(".." not in p.parts for p in new)


# ------------------------------------------------------------------ the command line
def test_collect_needs_one_source_and_a_campaign(tmp_path: Path, camp: Path) -> None:
    runner = CliRunner()
    none = runner.invoke(main, ["collect", str(camp)])
    assert none.exit_code == 2 and "请指定一个邮件来源" in none.output
    other = runner.invoke(main, ["collect", str(tmp_path), "--eml", str(camp / SETTINGS_FILE)])
    assert other.exit_code == 1 and "不是报送工作文件夹" in other.output and "Traceback" not in other.output


def test_reply_drafts_once_then_sends_once(
    camp: Path, returns: dict[str, bytes], smtp_server: Collector, monkeypatch: pytest.MonkeyPatch
) -> None:
    collect(load_campaign(camp), mail(returns), "test")
    runner = CliRunner()
    drafted = runner.invoke(main, ["reply", str(camp)])
    assert drafted.exit_code == 0, drafted.output
    assert drafted.output.count("[草稿]") == 4  # 市场监管局, 安棚镇, 城关镇, 教育局 (current versions)
    assert "→ x@163.com" in drafted.output  # a reply goes to whoever sent the version (教育局 has no address)
    assert "没有需要回复的新版本" in runner.invoke(main, ["reply", str(camp)]).output
    monkeypatch.setenv("XLTOOL_SMTP_PASSWORD", "unused")
    args = ["reply", str(camp), "--send", "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp_server.port)]
    sent = runner.invoke(main, [*args, "--tls", "none"])
    assert "已发送 4 封" in sent.output, sent.output
    recipients = sorted(r for m in smtp_server.received for r in m.rcpt_tos)
    assert recipients == ["chengguan@example.org", "colleague@qq.com", "tbscjgj@example.org", "x@163.com"]
    msg = BytesParser(policy=policy.SMTP).parsebytes(smtp_server.received[0].content)
    assert isinstance(msg, EmailMessage) and msg["In-Reply-To"] and msg["Subject"].startswith("回复：")
    again = runner.invoke(main, [*args, "--tls", "none"])
    assert "已发送 0 封" in again.output and len(smtp_server.received) == 4


# ------------------------------------------------------------------ IMAP, against a real Dovecot
@pytest.fixture(scope="module")
def dovecot() -> Iterator[Any]:
    from tests.campaign.dovecot import dovecot_server

    with dovecot_server(tls=False) as server:
        yield server


def test_collect_over_imap_is_byte_identical(
    dovecot: Any, tmp_path: Path, returns: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.campaign.dovecot import PASSWORD, USER, append
    from xltool.campaign.register import mail_path, sha256_of

    messages = mail(returns)[:3]
    append(dovecot.imap_port, "INBOX", messages, [F.DATE] * 3)
    camp = make_campaign(tmp_path / "imap")
    args = ["collect", str(camp), "--imap-host", "127.0.0.1", "--imap-port", str(dovecot.imap_port)]
    args += ["--imap-user", USER, "--tls", "none"]
    monkeypatch.setenv("XLTOOL_IMAP_PASSWORD", "wrong")
    wrong = CliRunner().invoke(main, args)
    assert wrong.exit_code == 1 and "登录失败" in wrong.output and "wrong" not in wrong.output
    monkeypatch.setenv("XLTOOL_IMAP_PASSWORD", PASSWORD)
    ok = CliRunner().invoke(main, args)
    assert ok.exit_code == 0, ok.output
    assert "新收到 3" in ok.output
    for raw in messages:
        assert (camp / mail_path(sha256_of(raw))).read_bytes() == raw


# ------------------------------------------------------------------ killed at any point
def test_a_collect_killed_anywhere_and_rerun_ends_as_an_uninterrupted_one(
    tmp_path: Path, returns: dict[str, bytes]
) -> None:
    box = write_mbox(tmp_path / "inbox.mbox", mail(returns) * 1)
    clean = make_campaign(tmp_path / "clean")
    command = [sys.executable, "-m", "xltool", "collect"]
    subprocess.run([*command, str(clean), "--mbox", str(box)], check=True, capture_output=True)
    start = time.perf_counter()
    subprocess.run([*command, str(make_campaign(tmp_path / "timing")), "--mbox", str(box)], check=True,
                   capture_output=True)  # fmt: skip
    took = time.perf_counter() - start
    rng = random.Random(9)
    for n in range(6):
        camp = make_campaign(tmp_path / f"killed{n}")
        for _ in range(2):  # killed twice, at random moments of the run
            proc = subprocess.Popen([*command, str(camp), "--mbox", str(box)], stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)  # fmt: skip
            time.sleep(rng.uniform(0.05, took))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        subprocess.run([*command, str(camp), "--mbox", str(box)], check=True, capture_output=True)
        assert dump(camp) == dump(clean), n
        assert files(camp) == files(clean), n
