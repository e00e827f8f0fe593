"""Replies: drafts that parse back, answers to the right message, the verdict and every problem in
Chinese, the annotated copy attached; sent through a real SMTP server (aiosmtpd on 127.0.0.1),
recorded as sent or failed with the server's answer, never sent twice."""

from __future__ import annotations

import io
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.campaign.conftest import MARKET, NO_EMAIL, TOWN, Collector, Sample, receive, start_smtp
from xltool.campaign.register import Register
from xltool.campaign.reply import (
    MailServerError,
    ReplyDraft,
    SendResult,
    draft_replies,
    pending_drafts,
    reply_subject,
    send_replies,
    write_drafts,
)
from xltool.checks.problem_files import ANNOTATED_SUFFIX
from xltool.errors import XltoolError
from xltool.form.model import Form

FROM = "桐柏县政务公开办 <gk@tongbai.example.org>"
SENDER = "zhang@market.example.org"  # not the roster's address: the reply goes to whoever sent it
ORIGINAL = "<orig-1@market.example.org>"
EARLIER = "<notice-2025@tongbai.example.org>"
PASSWORD = "s3cret-Pa55"


def make_drafts(reg: Register, campaign: Path, form: Form, **kwargs: Any) -> list[ReplyDraft]:
    drafts = draft_replies(reg, campaign, form, from_addr=FROM, county_name="桐柏县", **kwargs)
    return write_drafts(reg, campaign, drafts)


def send(reg: Register, drafts: list[ReplyDraft], server: Collector, **kwargs: Any) -> SendResult:
    kwargs = {"user": None, "password": None, "tls": "none", "timeout": 10, **kwargs}
    return send_replies(reg, drafts, server.host, server.port, **kwargs)


def parse(data: bytes) -> EmailMessage:
    msg = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(msg, EmailMessage)
    return msg


