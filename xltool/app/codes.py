"""What a check code means, in a word: the titles of the form's rules under that code (the console
shows it when the pointer rests on a bare code such as D1 or H8)."""

from __future__ import annotations

from xltool.form.model import Form


def code_meanings(form: Form) -> dict[str, str]:
    """Code -> "title；title" of every rule reported under it (the catalogue's and the form's own)."""
    titles: dict[str, list[str]] = {}
    for rule in form.rules:
        seen = titles.setdefault(rule.code, [])
        if rule.title not in seen:
            seen.append(rule.title)
    return {code: f"{code}：" + "；".join(names) for code, names in titles.items()}
