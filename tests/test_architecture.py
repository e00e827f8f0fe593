"""The layering the folders promise, checked on the source: data flows one way, the library never
prints, and code never names a rule that a form might lack."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from xltool.checks.text import TEXT_CHECKS
from xltool.form.catalogue import builtin_rules, text_checks
from xltool.report.lint import REPORT_CHECKS

PACKAGE = Path(__file__).resolve().parent.parent / "xltool"


def _modules(package: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the ``xltool`` tree at ``package``."""
    return {
        ".".join(p.relative_to(package.parent).with_suffix("").parts).removesuffix(".__init__"): p
        for p in package.rglob("*.py")
    }


MODULES = _modules(PACKAGE)


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the xltool module imported (a name from a module's __init__ counts as that module)
    line: int
    in_function: bool  # runs when the function is called, not when the module loads


def _imports(name: str, path: Path, modules: Mapping[str, Path]) -> list[Import]:
    """Every import of an xltool module in ``path``, at any depth: ``import x``, ``from x import y``
    (y a submodule or a name), relative ones resolved against the module's package, and those inside
    functions (marked) — a circle closed by an import in a function is a circle all the same."""
    out: list[Import] = []
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            targets: list[str] = []
            if isinstance(child, ast.Import):
                targets = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    up = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                    base = ".".join([*up, base] if base else up)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in child.names]
            for target in targets:
                while target and target not in modules:  # import xltool.form.model.Field -> xltool.form.model
                    target = target.rpartition(".")[0]
                if target.startswith("xltool") and target != name:
                    out.append(Import(name, target, child.lineno, in_function))
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return out


def _all_imports(path: Path) -> set[str]:
    name = next(n for n, p in MODULES.items() if p == path)
    return {i.target for i in _imports(name, path, MODULES)}


