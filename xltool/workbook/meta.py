"""The ``_meta`` sheet every template carries: what the writer records and the reader relies on.

A return is read by its own field map, not by the current form's cell positions, so last year's
returns of an older form version are still read correctly. The map (key, sheet, cell, kind, type,
label, the keys a total sums) is part of the locked-content fingerprint, so it cannot be edited
unseen. A digest of every locked cell ("locked:<sheet>" rows) lets the reader say which cell was
changed and what it held, for any version, without rebuilding the template.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from xltool.errors import FormDefinitionError
from xltool.form.expr import Expr, parse
from xltool.form.layout import parse_a1
from xltool.form.levels import LEVEL_KEY
from xltool.form.model import Form
from xltool.workbook.fingerprint import canonical
from xltool.workbook.xlsx import Book

META_SHEET = "_meta"
MAGIC = "xltool-meta"
FIELDS_MARK = "[fields]"
FIELD_MAP_HEADER = ("key", "sheet", "cell", "kind", "type", "label", "parts")
FIELDS = "fields:"  # the field map as JSON rows, in chunks: "fields:0", "fields:1", …
PACKED = "z:"  # the JSON deflated and base64-encoded
MAX_MAP_BYTES = 4 * 1024 * 1024  # a map of 300 fields is ~60 KB of JSON
LOCKED = "locked:"
MERGES = "merges:"
_REF = re.compile(r"([A-G])(\d+)$")  # the columns _meta uses
_CHUNK = 30_000  # a cell holds at most 32,767 characters
_PREVIEW = 20


@dataclass(frozen=True)
class MapField:
    """One row of a return's field map."""

    key: str
    sheet: str  # the sheet's name as shown
    cell: str
    kind: str  # "input" | "text" | "formula" | "constant"
    type: str
    label: str
    parts: tuple[str, ...] = ()
    formula: str = ""  # a computed cell's expression over field keys (kept as "=<expr>" in the parts column)

    @property
    def editable(self) -> bool:
        return self.kind not in ("formula", "constant")

    @property
    def sums(self) -> str:
        """The parts column: the keys a total sums, or "=<expr>" for a formula cell."""
        return "=" + self.formula if self.formula else " ".join(self.parts)

    def row(self) -> tuple[str, ...]:
        return (self.key, self.sheet, self.cell, self.kind, self.type, self.label, self.sums)


def form_map(form: Form) -> tuple[MapField, ...]:
    """The field map a template of ``form`` carries."""
    return tuple(
        MapField(
            f.key,
            form.sheet(f.sheet).name,
            f.cell,
            f.kind,
            f.type,
            f.label,
            f.parts,
            f.formula.text if f.formula is not None else "",
        )
        for f in form.fields.values()
    )


_FORM_LAYOUTS: dict[int, tuple[Form, str]] = {}


def form_layout(form: Form) -> str:
    """The layout hash of ``form``'s own field map, computed once per form (asked for every return)."""
    known = _FORM_LAYOUTS.get(id(form))
    if known is None or known[0] is not form:
        known = _FORM_LAYOUTS[id(form)] = (form, layout_hash(form_map(form)))
    return known[1]


def layout_hash(fields: Iterable[MapField]) -> str:
    """What decides where a return's values are: keys, places, kinds, types and sums (not labels)."""
    h = hashlib.sha256()
    for f in fields:
        h.update("\x1f".join((f.key, f.sheet, f.cell, f.kind, f.type, f.sums)).encode() + b"\x1e")
    return h.hexdigest()[:16]


IDENTITY = ("form_id", "form_version", "year", "unit", "unit_type")  # _meta keys the fingerprint covers


def identity_row(meta: Mapping[str, object]) -> tuple[str, ...]:
    """Whose template this is, as a row of the fingerprint (so the year or unit cannot be edited unseen).
    The period only where there is one other than the year: a yearly template's row is as it always was;
    so the level of a roll-up."""
    period = as_text(meta.get("period", ""))
    level = as_text(meta.get(LEVEL_KEY, ""))  # a roll-up's (县, 市): a unit's own row is as it always was
    return ("\x00identity", *(as_text(meta.get(k, "")) for k in IDENTITY), *((period,) if period else ()),
            *((f"{LEVEL_KEY}={level}",) if level else ()))  # fmt: skip


@dataclass(frozen=True)
class MapFacts:
    """What the reader derives from a return's field map, worked out once per map: every return of
    one template version carries the same map (and the parser hands out the same tuple for it)."""

    problem: str  # map_problem(): "" when the map can be used
    layout: str  # layout_hash()
    rows: tuple[tuple[str, ...], ...]  # the map's rows, as the fingerprint covers them
    editable: frozenset[tuple[str, str]]  # (sheet, cell) of the fields a unit fills in
    parts: Mapping[str, tuple[str, ...]]  # total -> the keys it sums
    formulas: Mapping[str, Expr] = field(default_factory=dict)  # formula cell -> its expression


