"""Two kinds of rules, both data: xltool's own catalogue (catalogue.toml) merged with a form's rules.

The catalogue holds the checks of files and reading that code raises by id (H1…H8, A1-text,
A2-text…) and the list of narrative checks xltool implements with the parameters each takes. Every
form gets the catalogue's rules; a form rule with the same id overrides only the keys it gives; a
form's own "filled" rule replaces A1, and its own "type" rules replace the built-in ones for the
types they name. The "import" rules are what import and audit find in a published document. A
text rule's ``check`` and ``params`` are validated here, so a form that names an unknown check or
field fails when it is loaded, never inside a batch.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence, Set
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from xltool.errors import FormDefinitionError
from xltool.form.kinds import KINDS
from xltool.form.model import NUMERIC_TYPES, SEVERITIES, Field, Rule

CATALOGUE = Path(__file__).with_name("catalogue.toml")
OVERRIDABLE = ("code", "severity", "title", "brief", "message", "fix", "blanks", "no_action")
PARAM_KINDS = ("field", "fields", "number_field", "number_fields", "words", "number", "text", "rule", "concepts")


@cache
def catalogue() -> dict[str, Any]:
    return tomllib.loads(CATALOGUE.read_text(encoding="utf-8"))


def text_checks() -> Mapping[str, Mapping[str, Any]]:
    """The narrative checks xltool implements: name -> {stage, about, params}."""
    return catalogue()["text_checks"]


def builtin_rules() -> tuple[Rule, ...]:
    return tuple(replace(rule_from(r), builtin=True) for r in catalogue()["rules"])


def merge_rules(form_rules: Sequence[dict[str, Any]]) -> tuple[Rule, ...]:
    """The catalogue's rules (overridden where the form says so), then the form's own."""
    builtin = {r.id: r for r in builtin_rules()}
    own: list[Rule] = []
    for r in form_rules:
        rid = r.get("id", r.get("code", ""))
        if rid in builtin and "kind" not in r:
            unknown = sorted(set(r) - {"id", *OVERRIDABLE})
            if unknown:
                raise FormDefinitionError(
                    f"表单定义错误：内置规则 {rid} 只能改写 {'、'.join(OVERRIDABLE)}，不能改写 {unknown[0]}"
                )
            if r.get("severity", "error") not in SEVERITIES:
                raise FormDefinitionError(f"表单定义错误：规则 {rid} 的级别“{r['severity']}”未知")
            builtin[rid] = replace(builtin[rid], overridden=True, **{k: r[k] for k in OVERRIDABLE if k in r})
            continue
        if rid in builtin:
            raise FormDefinitionError(f"表单定义错误：规则编号 {rid} 与内置规则相同；改写内置规则时不要写 kind")
        own.append(rule_from(r))
    for kind in KINDS.values():  # a form's own blank rule replaces A1, its own type rules A2/A3…
        builtin = kind.merge(builtin, own)
    return (*builtin.values(), *own)


def rule_from(r: dict[str, Any]) -> Rule:
    rid = r.get("id", r.get("code", "?"))
    for key in ("code", "kind", "severity", "title", "brief", "message", "fix"):
        if key not in r:
            raise FormDefinitionError(f"表单定义错误：规则 {rid} 缺少 {key}")
    kind, severity = KINDS.get(r["kind"]), r["severity"]
    if kind is None:
        raise FormDefinitionError(f"表单定义错误：规则 {rid} 的类别“{r['kind']}”未知")
    if severity not in SEVERITIES:
        raise FormDefinitionError(f"表单定义错误：规则 {rid} 的级别“{severity}”未知")
    if r.get("code_from", "") not in ("", *(k.name for k in KINDS.values() if k.gives_import_code)):
        raise FormDefinitionError(f"表单定义错误：规则 {rid} 的 code_from“{r['code_from']}”未知")
    kind.check_keys(r, rid)
    (var, domain), = r.get("for", {"": ""}).items() or [("", "")]  # fmt: skip
    return Rule(
        id=rid, code=r["code"], kind=kind.name, spec=kind, severity=severity, title=r["title"], brief=r["brief"],
        message=r["message"], fix=r["fix"], expr=r.get("expr", ""), when=r.get("when", ""), at=r.get("at", ""),
        for_var=var, for_domain=domain, types=tuple(r.get("types", ())), params=kind.params_of(r),
        check=r.get("check", ""), blanks=r.get("blanks", {}), code_from=r.get("code_from", ""),
        no_action=bool(r.get("no_action", False)), aggregate=_on_aggregate(r, rid),
    )  # fmt: skip


def _on_aggregate(r: dict[str, Any], rid: str) -> bool:
    """``aggregate = false``: the rule need not hold on the county's aggregate, which skips it."""
    value = r.get("aggregate", True)
    if not isinstance(value, bool):
        raise FormDefinitionError(f"表单定义错误：规则 {rid} 的 aggregate 应为 true 或 false")
    return value


