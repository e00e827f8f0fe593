"""Narrative checks (E1 E3 E4 F3 F4 F7 F9, F8): each test breaks one rule, or must not fire.

Texts are given with their field keys; the numbers are the whole table, all 0 unless a test says
otherwise. The last tests run the checks on the real 2024 example report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from xltool.checks.text import TextContext, copy_problems, text_problems
from xltool.form.loader import load_form
from xltool.form.model import Form
from xltool.form.problems import Problem

REFERENCE = Path("/work/shared/reference/000_0b5f7dfbc2c1884c.txt")
UNIT = "桐柏县安棚镇人民政府"

# The narrative of the example report (桐柏县安棚镇 2024), copied from the reference text.
EXAMPLE: dict[str, str] = {
    "s1.proactive": (
        "安棚镇通过政务门户网站、微信公众号等平台主动公开政务信息53条，涵盖政策法规、经"
        "济发展、重点领域信息公开等多个方面，发布动态信息128条。"
        "安棚镇积极利用基层宣传平台，通过宣传橱窗、漫画墙、led等，积极开展视频、广播等"
        "通俗易懂的解读，确保群众看得见、听得懂，截至目前，政策性文件解读29篇，图文解读"
        "8篇。"
    ),
    "s1.on_request": (
        "2024年，安棚镇人民政府未收到依申请公开信息，未发生因违反政府信息公开工作规定而出现投诉、复议、诉讼情况。"
    ),
    "s1.management": (
        "一是公开的内容更加充实。"
        "对政务信息公开的范围、内容、形式、制度等作了进一步的明确。"
        "按照组织健全、制度严密、标准统一、运作规范的要求，做好政务信息公开以及已公开内容"
        "存档备查工作。"
        "二是强化监督审查，提高政务公开信息质量。"
        "安棚镇政府网站和新闻媒体分别安排专人负责更新，按照要求坚持一周更新两次以上。"
        "对拟公开的政府信息，由该部门负责人提出具体意见，经信息公开操作人员审查后，报信息"
        "公开分管领导审批，从源头上落实了保密审查。"
    ),
    "s1.platform": (
        "一是以电子政务为重点，推进网上政务公开。"
        "将相关的政策规定、措施办法以及服务承诺等内容在网站上予以公布，使政务公开内容能在"
        "更大的范围，以更加快捷的形式，及时、全面地向群众和社会公开。"
        "二是把服务“窗口”建设作为加强政风建设、推进和落实政务公开的突出重点。"
        "便民服务窗口部门，建立完善公开办事制度，设置公开栏、办事指南等，做出服务承诺，工"
        "作人员一律摆放标有姓名、职务等的桌牌，极大地方便了群众。"
        "三是安棚镇及16个行政村全部建设政务公开专区，可提供政策咨询及登记服务，及时公开"
        "乡村振兴、社会救助和基本医疗卫生等各领域信息，今年以来政务公开专栏公开救助、惠农"
        "补贴、一网通办等信息86条。"
    ),
    "s1.oversight": (
        "一是将政府信息公开工作纳入绩效考核体系，明确考核指标和评分标准，对工作成效显著的"
        "口办和个人进行表彰和奖励，对工作不力的进行督促整改。"
        "通过公开征求意见、设置意见箱等方式，广泛听取社会公众对安棚镇政府信息公开工作的意"
        "见和建议。"
        "根据社会评议结果，及时改进工作中存在的问题，不断提高政府信息公开工作水平。"
        "三是责任追究，建立健全政府信息公开责任追究制度，对违反政府信息公开规定的行为，依"
        "法依规追究相关人员的责任。"
        "确保政府信息公开工作的严肃性和规范性。"
    ),
    "s5.problems": (
        "我镇在扩宽政务信息公开渠道、深化政务信息公开内容等方面进行了积极地探索，政务公开"
        "工作取得了新进展，但也存在着某些不足，如公开信息量不大；政府信息公开无专职工作人"
        "员，兼职人员业务水务有待提高；网上公开还存在一些薄弱环节等。"
        "\n"
        "今后，我镇将继续深入贯彻落实《条例》的各项要求，从以下几方面着手改进，继续深化政"
        "务公开工作：一是转变观念，提高服务意识。"
        "实现公共服务新观念，把人民视为服务对象，向社会公众提供优质、高效的信息服务，保障"
        "公民知情权和决策参与权的实现。"
        "二是继续抓好政务公开的深化提高。"
        "加强对政务公开的监督检查，坚持把政务公开与行政审批、党风廉政建设等工作紧密结合起"
        "来，促进政务公开经常化、制度化。"
        "三是加强工作人员的业务知识培训，不断提高业务素质，把政府信息公开贯穿于我处工作的"
        "全过程。"
        "规范工作流程，认真梳理和细化信息公开类别，强化制度执行，组织开展定期检查和接受社"
        "会监督，充分发挥政府信息公开制度的社会效益。"
    ),
    "s6.other": ("无"),
}

OVERSIGHT = EXAMPLE["s1.oversight"]  # "一是…三是" with no "二是"
GOOD_ENUMERATION = "一是完善制度，明确审查流程。二是加强培训，提高业务水平。三是强化考核，落实责任追究。"
TEXT = "本年度通过政府网站、政务新媒体等平台主动公开政府信息56条，涵盖政策法规、重点领域等方面。"

Numbers = dict[str, int | float | None]


@pytest.fixture(scope="module")
def form() -> Form:
    return load_form()


def numbers(form: Form, **values: int) -> Numbers:
    """Every table cell 0, with overrides written t3__new__total=3 (a dot spelt __)."""
    out: Numbers = {k: 0 for k, f in form.fields.items() if f.grid}
    out.update({k.replace("__", "."): v for k, v in values.items()})
    return out


def check(form: Form, texts: dict[str, str], year: int = 2024, nums: Numbers | None = None) -> list[Problem]:
    """The problems of these texts, without F2 (which asks every topic field to be about its topic:
    the sentences here are put in any field; F2 has its own tests)."""
    ps = text_problems(form, texts, numbers(form) if nums is None else nums, year)
    return [p for p in ps if p.code != "F2"]


def codes(problems: list[Problem]) -> list[tuple[str, str, str | None]]:
    return [(p.code, p.severity, p.field) for p in problems]


def only(problems: list[Problem], code: str) -> list[Problem]:
    """The problems of one check (the tables of these tests are all 0: a sentence about 377
    applications in them is also, rightly, an E1 finding)."""
    return [p for p in problems if p.code == code]


# ------------------------------------------------------------------ E1
def test_e1_text_count_differs_from_table(form: Form) -> None:
    text = {"s1.on_request": "本年度共收到政府信息公开申请2件，均已按时答复。"}
    ps = check(form, text, nums=numbers(form, t3__new__total=3))
    assert codes(ps) == [("E1", "error", "s1.on_request")]
    assert "2" in ps[0].message and "3" in ps[0].message


def test_e1_count_with_spaces_matches(form: Form) -> None:
    text = {"s1.on_request": "本年度共收到政府信息公开申请 3 件。"}
    assert check(form, text, nums=numbers(form, t3__new__total=3)) == []


def test_e1_including_carried_in(form: Form) -> None:
    text = {"s1.on_request": "本年度共收到政府信息公开申请4件（含上年结转1件），均已办结。"}
    assert check(form, text, nums=numbers(form, t3__new__total=3, t3__carried_in__total=1)) == []
    ps = check(form, text, nums=numbers(form, t3__new__total=4, t3__carried_in__total=1))
    assert codes(ps) == [("E1", "error", "s1.on_request")]


@pytest.mark.parametrize(
    "sentence",
    [
        "2024年，本镇未收到依申请公开信息，未发生行政复议、行政诉讼情况。",
        "本年度无依申请公开事项。",
        "没有收到政府信息公开申请。",
        "未发生依申请公开情况。",
    ],
)
def test_e1_none_received(form: Form, sentence: str) -> None:
    text = {"s1.on_request": sentence}
    assert check(form, text) == []
    ps = check(form, text, nums=numbers(form, t3__new__total=5))
    assert codes(ps) == [("E1", "error", "s1.on_request")]


@pytest.mark.parametrize(
    ("sentence", "table"), [("共收到政府信息公开申请两件。", 2), ("受理政府信息公开申请十二件。", 12)]
)
def test_e1_chinese_numerals(form: Form, sentence: str, table: int) -> None:
    text = {"s1.on_request": sentence}
    assert check(form, text, nums=numbers(form, t3__new__total=table)) == []
    ps = check(form, text, nums=numbers(form, t3__new__total=table + 1))
    assert codes(ps) == [("E1", "error", "s1.on_request")]


def test_e1_review_application_is_not_a_disclosure_application(form: Form) -> None:
    text = {"s1.on_request": "本年度未收到依申请公开申请，收到行政复议申请0件。"}
    assert check(form, text) == []


@pytest.mark.parametrize(
    "sentence",
    [
        # a denial or a count about one kind of applicant is a part, not the total
        "本年度未收到法人或其他组织的政府信息公开申请，共收到自然人申请26件。",
        # the explicit 合计 after the parts is the total
        "共收到自然人申请18件、法人或其他组织申请8件，合计26件。",
        # "未发生…申请引发的复议" is not about receiving applications
        "未发生因政府信息公开申请引发的行政复议。全年共收到政府信息公开申请26件。",
    ],
)
def test_e1_parts_and_other_denials_are_not_the_total(form: Form, sentence: str) -> None:
    text = {"s1.on_request": sentence}
    # a table that adds up: 26 received, 18 + 8 or 26 + 0 by kind of applicant
    natural = 18 if "18" in sentence else 26
    nums = numbers(form, t3__new__total=26, t3__new__natural=natural, t3__new__commercial=26 - natural)
    assert "E1" not in {p.code for p in check(form, text, year=2025, nums=nums)}


def test_e1_explicit_total_after_the_parts_is_checked(form: Form) -> None:
    text = {"s1.on_request": "共收到自然人申请18件、法人或其他组织申请8件，合计26件。"}
    ps = check(form, text, nums=numbers(form, t3__new__total=27, t3__new__natural=18, t3__new__commercial=8))
    assert codes(ps) == [("E1", "error", "s1.on_request")]
    assert "26" in ps[0].message and "27" in ps[0].message


# ------------------------------------------------------------------ E3
def test_e3_denied_in_text_but_table_four_nonzero(form: Form) -> None:
    text = {"s1.on_request": "未发生因违反政府信息公开工作规定而出现投诉、复议、诉讼情况。"}
    ps = check(form, text, nums=numbers(form, t4__review__total=1))
    assert codes(ps) == [("E3", "error", "s1.on_request")]
    assert "表四" in ps[0].message
    assert check(form, text) == []


def test_e3_stated_count(form: Form) -> None:
    nums = numbers(form, t4__suit_direct__total=1, t4__suit_after_review__total=1)
    assert check(form, {"s1.oversight": "本年度发生行政诉讼2件。"}, nums=nums) == []
    ps = check(form, {"s1.oversight": "本年度发生行政诉讼1件。"}, nums=nums)
    assert codes(ps) == [("E3", "error", "s1.oversight")]


def test_e3_denied_occurrence_with_cases_in_table_four(form: Form) -> None:
    nums = numbers(form, t4__review__total=2, t4__suit_direct__total=1)
    ps = check(form, {"s1.on_request": "本年度未发生行政复议、行政诉讼。"}, nums=nums)
    # one finding for each denied concept, each naming its cells of table 四
    assert codes(ps) == [("E3", "error", "s1.on_request")] * 2
    review, suits = (form.fields[k].cell for k in ("t4.review.total", "t4.suit_direct.total"))
    assert [p.refs[0] for p in ps] == [review, suits]


@pytest.mark.parametrize(
    "sentence",
    [
        "全年未出现行政复议被纠错和行政诉讼败诉的情况。",
        "本年度无行政复议纠错案件，行政复议2件均维持原行政行为。",
    ],
)
def test_e3_denied_outcome_is_not_denied_occurrence(form: Form, sentence: str) -> None:
    nums = numbers(form, t4__review__total=2, t4__suit_direct__total=1)
    assert check(form, {"s1.on_request": sentence}, nums=nums) == []


# ------------------------------------------------------------------ E4
def test_e4_parts_do_not_add_up(form: Form) -> None:
    text = {"s1.proactive": "共收到申请377件，其中网上申请0件、信函申请42件、当面申请267件。"}
    ps = only(check(form, text), "E4")
    assert codes(ps) == [("E4", "warning", "s1.proactive")]
    assert "377" in ps[0].message and "309" in ps[0].message


@pytest.mark.parametrize(
    "sentence",
    [
        "共收到申请309件，其中网上申请0件、信函申请42件、当面申请267件。",
        "共收到申请5件，其中自然人3件，法人2件，答复5件。",  # goes on after the parts
        "共发布信息128条，其中政策解读29篇、图文解读8篇。",  # other measure words
        "共收到申请5件，其中自然人3件。",  # one part only
        "主动公开信息1200余条，其中政策文件38件、工作动态560条。",  # no exact total
        "共发布政策解读15篇，其中图解5篇、视频解读3个、文字解读7篇。",  # a part in another measure word
    ],
)
def test_e4_consistent_or_unclear_sentences_pass(form: Form, sentence: str) -> None:
    assert only(check(form, {"s1.proactive": sentence}), "E4") == []


def test_e4_other_measure_word_after_the_parts(form: Form) -> None:
    sentence = "共收到申请377件，其中网上申请0件、信函申请42件、当面申请267件，平均用时5个工作日。"
    assert codes(only(check(form, {"s1.proactive": sentence}), "E4")) == [("E4", "warning", "s1.proactive")]


# ------------------------------------------------------------------ F3
def test_f3_fee_not_mentioned(form: Form) -> None:
    assert codes(check(form, {"s6.other": "无"})) == [("F3", "warning", "s6.fee_text")]


@pytest.mark.parametrize(
    "texts",
    [{"s6.fee_text": "本年度未收取信息处理费。"}, {"s6.other": "无", "s6.fee_charged": "否"}, {}],
)
def test_f3_fee_mentioned_or_answered(form: Form, texts: dict[str, str]) -> None:
    assert check(form, texts) == []


# ------------------------------------------------------------------ F4
def test_f4_last_years_plan_sentence(form: Form) -> None:
    ps = check(form, {"s1.management": "2021年将从以下方面进行改进。"}, year=2022)
    assert codes(ps) == [("F4", "error", "s1.management")]
    assert "2021" in ps[0].message and "2022" in ps[0].message


def test_f4_last_years_figures(form: Form) -> None:
    ps = check(form, {"s1.proactive": "2022年，我镇共制定规范性文件0件。"}, year=2023)
    assert codes(ps) == [("F4", "error", "s1.proactive")]


@pytest.mark.parametrize(
    ("field", "sentence"),
    [
        ("s1.proactive", "主动公开信息120条，较2024年增加20条。"),
        ("s1.proactive", "2025年主动公开信息2000余条。"),
        ("s1.proactive", "落实《中华人民共和国政府信息公开条例》（2019年修订）。"),
        ("s5.problems", "2026年，我局将进一步加强政务公开工作。"),
        ("s5.problems", "针对2024年度报告指出的问题，已全部整改到位。"),
        # a year inside a noun phrase, not the time frame of the clause
        ("s1.management", "认真贯彻落实2019年修订的《中华人民共和国政府信息公开条例》。"),
        ("s1.oversight", "针对2024年度报告中指出的问题，逐项整改到位。"),
        ("s1.on_request", "上年结转3件（均为2024年12月受理）。"),
        ("s1.on_request", "另有2024年结转的申请3件。"),
        ("s1.proactive", "2024年同期为380条。"),
        ("s1.management", "严格落实2024年出台的《河南省政务公开规定》。"),
        ("s1.proactive", "围绕“十四五”规划（2021—2025年）收官，发布解读3篇。"),
        ("s5.problems", "2025年将政务公开工作纳入年度绩效考核。"),
    ],
)
def test_f4_allowed_years(form: Form, field: str, sentence: str) -> None:
    assert only(check(form, {field: sentence}, year=2025), "F4") == []


def test_f4_year_nouns_are_the_forms(form: Form) -> None:
    """Which words after "N年" make the year part of a noun is the rule's year_nouns parameter."""
    from dataclasses import replace

    rule = form.rule("F4")
    bare = replace(rule, params={k: v for k, v in rule.params.items() if k != "year_nouns"})
    text = {"s1.management": "2024年度报告指出的问题已全部整改到位。"}
    for variant, found in ((rule, []), (bare, ["s1.management"])):
        variant_form = replace(form, rules=tuple(variant if r.id == "F4" else r for r in form.rules))
        assert [p.field for p in only(check(variant_form, text, year=2025), "F4")] == found


