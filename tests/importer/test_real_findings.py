"""Findings on real published reports (tests/data/real_reports) that are true of the document: a copy
in traditional script is read, a writer's own sub-headings are placed or left without a finding, the
unit is taken from the body when there is no title, and nothing is said of what a cut text never
reached (the topics after the cut, the parts after the last heading of the document's own wording)."""

from __future__ import annotations

from pathlib import Path

from xltool.form.model import Form
from xltool.importer.audit import audit
from xltool.importer.build import import_document

CORPUS = Path(__file__).resolve().parent.parent / "data" / "real_reports"


def _rules(form: Form, check: str) -> set[str]:
    return {r.id for r in form.rules_of(check)}


def test_a_traditional_script_copy_is_read_as_simplified(form: Form) -> None:
    imported = import_document(CORPUS / "2023_street_ershisanli_trad.txt", form)  # 義烏市廿三里街道辦事處…
    assert imported.usable and imported.year == 2023
    assert 0 in imported.parts.sections if imported.parts else False  # 一、總體情況
    assert not [p for p in imported.problems if p.rule == "import:not_report"]


def test_a_sub_heading_after_the_opening_text_is_its_field(form: Form) -> None:
    imported = import_document(CORPUS / "2021_town_dazhai.txt", form)  # text, then "(一)主动公开"
    assert not [p for p in imported.problems if p.rule == "import:unplaced"]
    assert imported.values.get("s1.proactive")


def test_a_sub_heading_in_the_writers_words_is_placed_by_its_topic(form: Form) -> None:
    imported = import_document(CORPUS / "2023_town_bjdx.txt", form)  # (六)教育培训 … (七)监督保障
    unplaced = [p.message for p in imported.problems if p.rule == "import:unplaced"]
    assert not [m for m in unplaced if "教育培训" in m or "监督保障" in m]
    assert "培训" in imported.values.get("s1.oversight", "")


def test_audit_does_not_judge_the_writers_own_sub_headings(form: Form) -> None:
    path = CORPUS / "2021_town_zhabu.txt"  # (一)高度重视,强化领导 …: the import says where the text went
    assert [p for p in import_document(path, form).problems if p.rule == "import:unplaced"]
    assert not [p for p in audit([path], form).files[0].problems if p.rule == "import:unplaced"]


def test_the_unit_named_in_the_body_when_there_is_no_title(form: Form) -> None:
    named = {
        "2022_city_miluo_jtj.txt": "汨罗市交通运输局",  # 现公布2022年汨罗市交通运输局信息公开工作…
        "2022_department_hanyang_zfb.txt": "区政府办公室",  # 2022年,区政府办公室认真贯彻…
        "2022_street_paoli.txt": "长安区砲里街道",  # 现公布长安区砲里街道2022年政府信息公开…
        "2023_street_dizhang.txt": "西咸新区底张街道办事处",  # a title broken inside 政府/信息
    }
    for name, unit in named.items():
        imported = import_document(CORPUS / name, form)
        assert imported.unit == unit, name
        assert not [p for p in imported.problems if p.rule == "import:no_unit"], name


def test_a_body_that_never_names_its_unit_still_says_so(form: Form) -> None:
    imported = import_document(CORPUS / "2023_town_bjdx.txt", form)
    assert [p for p in imported.problems if p.rule == "import:no_unit"]


def test_a_cut_in_a_part_worded_otherwise_is_one_finding(form: Form) -> None:
    path = CORPUS / "2023_town_hengshan.txt"  # 一、政府信息公开工作的基本情况 … cut inside it
    problems = audit([path], form).files[0].problems
    cuts = [p for p in problems if p.rule.startswith("import:cut")]
    assert len(cuts) == 1 and form.sections[0].heading in cuts[0].message
    later = [s.heading for s in form.sections[1:]]
    assert not [p for p in problems if any(p.place().startswith(h) for h in later)]
    assert not [p for p in problems if p.rule in _rules(form, "topics")]  # the part is F1's, once


def test_no_topic_finding_after_the_text_ends(form: Form) -> None:
    path = CORPUS / "2024_department_qiaokou_zfb.txt"  # cut inside 一, after (四)
    problems = audit([path], form).files[0].problems
    assert sum(p.rule.startswith("import:cut") for p in problems) == 1
    assert not [p for p in problems if p.rule in _rules(form, "topics")]


def test_a_text_beginning_on_a_later_page_has_one_finding(form: Form) -> None:
    path = CORPUS / "2022_department_wendeng_xfj_pdf.txt"  # "Page 8 - …": begins at 四, cut in 五
    imported = import_document(path, form)
    starts = [p for p in imported.problems if p.rule == "import:cut_start"]
    assert len(starts) == 1 and "第 8 页" in starts[0].message
    earlier = [s.heading for s in form.sections[:3]]
    problems = audit([path], form).files[0].problems
    assert not [p for p in problems if any(p.place().startswith(h) for h in earlier)]


