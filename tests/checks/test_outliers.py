"""Peer (G1) and history (G2) checks: a generated county of 40 units with planted outliers.

An ordinary spread of values raises no flag; a ×100 value, a 元 amount in the 万元 row, a county
figure copied into a unit's row and a jump from last year are each flagged with the code, the
value and what it was compared with. checks/outliers.py is also timed on 10,000 values.
"""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from tests.outliercounty import make_county
from tests.returns import default_form, make_return
from xltool.checks.outliers import Figures, peer_flags
from xltool.checks.verify import VerifyOptions, verify, verify_returns
from xltool.errors import FormDefinitionError
from xltool.form.loader import load_form
from xltool.workbook.read import read_return


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """40 returns (25 departments, 15 towns) and last year's return of 单位30."""
    returns, previous, _ = make_county(tmp_path_factory.mktemp("county"))
    return returns, previous


def _g(result: Any) -> dict[str, list[Any]]:
    return {f.unit: [p for p in f.problems if p.code in ("G1", "G2")] for f in result.files}


def test_planted_outliers_are_flagged_and_the_spread_is_not(county: tuple[Path, Path]) -> None:
    returns, previous = county
    found = _g(verify(sorted(returns.iterdir()), default_form(), VerifyOptions(previous=(previous,))))
    flagged = {u: [(p.code, p.field, p.value) for p in ps] for u, ps in found.items() if ps}
    assert flagged == {
        "单位03": [("G1", "t2.penalty.decisions", 3000)],
        "单位11": [("G1", "t2.fees.amount", 3500)],
        "单位17": [("G1", "t2.rules.in_force", 15)],
        "单位30": [("G1", "t2.penalty.decisions", 4800), ("G2", "t2.penalty.decisions", 4800)],
    }
    g1 = found["单位11"][0]
    assert g1.cell == default_form().fields["t2.fees.amount"].cell
    assert "3500" in g1.message and "中位数" in g1.message and "范围" in g1.message
    assert g1.fix.startswith("请核实") and "情况说明" in g1.fix
    g2 = found["单位30"][1]
    assert "4800" in g2.message and "上年为 12" in g2.message


def test_an_explained_outlier_counts_as_explained(county: tuple[Path, Path], tmp_path: Path) -> None:
    form = default_form()
    returns = [read_return(p, form) for p in sorted(county[0].iterdir()) if p.stem != "单位03"]
    note = {form.role("explanation"): "G1：本年开展专项整治，处罚决定确为3000件。"}
    explained = make_return(tmp_path, {"t2.penalty.decisions": 3000, **note}, unit="单位03", unit_type="部门")
    files = verify_returns([*returns, read_return(explained, form)], form).files
    g1 = [p for p in files[-1].problems if p.code == "G1"]
    assert g1 and g1[0].explanation.startswith("本年开展专项整治")


def test_a_file_verified_alone_has_no_peers(county: tuple[Path, Path]) -> None:
    result = verify([county[0] / "单位03.xlsx"], default_form())
    assert not [p for p in result.files[0].problems if p.code == "G1"]
    assert not any("G1" in n for n in result.notes)


def test_ten_thousand_values_in_one_pass() -> None:
    """10,000 returns' figures (a generator: never a list of returns) flagged in well under a second."""
    rnd = random.Random(3)
    n = 10_000

    def figures() -> Any:
        for i in range(n):
            value = 30_000.0 if i == 777 else float(rnd.randint(10, 60))
            yield Figures(i, f"u{i}", "部门" if i % 2 else "乡镇", {"t2.penalty.decisions": value})

    start = time.perf_counter()
    flags = peer_flags(default_form(), figures())
    took = time.perf_counter() - start
    assert [(f.index, f.problem.value) for f in flags] == [(777, 30000)]
    assert took < 2, f"10,000 values took {took:.2f}s"


def test_zero_heavy_fields_do_not_fire_on_a_small_number() -> None:
    values = [0.0] * 30 + [3.0]  # one unit issued 3 规章 where the others issued none: under the floor
    figs = (Figures(i, f"u{i}", "部门", {"t2.rules.issued": v}) for i, v in enumerate(values))
    assert peer_flags(default_form(), figs) == []


def test_a_rule_naming_a_field_that_is_not_a_number_is_refused(tmp_path: Path) -> None:
    source = default_form().source
    text = source.read_text(encoding="utf-8").replace('fields = ["t2.fees.amount"]', 'fields = ["info.unit_name"]')
    shutil.copytree(source.parent, tmp_path / "form")
    (tmp_path / "form" / source.name).write_text(text, encoding="utf-8")
    with pytest.raises(FormDefinitionError, match="规则 G1-fees 的 fields 中“info.unit_name”不是表中的数字字段"):
        load_form(tmp_path / "form" / source.name)
