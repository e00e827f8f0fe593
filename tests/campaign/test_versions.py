"""Versions under the clerk's control: what collect holds for review (待核实), the clerk's three
decisions (use, void, move), and everything downstream following the register's current version."""

from __future__ import annotations

import datetime as dt
import email
import shutil
import sqlite3
from email import policy
from pathlib import Path

import pytest

from tests.campaign.versionfixtures import FINANCE, HOUSING, JUSTICE, LAND, MARKET, WATER, Mess, build_mess
from xltool.app.reports import campaign_jobs
from xltool.campaign.aggregate import aggregate
from xltool.campaign.register import Register
from xltool.campaign.reply import draft_replies
from xltool.campaign.settings import load_campaign
from xltool.campaign.status import campaign_status
from xltool.errors import XltoolError


@pytest.fixture(scope="module")
def mess_master(tmp_path_factory: pytest.TempPathFactory) -> Mess:
    return build_mess(tmp_path_factory.mktemp("mess"))


@pytest.fixture
def mess(mess_master: Mess, tmp_path: Path) -> Mess:
    root = tmp_path / mess_master.root.name
    shutil.copytree(mess_master.root, root)
    return Mess(root, mess_master.files, mess_master.values)


def current_no(root: Path, unit: str) -> int | None:
    with Register.for_campaign(root) as reg:
        sub = reg.current(unit)
        return sub.version_no if sub else None


def standing(root: Path) -> dict[str, str]:
    return {r.name: r.standing for r in campaign_status(load_campaign(root)).rows}


def test_collect_holds_what_mail_got_wrong(mess: Mess) -> None:
    with Register.for_campaign(mess.root) as reg:
        housing = reg.versions(HOUSING)
        assert [(s.version_no, s.held) for s in housing] == [(1, False), (2, True)]
        assert "自然资源局" in housing[1].review
        assert reg.current(HOUSING).version_no == 1  # the mis-sent draft never replaced the good version
        finance = reg.versions(FINANCE)
        assert [(s.version_no, s.held, s.review) for s in finance] == [(1, True, f"用了{JUSTICE}的模板")]
        assert reg.current(FINANCE).version_no == 1  # its first version counts, marked 待核实
        assert reg.versions(JUSTICE) == []  # 司法局 sent nothing: never 待修改
        market = reg.versions(MARKET)
        assert market[2].held and WATER in market[2].review  # the same file from two units
        assert reg.current(MARKET).version_no == 2  # the resend
    s = standing(mess.root)
    assert s[JUSTICE] == "missing" and s[FINANCE] == "fix" and s[HOUSING] == "pass" and s[LAND] == "pass"
    review = campaign_status(load_campaign(mess.root)).to_dict()["needs_review"]
    assert [(r["unit"], r["version"], r["current"]) for r in review] == [(HOUSING, 2, False), (FINANCE, 1, True),
                                                                          (MARKET, 3, False)]  # fmt: skip
    assert all(r["command"].startswith("xltool versions ") and "--use" in r["todo"] for r in review)


def test_use_void_move_and_undo(mess: Mess) -> None:
    root = mess.root
    with Register.for_campaign(root) as reg:
        reg.use_version(HOUSING, 2, "试一下")
        assert reg.current(HOUSING).version_no == 2 and not reg.versions(HOUSING)[1].held
        reg.use_version(HOUSING, 1, "撤销：第 2 版是误发的")
        assert reg.current(HOUSING).version_no == 1
        reg.void_version(HOUSING, 2, "自然资源局误发的旧稿")
        assert reg.versions(HOUSING)[1].voided  # kept, never deleted
        reg.void_version(MARKET, 2, "试一下")
        assert reg.current(MARKET).version_no == 1  # the held v3 never counts by itself
        reg.use_version(MARKET, 2, "撤销作废")
        assert reg.current(MARKET).version_no == 2
        actions = reg.actions(HOUSING)
        assert [a.action for a in actions] == ["use", "use", "void"] and actions[2].reason == "自然资源局误发的旧稿"
    from xltool.app.versions import decide

    camp = load_campaign(root)
    moved = decide(camp, FINANCE, move=1, to=JUSTICE, reason="代司法局转发")
    assert moved.unit == JUSTICE and moved.current is not None and moved.current.number == 1
    assert (root / moved.versions[0].stored_path).is_file() and JUSTICE in moved.versions[0].stored_path
    assert standing(root)[FINANCE] == "missing" and standing(root)[JUSTICE] == "fix"
    back = decide(camp, JUSTICE, move=1, to=FINANCE, reason="移错了")
    assert back.unit == FINANCE and current_no(root, JUSTICE) is None
    confirmed = decide(camp, FINANCE, use=1, reason="已电话核实")
    assert not confirmed.versions[0].held
    assert [a.action for a in confirmed.actions] == ["move", "move", "use"]