def _graph(imports: list[Import]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for i in imports:
        graph.setdefault(i.source, set()).add(i.target)
    return graph


def _cycle(graph: Mapping[str, set[str]]) -> list[str]:
    """One import cycle of ``graph`` (module -> modules it imports), [] when none."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


# The packages from the bottom up: a package imports only packages of the floors below it (the
# flow of the data: definition -> template -> return -> checks -> report; import and campaign on
# top; the application layer; the two front doors). xltool/<pkg>/ is one package; a module at the
# top (roster.py, outputs.py…) is a package of its own. "xltool" is xltool/__init__.py (__version__).
FLOORS: tuple[frozenset[str], ...] = tuple(
    frozenset(f.split())
    for f in (
        "xltool errors",
        "wording gcpolicy outputs office",
        "form",
        "workbook",
        "roster",  # a roster is read with the workbook's limits; verify checks units against it
        "checks",
        "report importer",
        "reference",  # the rules reference (xltool rules, docs/rules) names what import finds too
        "campaign",
        "app demo",  # app/ is the application layer (it may not exist yet); the demo drives a campaign like it
        "cli console",
        "__main__",
    )
)
# Imports between two packages of one floor, each for a reason.
SIDEWAYS = {
    ("demo", "app"),  # the demo runs the application layer's use cases
    ("cli", "console"),  # `xltool serve` starts the console
}


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _floor(package: str) -> int:
    return next(i for i, names in enumerate(FLOORS) if package in names)


def _layering_problems(imports: list[Import]) -> list[str]:
    """Every import that goes to a package not below its own (or not sideways as allowed), every
    package no floor places, and a circle between packages."""
    placed = set().union(*FLOORS)
    found = sorted({f"{_package(i.source)} is on no floor" for i in imports if _package(i.source) not in placed})
    packages: dict[str, set[str]] = {}
    for i in imports:
        src, dst = _package(i.source), _package(i.target)
        if src == dst or src not in placed or dst not in placed:
            continue
        packages.setdefault(src, set()).add(dst)
        if _floor(dst) > _floor(src) or (_floor(dst) == _floor(src) and (src, dst) not in SIDEWAYS):
            where = "in a function" if i.in_function else "at the top"
            found.append(f"{i.source}:{i.line} imports {i.target} ({where}): {src} may not use {dst}")
    if circle := _cycle(packages):
        found.append("circle of packages: " + " -> ".join(circle))
    return found


def _house(package: Path) -> list[Import]:
    modules = _modules(package)
    return [i for name, path in sorted(modules.items()) for i in _imports(name, path, modules)]


IMPORTS = _house(PACKAGE)

# Imports of xltool modules made inside functions: 156 of 432 before issue 20 (they hid three
# circles), 56 of 557 after. What is left is lazy on purpose: the CLI loads a command's modules
# when it runs (tests/test_startup.py); modules that load a heavy library (openpyxl, xlsxwriter,
# python-docx) or the whole importer when imported. A new one needs a reason: raise this only with
# it. Issue 21: +1 `xltool versions`, +3 `xltool distribute` and `xltool remind` (their use cases
# load when the command runs), +1 `verify --current` (the campaign's current versions, from
# app/reports).
FUNCTION_IMPORTS_CEILING = 61  # 60 in use


def test_no_import_cycles() -> None:
    graph = _graph(IMPORTS)
    assert _cycle(graph) == [], "import cycle: " + " -> ".join(_cycle(graph))
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]  # the detector detects


def test_packages_keep_their_order() -> None:
    assert _layering_problems(IMPORTS) == []
    on_disk = {_package(m) for m in MODULES}
    assert on_disk <= set().union(*FLOORS), on_disk - set().union(*FLOORS)  # a new package takes a floor


# Where an import inside a function needs no other reason: the CLI loads a command's modules when
# the command runs (tests/test_startup.py), the console and the demo are the front doors' to tidy.
FRONT_DOORS = ("xltool.cli.", "xltool.console.", "xltool.demo")
# Library modules imported inside a function elsewhere because importing them loads a heavy library.
HEAVY = {
    "xltool.checks.problem_files",  # openpyxl, xlsxwriter
    "xltool.report.docx",  # python-docx
    "xltool.workbook.write",  # xlsxwriter
    "xltool.importer.audit_list",  # openpyxl
    "xltool.importer.previous",  # the whole importer (0.12 s), only when last year's files are given
    "xltool.app.reports",  # the register and, through status, the importer: only for verify --current
}


def test_imports_inside_functions_are_few() -> None:
    inside = [i for i in IMPORTS if i.in_function]
    assert len({(i.source, i.line) for i in inside}) <= FUNCTION_IMPORTS_CEILING
    unexplained = [
        f"{i.source}:{i.line} -> {i.target}"
        for i in inside
        if not i.source.startswith(FRONT_DOORS) and i.target not in HEAVY
    ]
    assert unexplained == []


def _copy_of_the_house(tmp_path: Path) -> Path:
    copy = tmp_path / "xltool"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "*.toml"))
    return copy


def _plant(copy: Path, module: str, code: str) -> None:
    path = copy.joinpath(*module.split(".")[1:]).with_suffix(".py")
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + code + "\n", encoding="utf-8")


def test_a_planted_circle_or_wrong_way_import_fails(tmp_path: Path) -> None:
    """The checks above, on a copy of the source with one import planted: each must fail."""
    assert _cycle(_graph(_house(_copy_of_the_house(tmp_path / "clean")))) == []
    plants = {
        # a module circle closed inside a function (form.model <- form.loader already)
        "function": ("xltool.form.model", "def later():\n    from xltool.form.loader import load_form\n"),
        # a module circle at the top, written relative
        "relative": ("xltool.importer.model", "from .build import import_document  # noqa\n"),
        # the wrong way: the definition asking the checks, inside a function
        "upward": ("xltool.form.calc", "def later():\n    import xltool.checks.verify\n"),
    }
    for case, (module, code) in plants.items():
        copy = _copy_of_the_house(tmp_path / case)
        _plant(copy, module, code)
        imports = _house(copy)
        cycle, wrong = _cycle(_graph(imports)), _layering_problems(imports)
        assert cycle or wrong, case
        if case != "upward":
            assert module in cycle, (case, cycle)
        else:
            assert any("form may not use checks" in w for w in wrong), wrong
    # a circle of packages made of modules that are in no circle themselves
    graph = [
        Import("xltool.workbook.a", "xltool.roster", 1, False),
        Import("xltool.roster", "xltool.workbook.b", 1, True),
    ]
    assert any("circle of packages: " in w for w in _layering_problems(graph))
    # a new top-level module is on no floor until it is placed
    assert _layering_problems([Import("xltool.newthing", "xltool.form.model", 1, False)]) == ["newthing is on no floor"]


def test_reading_never_imports_writing() -> None:
    code = (
        "import sys, xltool.workbook.read, xltool.checks.verify, xltool.importer.audit;"
        "print(sorted(m for m in sys.modules if m.startswith('xltool')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "xltool.workbook.write" not in loaded
    assert "xltool.cli" not in loaded
    readers = ("xltool.workbook.read", "xltool.workbook.meta", "xltool.workbook.filled", "xltool.checks.verify")
    # an imported report is checked as the return its values make, never written and read back
    for name in (*readers, "xltool.checks.schemas", "xltool.importer.audit", "xltool.importer.previous"):
        assert "xltool.workbook.write" not in _all_imports(MODULES[name]), name


def test_nothing_imports_the_cli() -> None:
    for name, path in MODULES.items():
        if not name.startswith("xltool.cli") and name != "xltool.__main__":
            assert not any(m.startswith("xltool.cli") for m in _all_imports(path)), name


def test_the_library_never_prints_or_exits() -> None:
    for name, path in MODULES.items():
        if name.startswith("xltool.cli") or name == "xltool.__main__":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in ("print", "exit"), f"{name}: {node.func.id}()"
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                assert (node.value.id, node.attr) not in (("sys", "exit"), ("click", "echo")), name


def test_code_names_only_builtin_rules() -> None:
    """make_problem(form, "<id>", …) with a literal id: only ids of the built-in catalogue, which every
    form has. A form's own rules are reached through the rule objects (by kind or by check)."""
    builtin = {r.id for r in builtin_rules()}
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "make_problem" and len(node.args) > 1:
                rid = node.args[1]
                if isinstance(rid, ast.Constant):
                    assert rid.value in builtin, f"{name} names rule {rid.value!r}, which a form may lack"
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "rule" and node.args:
                rid = node.args[0]
                if isinstance(rid, ast.Constant):
                    assert rid.value in builtin, f"{name} asks for rule {rid.value!r}, which a form may lack"


def test_every_catalogued_text_check_is_implemented() -> None:
    implemented = set(TEXT_CHECKS) | set(REPORT_CHECKS) | {"copied"}
    assert set(text_checks()) == implemented
    stages = {name: spec["stage"] for name, spec in text_checks().items()}
    assert {n for n, s in stages.items() if s == "verify"} == set(TEXT_CHECKS)
    assert {n for n, s in stages.items() if s == "report"} == set(REPORT_CHECKS)


# Words only the annual report's users would recognise. Code may hold them in comments and
# docstrings (examples) but never in a string it shows or compares: those come from the form.
ANNUAL_WORDS = (
    "依申请",
    "主动公开",
    "行政复议",
    "行政诉讼",
    "信息处理费",
    "表二",
    "表三",
    "表四",
    "政务公开办",
    "政府信息公开",
)
SAYS_THE_DEFAULT = {("xltool.cli.main", "默认为政府信息公开工作年度报告")}  # --form's help names the default form


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
            out.add(id(first.value))
    return out


def test_code_says_nothing_only_the_annual_report_would() -> None:
    found = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in docs:
                continue
            allowed = any(name == m and s in node.value for m, s in SAYS_THE_DEFAULT)
            if any(w in node.value for w in ANNUAL_WORDS) and not allowed:
                found.append(f"{name}:{node.lineno}: {node.value[:40]}")
    assert found == []


def test_problems_are_told_apart_by_rule_not_by_code() -> None:
    """A form may give a built-in rule another code (the mini form's blanks are K1): code that
    compares ``.code`` with a literal would miss it."""
    import re

    found = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute) and node.left.attr == "code":
                for c in node.comparators:
                    if isinstance(c, ast.Constant) and isinstance(c.value, str) and re.fullmatch(r"[A-Z]\d+", c.value):
                        found.append(f"{name}:{node.lineno}: .code == {c.value!r}")
    assert found == []


