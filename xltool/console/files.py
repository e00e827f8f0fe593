"""Which files the console hands out, and what it tidies at start.

``/file/`` serves only what a campaign folder keeps for the clerk to open: the returns (also the
unmatched ones), annotated copies, reports, the county's totals, reply and notice drafts, the
templates, and status pages or lists at the top. Never the register (nor its ``-wal``/``-shm``
while it is open), the settings, a temporary file of a write in progress, a dot-file, a file of
another kind, or anything reached through a link — even a link that stays inside the folder.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from xltool.app.overview import SUMMARY_DIR
from xltool.app.reports import REPORTS_DIR
from xltool.app.unit import ANNOTATED_DIR
from xltool.campaign.collect import UNMATCHED
from xltool.campaign.mailings import NOTICES_DIR
from xltool.campaign.reply import REPLIES_DIR
from xltool.campaign.settings import TEMPLATES

FOLDERS = frozenset({"returns", UNMATCHED, ANNOTATED_DIR, REPORTS_DIR, SUMMARY_DIR, REPLIES_DIR, NOTICES_DIR,
                     TEMPLATES})  # fmt: skip
KINDS = frozenset({".xlsx", ".xls", ".docx", ".html", ".pdf", ".eml", ".md", ".csv", ".txt"})
TOP_KINDS = frozenset({".xlsx", ".html", ".pdf", ".docx", ".csv", ".md"})  # status pages and lists, the roster
TEMPORARY = ".xltool-"  # outputs.write_output's file while it writes (renamed when done)


def servable(root: Path, rel: str) -> Path | None:
    """The file ``rel`` names in the campaign folder ``root`` when it may be downloaded, else None."""
    if not rel or rel.startswith(("/", "\\")) or any(ord(c) < 32 for c in rel) or "\\" in rel:
        return None
    parts = rel.split("/")
    if any(p in ("", ".", "..") or p.startswith(".") or ":" in p for p in parts):
        return None
    base = root.resolve()
    path = base.joinpath(*parts)
    if not _plain(base, parts) or not path.is_file():
        return None
    kinds = KINDS if len(parts) > 1 and parts[0] in FOLDERS else TOP_KINDS if len(parts) == 1 else frozenset()
    return path if path.suffix.lower() in kinds else None


def _plain(base: Path, parts: list[str]) -> bool:
    """Every step below ``base`` a real folder or file: no link (symlink or junction) anywhere."""
    step = base
    for p in parts:
        step = step / p
        try:
            if step.is_symlink() or (hasattr(step, "is_junction") and step.is_junction()):
                return False
        except OSError:
            return False
    return True


def clean_temporaries(root: Path, before: float | None = None) -> list[Path]:
    """Remove the temporary files a killed job left in the campaign folder (``.xltool-*``, older than
    ``before``: a write that started since is another program's, still going). Links are not followed."""
    before = time.time() if before is None else before
    removed = []
    for folder, dirs, names in os.walk(root, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            path = Path(folder) / name
            if not name.startswith(TEMPORARY) or path.is_symlink():
                continue
            try:
                if path.stat().st_mtime < before:
                    path.unlink()
                    removed.append(path)
            except OSError:
                continue  # gone already, or not ours to remove: the next start tries again
    return removed