def test_f4_plans_with_another_year(form: Form) -> None:
    ps = check(form, {"s5.problems": "2024年，我局将进一步加强政务公开工作。"}, year=2025)
    assert codes(ps) == [("F4", "error", "s5.problems")]


@pytest.mark.parametrize(
    ("field", "sentence"),
    [
        ("s5.problems", "2021年将从以下方面进行改进。"),  # last year's plan copied (冲口街道 2021)
        ("s1.proactive", "2020年以来，本街道累计公开信息3000余条。"),
        ("s1.proactive", "2020年1-12月，本街道主动公开信息56条。"),
    ],
)
def test_f4_clause_framed_by_a_wrong_year(form: Form, field: str, sentence: str) -> None:
    ps = check(form, {field: sentence}, year=2021)
    assert codes(ps) == [("F4", "error", field)]


# ------------------------------------------------------------------ F7
@pytest.mark.parametrize(
    ("field", "sentence", "found"),
    [
        ("s1.proactive", "XX镇通过政府网站主动公开信息56条。", "XX"),
        ("s1.proactive", "××镇通过政府网站主动公开信息56条。", "××"),
        ("info.unit_name", "（单位名称）", "（单位名称）"),
        ("s1.management", "主要总结本单位政府信息管理情况。", "主要总结本单位"),
        ("s1.proactive", "本年度共主动公开条，涵盖多个方面。", "共主动公开条"),
        ("s1.platform", "通过政务新媒体发布信息条，阅读量较高。", "信息条"),
        ("s6.proposals", "办理人大代表建议和政协提案共计件。", "共计件"),
    ],
)
def test_f7_placeholders(form: Form, field: str, sentence: str, found: str) -> None:
    ps = check(form, {field: sentence})
    assert codes(ps) == [("F7", "error", field)]
    assert f"“{found}”" in ps[0].message


