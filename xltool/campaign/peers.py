"""The peer checks (G1) in a campaign's stored verdicts.

A version is verified alone when it comes in, and a value is far from its peers only once the peers
are in: so after every verify of a campaign and every decision on its versions, the peer flags are
worked out again over all current versions' stored figures (no file is read) and replace the G1
problems in each current version's verdict. A version no longer current keeps what it had: its
verdict is what its reply said. The reply drafts, the unit page and the board then show them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from xltool.campaign.register import Register, Submission, UnitRecord, Verdict
from xltool.checks.outliers import Figures, peer_flags, peer_rules
from xltool.checks.verify import Facts, explain, ordered
from xltool.form.model import Form
from xltool.form.problems import Problem

Current = tuple[UnitRecord, Submission, Verdict]


def refresh_peers(reg: Register, form: Form) -> int:
    """Put the peer flags of the current versions in their verdicts; how many verdicts changed."""
    ids = {r.id for r in peer_rules(form)}
    with reg.transaction():  # one commit: the console's views are rebuilt once
        current = current_verdicts(reg)
        facts = reg.facts(s.id for _, s, _ in current)
        flagged = _flags(form, current, facts) if ids else {}
        changed = 0
        for i, (_, sub, verdict) in enumerate(current):
            explained = facts[sub.id].explained if sub.id in facts else {}
            kept = [p for p in verdict.problems if p.get("rule") not in ids]
            new = ordered(form, kept + [p.to_dict() for p in explain(flagged.get(i, []), explained)])
            if _text(new) != _text(verdict.problems):
                reg.set_verdict(sub.id, {"problems": new}, form_id=verdict.form_id, form_version=verdict.form_version)
                changed += 1
    return changed


def current_verdicts(reg: Register) -> list[Current]:
    """Each unit's current version that has a verdict, in the roster's order."""
    out = []
    for unit in reg.units():
        sub = reg.current(unit.id)
        verdict = reg.verdict(sub.id) if sub is not None else None
        if sub is not None and verdict is not None:
            out.append((unit, sub, verdict))
    return out


def _flags(form: Form, current: Sequence[Current], facts: Mapping[int, Facts]) -> dict[int, list[Problem]]:
    """index in ``current`` -> its peer problems. A unit's type is the roster's (the return's when
    the roster gives none), as ``status --quality`` groups them."""
    figures = [
        Figures(i, unit.name, unit.unit_type or facts[sub.id].unit_type, facts[sub.id].figures)
        for i, (unit, sub, _) in enumerate(current)
        if sub.id in facts and facts[sub.id].figures
    ]
    out: dict[int, list[Problem]] = defaultdict(list)
    for flag in peer_flags(form, figures):
        out[flag.index].append(flag.problem)
    return out


def _text(problems: Sequence[Mapping[str, Any]]) -> str:
    return json.dumps(list(problems), sort_keys=True, ensure_ascii=False, default=str)
