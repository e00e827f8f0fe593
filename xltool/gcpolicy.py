"""How xltool's own processes (the command, verify's workers) set Python's garbage collector.

Reading a return allocates tens of thousands of short-lived objects (XML elements, cells, values),
garbage by the next return; collecting the young generation every 700 allocations (Python's
default) cost a tenth of the time to verify one. A library caller's process is left as it is.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000  # allocations between collections of the young generation


def for_batches() -> None:
    gc.set_threshold(YOUNG_THRESHOLD, 10, 10)