# --- the application layer: the front ends parse, call app/ and render --------------------------------
FRONT_ENDS = ("xltool.cli", "xltool.console")
STORAGE_AND_MAIL = frozenset({"sqlite3", "smtplib", "imaplib", "mailbox"})
OVERWRITE_POLICY = frozenset(
    {"refuse_overwrite", "refuse_inputs", "refuse_any_input", "require_suffix", "write_output"}
)


TERMINAL = frozenset({("sys", "exit"), ("os", "_exit"), ("click", "echo"), ("click", "secho")})


def _front_end(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FRONT_ENDS)


def _every_import(path: Path) -> set[str]:
    """Every module imported anywhere in the file (inside functions too), xltool's and others'."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    return out


def _prints_or_exits(source: str) -> list[str]:
    """Where ``source`` prints, exits or writes to the terminal (print, exit, sys.exit, click.echo…)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("print", "exit"):
            found.append(f"{node.lineno}: {node.func.id}()")
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (node.value.id, node.attr) in TERMINAL
        ):
            found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_the_front_ends_open_no_register_nor_mailbox() -> None:
    """The register (sqlite3) and the mail (smtplib, imaplib, mailbox) are reached through app/."""
    found = [
        f"{name}: {m}"
        for name, path in MODULES.items()
        if _front_end(name)
        for m in _every_import(path)
        if m.split(".")[0] in STORAGE_AND_MAIL
    ]
    assert found == []


