"""The application layer: one function per use case, each taking plain arguments and returning a
result object (a dataclass with ``to_dict()``). The command line, the console and the demo only
parse, call these and render the result; a decision (a default port, which files an output must
never replace, which version of a return is current) is made here or below, once.

Nothing here prints, exits, or knows click or Flask; progress goes through ``progress.Progress``.
"""
