"""``xltool verify`` through click's CliRunner: exit codes, --json, --out, --annotate, help, bad files."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from tests.returns import (
    ROSTER,
    SAMPLES,
    default_form,
    load_copy,
    make_previous,
    make_return,
    make_town_return,
    valid_values,
)
from xltool.checks.verify import VerifyOptions, verify
from xltool.cli.main import main
from xltool.office import convert
from xltool.roster import load_roster

FORM = default_form()
CLEAN = SAMPLES / "returns" / "市场监管局_2025_完整正确.xlsx"
T3 = FORM.sheet("t3").name
CHINESE = re.compile(r"[\u4e00-\u9fff]")
HEADER = ["文件", "单位", "级别", "编号", "工作表", "单元格", "栏目", "填写值", "问题", "修改建议", "单位说明"]
HEADER += ["联系人", "联系邮箱"]  # from the roster, when one is given


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The sample with 表三 unbalanced in the 自然人 column (B1 at D30 and J30); its text tells the
    changed 结转下年度 (else E1 would report that too)."""
    text = valid_values(FORM)["s1.on_request"].replace("结转下年度继续办理2件", "结转下年度继续办理3件")
    return make_return(tmp_path, {"t3.carried_out.natural": 2, "s1.on_request": text}, name="broken.xlsx")


@pytest.fixture
def corrupt(tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.xlsx"
    path.write_bytes(CLEAN.read_bytes()[:9000])
    return path


# ------------------------------------------------------------------ exit codes
def test_clean_sample_exits_0() -> None:
    result = run("verify", CLEAN, "--year", 2025, "--roster", ROSTER)
    assert result.exit_code == 0, result.output
    assert "结论：通过" in result.output


def test_warnings_only_exit_0_unless_strict(tmp_path: Path) -> None:
    town = make_town_return(tmp_path, {"t2.normative.issued": 2, "t2.normative.in_force": 10})  # D4
    assert run("verify", town).exit_code == 0
    assert run("verify", town, "--strict").exit_code == 1
    assert run("verify", town, "--strict", "B6").exit_code == 0
    assert run("verify", town, "--strict", "d4").exit_code == 1


def test_any_file_with_an_error_exits_1(broken: Path) -> None:
    result = run("verify", CLEAN, broken)
    assert result.exit_code == 1
    assert "【B1】" in result.output and "D30" in result.output


def test_folder_is_searched(tmp_path: Path, broken: Path) -> None:
    result = run("verify", tmp_path, "--json")
    assert result.exit_code == 1
    assert [Path(f["path"]).name for f in json.loads(result.stdout)["files"]] == ["broken.xlsx"]


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["verify"], id="no-paths"),
        pytest.param(["verify", "--bogus", str(CLEAN)], id="unknown-option"),
        pytest.param(["verify", "no-such-file.xlsx"], id="missing-file"),
        pytest.param(["verify", str(CLEAN), "--year", "twenty"], id="bad-year"),
        pytest.param(["nonsense"], id="unknown-command"),
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert CHINESE.search(result.output), result.output
    assert "Traceback" not in result.output


# ------------------------------------------------------------------ outputs
def test_json_equals_the_library_result(tmp_path: Path, broken: Path, corrupt: Path) -> None:
    town = make_town_return(tmp_path, {"t3.r_open.natural": 8, "t3.r_deny_1.natural": 1}, name="town.xlsx")
    paths = [CLEAN, broken, corrupt, town]
    result = run("verify", *paths, "--json", "--year", 2025, "--roster", ROSTER, "--strict", "D4")
    assert result.exit_code == 1
    options = VerifyOptions(year=2025, roster=load_roster(ROSTER), strict=frozenset({"D4"}))
    assert json.loads(result.stdout) == verify(paths, FORM, options).to_dict()


def test_out_writes_one_row_per_problem(tmp_path: Path, broken: Path, corrupt: Path) -> None:
    out = tmp_path / "lists" / "问题清单.xlsx"
    result = run("verify", CLEAN, broken, corrupt, "--out", out)
    assert result.exit_code == 1
    assert "问题清单已写入" in result.output

    ws = load_copy(out).worksheets[0]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == HEADER
    expected = verify([CLEAN, broken, corrupt], FORM)
    problems = [(f, p) for f in expected.files for p in f.problems]
    assert len(rows) == 1 + len(problems) == 4
    body = {(r[0], r[3], r[5]) for r in rows[1:]}
    assert body == {(f.path.name, p.code, p.cell) for f, p in problems}  # files given: by their names
    carried_out = FORM.fields["t3.carried_out.natural"].cell
    assert ("broken.xlsx", "B1", carried_out) in body and ("corrupt.xlsx", "H1", None) in body
    assert {(r[11], r[12]) for r in rows[1:]} == {(None, None)}  # no roster: no contact
    b1 = next(r for r in rows[1:] if r[5] == carried_out)
    assert b1[1] == "桐柏县市场监督管理局" and b1[2] == "错误" and b1[4] == T3 and b1[7] == "2"


