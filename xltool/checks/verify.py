"""Verify returned workbooks: read each, run every check, return one result per file.

The library call behind ``xltool verify``: files and folders in, a VerifyResult out (never prints).
Bad files become problems of that file (H1–H7) and the rest of the batch is still verified.
"""

from __future__ import annotations

import gc
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xltool import gcpolicy
from xltool.checks import schemas  # called through the module: a test puts a failing check in its place
from xltool.checks.lastyear import LastYear, LastYearReader, read_last_year
from xltool.checks.outliers import Figures, figure_keys, figures_of, history_flags, peer_flags
from xltool.checks.text import TextContext, copy_problems, text_problems
from xltool.form.layout import parse_a1
from xltool.form.levels import level_of, source_units
from xltool.form.loader import load_form
from xltool.form.model import Form
from xltool.form.period import Period
from xltool.form.problems import Problem, escalate, make_problem
from xltool.roster import Roster
from xltool.workbook.read import Return, failed, read_return

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

ALL = "ALL"  # --strict without a list: every warning the unit has not explained becomes an error
PARALLEL_FROM = 40  # below this many files a process pool costs more than it saves
CHUNK = 200  # returns checked together: one stacked pandera pass each, results given out as they come


@dataclass(frozen=True)
class VerifyOptions:
    year: int | None = None  # the campaign's year (H3)
    roster: Roster | None = None  # H7: every return's unit is on the county roster
    previous: Sequence[Path] = ()  # last year's returns: B5, D2, D3, F8
    # how they are read: spreadsheets here; importer.previous.last_year_returns imports published reports too
    read_previous: LastYearReader = read_last_year
    strict: frozenset[str] = frozenset()  # warning codes treated as errors ({ALL} for all)
    period: Period | None = None  # the campaign's half, quarter or month (H3), for a form not collected yearly


@dataclass(frozen=True)
class Facts:
    """What the county's views keep of a readable return (a campaign's register stores it with the
    verdict): its watched numbers (``figure_keys``), the unit type it reports, its explanations,
    and the keys looked at (a key among them missing from ``figures`` was blank or no number: a form
    that watches more fields than were looked at needs the file read again)."""

    figures: dict[str, float]
    unit_type: str
    explained: dict[str, str]
    keys: frozenset[str] = frozenset()
    level: str = ""  # a roll-up's level (县, 市…: form/levels.py), "" for a unit's own return
    sums: int = 0  # the units a roll-up sums


def facts_of(form: Form, ret: Return) -> Facts:
    keys = figure_keys(form)
    figures = figures_of(_numbers_of(form, ret), keys) if keys else {}
    meta = ret.meta
    return Facts(figures, meta.get("unit_type", ""), _explanations_of(form, ret), keys, level_of(meta),
                 len(source_units(meta)))  # fmt: skip


def facts_of_result(form: Form, result: FileResult) -> Facts:
    """The facts of a file verify has read (no second reading)."""
    return Facts(result.figures, result.unit_type, result.explained, figure_keys(form), result.level, result.sums)


@dataclass
class FileResult:
    path: Path
    unit: str
    year: int | None
    problems: list[Problem] = field(default_factory=list)
    readable: bool = True  # False when the file could not be read as a return of the form at all
    # for the peer checks after the batch (checks/outliers.py) and the register: the numbers they
    # watch (``figure_keys``), the unit's type, and the warnings its 情况说明 explains
    figures: dict[str, float] = field(default_factory=dict, repr=False, compare=False)
    unit_type: str = field(default="", repr=False, compare=False)
    explained: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    level: str = field(default="", repr=False, compare=False)  # a roll-up's (Facts)
    sums: int = field(default=0, repr=False, compare=False)

    @property
    def valid(self) -> bool:
        return not any(p.is_error for p in self.problems)

    @property
    def errors(self) -> int:
        return sum(p.is_error for p in self.problems)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "unit": self.unit,
            "year": self.year,
            "valid": self.valid,
            "problems": [p.to_dict() for p in self.problems],
        }


@dataclass
class VerifyResult:
    files: list[FileResult]
    notes: list[str] = field(default_factory=list)  # batch-level remarks, e.g. about --previous

    @property
    def ok(self) -> bool:
        return all(f.valid for f in self.files)

    def summary(self) -> dict[str, int]:
        return {
            "files": len(self.files),
            "valid": sum(f.valid for f in self.files),
            "invalid": sum(not f.valid for f in self.files),
            "errors": sum(f.errors for f in self.files),
            "warnings": sum(f.warnings for f in self.files),
        }

    def to_dict(self) -> dict[str, Any]:
        return {"files": [f.to_dict() for f in self.files], "summary": self.summary(), "notes": self.notes}


