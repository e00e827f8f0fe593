"""import and audit of published reports as use cases, and verify of returns."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.app.helpers import Recorder, cli_json, relative
from xltool.app.documents import audit_reports, documents, import_reports
from xltool.app.errors import UsageProblem
from xltool.app.verify import VerifyRequest, verify_returns
from xltool.errors import XltoolError

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ROOT / "tests" / "data" / "published"
SAMPLES = ROOT / "samples"


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    folder = tmp_path / "published"
    folder.mkdir()
    for path in sorted(PUBLISHED.glob("*.txt")):
        shutil.copy(path, folder / path.name)
    return folder


def test_documents_are_found_in_folders_once(reports: Path) -> None:
    found = documents([reports, reports / "xuwen_2023_excerpt.txt"])
    assert len(found) == len(set(found)) == 4
    (reports.parent / "empty").mkdir()
    with pytest.raises(XltoolError, match="没有找到报告文件"):
        documents([reports.parent / "empty"])


def test_import_writes_a_return_per_report_and_equals_the_commands_json(reports: Path, tmp_path: Path) -> None:
    recorder, seen = Recorder(), []
    done = import_reports([reports], tmp_path / "a", force=False, form_spec=None, progress=recorder,
                          each=seen.append)  # fmt: skip
    assert len(done.files) == len(seen) == len(recorder.steps) == recorder.totals[0] == 4
    assert done.written == sum(1 for f in done.files if f.output and f.output.is_file())
    assert done.ok == all(f.ok for f in done.files)
    code, out = cli_json("import", str(reports), "-o", str(tmp_path / "b"), "--json")
    assert code == (0 if done.ok else 1)
    assert relative(out, tmp_path / "b") == relative(done.to_dict(), tmp_path / "a")


def test_import_of_many_reports_needs_a_folder(reports: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageProblem) as refused:
        import_reports([reports], tmp_path / "one.xlsx", force=False, form_spec=None)
    assert refused.value.option == "-o"


def test_audit_equals_the_commands_json_and_keeps_its_inputs(reports: Path, tmp_path: Path) -> None:
    done = audit_reports([reports])
    assert len(done.result.files) == 4 and done.ok == done.result.ok
    code, out = cli_json("audit", str(reports), "--json")
    assert code == (0 if done.ok else 1) and out == done.to_dict()
    report = reports / "xuwen_2023_excerpt.txt"
    with pytest.raises(XltoolError, match="不能写到"):
        audit_reports([reports], out=report, force=True)
    listed = audit_reports([reports], out=tmp_path / "问题.xlsx")
    assert listed.out is not None and listed.out.is_file()


def test_verify_counts_each_file_and_equals_the_commands_json(tmp_path: Path) -> None:
    seen: list[str] = []
    request = VerifyRequest((SAMPLES / "flawed",), year=2025)
    done = verify_returns(request, each=lambda f, form, name: seen.append(f.path.name))
    s = done.result.summary()
    assert s["files"] == len(seen) == s["valid"] + s["invalid"] and s["invalid"] > 0 and not done.ok
    assert s["errors"] == sum(f.errors for f in done.result.files)
    code, out = cli_json("verify", str(SAMPLES / "flawed"), "--year", "2025", "--json")
    assert code == 1 and out == done.to_dict()


def test_verify_refuses_what_it_cannot_do_before_reading(tmp_path: Path) -> None:
    flawed = SAMPLES / "flawed"
    with pytest.raises(UsageProblem) as unknown:
        verify_returns(VerifyRequest((flawed,), strict=frozenset({"Z9"})))
    assert unknown.value.option == "--strict"
    with pytest.raises(UsageProblem) as suffix:
        verify_returns(VerifyRequest((flawed,), out=tmp_path / "问题.txt"))
    assert suffix.value.option == "--out"
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageProblem, match="没有找到表格文件"):
        verify_returns(VerifyRequest((tmp_path / "empty",)))
    one = next(flawed.glob("*.xlsx"))
    with pytest.raises(XltoolError, match="不能写到"):
        verify_returns(VerifyRequest((one,), out=one, force=True))