def test_annotate_marks_problem_cells_in_a_copy(tmp_path: Path, broken: Path, corrupt: Path) -> None:
    before = {p: sha256(p) for p in (broken, corrupt, CLEAN)}
    outdir = tmp_path / "annotated"
    result = run("verify", broken, corrupt, CLEAN, "--annotate", outdir)
    assert result.exit_code == 1
    assert {p: sha256(p) for p in before} == before  # the originals are never written

    (copy,) = outdir.iterdir()  # neither the unreadable nor the clean file gets a copy
    assert copy.name == "broken_问题标注.xlsx"
    wb = load_copy(copy)
    assert wb.sheetnames[0] == "问题清单"
    assert wb.sheetnames[1:] == load_copy(broken).sheetnames
    listed = [[c.value for c in row] for row in wb["问题清单"].iter_rows(min_row=2)]
    cell = lambda key: FORM.fields[key].cell  # noqa: E731
    assert [(r[1], r[3]) for r in listed] == [
        ("B1", cell("t3.carried_out.natural")),
        ("B1", cell("t3.carried_out.total")),
    ]
    marked = wb[T3][cell("t3.carried_out.natural")]
    assert marked.fill.fgColor.rgb.endswith("FFC7CE")  # red: an error
    assert marked.comment is not None and "B1" in marked.comment.text
    assert wb[T3][cell("t3.r_total.natural")].comment is None


def test_annotated_copy_opens_in_libreoffice(tmp_path: Path, broken: Path, soffice: str) -> None:
    outdir = tmp_path / "annotated"
    assert run("verify", broken, "--annotate", outdir).exit_code == 1
    (copy,) = outdir.iterdir()
    pdf = convert(copy, "pdf", tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000


def test_problem_list_opens_in_libreoffice(tmp_path: Path, broken: Path, soffice: str) -> None:
    listing = tmp_path / "问题清单.xlsx"
    assert run("verify", broken, "--out", listing).exit_code == 1
    pdf = convert(listing, "pdf", tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000


# ------------------------------------------------------------------ help and robustness
def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix]
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            out += _commands(cmd, (*prefix, name))
        else:
            out.append((*prefix, name))
    return out


def test_known_commands_are_registered() -> None:
    assert {"template", "verify", "demo"} <= set(main.commands)


@pytest.mark.parametrize("command", _commands(main), ids=lambda c: " ".join(c) or "main")
def test_every_command_has_chinese_help(command: tuple[str, ...]) -> None:
    for flag in ("-h", "--help"):
        result = run(*command, flag)
        assert result.exit_code == 0, result.output
        assert result.output.startswith("用法："), result.output[:80]
        docline = next(line for line in result.output.splitlines()[1:] if line.strip())
        assert CHINESE.search(docline), docline


def test_verify_help_lists_the_exit_codes() -> None:
    output = run("verify", "-h").output
    assert "0 = 没有错误" in output and "--annotate" in output and "--strict" in output


def _bad_files(folder: Path) -> list[Path]:
    data = {
        "empty.xlsx": b"",
        "old.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
        "noise.xlsx": bytes(range(256)) * 4,
        "half.xlsx": CLEAN.read_bytes()[:20000],
        "fake-zip.xlsx": b"PK\x03\x04" + bytes(200),
        "page.xlsx": b"<!DOCTYPE html><html><body>404</body></html>",
    }
    for name, content in data.items():
        (folder / name).write_bytes(content)
    return [folder / name for name in data]


@pytest.mark.parametrize("extra", [[], ["--json"], ["--out", "list.xlsx"], ["--annotate", "annotated"]])
def test_corrupt_files_never_show_a_traceback(tmp_path: Path, extra: list[str]) -> None:
    bad = _bad_files(tmp_path)
    extra = [str(tmp_path / e) if e.endswith((".xlsx", "annotated")) else e for e in extra]
    result = run("verify", *bad, CLEAN, *extra)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and "程序内部错误" not in result.output
    if extra[:1] == ["--json"]:
        files = json.loads(result.stdout)["files"]
        assert [[p["code"] for p in f["problems"]] for f in files] == [["H1"]] * len(bad) + [[]]
    else:
        assert result.output.count("【H1】") == len(bad)
        assert "结论：通过" in result.output  # the good file is still verified


def test_previous_year_option(tmp_path: Path) -> None:
    previous = make_previous(tmp_path, {"t3.carried_out.natural": 3})
    result = run("verify", make_return(tmp_path), "--previous", previous.parent, "--json")
    assert result.exit_code == 1, result.output
    codes = [(p["code"], p["cell"], p["severity"]) for p in json.loads(result.stdout)["files"][0]["problems"]]
    assert ("B5", "J7", "error") in codes


def test_parallel_reading_gives_the_same_result(tmp_path: Path, broken: Path, corrupt: Path) -> None:
    from xltool.checks.verify import verify
    from xltool.form.loader import load_form

    files = [broken, corrupt, *sorted((SAMPLES / "flawed").glob("*"))[:6]]
    form = load_form()
    assert verify(files, form, workers=2).to_dict() == verify(files, form, workers=1).to_dict()


def test_strict_takes_the_forms_own_codes(tmp_path: Path) -> None:
    path = make_return(tmp_path)
    bad = CliRunner().invoke(main, ["verify", str(path), "--strict", "B6,K1"])
    assert (
        bad.exit_code == 2 and "K1" in bad.output and "B6" not in bad.output.split("未知的检查编号")[1].split("。")[0]
    )
    mini = Path(__file__).parent / "forms" / "mini" / "form.toml"
    other = CliRunner().invoke(main, ["verify", str(path), "--form", str(mini), "--strict", "K1"])
    assert other.exit_code == 1  # K1 is the mini form's code; the annual return is H2 under it
    assert "H2" in other.output


def test_an_unknown_form_is_one_chinese_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["rules", "--form", "no-such-form"])
    assert result.exit_code == 1
    assert "找不到表单定义“no-such-form”" in result.output and "gov-info-disclosure-annual-report" in result.output
    assert "Traceback" not in result.output
