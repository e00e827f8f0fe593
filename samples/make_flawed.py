"""Regenerate samples/flawed/: returns that each carry one flaw, named "<check code>_<flaw>.<ext>".

The returns are the market_2025 sample (a complete, valid 2025 return of 桐柏县市场监督管理局) or
its town variant (安棚镇人民政府), changed the way real returns go wrong. ``xltool verify
samples/flawed --year 2025 --roster samples/roster.xlsx`` reports each flaw under the code its file
name starts with (a test checks that). The fixed creation time keeps every file byte-stable.

Run: .venv/bin/python samples/make_flawed.py
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the builders are the test fixtures: one way to make a return

import docx  # noqa: E402
import openpyxl  # noqa: E402

from tests.returns import (  # noqa: E402
    OLE_MAGIC,
    default_form,
    edit_cells,
    edit_xml,
    for_year,
    make_return,
    make_town_return,
    restamp,
    valid_values,
    with_macro,
)

OUT = ROOT / "samples" / "flawed"
FORM = default_form()
T3, T4 = FORM.sheet("t3").name, FORM.sheet("t4").name
Maker = Callable[[Path, Path], Path]  # (scratch folder, target) -> the written target


def cell(key: str) -> str:
    return FORM.fields[key].cell


def text(key: str, old: str, new: str) -> dict[str, str]:
    value = valid_values(FORM)[key]
    assert old in value, (key, old)
    return {key: value.replace(old, new)}


def filled(changes: dict[str, object] | None = None, *, town: bool = False, **kwargs: object) -> Maker:
    """A return written by xltool from the sample data with ``changes``."""

    def make(tmp: Path, target: Path) -> Path:
        build = make_town_return if town else make_return
        return build(target.parent, changes, name=target.name, **kwargs)  # type: ignore[arg-type]

    return make


def xml_edit(**edits: object) -> Maker:
    """The sample edited by hand and saved by Excel/WPS (other cached results kept)."""

    def make(tmp: Path, target: Path) -> Path:
        return edit_xml(make_return(tmp, name="base.xlsx"), target, **edits)  # type: ignore[arg-type]

    return make


def raw(data: bytes | Callable[[Path], bytes]) -> Maker:
    def make(tmp: Path, target: Path) -> Path:
        target.write_bytes(data(tmp) if callable(data) else data)
        return target

    return make


def truncated(tmp: Path) -> bytes:
    data = make_return(tmp, name="whole.xlsx").read_bytes()
    return data[: len(data) * 2 // 3]  # a download or mail transfer cut short


def word_document(tmp: Path, target: Path) -> Path:
    d = docx.Document()
    d.add_heading("桐柏县市场监督管理局2025年政府信息公开工作年度报告", 1)
    d.add_paragraph("一、总体情况")
    d.save(str(target))
    return restamp(target)


def own_workbook(tmp: Path, target: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = T3
    ws.append(["三、收到和处理政府信息公开申请情况"])
    ws.append(["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"])
    ws.append(["一、本年新收政府信息公开申请数量", 18, 4, 0, 1, 2, 1, 26])
    wb.save(target)
    return restamp(target)


def saved_by_openpyxl(tmp: Path, target: Path) -> Path:
    edit_cells(make_return(tmp, name="base.xlsx"), {}, target)
    return restamp(target)


def macro(tmp: Path, target: Path) -> Path:
    return with_macro(make_return(tmp, name="base.xlsx"), target)


# An old binary file starts with the OLE compound-file signature; the reader goes by the bytes.
OLE_XLS = OLE_MAGIC + bytes(504) + "Workbook".encode("utf-16-le") + bytes(64)
OLE_ENCRYPTED = OLE_MAGIC + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(64)

FLAWS: dict[str, Maker] = {
    "A1_空白单元格.xlsx": filled(remove=["t2.penalty.decisions"]),
    "A2_斜杠代替零.xlsx": filled({"t3.r_deny_2.natural": "/"}),
    "A2_数字为全角文本.xlsx": filled({"t2.licensing.decisions": "１２８６"}),
    "A3_收费按元填写.xlsx": filled({"t2.fees.amount": 3500}, town=True),
    "A4_报告年度填错.xlsx": filled({"info.year": 2024}),
    "B1_勾稽不平.xlsx": filled({"t3.carried_out.natural": 2}),
    "B3_总计被手工改写.xlsx": xml_edit(cells={(T3, cell("t3.new.total")): 27}),
    "B6_乡镇以国家秘密不予公开.xlsx": filled({"t3.r_open.natural": 8, "t3.r_deny_1.natural": 1}, town=True),
    "C1_复议总计被手工改写.xlsx": xml_edit(cells={(T4, cell("t4.review.total")): 3}),
    "D1_乡镇填报规章.xlsx": filled({"t2.rules.issued": 1, "t2.rules.in_force": 6}, town=True),
    "D4_乡镇制发规范性文件.xlsx": filled({"t2.normative.issued": 4, "t2.normative.in_force": 12}, town=True),
    "E1_文字与表格不符.xlsx": filled({"t3.new.natural": 19, "t3.r_open.natural": 10}),
    "F4_年份沿用上年.xlsx": filled(text("s1.proactive", "2025年，我局", "2024年，我局")),
    "F7_留有占位符.xlsx": filled(text("s1.management", "全年未发生失泄密事件", "全年未发生XX事件")),
    "F9_列举缺少二是.xlsx": filled(text("s1.platform", "二是用好政务新媒体", "同时用好政务新媒体")),
    "H1_空文件.xlsx": raw(b""),
    "H1_旧版xls.xls": raw(OLE_XLS),
    "H1_设置了打开密码.xlsx": raw(OLE_ENCRYPTED),
    "H1_Word文档改名.xlsx": word_document,
    "H1_文件损坏.xlsx": raw(truncated),
    "H2_自建表格.xlsx": own_workbook,
    "H3_用了上年模板.xlsx": filled(base=for_year(valid_values(FORM), 2024), year=2024),
    "H4_工作表被改名.xlsx": xml_edit(rename={FORM.sheet("t2").name: "表二"}),
    "H6_含宏.xlsm": macro,
    "H7_单位名称不符.xlsx": filled({"info.unit_name": "桐柏县教育局"}),
    "H8_未重新计算.xlsx": xml_edit(cells={(T3, cell("t3.r_open.natural")): 8, (T3, cell("t3.r_partial.natural")): 3}),
    "H8_openpyxl保存无计算结果.xlsx": saved_by_openpyxl,
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        if old.is_file():
            old.unlink()
    with tempfile.TemporaryDirectory() as scratch:
        for name, make in FLAWS.items():
            work = Path(scratch) / name
            work.mkdir()
            path = make(work, OUT / name)
            print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
