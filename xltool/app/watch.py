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
        self._last: int | None = None

    def count(self) -> int:
        """A number that differs from the last one asked for when the register changed since.

        While another thread is asking, the answer it last got is given instead of waiting: in a burst
        of page loads each query (which lets go of the interpreter, and must get it back) would
        otherwise queue every page behind it. A view that comes after a change, and not in the middle
        of another view, always asks."""
        if not self._lock.acquire(blocking=self._last is None):
            return self._last if self._last is not None else self.count()  # (closed meanwhile: ask)
        try:
            if self._db is None:
                self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
            self._last = int(self._db.execute("PRAGMA data_version").fetchone()[0])
            return self._last
        finally:
            self._lock.release()

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
                self._last = None