def test_a_version_collected_after_the_pick_takes_over(mess: Mess, tmp_path: Path) -> None:
    from tests.campaign import mailfixtures as F
    from tests.campaign.countyfixtures import unit_values
    from tests.returns import default_form, make_return
    from xltool.campaign.collect import collect

    with Register.for_campaign(mess.root) as reg:
        reg.use_version(MARKET, 1, "先按第 1 版")
    camp = load_campaign(mess.root)
    same = F.message([("m.xlsx", mess.files["market2"].read_bytes(), F.XLSX)], sender="scjgj@example.org",
                     message_id="<m9@x>")  # fmt: skip
    collect(camp, [same], "test")
    assert current_no(mess.root, MARKET) == 1  # the same bytes again: no new version, the pick stands
    newer = make_return(tmp_path, base=unit_values(default_form(), 9, MARKET, town=False), unit=MARKET,
                        unit_type="部门", name="m3.xlsx")  # fmt: skip
    collect(camp, [F.message([("m3.xlsx", newer.read_bytes(), F.XLSX)], sender="scjgj@example.org",
                             message_id="<m10@x>")], "test")  # fmt: skip
    assert current_no(mess.root, MARKET) == 4  # a new version after the pick counts


def test_decisions_need_a_reason_and_a_real_version(mess: Mess) -> None:
    with Register.for_campaign(mess.root) as reg:
        with pytest.raises(XltoolError, match="理由"):
            reg.void_version(HOUSING, 1, "  ")
        with pytest.raises(XltoolError, match="没有第 9 版"):
            reg.use_version(HOUSING, 9, "x")
        assert not reg.versions(HOUSING)[0].voided and reg.actions() == []


def test_downstream_follows_the_current_version(mess: Mess) -> None:
    root = mess.root
    camp = load_campaign(root)
    form = camp.form()
    with Register.for_campaign(root) as reg:
        reg.use_version(HOUSING, 2, "经办人误选")
    jobs, _ = campaign_jobs(camp, form, only=HOUSING)
    status = campaign_status(camp)
    draft = status.returns[HOUSING].values["t2.licensing.decisions"].value
    assert draft == mess.values["housing_draft"]["t2.licensing.decisions"]
    assert jobs[0].source == root / next(r for r in status.rows if r.name == HOUSING).status.current.stored_path
    assert HOUSING in [e.unit for e in aggregate(status, form).excluded]  # the draft has errors
    with Register.for_campaign(root) as reg:  # the reply to the mis-sent draft goes to the address that sent it
        drafts = {d.unit: d for d in draft_replies(reg, root, form, from_addr="gkb@biyang.example.org",
                                                   county_name="泌阳县")}  # fmt: skip
        assert drafts[HOUSING].to_addr == "zrzyj@example.org"
        assert drafts[HOUSING].message.get_body(("plain",)).get_content().startswith(f"{LAND}：")
        reg.void_version(HOUSING, 2, "自然资源局误发的旧稿")
    status = campaign_status(camp)
    good = status.returns[HOUSING].values["t2.licensing.decisions"].value
    assert good == mess.values["housing"]["t2.licensing.decisions"] and standing(root)[HOUSING] == "pass"
    jobs, _ = campaign_jobs(camp, form, only=HOUSING)
    assert jobs[0].source == root / next(r for r in status.rows if r.name == HOUSING).status.current.stored_path
    summed = {i.unit: i for i in aggregate(status, form).included}
    assert summed[HOUSING].version == 1
    assert summed[HOUSING].values["t2.licensing.decisions"] == mess.values["housing"]["t2.licensing.decisions"]