def test_a_part_heading_with_its_ordinal_and_much_of_its_name(form: Form) -> None:
    imported = import_document(CORPUS / "2022_department_wendeng_xfj_pdf.txt", form)  # 四、因政府信息公开工作被…
    assert 3 in (imported.parts.sections if imported.parts else {})
    assert [p for p in imported.problems if p.rule == "import:heading_drift"]  # the wording is still said
    assert imported.values["t4.review.upheld"] == 0 and imported.values["t4.suit_after_review.pending"] == 0


def test_a_traditional_script_report_is_audited_as_simplified(form: Form) -> None:
    path = CORPUS / "2024_department_xuanzhou_tjj_trad.txt"  # (一)主動公開方面 … 2023年度部門決算
    problems = audit([path], form).files[0].problems
    topics = [p.message for p in problems if p.rule in _rules(form, "topics")]
    assert not [m for m in topics if "主动公开" in m]  # "積極公開政府信息" is about 主动公开
    assert not [p for p in problems if p.rule in _rules(form, "years")]  # last year's 决算 is published this year


def test_a_writers_sub_heading_is_text_of_its_topic(form: Form) -> None:
    path = CORPUS / "2022_street_chuncheng.txt"  # (五)全力做好宣传培训评估考核等基础工作
    imported = import_document(path, form)
    assert "培训" in imported.values.get("s1.oversight", "")
    assert not [p for p in audit([path], form).files[0].problems if p.rule in _rules(form, "topics")]


def test_the_unit_named_as_the_office_to_contact(form: Form) -> None:
    imported = import_document(CORPUS / "2021_department_taishun_mzj.txt", form)  # 请与泰顺县民政局办公室联系
    assert imported.unit == "泰顺县民政局"


def test_a_report_in_one_paragraph_is_read_by_its_inline_headings(form: Form) -> None:
    imported = import_document(CORPUS / "2022_town_xintian.txt", form)  # "…组成。… 一、总体情况 2022年,…"
    assert imported.usable and (imported.unit, imported.year) == ("临洮县新添镇", 2022)
    assert imported.parts is not None and 0 in imported.parts.sections
    assert not [p for p in imported.problems if p.rule == "import:not_report"]


def test_pinyin_glosses_of_a_mirror_page_are_not_label_words(form: Form) -> None:
    imported = import_document(CORPUS / "2021_town_fenghuang_trad.txt", form)  # "申请數(shù)量", "鎮(zhèn)"
    read = ["rules.issued", "normative.in_force", "licensing.decisions", "coercion.decisions", "fees.amount"]
    assert [imported.values.get("t2." + k) for k in read] == [0, 0, 0, 0, 0]  # 表二 as 表單 prints it
    assert not [p for p in imported.problems if p.rule == "import:label_drift" and "shù" in p.message]
    assert imported.unit == "柞水县凤凰镇人民政府"


def test_a_text_ending_in_a_tables_header_leaves_its_rows_to_the_cut(form: Form) -> None:
    path = CORPUS / "2021_town_scgw.txt"  # ends at 表二's first header, 第二十条第(一)项
    problems = audit([path], form).files[0].problems
    assert sum(p.rule.startswith("import:cut") for p in problems) == 1
    assert not [p for p in problems if p.rule in ("import:missing_row", "import:missing_table")]


def test_a_text_ending_in_a_heading_is_cut_there_not_reworded(form: Form) -> None:
    imported = import_document(CORPUS / "2022_department_changxingdao.txt", form)  # ends "三、收到和处理政府信息公开申"
    assert not [p for p in imported.problems if p.rule == "import:heading_drift"]
    assert sum(p.rule.startswith("import:cut") for p in imported.problems) == 1


def test_a_row_cut_in_the_middle_is_the_cuts(form: Form) -> None:
    imported = import_document(CORPUS / "2024_department_longgang.txt", form)  # its last row stops after 6 numbers
    assert not [p for p in imported.problems if p.rule == "import:row_count"]
    assert sum(p.rule.startswith("import:cut") for p in imported.problems) == 1


def test_a_short_sub_heading_with_its_sentence_is_heading_and_text(form: Form) -> None:
    imported = import_document(CORPUS / "2023_town_xiliu.txt", form)  # (二)依申请公开情况。2023年受理依申请公开0件。
    assert imported.values.get("s1.on_request") == "2023年受理依申请公开0件。"
    assert imported.values.get("s1.management", "").startswith("2022年")  # "(三) 政府信息管理情况 2022年,…"


def test_the_unit_as_the_subject_of_a_sentence_opening_with_the_year(form: Form) -> None:
    imported = import_document(CORPUS / "2022_department_lixian_jtj.txt", form)  # 2022年度,蠡县交通运输局未发生…
    assert imported.unit == "蠡县交通运输局"
