"""The audit's problem list prints whole as the verify one does: rows as tall as their wrapped text,
rendered by the real LibreOffice and checked as the template's print test checks it."""

from __future__ import annotations

from pathlib import Path

from tests.printcheck import cut_texts, page_count
from xltool.app.documents import audit_reports
from xltool.office import convert

PUBLISHED = Path(__file__).resolve().parent.parent / "data" / "published"


def test_no_text_of_the_audit_list_is_cut(soffice: str, tmp_path: Path) -> None:
    out = tmp_path / "检查结果.xlsx"
    done = audit_reports(sorted(PUBLISHED.glob("*.txt")), out=out)
    assert sum(len(f.problems) for f in done.result.files) > 5
    pdf = convert(out, "pdf", tmp_path / "pdf")
    assert page_count(pdf) >= 1
    assert cut_texts(pdf, out) == []
