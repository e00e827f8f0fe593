"""Fixtures of the register and reply tests: a campaign folder with its register, real returns with
their real verdicts, and a real SMTP server (aiosmtpd) on 127.0.0.1 that collects what it is sent."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.campaign.rollupfixtures import build_world
from tests.returns import ROSTER, TOWN, default_form, make_return, make_town_return
from xltool.campaign.register import Register, Submission, return_path, sha256_of, store_bytes
from xltool.checks.verify import FileResult, verify
from xltool.form.model import Form
from xltool.roster import Roster, Unit, load_roster

MARKET = "桐柏县市场监督管理局"  # the unit of the market_2025 sample return
NO_EMAIL = "桐柏县无邮箱测试单位"  # a unit a person must answer by hand


@dataclass(frozen=True)
class Sample:
    """A return on disk and the verdict ``xltool verify`` gives it."""

    path: Path
    result: FileResult

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()


@pytest.fixture(scope="session")
def form() -> Form:
    return default_form()


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory, form: Form) -> dict[str, Sample]:
    """good (通过), bad (待修改: B1, E1) and warn (有警告: A3) returns, verified once."""
    folder = tmp_path_factory.mktemp("returns")
    paths = {
        "good": make_return(folder, name="good.xlsx"),
        "bad": make_return(folder, {"t3.new.natural": 19}, name="bad.xlsx"),
        "warn": make_town_return(folder, {"t2.fees.amount": 3500}, name="warn.xlsx"),
        "good2": make_return(folder, {"t2.fees.amount": 0.5}, name="good2.xlsx"),
    }
    results = verify(list(paths.values()), form).files
    return {key: Sample(path, result) for (key, path), result in zip(paths.items(), results, strict=True)}


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("returns")
    paths = {
        "market": make_return(folder, name="m.xlsx"),
        "market2": make_return(folder, {"t2.fees.amount": 0.5}, name="m2.xlsx"),
        "town": make_town_return(folder, name="t.xlsx"),
        "chengguan": make_town_return(
            folder, {"info.unit_name": "桐柏县" + "城关镇人民政府"}, unit="城关镇人民政府", name="c.xlsx"
        ),
    }
    return {k: p.read_bytes() for k, p in paths.items()}


@pytest.fixture(scope="session")
def roster(form: Form) -> Roster:
    real = load_roster(ROSTER, form.units)
    return Roster(real.units + (Unit(NO_EMAIL, "部门", "", "赵六"),), real.source)


@pytest.fixture
def campaign(tmp_path: Path) -> Path:
    return tmp_path / "2025年度报告收集"


@pytest.fixture
def register(campaign: Path, roster: Roster) -> Iterator[Register]:
    with Register.for_campaign(campaign) as reg:
        reg.sync_units(roster)
        yield reg


def receive(
    reg: Register,
    sample: Sample,
    unit: str,
    *,
    date: str,
    message_id: str | None = None,
    subject: str = "2025年政府信息公开工作年度报告",
    sender: str | None = None,
    refs: str = "",
    name: str = "年度报告.xlsx",
    form: Form | None = None,
) -> Submission | None:
    """What collecting does with one message carrying one return: files first (content-addressed),
    then the message, its attachment and the new version in one transaction, then the verdict."""
    data = sample.data
    sha = sha256_of(data)
    record = reg.unit(unit)
    raw = f"Message-ID: {message_id}\r\nDate: {date}\r\n\r\n".encode() + data
    mail = store_bytes(reg.root, f"mail/{sha256_of(raw)[:16]}.eml", raw)
    stored = return_path(record.file_stem, sha)
    store_bytes(reg.root, stored, data)
    with reg.transaction():
        mid = reg.add_message(
            message_id,
            sha256_of(raw),
            sender=record.email if sender is None else sender,
            sender_name=unit,
            subject=subject,
            date=date,
            refs=refs,
            source="mbox:test",
            raw_path=str(mail.relative_to(reg.root)),
        )
        aid = reg.add_attachment(
            mid, name=name, safe_name=name, sha256=sha, kind="xlsx", what="return", via="attachment", stored_path=stored
        )
        sub = reg.add_submission(unit, aid, sha, date, stored)
    if sub is not None and form is not None:
        reg.set_verdict(sub.id, sample.result.to_dict(), form_id=form.id, form_version=form.version)
    return sub


# --- a real SMTP server ----------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class Collector:
    """An aiosmtpd handler: keeps every message; answers RCPT or DATA with ``refuse_*`` when set."""

    received: list[Received] = field(default_factory=list)
    refuse_rcpt: str | None = None
    refuse_data: str | None = None
    delay_data: float = 0.0
    host: str = "127.0.0.1"
    port: int = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay_data:
            await asyncio.sleep(self.delay_data)
        if self.refuse_data:
            return self.refuse_data
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 Ok: queued as XL" + str(len(self.received))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_smtp(handler: Collector, **kwargs: Any) -> Any:
    from aiosmtpd.controller import Controller

    handler.port = free_port()
    controller = Controller(handler, hostname=handler.host, port=handler.port, **kwargs)
    controller.start()
    return controller


SMTP_USER, SMTP_PASSWORD = "gk", "auth-code-2026"  # the account of ``start_auth_smtp``


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
    from aiosmtpd.smtp import AuthResult

    ok = auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


def start_auth_smtp(handler: Collector) -> Any:
    """A server that wants SMTP_USER's login (over plain text: loopback only, on purpose)."""
    return start_smtp(handler, authenticator=_authenticator, auth_require_tls=False, auth_required=True)


@pytest.fixture
def smtp_server() -> Iterator[Collector]:
    handler = Collector()
    controller = start_smtp(handler)
    yield handler
    controller.stop()


__all__ = [
    "MARKET",
    "NO_EMAIL",
    "SMTP_PASSWORD",
    "SMTP_USER",
    "TOWN",
    "Collector",
    "Sample",
    "receive",
    "start_auth_smtp",
    "start_smtp",
]


@pytest.fixture(scope="session")
def rollup_world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three counties rolled up with ``aggregate --as-return`` and the city campaign that collected
    them (tests/campaign/rollupfixtures.py); tests write their own outputs elsewhere."""
    return build_world(tmp_path_factory.mktemp("rollup"))