def verify(
    paths: Sequence[Path],
    form: Form,
    options: VerifyOptions | None = None,
    progress: Callable[[Path], None] | None = None,
    workers: int | None = None,
) -> VerifyResult:
    notes: list[str] = []
    files = list(verify_stream(paths, form, options, progress, workers, notes))
    add_peer_problems(form, files, options)
    return VerifyResult(files, notes)


def verify_stream(
    paths: Sequence[Path],
    form: Form,
    options: VerifyOptions | None = None,
    progress: Callable[[Path], None] | None = None,
    workers: int | None = None,
    notes: list[str] | None = None,
    mp_context: BaseContext | None = None,
) -> Iterator[FileResult]:
    """Each file's result as soon as its chunk is checked (in the order given), so a caller can show
    results while the batch goes on and need not hold every return; batch remarks go to ``notes``.
    A large batch is spread over the CPU cores, each worker reading *and* checking its chunks: only
    the small results travel back, and the parent does nothing but hand them out in order.
    ``mp_context`` chooses how workers start (default: the platform's; Windows and macOS "spawn")."""
    options = options or VerifyOptions()
    notes = [] if notes is None else notes
    last_year = LastYear(form, options.previous, notes, options.read_previous)
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if len(paths) >= PARALLEL_FROM else 1
    chunks = [list(paths[i : i + CHUNK]) for i in range(0, len(paths), CHUNK)]
    if workers <= 1:
        for chunk in chunks:
            returns = []
            for path in chunk:
                returns.append(read_return(path, form))
                if progress:
                    progress(path)
            yield from _verify_chunk(returns, form, options, last_year)
    else:
        # chunks as large as the stacked check likes (its cost per chunk is fixed), but at least
        # four per worker, so no core waits idle for the last one
        size = max(1, min(CHUNK, -(-len(paths) // (workers * 4))))
        chunks = [list(paths[i : i + size]) for i in range(0, len(paths), size)]
        init = (str(form.source), options, last_year.by_unit)
        schemas.load_pandera()  # once, before forking: workers then share it instead of importing it each
        with ProcessPoolExecutor(workers, mp_context, initializer=_start_worker, initargs=init) as pool:
            for chunk, (results, their_notes, matched) in zip(chunks, pool.map(_verify_in_worker, chunks), strict=True):
                for path in chunk:
                    if progress:
                        progress(path)
                notes.extend(n for n in their_notes if n not in notes)
                last_year.matched += matched
                yield from results
    last_year.finish()


# One worker process's state: the form, the options and last year's returns, given once at start.
_WORKER: dict[str, Any] = {}


def _start_worker(source: str, options: VerifyOptions, last_units: dict[str, Return]) -> None:
    schemas.load_pandera()  # under "spawn" (Windows) a worker imports it itself
    form = load_form(source)
    gc.freeze()  # the form lives as long as the worker: no collection needs to walk it again
    gcpolicy.for_batches()
    _WORKER.update(form=form, options=options, last_units=last_units)


def _verify_in_worker(paths: list[Path]) -> tuple[list[FileResult], list[str], int]:
    form, options = _WORKER["form"], _WORKER["options"]
    notes: list[str] = []
    last_year = LastYear.of_units(form, _WORKER["last_units"], notes)
    results = _verify_chunk([read_return(p, form) for p in paths], form, options, last_year)
    return results, notes, last_year.matched


def verify_returns(returns: Sequence[Return], form: Form, options: VerifyOptions | None = None) -> VerifyResult:
    """Check returns already read (one stacked pandera pass for all of them)."""
    options = options or VerifyOptions()
    notes: list[str] = []
    last_year = LastYear(form, options.previous, notes, options.read_previous)
    files = _verify_chunk(list(returns), form, options, last_year)
    last_year.finish()
    add_peer_problems(form, files, options)
    return VerifyResult(files, notes)


def add_peer_problems(form: Form, files: Sequence[FileResult], options: VerifyOptions | None = None) -> None:
    """The peer checks of a whole batch, added to its files' problems (explained, --strict, in place).
    A batch too small for a group (a file verified alone) gets none and says nothing."""
    options = options or VerifyOptions()
    figures = (Figures(i, f.unit, f.unit_type, f.figures) for i, f in enumerate(files) if f.readable and f.figures)
    for flag in peer_flags(form, figures):
        f = files[flag.index]
        f.problems = _order(form, f.problems + _explain([flag.problem], f.explained, options))


def _verify_chunk(returns: list[Return], form: Form, options: VerifyOptions, last_year: LastYear) -> list[FileResult]:
    if not returns:
        return []
    previous = last_year.match(returns)
    checked = _checked(form, returns, previous)
    files = []
    for i, ret in enumerate(returns):
        try:
            problems = list(ret.problems) + checked[i] + _per_file(form, ret, previous.get(i), options)
            done = FileResult(ret.path, ret.unit, ret.year, _finish(form, ret, problems, options), ret.readable)
            if ret.readable:
                facts = facts_of(form, ret)
                done.figures, done.unit_type, done.explained = facts.figures, facts.unit_type, facts.explained
                done.level, done.sums = facts.level, facts.sums
            files.append(done)
        except Exception as err:  # noqa: BLE001 - one file never sinks a batch
            files.append(FileResult(ret.path, ret.unit, ret.year, failed(ret.path, form, err).problems, False))
    return files


def _checked(form: Form, returns: list[Return], previous: dict[int, Return]) -> list[list[Problem]]:
    """The rule checks, stacked for the whole batch; should that fail, file by file, so that only a
    file that cannot be checked gets H0 (with its reading problems kept)."""
    try:
        return schemas.check_returns(form, returns, previous)
    except Exception:  # noqa: BLE001 - find the file that cannot be checked
        out: list[list[Problem]] = []
        for i, ret in enumerate(returns):
            try:
                out.append(schemas.check_returns(form, [ret], {0: previous[i]} if i in previous else {})[0])
            except Exception as err:  # noqa: BLE001
                ret.readable = False
                out.append(failed(ret.path, form, err).problems)
        return out


def _per_file(form: Form, ret: Return, prev: Return | None, options: VerifyOptions) -> list[Problem]:
    if not ret.readable:
        return []
    problems = _identity(form, ret, options)
    texts, numbers = _texts(form, ret), _numbers_of(form, ret)
    meta_unit = ret.meta.get("unit", "")
    typed = texts.get(form.role("unit_name")) or ""
    context = TextContext(
        unit=" ".join(dict.fromkeys(n for n in (typed, meta_unit, ret.unit) if n)),
        unit_type=ret.meta.get("unit_type", ""),
        peers=tuple(_peers(options.roster, meta_unit)),
    )
    problems += text_problems(form, texts, numbers, ret.year or 0, context)
    if prev is not None:
        last = _numbers_of(form, prev)
        problems += copy_problems(form, texts, numbers, _texts(form, prev), last)
        problems += [flag.problem for flag in history_flags(form, numbers, last)]
    return problems


def _peers(roster: Roster | None, unit: str) -> list[str]:
    """Other units of the same type: their names in this report suggest copied text (F8).
    Only peers, because a town rightly names county departments it works with."""
    if roster is None or (me := roster.by_name(unit)) is None:
        return []
    return [u.name for u in roster if u.unit_type == me.unit_type and u.name != me.name]


def _identity(form: Form, ret: Return, options: VerifyOptions) -> list[Problem]:
    out = []
    meta_unit, year = ret.meta.get("unit", ""), ret.year
    found, expected = ret.period, options.period
    if expected and not expected.yearly and found and found != expected:
        out.append(make_problem(form, "H3-period", found=found.label_zh, expected=expected.label_zh))
    elif options.year and year and year != options.year:
        out.append(make_problem(form, "H3-year", found=year, expected=options.year))
    name = ret.values.get(form.role("unit_name"))
    typed = _squash(str(name.value)) if name and name.value else ""
    if typed and meta_unit and _squash(meta_unit) not in typed and typed not in _squash(meta_unit):
        out.append(
            make_problem(
                form,
                "H7-unit",
                form.role("unit_name"),
                name.value if name else None,
                found=typed,
                expected=meta_unit,
            )
        )
    typed_type = ret.values.get(form.role("unit_type"))
    meta_type = ret.meta.get("unit_type", "")
    if typed_type and typed_type.value and meta_type and typed_type.value != meta_type:
        out.append(
            make_problem(
                form, "H7-type", form.role("unit_type"), typed_type.value, found=typed_type.value, expected=meta_type
            )
        )
    if options.roster is not None and meta_unit and options.roster.by_name(meta_unit) is None:
        out.append(make_problem(form, "H7-roster", form.role("unit_name"), found=meta_unit))
    return out


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _texts(form: Form, ret: Return) -> dict[str, str | None]:
    return {
        f.key: (str(v.value) if (v := ret.values.get(f.key)) and v.value is not None else None)
        for f in form.inputs
        if not f.numeric
    }


def _numbers_of(form: Form, ret: Return) -> dict[str, Any]:
    numbers: dict[str, Any] = {k: v for k, v in ret.inputs().items() if k in form.fields and form.fields[k].numeric}
    numbers.update(ret.complete_totals())
    return numbers


def _explained(codes: Iterable[str]) -> re.Pattern[str]:
    """ "B6：", "【B6】", "[B6]", "B6、D4：" — a list of the form's codes, then a colon or a closing bracket."""
    code = "(?:" + "|".join(re.escape(c.upper()) for c in sorted(codes, key=len, reverse=True)) + r")(?![A-Z0-9])"
    return re.compile(rf"[【\[]?\s*((?:{code}\s*[、,/和及]\s*)*{code})\s*(?:[】\]]\s*:?|:)")


def explanations(text: str | None, codes: Iterable[str]) -> dict[str, str]:
    """ "B6：本年确有1件…；【D4】…；C2、C3：…" -> {"B6": "本年确有1件…", "D4": "…", "C2": "…", "C3": "…"}.

    Full-width and lower-case codes count (Ｄ４, d4); an empty explanation or a bare "无" does not.
    """
    if not text:
        return {}
    # Match on a normalised copy (Ｄ４ -> D4), but take the explanation from the text as typed.
    chars, where = [], []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch).upper():
            chars.append(c)
            where.append(i)
    where.append(len(text))
    codes = list(codes)
    if not codes:
        return {}
    rx = _explained(codes)
    marks = list(rx.finditer("".join(chars)))
    out = {}
    for m, nxt in zip(marks, marks[1:] + [None], strict=False):
        body = text[where[m.end()] : where[nxt.start()] if nxt else len(text)].strip(" ；;。.，,、\n")
        if body in ("", "无", "没有", "/", "-", "—"):
            continue
        for code in re.split(r"\s*[、,/和及]\s*", m.group(1).strip()):
            out[code] = body
    return out


def _finish(form: Form, ret: Return, problems: list[Problem], options: VerifyOptions) -> list[Problem]:
    """Attach the unit's explanations to warnings, apply --strict, order by place."""
    return _order(form, _explain(problems, _explanations_of(form, ret), options))


def _explanations_of(form: Form, ret: Return) -> dict[str, str]:
    note = ret.values.get(form.role("explanation"))
    return explanations(str(note.value) if note and note.value else None, form.codes)


def _explain(problems: list[Problem], explained: dict[str, str], options: VerifyOptions) -> list[Problem]:
    out = []
    for p in problems:
        if not p.is_error and p.code in explained:
            p = replace(p, explanation=explained[p.code] or "（已说明）")
        elif not p.is_error and (ALL in options.strict or p.code in options.strict):
            p = escalate(p)
        out.append(p)
    return out


def explain(problems: list[Problem], explained: dict[str, str]) -> list[Problem]:
    """Warnings the unit's 情况说明 explains marked so (a campaign's checks: no --strict)."""
    return _explain(problems, explained, VerifyOptions())


def _order(form: Form, out: list[Problem]) -> list[Problem]:
    key = _place_key(form)
    return sorted(out, key=lambda p: key(p.sheet, p.cell, p.code))


def ordered(form: Form, problems: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Problems as a register keeps them (``Problem.to_dict()``), in the order verify gives."""
    key = _place_key(form)
    return sorted(problems, key=lambda p: key(p.get("sheet"), p.get("cell"), str(p.get("code", ""))))


def _place_key(form: Form) -> Callable[[str | None, str | None, str], tuple[Any, ...]]:
    order = {s.name: i for i, s in enumerate(form.sheets)}
    return lambda sheet, cell, code: (sheet is not None, order.get(sheet or "", 99), _cell_key(cell), code)


def _cell_key(cell: str | None) -> tuple[int, int]:
    try:
        return parse_a1(cell or "")
    except ValueError:
        return (-1, -1)
