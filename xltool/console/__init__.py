"""The local web console (``xltool serve``): a campaign in the clerk's browser.

Thin over the same library calls as the command line (collect, reply, status, aggregate, report);
the pages are Jinja2 templates and one plain script, all served by xltool itself (no CDN, no build).
Nothing here prints: the server is started and described by ``xltool.cli.console``.
"""