@pytest.mark.parametrize(
    "sentence",
    [
        "依据《中华人民共和国政府信息公开条例》，发布信息56条。",
        "在门户网站 www.xxzf.gov.cn 公开信息56条。",
        "人大代表建议3件、政协提案2件，均已办结，并公开答复件。",
        "受理案件2件，收到信件10封，公开条例和文件。",
    ],
)
def test_f7_no_placeholder(form: Form, sentence: str) -> None:
    assert check(form, {"s1.platform": sentence}) == []


def test_f7_missing_number_words_are_the_forms(form: Form) -> None:
    """The verbs and objects before a measure word with no number are parameters of the form's
    rule: without them only the placeholders count; other verbs find other omissions."""
    from dataclasses import replace

    rule = form.rule("F7")
    bare = replace(rule, params={k: v for k, v in rule.params.items() if not k.startswith("count_")})
    own = replace(rule, params={**bare.params, "count_verbs": ["检查"], "count_objects": []})
    text = {"s1.platform": "全年检查次，通过政务新媒体发布信息条。"}
    for variant, found in ((rule, ["信息条"]), (bare, []), (own, ["检查次"])):
        variant_form = replace(form, rules=tuple(variant if r.id == "F7" else r for r in form.rules))
        ps = only(check(variant_form, text), "F7")
        assert [p.message.split("“")[1].split("”")[0] for p in ps] == found