def check_text_rules(rules: Sequence[Rule], fields: Mapping[str, Field], concepts: Set[str] = frozenset()) -> None:
    """Every narrative check named exists and gets the parameters it takes, of the right kind
    (``concepts``: the keys of the form's [narrative] vocabulary)."""
    specs = text_checks()
    ids = {r.id for r in rules}
    referred = {v for r in rules for v in r.params.values() if isinstance(v, str) and v in ids}
    for rule in rules:
        if not rule.check:
            if rule.spec.about_text(rule) and rule.id not in referred:
                raise FormDefinitionError(f"表单定义错误：文字规则 {rule.id} 没有用 check 指定文字检查，不会运行")
            continue
        spec = specs.get(rule.check)
        if spec is None:
            known = "、".join(specs)
            raise FormDefinitionError(f"表单定义错误：规则 {rule.id} 的文字检查“{rule.check}”不存在，可用的有：{known}")
        wanted: Mapping[str, str] = spec.get("params", {})
        extra = sorted(set(rule.params) - set(wanted))
        if extra:
            raise FormDefinitionError(f"表单定义错误：规则 {rule.id}（{rule.check}）不认识参数 {extra[0]}")
        for name, kind in wanted.items():
            if name not in rule.params:
                if not kind.endswith("?"):
                    raise FormDefinitionError(f"表单定义错误：规则 {rule.id}（{rule.check}）缺少参数 {name}")
                continue
            _check_param(rule, name, kind.rstrip("?"), rule.params[name], fields, ids, concepts)


def _check_param(
    rule: Rule, name: str, kind: str, value: Any, fields: Mapping[str, Field], ids: set[str], concepts: Set[str]
) -> None:
    where = f"表单定义错误：规则 {rule.id} 的参数 {name}"
    many = kind in ("fields", "number_fields", "words", "concepts")
    if kind == "concepts" and isinstance(value, list):
        for c in value:
            if c not in concepts:
                raise FormDefinitionError(f"{where} 引用了 [narrative] 中不存在的概念“{c}”")
    if many and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise FormDefinitionError(f"{where} 应为文字列表")
    if kind in ("field", "number_field", "text", "rule") and not isinstance(value, str):
        raise FormDefinitionError(f"{where} 应为一个文字")
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise FormDefinitionError(f"{where} 应为数字")
    if kind == "rule" and value not in ids:
        raise FormDefinitionError(f"{where} 引用了不存在的规则“{value}”")
    if kind in ("field", "fields", "number_field", "number_fields"):
        for key in value if many else [value]:
            if key not in fields:
                raise FormDefinitionError(f"{where} 引用了不存在的字段“{key}”")
            if kind.startswith("number") and fields[key].type not in NUMERIC_TYPES:
                raise FormDefinitionError(f"{where} 应为数字字段，“{key}”不是")
