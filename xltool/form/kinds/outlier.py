"""kind = "peer" and kind = "history": a value that looks wrong next to its peers or its own last year.

No 勾稽 rule sees a fee of 3500 typed in 元 in the 万元 row, or a township that reports 500
applications when its peers report 0–10. These rules name the number fields to watch (``fields``,
field keys); checks/outliers.py computes them over a whole batch of returns:

- "peer": the robust z-score of each value within its group (``groups = "unit_type"``, or all
  units), with the median and the MAD of the group; it fires when |z| > ``z`` (default 3.5) and the
  value differs from the median by more than ``floor`` (so 0-heavy fields do not fire on a 1).
  A group needs ``min_peers`` returns (default 8): a file verified alone has no peers.
- "history": the value against the same unit's last year (``--previous``): it fires when it grew or
  shrank by ``factor`` (default 10) or by ``step`` (if given), and differs by more than ``floor``.

Neither is in the workbook (no live cell: the peers are not in it), on imported documents, or on the
county's aggregate (a total has no peers of its own). Their messages may use {found}, {median},
{low}, {high}, {peers} (peer) and {found}, {expected} (last year's value).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from xltool.errors import FormDefinitionError
from xltool.form.kinds.base import RuleKind
from xltool.form.model import Check, Field, Rule
from xltool.form.onsums import Shapes

_NUMBERS = ("z", "floor", "factor", "step", "min_peers")


class _OutlierKind(RuleKind):
    required: ClassVar[tuple[str, ...]] = ("fields",)
    in_workbook = False
    on_documents = False
    defaults: ClassVar[Mapping[str, Any]] = {}

    def check_keys(self, r: Mapping[str, Any], rid: str) -> None:
        super().check_keys(r, rid)
        keys = r["fields"]
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            raise FormDefinitionError(f"表单定义错误：规则 {rid} 的 fields 应为字段键的列表")
        for k in (k for k in _NUMBERS if k in r):
            if isinstance(r[k], bool) or not isinstance(r[k], int | float) or r[k] < 0:
                raise FormDefinitionError(f"表单定义错误：规则 {rid} 的 {k} 应为不小于 0 的数字")

    def params_of(self, r: Mapping[str, Any]) -> Mapping[str, Any]:
        own = {k: r[k] for k in (*self.required, *self.optional) if k in r}
        return {**self.defaults, **own}

    def useful(self, rule: Rule, fields: Mapping[str, Field]) -> bool:
        missing = [k for k in rule.params["fields"] if k not in fields or not fields[k].numeric]
        if missing:
            raise FormDefinitionError(f"表单定义错误：规则 {rule.id} 的 fields 中“{missing[0]}”不是表中的数字字段")
        return True

    def holds_on_sums(self, rule: Rule, checks: list[Check] | Any, shapes: Shapes) -> str | None:
        return None  # never run on the aggregate: a county total has no peers and no last year of its own


class PeerKind(_OutlierKind):
    name = "peer"
    optional: ClassVar[tuple[str, ...]] = ("groups", "z", "floor", "min_peers")
    placeholder_names: ClassVar[tuple[str, ...]] = ("found", "median", "low", "high", "peers")
    reported_by: ClassVar[tuple[str, ...]] = ("verify", "status")  # with the batch's other returns only
    defaults: ClassVar[Mapping[str, Any]] = {"groups": "", "z": 3.5, "floor": 0, "min_peers": 8}

    def check_keys(self, r: Mapping[str, Any], rid: str) -> None:
        super().check_keys(r, rid)
        if r.get("groups", "unit_type") not in ("", "unit_type"):
            raise FormDefinitionError(f'表单定义错误：规则 {rid} 的 groups 只能是 "unit_type" 或 ""')


class HistoryKind(_OutlierKind):
    name = "history"
    optional: ClassVar[tuple[str, ...]] = ("factor", "step", "floor")
    placeholder_names: ClassVar[tuple[str, ...]] = ("found", "expected")
    reported_by: ClassVar[tuple[str, ...]] = ("verify --previous",)  # only with last year's returns
    cross_year = True
    defaults: ClassVar[Mapping[str, Any]] = {"factor": 10, "floor": 0}
