"""The application layer: one function per use case, each taking plain arguments and returning a
result object (a dataclass with ``to_dict()``). The command line, the console and the demo only
parse, call these and render the result; a decision (a default port, which files an output must
never replace, which version of a return is current) is made here or below, once.

- ``campaign``: ``init``, ``collect``, ``draft`` (reply), ``send``
- ``overview``: ``status``, ``aggregate`` (and the console's ``aggregate_campaign``)
- ``reports``: ``report_file``, ``report_folder``, ``report_county``, ``report_campaign`` (the console's)
- ``documents``: ``import_reports``, ``audit_reports``; ``verify``: ``verify_returns``
- ``templates``: ``unit_template``, ``roster_templates``; ``unit``: a unit's page; ``upload``: dropped files
- ``mail`` (settings, defaults, sources), ``policy`` (outputs), ``forms`` (which form), ``wording``
  (the Chinese lines of a result), ``progress`` (the one progress type), ``errors`` (usage problems)

Nothing here prints, exits, or knows click or Flask.
"""
