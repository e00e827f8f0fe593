"""One wording of a result for the command line, the console and the demo."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from xltool.app.wording import (
    collect_item,
    collect_summary,
    draft_line,
    report_lines,
    report_summary,
    send_lines,
    send_summary,
)
from xltool.campaign.collect import CollectResult, Item
from xltool.campaign.reply import ReplyDraft, SendResult
from xltool.report.batch import BatchResult, Job
from xltool.report.batch import Item as BatchItem


def _draft(unit: str, to: str = "a@example.org", verdict: str = "fix") -> ReplyDraft:
    return ReplyDraft(1, unit, verdict, to, "回复", EmailMessage())


def test_send_lines_say_each_outcome_once_with_its_kind() -> None:
    result = SendResult(
        sent=[_draft("甲")], failed=[(_draft("乙"), "550 拒收")], skipped=[(_draft("丙"), "已发送")],
        unknown=[(_draft("丁"), "连接中断")],
    )  # fmt: skip
    lines = send_lines(result)
    assert [(line.kind, line.unit) for line in lines] == [("sent", "甲"), ("failed", "乙"), ("unknown", "丁"),
                                                          ("skipped", "丙")]  # fmt: skip
    assert lines[0].text == "[已发送] 甲 → a@example.org"
    assert lines[1].text == "[发送失败] 乙 → a@example.org：550 拒收"
    assert lines[2].text.startswith("[结果不明] 丁") and "不会自动重发" in lines[2].text
    assert send_summary(result) == "已发送 1 封，失败 1 封，未发送 1 封。"


def test_collect_lines_and_counts() -> None:
    item = Item("new", "a@example.org", "报表", "表.xlsx", "甲", version=2, verdict="待修改")
    assert collect_item(item) == "[新收到] 甲：表.xlsx（第 2 版，待修改）"
    assert collect_item(Item("empty", "", "")) == "[无附件邮件] （无发件人）：（无主题）"
    result = CollectResult(messages=1, items=[item])
    assert collect_summary(result) == "共处理 1 封邮件：新收到 1。"
    assert collect_summary(result, zeros=True).count(" 0") == len(result.counts()) - 1
    assert collect_summary(CollectResult()) == "共处理 0 封邮件：没有新内容。"


def test_draft_and_report_lines() -> None:
    assert draft_line(_draft("甲", to="")) == "[草稿] 甲（待修改）→ 没有邮箱地址，需人工发送"
    refused = BatchItem(Job(Path("x.xlsx"), "x", "甲"), refused="有 1 个错误")
    result = BatchResult([refused])
    lines = report_lines(result, ["乙"])
    assert [(line.kind, line.text) for line in lines] == [("refused", "[未生成] 甲：有 1 个错误"),
                                                          ("missing", "[未生成] 乙：尚未报送")]  # fmt: skip
    assert report_summary(result, ["docx"], ["乙"]) == "已生成 0 份报告（docx）；未生成 1 份，另有 1 个单位尚未报送。"