# ------------------------------------------------------------------ F9
def test_f9_example_oversight_paragraph(form: Form) -> None:
    ps = check(form, {"s1.oversight": OVERSIGHT})
    assert codes(ps) == [("F9", "warning", "s1.oversight")]
    assert "缺少“二是”" in ps[0].message


@pytest.mark.parametrize(
    "paragraph",
    [
        GOOD_ENUMERATION,
        "依据条例第二十条第（一）项、第（五）项和第（六）项公开。",
        "首先完善制度。其次加强培训。再次强化考核。",
        "标准统一是基础，一是一，二是二。",
    ],
)
def test_f9_complete_enumerations(form: Form, paragraph: str) -> None:
    assert check(form, {"s1.management": paragraph}) == []


@pytest.mark.parametrize(
    "paragraph",
    [
        "（一）完善制度。（三）强化考核。",
        "首先完善制度。再次，强化考核。",
        GOOD_ENUMERATION + "加强培训，提高业务水平。" * 2,
    ],
)
def test_f9_gaps_and_duplicates(form: Form, paragraph: str) -> None:
    assert codes(check(form, {"s1.management": paragraph})) == [("F9", "warning", "s1.management")]


# ------------------------------------------------------------------ ordinary reports pass
# Paragraphs of the kind towns and county departments publish, with numbers that agree with the
# tables (2025: 23 new applications, 2 carried in, table 四 all 0).
ORDINARY: list[dict[str, str]] = [
    {
        "s1.proactive": (
            "2025年，王集镇坚持以公开为常态、不公开为例外，通过县政府门户网站乡镇专栏、“王集发布”微信"
            "公众号等平台主动公开各类政府信息1100余条，同比增长10%。其中，公开财政预决算、“三公”经费"
            "等财政信息12条，涉农补贴、社会救助等民生信息300余条。围绕《王集镇国民经济和社会发展第十四"
            "个五年规划（2021—2025年）》收官，发布规划实施情况解读3篇，发放明白卡2000余份。"
        ),
    },
    {
        "s1.on_request": (
            "2025年，县自然资源局共收到政府信息公开申请23件，较上年增加3件，其中自然人申请20件、法人或"
            "其他组织申请3件；上年结转2件。全年办结24件，其中予以公开15件、部分公开4件、不予公开2件、"
            "无法提供3件；结转下年度继续办理1件。全年未发生因政府信息公开引发的行政复议和行政诉讼。"
        ),
    },
    {
        "s1.management": (
            "一是健全工作机制。镇党委书记负总责，分管领导具体抓，党政办配备兼职信息员2名，全年召开专题会议"
            "4次。二是规范发布审核。严格执行“三审三校”制度，2025年以来累计审核稿件600余篇，未发生泄密和"
            "不当公开事件。三是加强村务公开。全镇18个行政村全部设立村务公开栏，每季度更新一次，全年更新"
            "公开内容1200余条。"
        ),
        "s1.oversight": (
            "2025年，我局将政务公开工作纳入年度目标考核，考核结果与评先评优挂钩。全年开展政务公开业务培训"
            "3次，参训人员150余人次。主动接受社会监督，全年收到群众意见建议12条，均已办理反馈，群众满意率"
            "达98%。2024年同期收到意见建议9条。"
        ),
    },
    {
        "s5.problems": (
            "本年度政务公开工作仍存在一些不足：一是部分信息发布不够及时；二是政策解读形式较为单一。2026年，"
            "我镇将从以下方面加以改进：一是建立信息发布台账，确保及时更新；二是丰富解读形式，增加图解、"
            "短视频等解读方式。"
        ),
        "s6.fee_text": "本年度未收取信息处理费。",
        "s6.work_points": (
            "按照《2025年政务公开工作要点》要求，逐项落实重点任务，共办理人大代表建议5件、政协提案3件，"
            "均已按期办结并公开答复全文。"
        ),
    },
]


