"""Known failures, each carrying a Chinese message a county officer can act on.

The CLI turns every XltoolError into one line on stderr and exit code 1; anything else is a bug and
is reported as such (traceback only with --debug).
"""


class XltoolError(Exception):
    """A failure the user can fix; ``str(err)`` is the Chinese message shown to them."""


class FormDefinitionError(XltoolError):
    """The form definition (workbook_templates/…) is inconsistent."""


class RosterError(XltoolError):
    """The county roster cannot be used."""


class OfficeError(XltoolError):
    """LibreOffice is missing or failed to convert a file."""
