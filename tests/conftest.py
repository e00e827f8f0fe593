"""Shared pytest fixtures."""

from __future__ import annotations

import os

import pytest

from xltool.office import find_soffice


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path of LibreOffice's soffice; skips (or fails with XLTOOL_REQUIRE_REAL=1) when missing."""
    path = find_soffice()
    if path is None:
        message = "LibreOffice (soffice) is not installed"
        if os.environ.get("XLTOOL_REQUIRE_REAL") == "1":
            pytest.fail(f"{message}, but XLTOOL_REQUIRE_REAL=1 requires it")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of headless Chromium; skips (or fails with XLTOOL_REQUIRE_REAL=1) when missing."""
    import shutil

    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "Chromium is not installed"
        if os.environ.get("XLTOOL_REQUIRE_REAL") == "1":
            pytest.fail(f"{message}, but XLTOOL_REQUIRE_REAL=1 requires it")
        pytest.skip(message)
    return path
