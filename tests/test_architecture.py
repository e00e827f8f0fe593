"""The layering the folders promise, checked on the source: data flows one way, the library never
prints, and code never names a rule that a form might lack."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from xltool.checks.text import TEXT_CHECKS
from xltool.form.catalogue import builtin_rules, text_checks
from xltool.report.lint import REPORT_CHECKS

PACKAGE = Path(__file__).resolve().parent.parent / "xltool"
MODULES = {
    ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): p
    for p in PACKAGE.rglob("*.py")
}


def _top_level_imports(path: Path) -> set[str]:
    """xltool modules imported at module level (imports inside functions are deferred on purpose)."""
    out: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("xltool"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.add(full if full in MODULES else node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("xltool")}
    return out


def _all_imports(path: Path) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("xltool"):
            out.add(node.module)
    return out


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of ``graph`` (module -> modules it imports at load time), [] when none."""
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


def test_no_import_cycles() -> None:
    graph = {name: {m for m in _top_level_imports(p) if m in MODULES and m != name} for name, p in MODULES.items()}
    assert _cycle(graph) == [], "import cycle: " + " -> ".join(_cycle(graph))
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]  # the detector detects


def test_reading_never_imports_writing() -> None:
    code = "import sys, xltool.workbook.read, xltool.checks.verify; print(sorted(m for m in sys.modules if m.startswith('xltool')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "xltool.workbook.write" not in loaded
    assert "xltool.cli" not in loaded
    for name in ("xltool.workbook.read", "xltool.workbook.meta", "xltool.checks.verify", "xltool.checks.schemas"):
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
