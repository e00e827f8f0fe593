"""The tests mirror the code: a folder of tests for each package of xltool, and no test module that
imports another (what tests share lives in a conftest.py or a helper module, e.g. tests/returns.py).

Imports inside functions count: they are imports all the same, and the ones that were found here were
all inside functions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
MIRRORED = ("form", "workbook", "checks", "report", "importer", "reference", "campaign", "app", "console")


def _is_test_module(dotted: str) -> bool:
    return dotted.rsplit(".", 1)[-1].startswith("test_")


def imported_modules(tree: ast.AST, package: str) -> list[str]:
    """Every module an import statement names, at any depth, relative ones resolved from ``package``
    (the dotted package of the importing file); for ``from m import a`` both m and m.a are named,
    since a may be a module."""
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            found.append(base)
            found += [f"{base}.{alias.name}" for alias in node.names]
    return found


def imports_of_test_modules(root: Path) -> list[str]:
    """``path: module`` for each import of a test module by any file under ``root`` (a tests folder)."""
    wrong = []
    for path in sorted(root.rglob("*.py")):
        package = ".".join([root.name, *path.relative_to(root).parent.parts])
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for module in imported_modules(tree, package):
            if module.startswith(f"{root.name}.") and _is_test_module(module):
                wrong.append(f"{path.relative_to(root)}: {module}")
    return wrong


def test_no_test_module_imports_another() -> None:
    wrong = imports_of_test_modules(TESTS)
    assert not wrong, "move what is shared into a conftest.py or a helper module:\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    "line",
    [
        "from tests.test_hostile import members",
        "from tests.campaign.test_imap import USER",
        "from tests.campaign import test_imap",
        "import tests.report.test_report_docx",
        "from .test_collect import mail",
        "def f():\n    from tests.test_second_form import FORM",
    ],
)
def test_an_import_of_a_test_module_is_found(tmp_path: Path, line: str) -> None:
    root = tmp_path / "tests"
    (root / "campaign").mkdir(parents=True)
    (root / "campaign" / "test_a.py").write_text(line + "\n", encoding="utf-8")
    (root / "campaign" / "helpers.py").write_text("from tests.returns import make_return\n", encoding="utf-8")
    assert [entry.split(":")[0] for entry in imports_of_test_modules(root)] == ["campaign/test_a.py"]


@pytest.mark.parametrize("name", MIRRORED)
def test_each_mirrored_folder_exists(name: str) -> None:
    assert (TESTS / name / "__init__.py").is_file(), f"tests/{name}/ (with an __init__.py) mirrors xltool/{name}"


def test_every_package_of_xltool_has_its_folder_of_tests() -> None:
    """cli aside: each command is tested through click at the root (test_cli_*.py) and in its package's tests."""
    packages = {p.parent.name for p in (TESTS.parent / "xltool").glob("*/__init__.py")} - {"cli"}
    assert packages <= set(MIRRORED), (
        f"add tests/<package>/ and name it in MIRRORED: {sorted(packages - set(MIRRORED))}"
    )
