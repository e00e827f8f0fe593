"""Whether the campaign register has changed since it was last looked at, for a front end that keeps
what it showed (the console's board and unit pages).

SQLite's ``PRAGMA data_version`` on a connection held open for the purpose changes whenever another
connection — a collect, a verify, a version decision, a reply, in this process or another — has
committed to the register; this connection itself never writes. Asking costs one statement and no
file reading, however many returns and unmatched files the campaign holds.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from xltool.campaign.register import REGISTER_FILE


class RegisterChanges:
    """The change counter of the register in the campaign folder ``root`` (safe from any thread)."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / REGISTER_FILE
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def count(self) -> int:
        """A number that differs from the last one asked for when the register changed since."""
        with self._lock:
            if self._db is None:
                self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
            return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