def test_the_front_ends_keep_no_overwrite_policy_of_their_own() -> None:
    """Which files an output may replace is decided in app/ (xltool.app.policy), never in a command or a page."""
    found = []
    for name, path in MODULES.items():
        if not _front_end(name):
            continue
        if "xltool.outputs" in _every_import(path) or "xltool.app.policy" in _every_import(path):
            found.append(f"{name}: imports the output policy")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            named = getattr(node, "name", None) or getattr(node, "id", None) or getattr(node, "attr", None)
            if named in OVERWRITE_POLICY:
                found.append(f"{name}:{node.lineno}: {named}")
    assert found == []


def test_the_application_layer_never_prints_exits_nor_knows_its_front_ends() -> None:
    assert any(name.startswith("xltool.app.") for name in MODULES)
    for name, path in MODULES.items():
        if name == "xltool.app" or name.startswith("xltool.app."):
            assert _prints_or_exits(path.read_text(encoding="utf-8")) == [], name
            imported = {m.split(".")[0] if not m.startswith("xltool") else m for m in _every_import(path)}
            assert not imported & {"click", "flask", "werkzeug"}, name
            assert not any(_front_end(m) for m in imported), name


def test_a_print_or_exit_planted_in_the_application_layer_is_caught(tmp_path: Path) -> None:
    """The check above, on a copy of app/ with a print( and a sys.exit( planted in a use case."""
    import shutil

    copy = tmp_path / "app"
    shutil.copytree(PACKAGE / "app", copy)
    target = copy / "campaign.py"
    clean = target.read_text(encoding="utf-8")
    assert _prints_or_exits(clean) == []
    for planted in ('    print("done")\n', "    sys.exit(1)\n", "    click.echo('x')\n", "    exit(2)\n"):
        text = clean.replace("    o = options\n", "    o = options\n" + planted, 1)
        assert text != clean
        target.write_text(text, encoding="utf-8")
        assert len(_prints_or_exits(target.read_text(encoding="utf-8"))) == 1, planted