_FACTS: dict[int, tuple[tuple[MapField, ...], MapFacts]] = {}


def map_facts(fields: tuple[MapField, ...]) -> MapFacts:
    known = _FACTS.get(id(fields))
    if known is not None and known[0] is fields:
        return known[1]
    problem = map_problem(fields)
    facts = MapFacts(
        problem,
        "" if problem else layout_hash(fields),
        tuple(f.row() for f in fields),
        frozenset((f.sheet, f.cell) for f in fields if f.editable),
        {f.key: f.parts for f in fields if f.parts},
        {} if problem else {f.key: parse(f.formula) for f in fields if f.formula},
    )
    if len(_FACTS) > 256:  # bounded: maps of templates no longer in the batch are let go
        _FACTS.clear()
    _FACTS[id(fields)] = (fields, facts)
    return facts


def map_problem(fields: Iterable[MapField]) -> str:
    """What is wrong with a field map read from a file ("" when it can be used): every total sums
    fields of the map, without loops, and every place is a cell."""
    by_key = {f.key: f for f in fields}
    for f in by_key.values():
        try:
            parse_a1(f.cell)
        except ValueError:
            return f"字段 {f.key} 的位置“{f.cell}”不是单元格"
        missing = [p for p in f.parts if p not in by_key]
        if missing:
            return f"合计 {f.key} 引用了不存在的字段 {missing[0]}"
        if f.formula:
            try:
                missing = [p for p in parse(f.formula).fields if p not in by_key]
            except FormDefinitionError:
                return f"公式 {f.key} 无法解析"
            if missing:
                return f"公式 {f.key} 引用了不存在的字段 {missing[0]}"
    state: dict[str, int] = {}

    def loops(key: str) -> bool:
        state[key] = 1
        f = by_key[key]
        for part in parse(f.formula).fields if f.formula else f.parts:
            if state.get(part) == 1 or (part not in state and loops(part)):
                return True
        state[key] = 2
        return False

    looping = next((k for k in by_key if k not in state and loops(k)), "")
    return f"合计 {looping} 循环引用了自身" if looping else ""


def digest(content: str) -> str:
    return hashlib.sha256(canonical(content).encode()).hexdigest()[:10]


def pack_locked(cells: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """{"locked:<sheet>[:n]": "cell\\tdigest\\tpreview\\n…"} for the locked cells of each sheet."""
    by_sheet: dict[str, list[str]] = {}
    for sheet, cell, content in cells:
        preview = "" if content.startswith("=") else " ".join(content.split())[:_PREVIEW]
        by_sheet.setdefault(sheet, []).append(f"{cell}\t{digest(content)}\t{preview}")
    out: dict[str, str] = {}
    for sheet, lines in by_sheet.items():
        chunks, current = [], ""
        for line in lines:
            if len(current) + len(line) + 1 > _CHUNK:
                chunks.append(current)
                current = ""
            current += line + "\n"
        chunks.append(current)
        for i, chunk in enumerate(chunks):
            out[f"{LOCKED}{sheet}" + (f":{i}" if i else "")] = chunk
    return out


def pack_fields(fields: Iterable[MapField]) -> dict[str, str]:
    """{"fields:0": "z:…", "fields:1": …}: the field map as one JSON array of rows [key, sheet, cell,
    kind, type, label, parts], deflated and base64-encoded, cut into cell-sized chunks. A few short
    ASCII cells instead of one row per field: reading the map cell by cell was a third of the time to
    read a return, and Chinese mixed with Latin is saved by LibreOffice as one rich-text run per change
    of script, each with its font (the plain JSON grew from 25 KB to 325 KB of XML per return)."""
    text = json.dumps([list(f.row()) for f in fields], ensure_ascii=False, separators=(",", ":"))
    packed = PACKED + base64.b64encode(zlib.compress(text.encode(), 9)).decode("ascii")
    return {f"{FIELDS}{i}": packed[at : at + _CHUNK] for i, at in enumerate(range(0, len(packed), _CHUNK))}


def unpack_fields(pairs: Mapping[str, str]) -> tuple[MapField, ...] | None:
    """The packed field map (None when the file has none: an older template, or a broken one)."""
    chunks, i = [], 0
    while (chunk := pairs.get(f"{FIELDS}{i}")) is not None:
        chunks.append(chunk)
        i += 1
    return _parse_fields("".join(chunks)) if chunks else None


@functools.lru_cache(maxsize=64)  # every return of one template version carries the same map
def _parse_fields(text: str) -> tuple[MapField, ...]:
    try:
        if text.startswith(PACKED):
            inflate = zlib.decompressobj()
            raw = inflate.decompress(base64.b64decode(text[len(PACKED) :], validate=True), MAX_MAP_BYTES)
            if inflate.unconsumed_tail:  # more than any form's map: a bomb, not a template
                return ()
            text = raw.decode()
        rows = json.loads(text)
    except (ValueError, zlib.error):  # binascii.Error and UnicodeDecodeError are ValueErrors
        return ()
    if not isinstance(rows, list):
        return ()
    fields = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == len(FIELD_MAP_HEADER) and all(isinstance(x, str) for x in row)):
            return ()  # map_problem then says the map is unusable
        key, sheet, cell, kind, ftype, label, parts = row
        formula = parts[1:] if parts.startswith("=") else ""
        fields.append(MapField(key, sheet, cell, kind, ftype, label, () if formula else tuple(parts.split()), formula))
    return tuple(fields)