def test_the_wrong_template_reply(mess: Mess) -> None:
    root = mess.root
    camp = load_campaign(root)
    with Register.for_campaign(root) as reg:
        drafts = {d.unit: d for d in draft_replies(reg, root, camp.form(), from_addr="gkb@biyang.example.org",
                                                   county_name="泌阳县")}  # fmt: skip
    d = drafts[FINANCE]
    body = d.message.get_body(("plain",)).get_content()
    assert d.to_addr == "czj@example.org" and body.startswith(f"{FINANCE}：") and JUSTICE + "：" not in body
    assert "请用本单位的模板重新填写" in body
    names = [p.get_filename() for p in d.message.iter_attachments()]
    template = next((root / "templates").glob(f"*{FINANCE}*"))
    assert names == [template.name]
    attached = next(d.message.iter_attachments()).get_content()
    assert attached == template.read_bytes()
    reparsed = email.message_from_bytes(d.message.as_bytes(), policy=policy.SMTP)
    assert FINANCE in str(reparsed["To"])


def _dump(path: Path) -> list[tuple[object, ...]]:
    db = sqlite3.connect(path)
    try:
        return [tuple(r) for t in ("submissions", "attachments", "actions") for r in db.execute(f"SELECT * FROM {t}")]
    finally:
        db.close()


@pytest.mark.parametrize("action", ["use", "void", "move"])
def test_a_failure_between_statements_leaves_the_register_as_before(
    mess: Mess, action: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The decision's own row is its last statement: failing there rolls back the version's change."""
    from xltool.campaign.choice import VersionActions

    before = _dump(mess.root / "register.sqlite")

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("cut")

    monkeypatch.setattr(VersionActions, "_record", boom)
    with Register.for_campaign(mess.root) as reg, pytest.raises(RuntimeError):
        if action == "move":
            reg.move_version(FINANCE, 1, JUSTICE, "x", "returns/x/y.xlsx")
        else:
            getattr(reg, f"{action}_version")(HOUSING, 2, "x")
    assert _dump(mess.root / "register.sqlite") == before


KILLED = """
import os, signal, sys
from xltool.campaign.choice import VersionActions
from xltool.app.versions import decide
from xltool.campaign.settings import load_campaign

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)  # mid-transaction: the version is changed, the action not yet written

VersionActions._record = die
action = sys.argv[2]
camp = load_campaign(sys.argv[1])
if action == "move":
    decide(camp, sys.argv[3], move=1, to=sys.argv[4], reason="x")
else:
    decide(camp, sys.argv[3], **{action: 2}, reason="x")
