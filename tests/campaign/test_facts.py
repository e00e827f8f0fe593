"""The facts a campaign's register keeps (campaign/facts.py) so that the board reads no file: a
board with many unmatched workbooks stays right once those files and the current returns are gone;
a register of version 2 is migrated, gives the same board by reading, and its facts are filled by
the next collect; every stored figure equals what reading the file gives."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.campaign import mailfixtures as F
from tests.outliercounty import make_peer_campaign
from tests.returns import make_return
from xltool.app.overview import StatusSource, data_quality
from xltool.app.upload import Dropped, collect_dropped
from xltool.campaign.collect import collect
from xltool.campaign.register import _V1, _V2, APPLICATION_ID, REGISTER_FILE, Register
from xltool.campaign.settings import load_campaign
from xltool.campaign.status import APPLICATIONS_ROLE, campaign_status, field_number
from xltool.campaign.status_files import status_html
from xltool.checks.verify import facts_of
from xltool.workbook.read import read_return

STRANGERS = 6  # workbooks of units not on the roster (their _meta names them)
JUNK = 60  # workbooks naming no unit at all


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten departments all in (单位03 far from its peers), and many workbooks nobody's."""
    root = tmp_path_factory.mktemp("facts")
    folder = make_peer_campaign(root / "2025年报")
    strangers = [
        make_return(root / "strangers", unit=f"外县单位{i}", unit_type="部门", name=f"外县单位{i}.xlsx")
        for i in range(STRANGERS)
    ]
    dropped = [Dropped(p.name, p.read_bytes()) for p in strangers]
    dropped += [Dropped(f"报表{i}.xlsx", F.tiny_workbook(f"表{i}")) for i in range(JUNK)]
    collect_dropped(load_campaign(folder), dropped)
    return folder


@pytest.fixture
def camp(made: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(made, tmp_path / "campaign"))


def board(folder: Path) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """What the console shows: the status, its page, the quality tab."""
    status = campaign_status(load_campaign(folder))
    return status.to_dict(), status_html(status), data_quality(StatusSource(folder=folder)).to_dict()


def remove_files(folder: Path) -> None:
    """The unmatched workbooks and every stored return: a view that reads one now fails."""
    shutil.rmtree(folder / "unmatched")
    shutil.rmtree(folder / "returns")


def test_the_board_is_right_with_the_files_gone(camp: Path) -> None:
    before = board(camp)
    status = before[0]
    assert len(status["strays"]) == STRANGERS + JUNK
    assert sorted(s["unit"] for s in status["strays"] if s["unit"]) == sorted(f"外县单位{i}" for i in range(STRANGERS))
    assert any(u["applications"] is not None for u in status["units"])
    assert [r["unit"] for r in before[2]["rows"]] == ["单位03"]
    remove_files(camp)
    assert board(camp) == before


def test_every_stored_figure_equals_what_reading_the_file_gives(camp: Path) -> None:
    campaign = load_campaign(camp)
    form = campaign.form()
    rows = {r.name: r for r in campaign_status(campaign, form=form).rows}
    with Register.for_campaign(camp) as reg:
        stored = reg.facts()
        for unit in reg.units():
            sub = reg.current(unit.id)
            assert sub is not None
            ret = read_return(camp / sub.stored_path, form)
            assert stored[sub.id] == facts_of(form, ret), unit.name
            assert rows[unit.name].applications == field_number(form, ret, form.role(APPLICATIONS_ROLE))
    assert stored[sub.id].figures and stored[sub.id].unit_type == "部门"


def as_version_2(folder: Path) -> None:
    """Replace the register by one of schema version 2 with the same rows (what an older xltool left)."""
    path = folder / REGISTER_FILE
    old = path.with_name("v3.sqlite")
    with Register.open(path):  # a checkpoint: the rows are in the main file
        pass
    path.rename(old)
    for extra in ("-wal", "-shm"):
        path.with_name(REGISTER_FILE + extra).unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    for statement in (*_V1, *_V2):
        db.execute(statement)
    db.execute(f"ATTACH DATABASE '{old}' AS v3")
    for table in ("units", "messages", "attachments", "submissions", "verdicts", "replies", "actions"):
        cols = ", ".join(r[1] for r in db.execute(f"PRAGMA main.table_info({table})"))
        db.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM v3.{table}")
    db.execute("DETACH DATABASE v3")
    db.execute("PRAGMA user_version = 2")
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.close()
    old.unlink()


def test_a_version_2_register_is_migrated_and_filled_by_the_next_collect(camp: Path) -> None:
    before = board(camp)
    as_version_2(camp)
    assert board(camp) == before  # migrated on opening; the files are read, as before
    with Register.for_campaign(camp) as reg:
        assert reg.pragma("user_version") == 3 and reg.facts() == {} and reg.lacks_facts()
    collect(load_campaign(camp), [], "nothing new")
    with Register.for_campaign(camp) as reg:
        assert not reg.lacks_facts() and len(reg.facts()) == 10
    remove_files(camp)
    assert board(camp) == before


def test_the_console_board_lists_the_last_strays_and_counts_the_rest(camp: Path) -> None:
    """A board lists a page's worth of unmatched workbooks (the last collected), never all of them:
    anyone who can mail the inbox can send a thousand. Status itself lists them all."""
    whole = campaign_status(load_campaign(camp))
    limited = campaign_status(load_campaign(camp), stray_limit=10)
    assert limited.strays == whole.strays[-10:] and limited.strays_more == STRANGERS + JUNK - 10
    assert whole.strays_more == 0 and "strays_more" not in whole.to_dict()
    exact = campaign_status(load_campaign(camp), stray_limit=STRANGERS + JUNK)
    assert exact.strays == whole.strays and exact.strays_more == 0


def test_an_up_to_date_register_opens_without_the_write_lock(camp: Path) -> None:
    """Opening a register to read it (every page, status, job) takes no write lock: it opens at once
    while another program holds one (a collect writing), where it used to wait for it."""
    writer = sqlite3.connect(camp / REGISTER_FILE, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        with Register.for_campaign(camp, create=False) as reg:
            assert len(reg.units()) == 10
    finally:
        writer.execute("ROLLBACK")
        writer.close()
