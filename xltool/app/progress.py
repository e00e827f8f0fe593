"""The one progress type every use case reports through (a terminal's bar, a console job's state)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Progress(Protocol):
    """What a long use case says as it goes: how many steps there will be (None: not known in
    advance, as in a mailbox), and each step done with a short text (a unit, a mail's subject)."""

    def total(self, n: int | None) -> None: ...
    def step(self, text: str = "") -> None: ...


class Silent:
    """A Progress that shows nothing (the default, and the demo's)."""

    def total(self, n: int | None) -> None:
        return None

    def step(self, text: str = "") -> None:
        return None


SILENT = Silent()