"""


@pytest.mark.parametrize("action", ["use", "void", "move"])
def test_a_kill_mid_action_leaves_the_register_as_before(mess: Mess, action: str, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    before = _dump(mess.root / "register.sqlite")
    script = tmp_path / "killed.py"
    script.write_text(KILLED, encoding="utf-8")
    unit, to = (FINANCE, JUSTICE) if action == "move" else (HOUSING, "")
    done = subprocess.run([sys.executable, str(script), str(mess.root), action, unit, to],
                          env={**os.environ}, capture_output=True, timeout=120)  # fmt: skip
    assert done.returncode == -9, done.stderr.decode()
    assert _dump(mess.root / "register.sqlite") == before
    with Register.for_campaign(mess.root) as reg:  # and the next run works
        reg.use_version(HOUSING, 1, "恢复")
        assert reg.current(HOUSING).version_no == 1


def test_an_older_register_is_migrated(tmp_path: Path) -> None:
    from xltool.campaign.register import _V1

    path = tmp_path / "register.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    for statement in _V1:
        db.execute(statement)
    db.execute("INSERT INTO units (name, file_stem) VALUES ('甲', '甲')")
    db.execute("INSERT INTO messages (sha256, received_at) VALUES ('m', '2026-01-01T00:00:00+00:00')")
    db.execute("INSERT INTO attachments (message_id, safe_name, sha256) VALUES (1, 'a.xlsx', 'a')")
    for i, when in ((1, "2026-01-02"), (2, "2026-01-03")):
        db.execute("INSERT INTO submissions (unit_id, attachment_id, sha256, received, stored_path, version_no) "
                   f"VALUES (1, 1, 's{i}', '{when}T00:00:00+00:00', 'r{i}.xlsx', {i})")  # fmt: skip
    db.execute("PRAGMA user_version = 1")
    db.execute("PRAGMA application_id = 2020373553")
    db.close()
    with Register.open(path) as reg:
        assert reg.pragma("user_version") == 3  # every migration since, in order
        assert reg.current("甲").version_no == 2 and reg.actions() == []
        reg.void_version("甲", 2, "旧登记簿也能处理")
        assert reg.current("甲").version_no == 1


def test_collect_tells_the_clerk_what_it_held(mess: Mess, tmp_path: Path) -> None:
    from tests.campaign import mailfixtures as F
    from tests.campaign.countyfixtures import unit_values
    from tests.returns import default_form, make_return
    from xltool.campaign.collect import collect

    other = make_return(tmp_path, base=unit_values(default_form(), 11, LAND, town=False), unit=LAND,
                        unit_type="部门", name="land2.xlsx")  # fmt: skip
    sent = F.message([("land2.xlsx", other.read_bytes(), F.XLSX)], sender="czj@example.org", message_id="<x1@x>")
    done = collect(load_campaign(mess.root), [sent], "test")
    item = next(i for i in done.items if i.outcome == "new")
    assert item.unit == LAND and item.version == 2 and "待核实" in item.flag and "xltool versions" in item.flag
    assert current_no(mess.root, LAND) == 1  # its good first version stays current


def test_remind_asks_the_sender_of_a_wrong_template_to_redo_it_and_leaves_held_mail_to_the_clerk(mess: Mess) -> None:
    """财政局 filled in 司法局's template: its reminder is the 待核实 one, with its own template attached;
    住建局's mis-sent draft (held, the clerk's to decide) brings 住建局 no reminder; 司法局 sent nothing."""
    from xltool.app.mailings import remind

    done = remind(load_campaign(mess.root), today=dt.date(2026, 1, 20))
    states = {d.unit: d.state for d in done.run.drafted}
    assert states[FINANCE] == "review:1"
    assert states[JUSTICE] == "missing"
    assert HOUSING not in states and LAND not in states
    mail = email.message_from_bytes(
        next(d for d in done.run.drafted if d.unit == FINANCE).eml_path.read_bytes(), policy=policy.default
    )
    attached = [p.get_filename() for p in mail.iter_attachments()]
    assert attached and FINANCE in attached[0] and JUSTICE not in attached[0]


def _one_by_one(reg: Register) -> list[object]:
    return [reg.status_of(unit) for unit in reg.units()]


def test_the_whole_board_read_at_once_agrees_with_each_unit(mess: Mess) -> None:
    """The board reads every unit's versions, current version, verdict and reply in a few queries
    (``all_versions``, ``currents``, ``summary``): after picks, voids and moves each unit stands as
    asking for it alone says, held versions and those collected after a pick included."""
    root = mess.root
    with Register.for_campaign(root) as reg:
        assert list(reg.summary().units) == _one_by_one(reg)
        reg.use_version(HOUSING, 2, "试一下")
        reg.void_version(MARKET, 2, "试一下")
        assert list(reg.summary().units) == _one_by_one(reg)
        assert {u.id: reg.current(u.id) for u in reg.units() if reg.versions(u.id)} == reg.currents()
        reg.use_version(MARKET, 2, "撤销作废")
        reg.move_version(FINANCE, 1, JUSTICE, "代司法局转发", reg.versions(FINANCE)[0].stored_path)
        assert list(reg.summary().units) == _one_by_one(reg)
        assert [len(v) for v in reg.all_versions().values()] == [len(reg.versions(i)) for i in reg.all_versions()]
