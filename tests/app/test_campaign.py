"""The campaign's use cases called directly on real folders: init, collect, draft, send."""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.app.helpers import Recorder, cli, cli_json, relative
from tests.campaign.countyfixtures import CHENGGUAN, EDUCATION, MARKET, TOWN, County
from xltool.app.campaign import InitOptions, collect, draft, init, send
from xltool.app.mail import MailSettings, MailSource, mail_settings, sender, smtp_port
from xltool.campaign.collect import OUTCOMES
from xltool.campaign.register import REGISTER_FILE
from xltool.campaign.settings import load_campaign
from xltool.errors import XltoolError

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
ROSTER = (
    "单位名称,单位类型,联系邮箱,联系人\n桐柏县市场监督管理局,部门,a@example.org,甲\n桐柏县安棚镇人民政府,乡镇,,乙\n"
)


def test_init_makes_a_template_per_unit_and_says_so_step_by_step(tmp_path: Path, recorder: Recorder) -> None:
    roster = tmp_path / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    done = init(InitOptions(tmp_path / "2025", 2025, roster, county="桐柏县"), recorder)
    assert done.made.units == 2 and len(done.made.templates) == 2
    assert all(p.is_file() for p in done.made.templates)
    assert recorder.totals == [2] and len(recorder.steps) == 2
    assert not done.prefilled_shown and done.warning == ""
    assert done.to_dict()["units"] == 2 and done.to_dict()["year"] == 2025


def test_init_warns_of_names_without_the_county(tmp_path: Path) -> None:
    roster = tmp_path / "名单.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    done = init(InitOptions(tmp_path / "2025", 2025, roster, county="某某县"))
    assert "某某县" in done.warning  # said, never refused: the folder is made
    assert load_campaign(tmp_path / "2025").year == 2025


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A campaign of the sample roster, nothing collected yet."""
    root = tmp_path_factory.mktemp("fresh") / "2025年报"
    init(InitOptions(root, 2025, SAMPLES / "roster.xlsx", county="桐柏县", from_addr="gkb@example.org"))
    return root


def _copy(folder: Path, to: Path) -> Path:
    shutil.copytree(folder, to)
    return to


def test_collect_counts_every_outcome_and_equals_the_commands_json(fresh: Path, tmp_path: Path) -> None:
    mbox = SAMPLES / "mail" / "returns.mbox"
    recorder = Recorder()
    ours = _copy(fresh, tmp_path / "a")
    result = collect(load_campaign(ours), MailSource(mbox=mbox), recorder)
    counts = result.counts()
    assert set(counts) == set(OUTCOMES) and sum(counts.values()) == len(result.items)
    assert counts["new"] >= 2 and result.messages == len(recorder.steps) > 0
    assert recorder.totals == [None]  # a mailbox's size is not known in advance
    code, out = cli_json("collect", str(_copy(fresh, tmp_path / "b")), "--mbox", str(mbox), "--json")
    assert code == 0 and out == result.to_dict()
    again = collect(load_campaign(ours), MailSource(mbox=mbox))  # nothing is recorded twice
    assert again.counts()["new"] == 0 and again.messages == result.messages


def test_collect_names_its_source_in_the_register(fresh: Path, tmp_path: Path) -> None:
    mbox = SAMPLES / "mail" / "returns.mbox"
    campaign = load_campaign(_copy(fresh, tmp_path / "a"))
    collect(campaign, MailSource(mbox=mbox, name="mbox:returns.mbox"))
    with sqlite3.connect(campaign.root / REGISTER_FILE) as db:
        sources = {row[0] for row in db.execute("SELECT DISTINCT source FROM messages")}
    assert sources == {"mbox:returns.mbox"}


def test_draft_answers_each_current_version_once_per_unit(county: County) -> None:
    campaign = load_campaign(county.root)
    done = draft(campaign)
    by_unit = {d.unit: d.verdict for d in done.drafts}
    assert by_unit.get(CHENGGUAN, "fix") == "fix"
    assert MARKET not in by_unit  # its reply was sent already
    assert draft(campaign).drafts == []  # nothing new: nothing drafted again
    only = draft(campaign, unit=TOWN)
    assert only.drafts == []


def test_draft_json_equals_the_commands(county: County, county_master: County, tmp_path: Path) -> None:
    other = _copy(county_master.root, tmp_path / "other")
    ours = draft(load_campaign(county.root))
    code, out = cli_json("reply", str(other), "--json")
    assert code == 0
    assert relative(out, other) == relative(ours.to_dict(), county.root)
    assert all(d["eml"] for d in out["drafts"])
    manual = [d for d in out["drafts"] if d["unit"] == EDUCATION]
    assert all(d["manual"] for d in manual)


def test_a_campaign_without_a_sender_is_told_where_to_set_one(county: County) -> None:
    campaign = load_campaign(county.root)
    bare = dataclasses.replace(campaign, from_addr="", mail={})
    with pytest.raises(XltoolError, match="请加 --from"):
        sender(bare, option="--from")
    with pytest.raises(XltoolError, match="没有发件地址：请在"):
        draft(bare)
    assert sender(bare, "x@example.org") == "x@example.org"


def test_the_smtp_port_default_is_decided_once() -> None:
    assert smtp_port("ssl") == 465 and smtp_port("starttls") == 587 and smtp_port("none") == 587
    assert MailSettings("h", None, "", "", "starttls").smtp_port() == 587
    assert MailSettings("h", 2525, "", "", "ssl").smtp_port() == 2525


def test_mail_settings_take_what_is_given_else_the_campaigns(county: County) -> None:
    campaign = load_campaign(county.root)
    mailed = dataclasses.replace(campaign, mail={"smtp_host": "smtp.example.org", "smtp_user": "u"})
    s = mail_settings(mailed, "smtp", {"port": "2525", "password": "p"})
    assert (s.host, s.port, s.user, s.password, s.tls) == ("smtp.example.org", 2525, "u", "p", "ssl")
    assert mail_settings(mailed, "smtp", {"host": "other"}).host == "other"
    with pytest.raises(XltoolError, match="请填写发信"):
        mail_settings(campaign, "smtp", {})
    assert mail_settings(campaign, "smtp", {}, required=False).host == ""
    with pytest.raises(XltoolError, match="应为数字"):
        mail_settings(mailed, "smtp", {"port": "x"})


def test_send_with_nothing_pending_sends_nothing(county: County) -> None:
    campaign = load_campaign(county.root)
    done = send(campaign, MailSettings("127.0.0.1", 9, "", ""), reply_id=-1)
    assert done.pending == 0 and done.ok and done.to_dict() == {"sent": [], "failed": [], "skipped": [], "unknown": []}


def test_send_to_a_server_that_is_not_there_is_one_error(county: County, recorder: Recorder) -> None:
    campaign = load_campaign(county.root)
    draft(campaign)
    with pytest.raises(XltoolError):
        send(campaign, MailSettings("127.0.0.1", 9, "", "", "none"), progress=recorder)
    assert recorder.totals and recorder.totals[0] and recorder.totals[0] > 0


def test_the_reply_command_needs_a_server_to_send(county: County) -> None:
    done = cli("reply", str(county.root), "--send")
    assert done.exit_code == 2 and "--smtp-host" in done.output
