"""Shared pytest fixtures: the real components some tests need (LibreOffice, Chromium)."""

from __future__ import annotations

import os
import shutil

import pytest

from xltool.office import find_soffice


def _required(path: str | None, what: str) -> str:
    """The component's path; skips without it, or fails under XLTOOL_REQUIRE_REAL=1 (CI)."""
    if path is None:
        message = f"{what} is not installed"
        if os.environ.get("XLTOOL_REQUIRE_REAL") == "1":
            pytest.fail(f"{message}, but XLTOOL_REQUIRE_REAL=1 requires it")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path of LibreOffice's soffice."""
    return _required(find_soffice(), "LibreOffice (soffice)")


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of headless Chromium."""
    return _required(shutil.which("chromium") or shutil.which("chromium-browser"), "Chromium")
