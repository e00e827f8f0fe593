"""Header text and attachment names as Chinese mail clients really send them, decoded and made safe.

Names arrive RFC 2047-encoded (also inside quotes, where the RFC forbids it, and split in the middle
of a GBK character), RFC 2231-encoded, or as raw 8-bit UTF-8 or GBK bytes; charsets are mislabelled
(gb2312 for text with GBK-only characters, iso-8859-1 for GBK). A name can hold a path, NUL, control
or bidi characters, or be absent. What a clerk saves to disk is only ever ``safe_name``.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
import unicodedata
import urllib.parse

# GB2312 labels are routinely put on GBK text (生僻字 in names, ・, €); GB18030 is a superset of all.
_GB_LABELS = {"gb2312", "gbk", "x-gbk", "gb_2312-80", "gb2312-80", "cp936", "ms936", "windows-936"}
_GB_LABELS |= {"euc-cn", "x-euc-cn", "csgb2312", "chinese", "936", "gb18030"}
# Labels that decode anything without error, so a wrong label would hide GBK or UTF-8 as mojibake.
_PERMISSIVE = {"latin_1", "iso8859-1", "iso-8859-1", "ascii", "us-ascii", "cp1252", "windows-1252"}
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_FOLD = re.compile(r"\r?\n(?=[ \t])")

MAX_NAME_CHARS = 120
DEFAULT_STEM = "附件"
# Characters Windows refuses in a file name; a clerk saves attachments on a Windows PC.
_WINDOWS_BAD = re.compile(r'[<>:"|?*]')
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(1, 10)}
_EXTENSION = re.compile(r"\.[0-9A-Za-z]{1,10}$")


def codec_for(charset: str | None) -> str | None:
    """The Python codec for a MIME charset label, GB labels widened to GB18030; None when unknown."""
    if not charset:
        return None
    label = charset.strip().strip("\"'").lower()
    if label in _GB_LABELS:
        return "gb18030"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Text of ``data``: the declared charset, then UTF-8, then GB18030, never an exception."""
    declared = codec_for(charset)
    order = [declared, "utf-8", "gb18030"]
    if declared in _PERMISSIVE:  # a latin-1 label on GBK bytes is the usual mislabel: try it last
        order = ["utf-8", "gb18030", declared]
    for codec in order:
        if codec:
            try:
                return data.decode(codec)
            except (UnicodeDecodeError, LookupError):
                continue
    return data.decode(declared or "utf-8", errors="replace")


def raw_bytes(value: str) -> bytes:
    """The bytes the parser read for a header value (it keeps 8-bit bytes as surrogate escapes)."""
    try:
        return value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogateescape")


def unfold(value: str) -> str:
    return _FOLD.sub("", value)


def decode_header_text(value: str) -> str:
    """A header's text: raw 8-bit bytes as UTF-8 or GB18030, then RFC 2047 encoded words."""
    data = raw_bytes(unfold(value))
    text = data.decode("ascii") if data.isascii() else decode_bytes(data)
    return decode_words(text)


def b64(data: bytes) -> bytes:
    """Lenient base64: non-alphabet bytes dropped, a broken tail cut, so a damaged part still gives bytes."""
    try:
        return binascii.a2b_base64(data)  # the usual case, fast; it already skips line breaks and junk
    except binascii.Error:
        pass
    clean = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
    clean = clean[: len(clean) - len(clean) % 4] if len(clean) % 4 == 1 else clean
    try:
        return base64.b64decode(clean + b"=" * (-len(clean) % 4))
    except (binascii.Error, ValueError):
        return b""


def decode_words(text: str) -> str:
    """RFC 2047 encoded words in ``text``; adjacent words of one charset are joined as bytes first,
    because clients split long GBK names every N bytes, sometimes inside a character."""
    pieces: list[tuple[str | None, bytes | str]] = []  # (charset, bytes) or (None, literal text)
    pos = 0
    for m in _ENCODED_WORD.finditer(text):
        between = text[pos : m.start()]
        if between and not (between.isspace() and pieces and pieces[-1][0] is not None):
            pieces.append((None, between))
        charset = m.group(1).split("*")[0]  # RFC 2231 allows a language: =?utf-8*zh?...
        payload = raw_bytes(m.group(3))
        data = b64(payload) if m.group(2) in "bB" else binascii.a2b_qp(payload, header=True)
        last = pieces[-1] if pieces else None
        if last is not None and last[0] is not None and last[0].lower() == charset.lower():
            pieces[-1] = (last[0], bytes(last[1]) + data)  # type: ignore[arg-type]
        else:
            pieces.append((charset, data))
        pos = m.end()
    if not pieces:
        return text
    tail = text[pos:]
    out = [decode_bytes(p, c) if c is not None and isinstance(p, bytes) else str(p) for c, p in pieces]
    return "".join(out) + tail