# The table those paragraphs describe: 23 new (20 + 3), 2 carried in, 24 done, 1 carried out.
ORDINARY_TABLE = {
    "t3.new.total": 23, "t3.new.natural": 20, "t3.new.commercial": 3, "t3.carried_in.total": 2,
    "t3.carried_in.natural": 2, "t3.r_open.total": 15, "t3.r_partial.total": 4, "t3.r_deny_6.total": 2,
    "t3.r_unable_1.total": 3, "t3.r_total.total": 24, "t3.carried_out.total": 1,
}  # fmt: skip


@pytest.mark.parametrize("texts", ORDINARY)
def test_ordinary_paragraphs_pass(form: Form, texts: dict[str, str]) -> None:
    nums = numbers(form)
    nums.update(ORDINARY_TABLE)
    assert [p for p in text_problems(form, texts, nums, 2025) if p.code != "F2"] == []


# ------------------------------------------------------------------ F8
def test_f8_text_same_as_last_year(form: Form) -> None:
    last_year = {"s1.proactive": TEXT.replace("56", "48")}
    ps = copy_problems(form, {"s1.proactive": TEXT}, {}, last_year, {})
    assert codes(ps) == [("F8", "warning", "s1.proactive")]
    fresh = {"s1.proactive": "全年依托门户网站集中发布乡村振兴、社会救助类信息，并开展政策解读活动八场。"}
    assert copy_problems(form, {"s1.proactive": TEXT}, {}, fresh, {}) == []
    none = {"s6.proposals": "无"}
    assert copy_problems(form, none, {}, none, {}) == []


