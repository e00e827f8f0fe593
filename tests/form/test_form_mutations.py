"""No malformed definition gives an internal error: mutate the shipped form and the test forms and load.

Each mutation of the parsed TOML (a key deleted, a value of another type, an empty or doubled list, a
zero depth, a checks block on a narrow sheet, a two-variable loop, a forbidden expression…) either
loads or raises a FormDefinitionError that says where — never a KeyError, TypeError, IndexError or
any other exception. The mutations are enumerated in a fixed order and sampled with a fixed seed, so
a run is fast and the same every time; XLTOOL_MUTATIONS=all runs every one (a minute or so).
"""

from __future__ import annotations

import copy
import os
import random
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.forms.inline import FORM_HEAD, GRID, inline_text
from xltool.errors import FormDefinitionError
from xltool.form.loader import build
from xltool.workbook.write import UnitInfo, build_template

ROOT = Path(__file__).resolve().parents[2]
FORMS = sorted(ROOT.glob("workbook_templates/*/form.toml")) + sorted(ROOT.glob("tests/forms/*/form.toml"))
WRONG_VALUES: tuple[Any, ...] = ("x", "", 7, 0, -1, 2.5, True, [], ["x"], [1], {}, {"x": 1})
EVERY = os.environ.get("XLTOOL_MUTATIONS") == "all"
SAMPLE = 100  # mutations of each form (besides the special ones) in an ordinary run
BIG = 30  # of a big form (each load of the shipped annual report takes ~0.1 s)
# What a load error names: a table, a block, a rule, a field, a sheet, a key…
PLACES = (
    "[",
    "表格",
    "规则",
    "字段",
    "工作表",
    "块",
    "角色",
    "概念",
    "报告",
    "键",
    "求和",
    "公式",
    "填表说明",
    "单位类型",
)

Path_ = tuple[Any, ...]
Mutation = tuple[str, Callable[[dict[str, Any]], None]]


