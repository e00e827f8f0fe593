"""What a clerk reads: Chinese reasons (never an exception's English), generic rule wording, cut text
marked with "…", usage errors (exit 2, before any work), the .csv problem list, forced reports marked,
skipped files named."""

from __future__ import annotations

import csv
import re
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from docx import Document

from tests.returns import SAMPLES, default_form, make_return, valid_values
from xltool.cli.main import main
from xltool.form.problems import GENERIC_OTHER, generic
from xltool.wording import clip, describe_error, internal_error
from xltool.workbook.files import skipped_files

FORM = default_form()
MINI = Path(__file__).parents[1] / "forms" / "mini"
CLEAN = SAMPLES / "returns" / "市场监管局_2025_完整正确.xlsx"
# Latin words a Chinese message may carry: file types, suites, options, the technical-code marker
ALLOWED = {"excel", "word", "wps", "xlsx", "xlsm", "docx", "html", "pdf", "csv", "force", "form", "zip", "xml", "ofd"}
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def english(text: str) -> set[str]:
    return {w for w in LATIN_WORD.findall(text) if w.lower() not in ALLOWED}


# ------------------------------------------------------------------ reasons in Chinese
@pytest.mark.parametrize(
    "err",
    [zipfile.BadZipFile("File is not a zip file"), EOFError(), zlib.error("bad"), UnicodeDecodeError("gbk", b"", 0, 1, "x"),
     KeyError("xl/workbook.xml"), ValueError("bad"), OSError(5, "I/O error"), NotImplementedError("method")],
)  # fmt: skip
def test_every_foreseen_failure_is_said_in_chinese(err: BaseException) -> None:
    assert english(describe_error(err)) == set()
    assert type(err).__name__ not in describe_error(err)


def test_an_unforeseen_failure_keeps_its_type_as_a_code() -> None:
    assert describe_error(LookupError()).endswith("LookupError")
    assert internal_error(KeyError("x")) == "技术代码 KeyError"


@pytest.mark.parametrize("data", [b"PK\x03\x04garbage", b"PK" + b"\x00" * 40])
def test_a_damaged_file_is_described_without_english(tmp_path: Path, data: bytes) -> None:
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(data)
    result = run("verify", bad, "--json")
    assert result.exit_code == 1
    import json

    problem = json.loads(result.stdout)["files"][0]["problems"][0]
    assert problem["code"] == "H1"
    assert english(problem["message"] + problem["fix"]) == set(), problem["message"]


def test_a_damaged_roster_is_described_without_english(tmp_path: Path) -> None:
    roster = tmp_path / "名单.xlsx"
    roster.write_bytes(b"PK\x03\x04garbage")
    result = run("template", "--roster", roster, "-o", tmp_path / "out", "--year", 2025)
    assert result.exit_code == 1
    assert english(result.output) == set(), result.output


def test_a_docx_sent_as_is_is_not_called_renamed(tmp_path: Path) -> None:
    doc = tmp_path / "年报.docx"
    Document().save(str(doc))
    renamed = tmp_path / "年报.xlsx"
    renamed.write_bytes(doc.read_bytes())
    from xltool.workbook.read import read_return

    (as_is,), (as_xlsx,) = read_return(doc, FORM).problems, read_return(renamed, FORM).problems
    assert as_is.rule == as_xlsx.rule == "H1-word"
    assert "扩展名" in as_xlsx.message and "扩展名" not in as_is.message


# ------------------------------------------------------------------ rules in generic words
@pytest.mark.parametrize("form_dir", [None, MINI])
def test_rules_show_no_raw_placeholder(form_dir: Path | None) -> None:
    args = ["rules", "--json"] + (["--form", str(form_dir)] if form_dir else [])
    import json

    result = run(*args)
    assert result.exit_code == 0
    for row in json.loads(result.stdout):
        assert "{" not in row["fix"] and "…" not in row["fix"] and GENERIC_OTHER not in row["fix"], row


def test_generic_words_come_from_the_rule_first() -> None:
    f6 = next(r for r in FORM.rules if r.id == "F6")
    assert f6.params["correct"] in generic(f6.fix, f6)  # the correct document number, not a blank
    h3 = FORM.rule("H3-year")
    assert h3.blanks["expected"] + "年度" in generic(h3.fix, h3)  # and no gap around the words
    plan = FORM.rule("F4-plan")
    assert "“下一年”" in generic(plan.fix, plan)


# ------------------------------------------------------------------ cut text
def test_clip_marks_every_cut() -> None:
    assert clip("一二三四五", 5) == "一二三四五"
    assert clip("一二三四五六", 5) == "一二三四…"
    assert len(clip("x" * 300, 255)) == 255