def header_params(value: str) -> dict[str, str]:
    """Parameters of a Content-Type or Content-Disposition value, names lower-cased, first one wins.

    Lenient on purpose: unquoted values with spaces, encoded words inside quotes, unterminated quotes.
    """
    params: dict[str, str] = {}
    text = unfold(value)
    i = text.find(";")
    while 0 <= i < len(text):
        eq = text.find("=", i + 1)
        if eq < 0:
            break
        name = text[i + 1 : eq].strip().lower()
        j = eq + 1
        while j < len(text) and text[j] in " \t":
            j += 1
        if j < len(text) and text[j] == '"':
            chars, j = [], j + 1
            while j < len(text) and text[j] != '"':
                # a backslash escapes only a quote or a backslash: a GBK trail byte can be 0x5C
                if text[j] == "\\" and j + 1 < len(text) and text[j + 1] in '"\\':
                    j += 1
                chars.append(text[j])
                j += 1
            val = "".join(chars)
            i = text.find(";", j)
        else:
            end = text.find(";", j)
            val = text[j:] if end < 0 else text[j:end]
            i = end
        if name and name not in params:
            params[name] = val.strip()
    return params


def param_text(params: dict[str, str], key: str) -> str | None:
    """The decoded value of parameter ``key``: RFC 2231 (single or continued) or plain/2047/8-bit."""
    if f"{key}*" in params:
        return _rfc2231([(params[f"{key}*"], True)])
    segments: list[tuple[str, bool]] = []
    while True:
        n = len(segments)
        if f"{key}*{n}*" in params:
            segments.append((params[f"{key}*{n}*"], True))
        elif f"{key}*{n}" in params:
            segments.append((params[f"{key}*{n}"], False))
        else:
            break
    if segments:
        return _rfc2231(segments)
    return decode_header_text(params[key]) if key in params else None


def _rfc2231(segments: list[tuple[str, bool]]) -> str:
    charset = None
    data = b""
    for n, (value, extended) in enumerate(segments):
        if extended and n == 0 and value.count("'") >= 2:
            charset, _lang, value = value.split("'", 2)
        raw = raw_bytes(value)
        data += urllib.parse.unquote_to_bytes(raw) if extended else raw
    return decode_words(decode_bytes(data, charset))


def safe_name(name: str, default_ext: str = "") -> str:
    """A file name that can be written anywhere: the last path part only, no control, format (bidi,
    zero-width) or Windows-reserved characters, NFC, at most MAX_NAME_CHARS, never empty or hidden."""
    text = unicodedata.normalize("NFC", name).replace("\\", "/")
    text = text.rsplit("/", 1)[-1]
    text = re.sub(r"^[A-Za-z]:", "", text)  # "C:y.xlsx", a drive-relative path
    text = "".join(" " if unicodedata.category(c) in ("Zl", "Zp") or c in "\t\r\n" else c for c in text)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    text = _WINDOWS_BAD.sub("_", text)
    text = re.sub(r"\s+", " ", text).rstrip(" .")  # Windows drops trailing dots and spaces itself
    stem, ext = split_ext(text)
    ext = ext or default_ext
    stem = stem.strip(" .") or DEFAULT_STEM  # never hidden (".xlsx" becomes "附件.xlsx")
    if stem.lower() in _WINDOWS_RESERVED:
        stem = "_" + stem
    return limit_length(stem, ext)


def limit_length(stem: str, ext: str) -> str:
    stem = stem[: MAX_NAME_CHARS - len(ext)].rstrip(" .") or DEFAULT_STEM
    return stem + ext


def split_ext(name: str) -> tuple[str, str]:
    m = _EXTENSION.search(name)
    return (name[: m.start()], m.group(0)) if m else (name, "")


def unique_names(names: list[str]) -> list[str]:
    """``names`` with " (2)", " (3)"… before the extension of repeats; comparison ignores case and
    Unicode form, as a Windows or macOS folder does."""
    seen: set[str] = set()
    last: dict[str, int] = {}  # the last number given to a name: linear even for a thousand repeats
    out = []
    for name in names:
        key = unicodedata.normalize("NFC", name).casefold()
        candidate, n = name, last.get(key, 1)
        while unicodedata.normalize("NFC", candidate).casefold() in seen:
            n += 1
            stem, ext = split_ext(name)
            candidate = limit_length(stem[: MAX_NAME_CHARS - len(ext) - len(f" ({n})")], f" ({n}){ext}")
        last[key] = n
        seen.add(unicodedata.normalize("NFC", candidate).casefold())
        out.append(candidate)
    return out
