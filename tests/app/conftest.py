"""Fixtures of the application layer's tests: a real campaign (collected from real mail, replies
drafted), a plain folder of returns with its roster, a Progress that records what it is told."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.app.helpers import Recorder
from tests.campaign.countyfixtures import County, build_campaign, build_folder


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(scope="package")
def county_master(tmp_path_factory: pytest.TempPathFactory) -> County:
    return build_campaign(tmp_path_factory.mktemp("county"))


@pytest.fixture
def county(county_master: County, tmp_path: Path) -> County:
    """A copy of the campaign of its own (use cases write into it)."""
    root = tmp_path / county_master.root.name
    shutil.copytree(county_master.root, root)
    return County(root, county_master.roster, county_master.values, county_master.files)


@pytest.fixture(scope="package")
def plain(tmp_path_factory: pytest.TempPathFactory) -> County:
    return build_folder(tmp_path_factory.mktemp("plain"))
