"""Sending out and reminding (``xltool distribute``, ``xltool remind``) on a county in its last days,
against a real SMTP server (aiosmtpd) on 127.0.0.1: one mail per unit with its own template, none
twice for the same state, units without an address listed for a person, drafts a mail client reads."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import re
import shlex
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.app.helpers import cli_json
from tests.campaign import mailfixtures as F
from tests.campaign.conftest import SMTP_PASSWORD, SMTP_USER, Collector, start_auth_smtp, start_smtp
from tests.campaign.countyfixtures import (
    CHENGGUAN,
    CIVIL,
    DEADLINE,
    EDUCATION,
    POLICE,
    TODAY,
    County,
    failing,
    unit_values,
)
from tests.returns import default_form, make_return
from xltool.app.campaign import draft, send
from xltool.app.mail import MailSettings
from xltool.app.mailings import distribute, remind
from xltool.campaign.settings import TEMPLATES, load_campaign
from xltool.cli import main
from xltool.workbook.filenames import template_filename

WITH_ADDRESS = 6  # the county's roster: 8 units, 教育局 and 公安局 without an address
BEFORE = DEADLINE - dt.timedelta(days=3)


@pytest.fixture
def smtp() -> Iterator[Collector]:
    handler = Collector()
    controller = start_smtp(handler)
    yield handler
    controller.stop()


def settings(server: Collector) -> MailSettings:
    return MailSettings(server.host, server.port, "", "", "none")


def parsed(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def attachments(msg: EmailMessage) -> dict[str, bytes]:
    return {str(a.get_filename()): a.get_content() for a in msg.iter_attachments()}


def recipients(server: Collector) -> list[str]:
    return [r for got in server.received for r in got.rcpt_tos]


def test_distribute_sends_each_unit_its_own_template_once(county: County, smtp: Collector) -> None:
    campaign = load_campaign(county.root)
    form = campaign.form()
    done = distribute(campaign, settings(smtp), today=BEFORE)
    assert done.ok and len(done.delivered.sent) == WITH_ADDRESS == len(smtp.received)
    assert sorted(done.run.manual) == sorted([EDUCATION, POLICE])  # 需人工通知, in the result…
    assert f"需人工通知 2 个单位：{EDUCATION}、{POLICE}" in done.summary()  # …and in what is shown
    assert {EDUCATION, POLICE}.isdisjoint(m.unit for m in done.delivered.sent)
    emails = {line.split(",")[2]: line.split(",")[0] for line in county.roster.read_text("utf-8").splitlines()[1:]}
    for got in smtp.received:
        (to,) = got.rcpt_tos
        unit = emails[to]
        msg = parsed(got.content)
        template = campaign.root / TEMPLATES / template_filename(form, unit, campaign.year)
        assert attachments(msg) == {template.name: template.read_bytes()}  # its own template, byte for byte
        assert msg["To"].addresses[0].display_name == unit
        assert msg["Subject"] == "关于报送2025年政府信息公开工作年度报告的通知"
        text = msg.get_body(("plain",)).get_content()
        assert text.startswith(f"{unit}：") and "请于2026年1月20日前将填写完成的报表" in text
        assert "桐柏县人民政府办公室（政务公开办）" in text
    again = distribute(campaign, settings(smtp), today=BEFORE)  # a rerun: nothing new, nothing sent
    assert not again.run.drafted and not again.delivered.sent and len(smtp.received) == WITH_ADDRESS
    assert len(again.run.already) == WITH_ADDRESS + 2 and all(m.status == "sent" for u, m in again.run.already
                                                               if u not in (EDUCATION, POLICE))  # fmt: skip


def test_drafts_are_mails_a_client_reads_and_are_never_overwritten(county: County) -> None:
    campaign = load_campaign(county.root)
    done = distribute(campaign, today=BEFORE)  # no settings: drafts only
    assert len(done.run.drafted) == WITH_ADDRESS + 2 and not done.delivered.sent
    manual = next(d for d in done.run.drafted if d.unit == POLICE)
    assert manual.manual and manual.eml_path is not None
    for d in done.run.drafted:
        assert d.eml_path is not None and d.eml_path.parent.parent == campaign.root / "notices"
        msg = parsed(d.eml_path.read_bytes())
        assert msg["Subject"] == d.subject and msg["Message-ID"] and msg["Date"]
        assert list(attachments(msg)) == [d.attachment] and d.attachment.endswith(f"_{d.unit}.xlsx")
        assert (msg["To"].addresses[0].display_name == d.unit) if d.to_addr else msg["To"] is None
        raw = d.eml_path.read_bytes()
        assert raw.isascii() and b"filename*" in raw  # UTF-8 names encoded (RFC 2047 headers, RFC 2231 names)
    before = {d.eml_path: d.eml_path.read_bytes() for d in done.run.drafted if d.eml_path}
    distribute(campaign, today=BEFORE)
    assert {p: p.read_bytes() for p in before} == before  # a rerun rewrote nothing
    assert len(list((campaign.root / "notices").rglob("*.eml"))) == len(before)


def test_remind_mails_only_units_that_must_act_and_again_when_their_state_changes(
    county: County, smtp: Collector, tmp_path: Path
) -> None:
    campaign = load_campaign(county.root)
    first = remind(campaign, settings(smtp), today=BEFORE)
    assert recipients(smtp) == ["mzj@example.org"]  # 民政局: not sent; 公安局 neither, but has no address
    assert first.run.manual == [POLICE]
    skipped = dict(first.run.skipped)
    assert "校验回复尚未发出" in skipped[CHENGGUAN]  # 待修改, but not told what yet: no reminder
    text = parsed(smtp.received[0].content).get_body(("plain",)).get_content()
    assert "报送截止时间为2026年1月20日" in text and "请于2026年1月20日前按填报模板" in text
    assert len(attachments(parsed(smtp.received[0].content))) == 1  # the template again

    assert not remind(campaign, settings(smtp), today=BEFORE).delivered.sent  # same states: nothing
    send(campaign, settings(smtp))  # the replies go out: 城关镇 now knows what to fix
    smtp.received.clear()
    late = remind(campaign, settings(smtp), today=TODAY)  # past the deadline: a new state for 民政局
    assert sorted(recipients(smtp)) == ["chengguan@example.org", "mzj@example.org"]
    by_unit = {m.unit: m for m in late.delivered.sent}
    fix = parsed(next(g.content for g in smtp.received if g.rcpt_tos == ["chengguan@example.org"]))
    body = fix.get_body(("plain",)).get_content()
    assert "（第 1 版）经校验，尚有 2 个问题需要修改（B1）" in body and "的回复邮件告知" in body
    assert attachments(fix) == {}  # the reply carried the annotated copy
    assert "请尽快" in parsed(smtp.received[0].content).get_body(("plain",)).get_content()
    assert by_unit[CIVIL].state == "missing:overdue" and by_unit[CHENGGUAN].state == "fix:1"

    # 城关镇 sends a second version, still wrong: it is answered, then reminded again (fix:2)
    form = default_form()
    values = failing(unit_values(form, 13, CHENGGUAN, town=True))
    path = make_return(tmp_path, base=values, unit=CHENGGUAN, unit_type="乡镇", name="c2.xlsx", the_form=form)
    from xltool.app.campaign import collect
    from xltool.app.mail import MailSource

    eml = tmp_path / "c2.eml"
    eml.write_bytes(F.message([("城关镇.xlsx", path.read_bytes(), F.XLSX)], sender="chengguan@example.org",
                              message_id="<c2@x>", date=dt.datetime(2026, 1, 23, 9, tzinfo=dt.UTC)))  # fmt: skip
    collect(campaign, MailSource(eml=(eml,)))
    draft(campaign)
    send(campaign, settings(smtp))
    smtp.received.clear()
    again = remind(campaign, settings(smtp), today=TODAY)
    assert recipients(smtp) == ["chengguan@example.org"] and again.delivered.sent[0].state == "fix:2"


def test_a_reminder_drafted_before_the_unit_moved_on_is_not_sent(county: County, smtp: Collector) -> None:
    campaign = load_campaign(county.root)
    drafted = remind(campaign, today=BEFORE)
    assert [d.unit for d in drafted.run.drafted if not d.manual] == [CIVIL]
    done = remind(campaign, settings(smtp), today=TODAY)  # now overdue: the old draft answers nothing
    assert [m.unit for m in done.stale] == [CIVIL] and recipients(smtp) == ["mzj@example.org"]
    assert done.delivered.sent[0].state == "missing:overdue"


def test_the_campaign_words_its_own_notice(county: County, smtp: Collector) -> None:
    settings_file = county.root / "xltool.toml"
    text = settings_file.read_text("utf-8")
    settings_file.write_text(text + '\n[notice]\nsubject = "请报送{year}年度报表（{unit}）"\n', "utf-8")
    campaign = load_campaign(county.root)
    distribute(campaign, settings(smtp), today=BEFORE)
    assert parsed(smtp.received[0].content)["Subject"].startswith("请报送2025年度报表（")
    settings_file.write_text(text + '\n[notice]\nbody = "{unit}：请于{dealine}前报送"\n', "utf-8")
    with pytest.raises(Exception, match=r"xltool.toml 中的 \[notice\] body 中的“\{dealine\}”不会被填写"):
        load_campaign(county.root)


def test_json_is_the_use_case_result(county: County) -> None:
    code, data = cli_json("remind", str(county.root), "--json")
    assert code == 0 and data["kind"] == "remind" and data["manual"] == [POLICE]
    assert [d["unit"] for d in data["drafted"]] == [CIVIL, POLICE] and data["sent"] == []


# --- the examples of `-h` --------------------------------------------------------------------------


def examples(command: str) -> list[str]:
    """The example lines of ``xltool COMMAND -h`` (their trailing explanation cut off)."""
    text = CliRunner().invoke(main, [command, "-h"]).output
    block = text.split("示例：", 1)[1].split("\n\n", 1)[0]
    return [re.split(r"\s{2,}", line.strip())[0] for line in block.splitlines() if line.strip()]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
@pytest.mark.parametrize("command", ["distribute", "remind"])
def test_every_example_of_the_help_runs(command: str, county: County) -> None:
    handler = Collector()
    controller = start_auth_smtp(handler)
    try:
        lines = examples(command)
        assert len(lines) == 2
        for line in lines:
            words = shlex.split(line)
            env = dict(w.split("=", 1) for w in words if re.fullmatch(r"[A-Z_]+=.*", w))
            args = [w for w in words if not re.fullmatch(r"[A-Z_]+=.*", w)]
            assert args[:2] == ["xltool", command]
            args = [str(county.root) if a == "2025年报" else a for a in args[1:]]
            if "--send" in args:  # the example's server and account: the test's own
                args[args.index("--smtp-host") + 1] = handler.host
                args[args.index("--smtp-user") + 1] = SMTP_USER
                args += ["--smtp-port", str(handler.port), "--tls", "none"]
                env["XLTOOL_SMTP_PASSWORD"] = SMTP_PASSWORD
            done = CliRunner(env=env).invoke(main, args)
            assert done.exit_code == 0, (line, done.output)
        assert handler.received  # the --send example sent the drafts the first one wrote
        assert all(r.mail_from == "gkb@tongbai.example.org" for r in handler.received)
    finally:
        controller.stop()


def test_a_refused_recipient_fails_the_command_and_a_rerun_sends_it(county: County, smtp: Collector) -> None:
    smtp.refuse_rcpt = "550 5.1.1 no such user"
    campaign = load_campaign(county.root)
    done = remind(campaign, settings(smtp), today=TODAY)
    assert not done.ok and done.delivered.failed[0][1] == "mzj@example.org：550 5.1.1 no such user"
    smtp.refuse_rcpt = None
    again = remind(campaign, settings(smtp), today=TODAY)
    assert again.ok and [m.unit for m in again.delivered.sent] == [CIVIL] and recipients(smtp) == ["mzj@example.org"]
    assert dataclasses.asdict(again.delivered)["failed"] == []