def body(msg: EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")  # base64 text keeps its canonical CRLF


def attached(msg: EmailMessage) -> dict[str, bytes]:
    return {str(a.get_filename()): a.get_content() for a in msg.iter_attachments()}


@pytest.fixture
def market_bad(register: Register, samples: dict[str, Sample], form: Form) -> int:
    """The market unit's return with errors, answering the county's notice (References)."""
    sub = receive(
        register,
        samples["bad"],
        MARKET,
        date="Mon, 05 Jan 2026 09:00:00 +0800",
        message_id=ORIGINAL,
        subject="回复：回复：Re: 关于报送2025年政府信息公开工作年度报告的通知",
        sender=SENDER,
        refs=EARLIER,
        name="市场监管局2025年报.xlsx",
        form=form,
    )
    assert sub is not None
    return sub.id


@pytest.fixture
def town_good(register: Register, samples: dict[str, Sample], form: Form) -> int:
    """A valid return from a message without a sender address: the roster's is used."""
    sub = receive(
        register,
        samples["good"],
        TOWN,
        date="Mon, 05 Jan 2026 10:00:00 +0800",
        message_id="<t@a>",
        sender="",
        form=form,
    )
    assert sub is not None
    return sub.id


# --- the drafts ----------------------------------------------------------------------------------


def test_the_subject_is_answered_once() -> None:
    assert reply_subject("年度报告", "x") == "回复：年度报告"
    assert reply_subject("回复：回复：Re: RE：年度报告", "x") == "回复：年度报告"
    assert reply_subject("答复: 年度报告", "x") == "回复：年度报告"
    assert reply_subject("  ", "政府信息公开工作年度报告（安棚镇）") == "回复：政府信息公开工作年度报告（安棚镇）"
    assert reply_subject("回复：2025年\r\n 年度报告", "x") == "回复：2025年 年度报告"  # a header is one line


def test_the_sender_address_must_be_an_address(register: Register, campaign: Path, form: Form) -> None:
    with pytest.raises(XltoolError, match="发件人地址"):
        draft_replies(register, campaign, form, from_addr="县政务公开办", county_name="桐柏县")


def test_a_reply_lists_every_problem_as_verify_prints_it_and_attaches_the_annotated_copy(
    register: Register, campaign: Path, form: Form, samples: dict[str, Sample], market_bad: int
) -> None:
    [draft] = make_drafts(register, campaign, form, deadline="2026年1月20日")
    msg = draft.message
    assert (draft.submission_id, draft.verdict, draft.to_addr) == (market_bad, "fix", SENDER)
    assert msg["To"].addresses[0].addr_spec == SENDER and msg["From"].addresses[0].addr_spec == "gk@tongbai.example.org"
    assert msg["Subject"] == "回复：关于报送2025年政府信息公开工作年度报告的通知"
    assert msg["In-Reply-To"] == ORIGINAL and msg["References"] == f"{EARLIER} {ORIGINAL}"
    assert msg["Message-ID"] not in (ORIGINAL, EARLIER) and msg["Date"]
    text = body(msg)
    assert text.startswith(f"{MARKET}：") and "结论：待修改" in text and "2026年1月20日" in text
    assert "市场监管局2025年报.xlsx" in text
    problems = samples["bad"].result.problems
    assert {p.code for p in problems} == {"B1", "E1"}
    for i, p in enumerate(problems, start=1):
        assert f"{i}. {p.line()}\n" in text  # the very line `xltool verify` prints
    [(name, data)] = attached(msg).items()
    assert name == "市场监管局2025年报" + ANNOTATED_SUFFIX and draft.annotated and draft.annotated.read_bytes() == data
    assert draft.annotated.parent == campaign / "replies" / register.unit(MARKET).file_stem
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[0] == "问题清单"
    for p in problems:
        assert p.sheet and p.cell
        comment = wb[p.sheet][p.cell].comment
        assert comment is not None and f"【{p.code}】" in comment.text
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shown = openpyxl.load_workbook(io.BytesIO(data), data_only=True)  # what a mail preview shows
    formulas = [
        (ws.title, c.coordinate) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"
    ]
    assert formulas and all(shown[s][c].value not in (None, "") for s, c in formulas)


def test_drafts_are_eml_files_that_parse_back_and_are_recorded(
    register: Register, campaign: Path, form: Form, market_bad: int, town_good: int
) -> None:
    drafts = make_drafts(register, campaign, form)
    assert sorted(d.submission_id for d in drafts) == sorted([market_bad, town_good])
    for d in drafts:
        assert d.eml_path and d.eml_path.is_relative_to(campaign / "replies") and d.reply_id
        back = parse(d.eml_path.read_bytes())
        for header in ("From", "To", "Subject", "Message-ID", "In-Reply-To", "References", "Date"):
            assert back[header] == d.message[header], header
        assert body(back) == body(d.message)
        assert attached(back) == attached(d.message)
        reply = register.reply(d.reply_id)
        assert (reply.status, reply.to_addr, reply.subject) == ("draft", d.to_addr, d.subject)
        assert campaign / str(reply.eml_path) == d.eml_path
    town = next(d for d in drafts if d.submission_id == town_good)
    assert town.to_addr == register.unit(TOWN).email and "结论：通过" in body(town.message)
    assert attached(town.message) == {} and town.annotated is None
    assert draft_replies(register, campaign, form, from_addr=FROM, county_name="桐柏县") == []  # drafted already
    again = pending_drafts(register, campaign)
    assert [(d.reply_id, d.message["Message-ID"]) for d in again] == [
        (d.reply_id, d.message["Message-ID"]) for d in drafts
    ]


def test_a_return_with_warnings_only(
    register: Register, campaign: Path, form: Form, samples: dict[str, Sample]
) -> None:
    receive(register, samples["warn"], TOWN, date="2026-01-05T09:00:00+08:00", message_id="<w@a>", form=form)
    [draft] = make_drafts(register, campaign, form)
    text = body(draft.message)
    assert draft.verdict == "warn" and "结论：有警告" in text and "情况说明" in text
    assert [p.line() in text for p in samples["warn"].result.problems] == [True]
    assert list(attached(draft.message)) == ["年度报告" + ANNOTATED_SUFFIX]


def test_a_unit_without_an_address_gets_a_draft_to_send_by_hand(
    register: Register, campaign: Path, form: Form, samples: dict[str, Sample], smtp_server: Collector
) -> None:
    receive(
        register, samples["bad"], NO_EMAIL, date="2026-01-05T09:00:00+08:00", message_id="<n@a>", sender="", form=form
    )
    [draft] = make_drafts(register, campaign, form)
    assert draft.to_addr == "" and draft.manual and draft.message["To"] is None and draft.eml_path
    assert draft.eml_path.is_file() and draft.reply_id and register.reply(draft.reply_id).manual
    result = send(register, [draft], smtp_server)
    assert result.sent == [] and [why for _, why in result.skipped] == ["没有邮箱地址，需人工发送"]
    assert smtp_server.received == []
    assert {u.unit.name: u.state for u in register.summary().units}[NO_EMAIL] == "manual"
    assert draft_replies(register, campaign, form, from_addr=FROM, county_name="桐柏县") == []


# --- sending through a real SMTP server ----------------------------------------------------------


def test_replies_arrive_and_are_never_sent_twice(
    register: Register,
    campaign: Path,
    form: Form,
    samples: dict[str, Sample],
    smtp_server: Collector,
    market_bad: int,
    town_good: int,
) -> None:
    drafts = make_drafts(register, campaign, form)
    result = send(register, drafts, smtp_server)
    assert len(result.sent) == 2 and result.failed == result.skipped == result.unknown == []
    by_rcpt = {tuple(r.rcpt_tos): r for r in smtp_server.received}
    assert set(by_rcpt) == {(SENDER,), (register.unit(TOWN).email,)}
    market = by_rcpt[(SENDER,)]
    assert market.mail_from == "gk@tongbai.example.org"
    msg = parse(market.content)
    assert msg["Subject"] == "回复：关于报送2025年政府信息公开工作年度报告的通知"
    assert msg["In-Reply-To"] == ORIGINAL and msg["References"] == f"{EARLIER} {ORIGINAL}"
    assert "结论：待修改" in body(msg) and all(p.line() in body(msg) for p in samples["bad"].result.problems)
    assert list(attached(msg)) == ["市场监管局2025年报" + ANNOTATED_SUFFIX]
    assert "结论：通过" in body(parse(by_rcpt[(register.unit(TOWN).email,)].content))
    for d in drafts:
        assert d.reply_id
        reply = register.reply(d.reply_id)
        assert reply.status == "sent" and reply.sent_at and reply.server_answer.startswith("250 2.0.0 Ok: queued")
    # again: nothing is sent, nothing is drafted
    again = send(register, drafts, smtp_server)
    assert again.sent == [] and len(again.skipped) == 2 and all("不再重复发送" in why for _, why in again.skipped)
    assert len(smtp_server.received) == 2
    assert draft_replies(register, campaign, form, from_addr=FROM, county_name="桐柏县") == []
    assert pending_drafts(register, campaign) == []
    assert {u.unit.name: u.state for u in register.summary().units}[MARKET] == "sent"


def test_a_refused_recipient_is_recorded_failed_and_a_rerun_sends_it(
    register: Register, campaign: Path, form: Form, smtp_server: Collector, market_bad: int
) -> None:
    smtp_server.refuse_rcpt = "550 5.1.1 <zhang@market.example.org>: Recipient address rejected: User unknown"
    [draft] = make_drafts(register, campaign, form)
    result = send(register, [draft], smtp_server)
    assert result.sent == [] and smtp_server.received == []
    [(failed, answer)] = result.failed
    assert failed is draft and answer.startswith(f"{SENDER}：550 5.1.1")
    assert draft.reply_id
    reply = register.reply(draft.reply_id)
    assert reply.status == "failed" and "550 5.1.1" in reply.server_answer and reply.sent_at is None
    assert {u.unit.name: u.state for u in register.summary().units}[MARKET] == "failed"

    smtp_server.refuse_rcpt = None
    [redraft] = make_drafts(register, campaign, form)  # a failed reply is unanswered again
    assert redraft.reply_id == draft.reply_id and redraft.eml_path == draft.eml_path
    assert len(send(register, [redraft], smtp_server).sent) == 1
    assert [r.rcpt_tos for r in smtp_server.received] == [[SENDER]]
    reply = register.reply(draft.reply_id)
    assert (reply.status, reply.attempts) == ("sent", 2)


def test_a_refused_message_is_recorded_failed_and_pending_drafts_send_it_later(
    register: Register, campaign: Path, form: Form, smtp_server: Collector, market_bad: int
) -> None:
    smtp_server.refuse_data = "554 5.7.1 Message rejected: looks like spam"
    [draft] = make_drafts(register, campaign, form)
    result = send(register, [draft], smtp_server)
    assert [answer for _, answer in result.failed] == ["554 5.7.1 Message rejected: looks like spam"]
    assert draft.reply_id and register.reply(draft.reply_id).status == "failed" and smtp_server.received == []
    smtp_server.refuse_data = None
    pending = pending_drafts(register, campaign)  # the next run reads the draft back from its .eml
    assert [d.reply_id for d in pending] == [draft.reply_id]
    assert len(send(register, pending, smtp_server).sent) == 1
    assert parse(smtp_server.received[0].content)["Message-ID"] == draft.message["Message-ID"]


def test_a_draft_of_a_version_no_longer_current_is_not_sent(
    register: Register,
    campaign: Path,
    form: Form,
    samples: dict[str, Sample],
    smtp_server: Collector,
    market_bad: int,
) -> None:
    [old] = make_drafts(register, campaign, form)
    receive(register, samples["good"], MARKET, date="2026-01-06T09:00:00+08:00", message_id="<v2@a>", form=form)
    result = send(register, [old], smtp_server)
    assert result.sent == [] and "更新的版本" in result.skipped[0][1] and smtp_server.received == []
    [new] = make_drafts(register, campaign, form)
    assert new.verdict == "pass" and "第 2 次报送" in body(new.message)


def test_a_send_cut_off_while_the_server_takes_it_is_never_repeated(
    register: Register, campaign: Path, form: Form, smtp_server: Collector, market_bad: int
) -> None:
    smtp_server.delay_data = 3  # longer than the client waits
    [draft] = make_drafts(register, campaign, form)
    result = send(register, [draft], smtp_server, timeout=1)
    assert result.sent == result.failed == [] and "可能已收到" in result.unknown[0][1]
    assert draft.reply_id and register.reply(draft.reply_id).status == "sending"
    smtp_server.delay_data = 0
    again = send(register, [draft], smtp_server)
    assert again.sent == [] and "需人工核实" in again.skipped[0][1]
    assert register.unanswered() == [] and pending_drafts(register, campaign) == []
    assert {u.unit.name: u.state for u in register.summary().units}[MARKET] == "sending"


def test_an_unreachable_server_is_one_chinese_error_naming_it(
    register: Register, campaign: Path, form: Form, market_bad: int
) -> None:
    from tests.campaign.conftest import free_port

    port = free_port()  # nothing listens there
    [draft] = make_drafts(register, campaign, form)
    with pytest.raises(MailServerError) as err:
        send_replies(register, [draft], "127.0.0.1", port, "gk", PASSWORD, "none", timeout=5)
    assert f"127.0.0.1:{port}" in str(err.value) and "无法连接" in str(err.value)
    assert PASSWORD not in str(err.value)
    assert draft.reply_id and register.reply(draft.reply_id).status == "draft"  # nothing claimed


# --- login and encryption ------------------------------------------------------------------------


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
    from aiosmtpd.smtp import AuthResult

    ok = auth_data.login == b"gk" and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def auth_server() -> Iterator[Collector]:
    handler = Collector()
    controller = start_smtp(handler, authenticator=_authenticator, auth_require_tls=False, auth_required=True)
    yield handler
    controller.stop()


NO_TLS_WARNING = "ignore:Requiring AUTH while not requiring TLS:UserWarning"  # loopback only, on purpose


@pytest.mark.filterwarnings(NO_TLS_WARNING)
def test_login_and_a_refused_login(
    register: Register, campaign: Path, form: Form, auth_server: Collector, market_bad: int
) -> None:
    [draft] = make_drafts(register, campaign, form)
    with pytest.raises(MailServerError) as err:
        send(register, [draft], auth_server, user="gk", password="wrong-" + PASSWORD)
    message = str(err.value)
    assert f"127.0.0.1:{auth_server.port}" in message and "拒绝登录" in message and "535" in message
    assert PASSWORD not in message
    with pytest.raises(MailServerError, match="授权码") as err:
        send(register, [draft], auth_server, user="gk", password="口令" + PASSWORD)
    assert f"127.0.0.1:{auth_server.port}" in str(err.value) and PASSWORD not in str(err.value)
    assert len(send(register, [draft], auth_server, user="gk", password=PASSWORD).sent) == 1


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made with openssl)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.filterwarnings(NO_TLS_WARNING)  # implicit TLS: aiosmtpd does not see it as TLS
@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_encrypted_connections(
    register: Register, campaign: Path, form: Form, certificate: tuple[Path, Path], market_bad: int, mode: str
) -> None:
    import ssl

    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = Collector()
    if mode == "starttls":
        options: dict[str, Any] = {"tls_context": context, "require_starttls": True, "authenticator": _authenticator}
    else:
        options = {"ssl_context": context, "authenticator": _authenticator, "auth_require_tls": False}
    controller = start_smtp(handler, **options)
    try:
        [draft] = make_drafts(register, campaign, form)
        with pytest.raises(MailServerError, match="证书") as err:  # not trusted without its CA
            send(register, [draft], handler, tls=mode, user="gk", password=PASSWORD)
        assert f"127.0.0.1:{handler.port}" in str(err.value)
        result = send(register, [draft], handler, tls=mode, cafile=cert, user="gk", password=PASSWORD)
        assert len(result.sent) == 1 and [r.rcpt_tos for r in handler.received] == [[SENDER]]
    finally:
        controller.stop()


def test_a_server_without_starttls_is_named(
    register: Register, campaign: Path, form: Form, smtp_server: Collector, market_bad: int
) -> None:
    [draft] = make_drafts(register, campaign, form)
    with pytest.raises(MailServerError, match="不支持STARTTLS") as err:
        send(register, [draft], smtp_server, tls="starttls")
    assert f"127.0.0.1:{smtp_server.port}" in str(err.value)


def test_a_problem_keeps_its_rule_through_the_register(
    register: Register, form: Form, samples: dict[str, Sample], market_bad: int
) -> None:
    from xltool.campaign.reply import problem_from_dict

    verdict = register.verdict(market_bad)
    assert verdict is not None
    kept = [problem_from_dict(form, d) for d in verdict.problems]
    assert [p.rule for p in kept] == [p.rule for p in samples["bad"].result.problems]
    assert all(p.rule for p in kept)
    older = [{k: v for k, v in d.items() if k != "rule"} for d in verdict.problems]  # a campaign of an older xltool
    assert [problem_from_dict(form, d).rule for d in older] == [""] * len(older)
    assert [problem_from_dict(form, d).line() for d in older] == [p.line() for p in kept]
