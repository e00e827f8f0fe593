"""The errors a use case raises about how it was called (the command line shows them as usage errors,
exit code 2; the console as a request's error). The command line imports this module at start:
nothing heavy here."""

from __future__ import annotations

from xltool.errors import XltoolError


class UsageProblem(XltoolError):
    """The call's own arguments do not fit (a missing source, an output that exists); ``option`` names
    the option or argument concerned when there is one."""

    def __init__(self, message: str, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option


class FormMismatch(UsageProblem):
    """A form named for a campaign folder that records another one (said in one line)."""