# ------------------------------------------------------------------ usage errors: exit 2, before any work
def test_unknown_strict_codes_exit_2() -> None:
    result = run("verify", CLEAN, "--strict", "B9,G1")
    assert result.exit_code == 2
    assert "B9" in result.output and "G1" in result.output


def test_wrong_out_suffix_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "清单.txt"
    assert run("verify", CLEAN, "--out", out).exit_code == 2
    assert not out.exists()


def test_existing_out_is_refused_before_any_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import xltool.checks.verify as verify_module

    out = tmp_path / "问题清单.xlsx"
    out.write_bytes(b"keep")
    monkeypatch.setattr(verify_module, "verify_stream", lambda *a, **k: pytest.fail("read before refusing"))
    result = run("verify", CLEAN, "--out", out)
    assert result.exit_code == 2
    assert out.read_bytes() == b"keep"


def test_empty_folder_exits_2(tmp_path: Path) -> None:
    (tmp_path / "说明.docx").write_bytes(b"x")
    result = run("verify", tmp_path)
    assert result.exit_code == 2
    assert "说明.docx" in result.output


def test_template_usage_errors_exit_2(tmp_path: Path) -> None:
    base = ["template", "--year", 2025, "--unit", "桐柏县安棚镇人民政府"]
    assert run(*base, "--unit-type", "镇子", "-o", tmp_path / "a.xlsx").exit_code == 2
    assert run(*base, "-o", tmp_path / "a.xls").exit_code == 2
    assert not list(tmp_path.iterdir())
    assert run(*base, "--unit-type", "镇", "-o", tmp_path / "a.xlsx").exit_code == 0  # an alias is fine
    assert run(*base, "-o", tmp_path / "a.xlsx").exit_code == 2  # exists, no --force


def test_report_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("report", CLEAN, "-o", tmp_path / "报告.txt").exit_code == 2
    existing = tmp_path / "报告.docx"
    existing.write_bytes(b"keep")
    assert run("report", CLEAN, "-o", existing).exit_code == 2
    assert existing.read_bytes() == b"keep"


# ------------------------------------------------------------------ --out .csv
def test_problem_list_as_csv(tmp_path: Path) -> None:
    bad = make_return(tmp_path, {"t3.carried_out.natural": '=HYPERLINK("http://x")'}, name="坏.xlsx")
    out = tmp_path / "问题清单.csv"
    result = run("verify", bad, "--out", out)
    assert result.exit_code == 1
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM: Excel/WPS read UTF-8 as Chinese
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert rows[0][:4] == ["文件", "单位", "级别", "编号"]
    assert {r[3] for r in rows[1:]} >= {"A2"}
    assert all(not c.startswith("=") for r in rows[1:] for c in r)  # never a live formula
    assert run("verify", tmp_path, "--json").exit_code == 1  # the list itself is not verified next time
    assert skipped_files([tmp_path]) == []


# ------------------------------------------------------------------ forced reports are marked
@pytest.fixture(scope="module")
def flawed() -> Path:
    return SAMPLES / "flawed" / "B1_勾稽不平.xlsx"


@pytest.mark.parametrize("suffix", [".docx", ".html", ".md"])
def test_a_forced_report_says_it_failed_verification(tmp_path: Path, flawed: Path, suffix: str) -> None:
    out = tmp_path / f"报告{suffix}"
    assert run("report", flawed, "-o", out, "--force").exit_code == 1  # --force only overwrites
    assert run("report", flawed, "-o", out, "--allow-errors").exit_code == 0
    if suffix == ".docx":
        doc = Document(str(out))
        texts = [p.text for p in doc.paragraphs] + [doc.sections[0].header.paragraphs[0].text]
        assert sum("未通过校验" in t for t in texts) == 2  # above the title and in every page's header
        assert "未通过校验" in doc.sections[0].even_page_header.paragraphs[0].text
    else:
        assert "未通过校验" in out.read_text(encoding="utf-8")
    clean = tmp_path / f"正常{suffix}"
    assert run("report", CLEAN, "-o", clean).exit_code == 0
    assert "未通过校验" not in (clean.read_text("utf-8") if suffix != ".docx" else _docx_text(clean))


def _docx_text(path: Path) -> str:
    doc = Document(str(path))
    return "\n".join([p.text for p in doc.paragraphs] + [p.text for p in doc.sections[0].header.paragraphs])


def test_forcing_an_unreadable_return_does_not_advise_force(tmp_path: Path) -> None:
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"PK\x03\x04garbage")
    result = run("report", bad, "-o", tmp_path / "r.docx", "--allow-errors")
    assert result.exit_code == 1
    assert "--allow-errors" not in result.output and "--force" not in result.output