def self_refs(form: Form, texts: dict[str, str], unit: str, peers: tuple[str, ...] = ()) -> list[Problem]:
    """F8's self-references: run in verify, no last year's report needed."""
    ps = text_problems(form, texts, numbers(form), 2024, TextContext(unit=unit, peers=peers))
    return only(ps, "F8")


def test_f8_foreign_word(form: Form) -> None:
    texts = {"s5.problems": "把政府信息公开贯穿于我处工作的全过程。"}
    assert codes(self_refs(form, texts, UNIT)) == [("F8", "warning", "s5.problems")]
    assert self_refs(form, texts, "桐柏县政务服务管理办公室综合处") == []


@pytest.mark.parametrize(
    ("unit", "sentence"),
    [
        ("桐柏县安棚镇人民政府", "2024年，我局共主动公开政府信息56条。"),
        ("桐柏县自然资源局", "我镇严格落实“三审三校”制度。"),
        ("桐柏县城郊乡人民政府", "今后，我科将进一步加强政务公开工作。"),
    ],
)
def test_f8_self_reference_of_another_kind_of_body(form: Form, unit: str, sentence: str) -> None:
    assert codes(self_refs(form, {"s1.management": sentence}, unit)) == [("F8", "warning", "s1.management")]


def test_f8_other_unit_name(form: Form) -> None:
    texts = {"s1.proactive": "桐柏县新集乡通过政府网站公开信息56条。"}
    assert codes(self_refs(form, texts, UNIT, ("桐柏县新集乡",))) == [("F8", "warning", "s1.proactive")]
    assert self_refs(form, texts, UNIT, ("桐柏县安棚镇",)) == []