def pack_merges(merges: Iterable[tuple[str, str]]) -> dict[str, str]:
    """{"merges:<sheet>": "A1:D1 A3:C5 …"}: the merged ranges the template made, per sheet."""
    by_sheet: dict[str, list[str]] = {}
    for sheet, rng in merges:
        by_sheet.setdefault(sheet, []).append(_range(rng))
    return {f"{MERGES}{sheet}": " ".join(sorted(rngs)) for sheet, rngs in by_sheet.items()}


def unpack_merges(meta: Mapping[str, str]) -> set[tuple[str, str]]:
    return {(k[len(MERGES) :], r) for k, v in meta.items() if k.startswith(MERGES) for r in v.split()}


def _range(rng: str) -> str:
    return rng.replace("$", "").upper()


def recorded_sheets(meta: Mapping[str, str], fields: Iterable[MapField]) -> list[str]:
    """The template's sheets, in order: those its locked-cell digests name, then its field map's."""
    names = [_chunk_sheet(k[len(LOCKED) :]) for k in meta if k.startswith(LOCKED)]
    return list(dict.fromkeys([*names, *(f.sheet for f in fields)]))


def _chunk_sheet(name: str) -> str:
    """ "表三 依申请公开:1" (the second chunk of a long sheet) -> "表三 依申请公开"."""
    head, sep, tail = name.rpartition(":")
    return head if sep and tail.isdigit() else name


def unpack_locked(meta: Mapping[str, str]) -> Mapping[tuple[str, str], tuple[str, str]]:
    """(sheet, cell) -> (digest, preview) as the template recorded them (read-only: shared by every
    return of one template version, which all carry the same packs)."""
    return _unpack_locked(tuple((k, v) for k, v in meta.items() if k.startswith(LOCKED)))


@functools.lru_cache(maxsize=64)
def _unpack_locked(packs: tuple[tuple[str, str], ...]) -> Mapping[tuple[str, str], tuple[str, str]]:
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for key, packed in packs:
        sheet = _chunk_sheet(key[len(LOCKED) :])
        for line in packed.splitlines():
            cell, _, rest = line.partition("\t")
            dig, _, preview = rest.partition("\t")
            out[(sheet, cell)] = (dig, preview)
    return MappingProxyType(out)


def read_meta(book: Book) -> tuple[dict[str, str], tuple[MapField, ...]]:
    """The key/value pairs and the field map of a workbook's ``_meta`` sheet (empty when absent)."""
    sheet = book.sheets.get(META_SHEET)
    if sheet is None:
        return {}, ()
    rows: dict[int, dict[str, str]] = {}  # one pass over the cells: the map has a few hundred rows
    for ref, c in sheet.cells.items():
        m = _REF.match(ref)
        if m and c.value is not None:
            rows.setdefault(int(m.group(2)), {})[m.group(1)] = c.value if isinstance(c.value, str) else as_text(c.value)
    mark = next((r for r in sorted(rows) if rows[r].get("A") == FIELDS_MARK), 0)
    pairs = {v["A"]: v.get("B", "") for r, v in sorted(rows.items()) if v.get("A") and (not mark or r < mark)}
    packed = unpack_fields(pairs)
    if packed is not None:
        return pairs, packed
    if not mark:  # templates before the packed map had one row per field after FIELDS_MARK
        return pairs, ()
    header = tuple(rows.get(mark + 1, {}).get(c, "") for c in "ABCDEFG")
    with_parts = header == FIELD_MAP_HEADER  # maps written before "parts" had six columns
    fields: list[MapField] = []
    r = mark + 2
    while (row := rows.get(r)) and row.get("A"):
        key, sheet_name, cell, kind, ftype, label = (row.get(c, "") for c in "ABCDEF")
        parts = tuple(row.get("G", "").split()) if with_parts else ()
        fields.append(MapField(key, sheet_name, cell, kind, ftype, label, parts))
        r += 1
    return pairs, tuple(fields)


def as_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