# ------------------------------------------------------------------ skipped files are named
def test_skipped_files_are_listed_with_what_they_are(tmp_path: Path) -> None:
    make_return(tmp_path, valid_values(FORM), name="a.xlsx")
    (tmp_path / "说明.docx").write_bytes(b"x")
    (tmp_path / "盖章.pdf").write_bytes(b"%PDF")
    (tmp_path / "~$a.xlsx").write_bytes(b"lock")
    assert [(p.name, kind) for p, kind in skipped_files([tmp_path])] == [
        ("盖章.pdf", "PDF 文件"),
        ("说明.docx", "Word 文档"),
    ]
    import json

    notes = json.loads(run("verify", tmp_path, "--json").stdout)["notes"]
    assert any("说明.docx" in n and "盖章.pdf" in n for n in notes)


# ------------------------------------------------------------------ a blank return in a few lines
def test_verify_summarises_a_blank_template_by_sheet(tmp_path: Path) -> None:
    import json

    from xltool.workbook.write import UnitInfo, write_template

    blank = write_template(FORM, UnitInfo("桐柏县安棚镇人民政府", "乡镇", 2025), tmp_path / "空白.xlsx").path
    result = run("verify", blank)
    assert result.exit_code == 1
    a1_lines = [line for line in result.output.splitlines() if "【A1】" in line]
    sheets = {f.sheet for f in FORM.inputs if f.required}
    assert len(a1_lines) == len(sheets)  # one line per sheet with blanks, not one per cell
    assert "尚未填写的模板" in result.output
    full = json.loads(run("verify", blank, "--json").stdout)["files"][0]["problems"]
    assert sum(p["code"] == "A1" for p in full) > 100  # the full list stays in --json


def test_a_return_with_a_few_blanks_lists_each(tmp_path: Path) -> None:
    values = valid_values(FORM)
    values.update({"t3.new.natural": None, "t3.new.legal": None})
    result = run("verify", make_return(tmp_path, values, name="少填.xlsx"))
    assert sum("【A1】" in line for line in result.output.splitlines()) == 2


# ------------------------------------------------------------------ the sheet password
@pytest.mark.parametrize("password", ["公开2025", "２０２５", "gk 2025"])
def test_a_password_that_libreoffice_cannot_enter_is_refused(tmp_path: Path, password: str) -> None:
    out = tmp_path / "a.xlsx"
    result = run("template", "-o", out, "--year", 2025, "--unit", "桐柏县安棚镇人民政府", "--password", password)
    assert result.exit_code == 2 and "--password" in result.output
    assert not out.exists()


def test_an_ascii_password_is_accepted(tmp_path: Path) -> None:
    out = tmp_path / "a.xlsx"
    args = ("template", "-o", out, "--year", 2025, "--unit", "桐柏县安棚镇人民政府", "--password", "2025gk!")
    assert run(*args).exit_code == 0
    from xltool.errors import XltoolError
    from xltool.workbook.write import UnitInfo, write_template

    with pytest.raises(XltoolError):  # the library refuses it too
        write_template(FORM, UnitInfo("桐柏县安棚镇人民政府", "乡镇", 2025), tmp_path / "b.xlsx", password="公开")


# ------------------------------------------------------------------ words of the annual report, as an example only
ANNUAL_WORDS = ("政府信息公开", "依申请公开", "信息处理费", "上年结转", "结转下年度", "单位类型", "国家")


@pytest.mark.parametrize("command", [(), ("report",), ("status",), ("aggregate",), ("init",)])
def test_command_help_names_the_annual_report_only_as_an_example(command: tuple[str, ...]) -> None:
    """Any form can run through these commands: what the annual report does is said as an example
    ("年度报告为…", "如年度报告…"), never as what every form does."""
    import xltool

    result = run(*command, "--help")
    assert result.exit_code == 0, result.output
    before_examples = result.output.split("示例：")[0]  # the examples may name the annual report's files
    text = "".join(line.strip() for line in before_examples.splitlines())
    text = re.sub(r"（(?:如|例如|年度报告为)[^）]*）", "", text)  # "（如年度报告的“上年结转”）"
    text = re.sub(r"默认为[^。；）]*", "", text)  # --form: the default form is named
    text = re.sub(r"表单有单位类型时[^。；）]*", "", text)  # a roster column, a filter: only for a form with types
    assert not [w for w in ANNUAL_WORDS if w in text], text
    assert not any(w in (xltool.__doc__ or "") for w in ANNUAL_WORDS)