def test_f8_numbers_same_as_last_year(form: Form) -> None:
    same = numbers(form, t2__normative__in_force=3)
    assert codes(copy_problems(form, {}, same, {}, dict(same))) == [("F8", "warning", None)]
    assert copy_problems(form, {}, numbers(form), {}, numbers(form)) == []
    other = numbers(form, t2__normative__in_force=2)
    assert copy_problems(form, {}, same, {}, other) == []


# ------------------------------------------------------------------ the real example report
@pytest.mark.skipif(not REFERENCE.exists(), reason="reference report not available")
def test_example_texts_are_the_reference_report() -> None:
    reference = REFERENCE.read_text(encoding="utf-8")
    assert all(text in reference for text in EXAMPLE.values())


def test_example_section_one(form: Form) -> None:
    section_one = {k: v for k, v in EXAMPLE.items() if k.startswith("s1.")}
    assert len(section_one) == 5
    ps = text_problems(form, section_one, numbers(form), 2024)
    assert codes(ps) == [("F9", "warning", "s1.oversight")]


def test_example_whole_narrative(form: Form) -> None:
    # 六 says only "无": no word on 信息处理费 (F3); "我处" in a town's report (F8)
    ps = text_problems(form, EXAMPLE, numbers(form), 2024, TextContext(unit=UNIT))
    assert {p.code for p in ps} == {"F9", "F3", "F8"}
    assert not [p for p in ps if p.is_error]
    (f8,) = only(ps, "F8")
    assert f8.field == "s5.problems" and "“我处”" in f8.message