def _paths(node: Any, at: Path_ = ()) -> Iterator[Path_]:
    """Every key of a table and every item of a list of tables, depth first."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*at, key)
            yield from _paths(value, (*at, key))
    elif isinstance(node, list) and node and all(isinstance(x, dict) for x in node):
        for i, item in enumerate(node):
            yield from _paths(item, (*at, i))


def _parent(data: Any, path: Path_) -> Any:
    for step in path[:-1]:
        data = data[step]
    return data


def _set(path: Path_, value: Any) -> Callable[[dict[str, Any]], None]:
    def apply(data: dict[str, Any]) -> None:
        _parent(data, path)[path[-1]] = copy.deepcopy(value)

    return apply


def _delete(path: Path_) -> Callable[[dict[str, Any]], None]:
    def apply(data: dict[str, Any]) -> None:
        del _parent(data, path)[path[-1]]

    return apply


def _double(path: Path_) -> Callable[[dict[str, Any]], None]:
    def apply(data: dict[str, Any]) -> None:
        items = _parent(data, path)[path[-1]]
        items.append(copy.deepcopy(items[0]))

    return apply


def generic_mutations(data: dict[str, Any]) -> list[Mutation]:
    out: list[Mutation] = []
    for path in _paths(data):
        name = "/".join(map(str, path))
        value = _parent(data, path)[path[-1]]
        if isinstance(path[-1], str):
            out.append((f"del {name}", _delete(path)))
        out += [(f"{name} = {v!r}", _set(path, v)) for v in WRONG_VALUES if v != value]
        if isinstance(value, list) and value:
            out.append((f"{name} doubled", _double(path)))
    return out


def special_mutations(data: dict[str, Any]) -> list[Mutation]:
    """The definitions the issue met: each names what once gave an internal error."""
    out: list[Mutation] = []
    blocks = data.get("blocks", [])
    grids = [i for i, b in enumerate(blocks) if b.get("kind") == "grid"]
    for i in grids[:2]:
        out.append((f"blocks/{i} header_depth = 0", _set(("blocks", i, "header_depth"), 0)))
        out.append((f"blocks/{i} label_depth = 9", _set(("blocks", i, "label_depth"), 9)))
        out.append((f"blocks/{i} columns = []", _set(("blocks", i, "columns"), [])))
        out.append((f"blocks/{i} rows = []", _set(("blocks", i, "rows"), [])))
        out.append((f"blocks/{i} anchor = ZZ0", _set(("blocks", i, "anchor"), "ZZ0")))
        out.append((f"blocks/{i} anchor = 3A", _set(("blocks", i, "anchor"), "3A")))
        out.append((f"blocks/{i} columns[0] span = 0", _set(("blocks", i, "columns", 0, "span"), 0)))
        out.append((f"blocks/{i} rows[0] path = 5 levels", _set(("blocks", i, "rows", 0, "path"), list("abcde"))))
        last = blocks[i]["rows"][-1]["key"] if blocks[i].get("rows") else ""
        out.append((f"blocks/{i} last row sums itself", _set(("blocks", i, "rows", -1, "sum"), [last])))
    sheet = data["sheets"][0]["key"]

    def narrow_checks(d: dict[str, Any]) -> None:
        d["sheets"].append({"key": "narrow", "name": "窄表", "widths": [10, 10]})
        d["blocks"].append({"kind": "checks", "sheet": "narrow", "anchor": "A1"})

    out.append(("a checks block on a 2-column sheet", narrow_checks))
    out.append(("a block on no sheet", lambda d: d["blocks"].append({"kind": "checks", "sheet": "x", "anchor": "A1"})))
    out.append(("two checks blocks", lambda d: d["blocks"].append({"kind": "checks", "sheet": sheet, "anchor": "Z90"})))
    for n, r in enumerate(data.get("rules", [])):
        if r.get("kind") in ("expr", "range"):
            at = ("rules", n)
            out.append((f"rules/{n} for two variables", _set((*at, "for"), {"c": ["a"], "r": ["b"]})))
            out.append((f"rules/{n} for empty", _set((*at, "for"), {})))
            out.append((f"rules/{n} for = 3", _set((*at, "for"), {"c": 3})))
            for bad in ("f(x)", "a if b else c", "lambda: 1", "x[0]", "1 < 2 < 3", "a.b ** 2", "", "((", "{c}", "None"):
                out.append((f"rules/{n} expr = {bad!r}", _set((*at, "expr" if "expr" in r else "at"), bad)))
                out.append((f"rules/{n} when = {bad!r}", _set((*at, "when"), bad)))
            break
    for text in ("{r}", "{unit", "{}", "{0}", "}{", "{unit!r}", "{year:%}", "{{unit}}"):
        out.append((f"title_pattern = {text!r}", _set(("form", "title_pattern"), text)))
        out.append((f"file_pattern = {text!r}", _set(("form", "file_pattern"), text)))
        out.append((f"sheet title = {text!r}", _set(("sheets", 0, "title"), text)))
    return out


def _inline() -> dict[str, Any]:
    return tomllib.loads(inline_text(FORM_HEAD, GRID))


SOURCES: list[tuple[str, Callable[[], dict[str, Any]]]] = [
    *((str(p.relative_to(ROOT)), lambda p=p: tomllib.loads(p.read_text(encoding="utf-8"))) for p in FORMS),
    ("tests/forms/inline.py FORM_HEAD + GRID", _inline),
]


def _cases() -> Iterator[Any]:
    for name, source in SOURCES:
        data = source()
        generic = generic_mutations(data)
        if not EVERY:
            size = BIG if name.startswith("workbook_templates") else SAMPLE
            generic = random.Random(22).sample(generic, min(size, len(generic)))
        yield pytest.param(name, source, special_mutations(data) + generic, id=name)


@pytest.mark.parametrize(("name", "source", "mutations"), list(_cases()))
def test_every_mutation_loads_or_says_where_it_is_wrong(
    name: str, source: Callable[[], dict[str, Any]], mutations: list[Mutation]
) -> None:
    original = source()
    specials = {what for what, _ in special_mutations(original) if "blocks" in what or "checks" in what}
    internal: list[str] = []
    vague: list[str] = []
    for what, mutate in mutations:
        data = copy.deepcopy(original)
        mutate(data)
        try:
            form = build(data, ROOT / name)
            if what in specials:  # these once failed only when the template was written
                build_template(form, UnitInfo("某单位", form.units.default or "", 2025))
        except FormDefinitionError as err:
            text = str(err)
            if not text.startswith("表单定义错误：") or not any(p in text for p in PLACES):
                vague.append(f"{what}: {text}")
        except Exception as err:  # noqa: BLE001 - the point: nothing else may escape
            internal.append(f"{what}: {type(err).__name__} {err}")
    assert not internal, f"{len(internal)} internal errors in {name}:\n" + "\n".join(internal[:30])
    assert not vague, "load errors that name no place:\n" + "\n".join(vague[:30])


def test_the_mutations_include_what_the_issue_met() -> None:
    names = [what for what, _ in special_mutations(tomllib.loads(FORMS[0].read_text(encoding="utf-8")))]
    assert "a checks block on a 2-column sheet" in names
    assert any("header_depth = 0" in n for n in names) and any("for two variables" in n for n in names)
    assert any("'f(x)'" in n for n in names) and any("'a if b else c'" in n for n in names)


def test_a_total_among_its_own_parts_is_refused() -> None:
    data = _inline()
    data["blocks"][0]["rows"][-1]["sum"] = ["x", "total"]
    with pytest.raises(FormDefinitionError, match="表格 g 的行“total”的求和包含它自己"):
        build(data, ROOT / "form.toml")
