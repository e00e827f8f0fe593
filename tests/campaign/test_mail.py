"""Messages and attachments as Chinese mail clients send them, read by xltool.campaign.mail."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import mailbox
import random
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.campaign import mailfixtures as F
from xltool.campaign.mail import (
    MAX_ATTACHMENTS,
    MAX_DEPTH,
    Attachment,
    MailError,
    MailMessage,
    iter_eml,
    iter_maildir,
    iter_mbox,
    parse_message,
)
from xltool.campaign.mailnames import MAX_NAME_CHARS
from xltool.campaign.mailzip import MAX_RATIO, MAX_ZIP_MEMBERS
from xltool.errors import XltoolError

ROOT = Path(__file__).resolve().parents[2]


def only(msg: MailMessage) -> Attachment:
    assert len(msg.attachments) == 1, [a.to_dict() for a in msg.attachments]
    return msg.attachments[0]


# --- names and headers -------------------------------------------------------------------------


def test_rfc2047_name_in_quotes_split_inside_a_gbk_character() -> None:
    raw, name = F.rfc2047_split_name()
    att = only(parse_message(raw))
    assert (att.name, att.safe_name, att.kind, att.what, att.via) == (name, name, "workbook", "Excel 工作簿", "")
    assert att.data == F.tiny_workbook()
    assert att.sha256 == hashlib.sha256(att.data).hexdigest()


def test_rfc2231_continued_name() -> None:
    raw, name = F.rfc2231_name()
    assert only(parse_message(raw)).name == name


@pytest.mark.parametrize("build", [F.raw_gbk_name, F.raw_utf8_name], ids=["gbk", "utf8"])
def test_raw_8bit_name(build: object) -> None:
    raw, name = build()  # type: ignore[operator]
    assert not raw.isascii() and (name.encode("gbk") in raw or name.encode() in raw)
    att = only(parse_message(raw))
    assert (att.name, att.safe_name, att.kind) == (name, name, "workbook")


def test_name_from_the_email_package_is_rfc2231() -> None:
    raw = F.message([("城关镇2025年度报告.xlsx", F.tiny_workbook(), F.XLSX)])
    att = only(parse_message(raw))
    assert att.name == att.safe_name == "城关镇2025年度报告.xlsx"


def test_gb2312_subject_with_a_gbk_only_character() -> None:
    raw, subject = F.gb2312_subject()
    with pytest.raises(UnicodeEncodeError):
        subject.encode("gb2312")  # the label is wrong: GB2312 has no 喆
    msg = parse_message(raw)
    assert msg.subject == subject
    assert msg.attachments == ()


def test_sender_date_and_message_id() -> None:
    msg = parse_message(F.multipart(F.HEAD, [F.text_part()]))
    assert (msg.sender, msg.sender_name) == ("huaiyuan@example.org", "淮源镇 李娜")
    assert msg.date == dt.datetime(2026, 1, 16, 10, 0, tzinfo=F.CST)
    assert msg.message_id == "<hand.1@example.org>"


def test_raw_gbk_display_name() -> None:
    head = [b"From: " + "埠江镇 刘洋".encode("gbk") + b" <bujiang@example.org>", b"Subject: x"]
    msg = parse_message(F.multipart(head, [F.text_part()]))
    assert (msg.sender, msg.sender_name) == ("bujiang@example.org", "埠江镇 刘洋")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"Date: yesterday", None),
        (b"Date: Fri, 16 Jan 2026 10:00:00 -0000", dt.datetime(2026, 1, 16, 10, 0, tzinfo=dt.UTC)),
        (b"X-No-Date: 1", None),
    ],
)
def test_dates_are_aware_or_none(header: bytes, expected: dt.datetime | None) -> None:
    msg = parse_message(F.multipart([b"From: a@b.c", header], [F.text_part()]))
    assert msg.date == expected
    assert msg.date is None or msg.date.tzinfo is not None


def test_without_message_id_the_id_is_made_from_the_bytes() -> None:
    raw = F.message(message_id=None)
    msg = parse_message(raw)
    assert msg.message_id == f"<{hashlib.sha256(raw).hexdigest()}@xltool.invalid>"
    assert msg.sha256 == hashlib.sha256(raw).hexdigest() and msg.raw == raw


def test_without_attachments() -> None:
    msg = parse_message(F.message(body="请查收", html=True))
    assert msg.attachments == ()
    assert msg.subject == "桐柏县城关镇2025年度政府信息公开工作年度报告"


def test_signature_image_is_not_an_attachment() -> None:
    assert [a.safe_name for a in parse_message(F.signature_image()).attachments] == ["report.xlsx"]


# --- forwards and zips ---------------------------------------------------------------------------


@pytest.mark.parametrize("as_eml_file", [False, True], ids=["message-rfc822", "attached-eml"])
def test_forwarded_message_gives_its_attachments(as_eml_file: bool) -> None:
    msg = parse_message(F.forwarded(as_eml_file))
    assert msg.sender == "zhao.colleague@example.net"
    att = only(msg)
    assert (att.safe_name, att.kind, att.via, att.data) == (
        "固县镇年度报告.xlsx",
        "workbook",
        "转发邮件",
        F.tiny_workbook(),
    )


def test_forward_sent_base64_encoded() -> None:
    inner = F.message([("固县镇.xlsx", F.tiny_workbook(), F.XLSX)])
    fwd = F.part([b"Content-Type: message/rfc822", b"Content-Transfer-Encoding: base64"], F.b64_body(inner))
    att = only(parse_message(F.multipart(F.HEAD, [F.text_part(), fwd])))
    assert (att.safe_name, att.via, att.data) == ("固县镇.xlsx", "转发邮件", F.tiny_workbook())


def test_zip_with_gbk_names_two_workbooks_and_a_word_file() -> None:
    msg = parse_message(F.zip_message())
    got = [(a.name, a.safe_name, a.kind, a.what, a.via) for a in msg.attachments]
    via = "压缩包 毛集镇报表.zip"
    assert got == [
        ("报表/毛集镇年度报告.xlsx", "毛集镇年度报告.xlsx", "workbook", "Excel 工作簿", via),
        ("报表/毛集镇年度报告（附表）.xlsx", "毛集镇年度报告（附表）.xlsx", "workbook", "Excel 工作簿", via),
        ("说明.docx", "说明.docx", "other", "Word 文档（.docx）", via),
    ]
    assert msg.attachments[1].data == F.tiny_workbook("附表")


def test_gbk_zip_names_are_really_not_flagged_utf8() -> None:
    blob = F.zip_bytes([("城关镇.xlsx", b"x")], gbk=True)
    info = zipfile.ZipFile(io.BytesIO(blob)).infolist()[0]
    assert not info.flag_bits & 0x800 and info.filename != "城关镇.xlsx"  # zipfile alone reads mojibake


def zip_attachment(blob: bytes, name: str = "报表.zip") -> Attachment:
    return only(parse_message(F.message([(name, blob, "application/zip")])))


def test_zip_bomb_is_refused_unopened() -> None:
    att = zip_attachment(F.zip_bomb())
    assert (att.kind, att.safe_name, att.via) == ("refused", "报表.zip", "")
    assert f"压缩比异常（超过 {MAX_RATIO} 倍）" in att.what
    assert att.data == F.zip_bomb()  # kept as received


def test_encrypted_member_is_refused() -> None:
    att = zip_attachment(F.encrypted_zip())
    assert att.kind == "refused" and "城关镇.xlsx" in att.what and "已加密" in att.what


def test_too_many_members_is_refused() -> None:
    within = parse_message(F.message([("a.zip", F.crowded_zip(MAX_ZIP_MEMBERS), "application/zip")]))
    assert len(within.attachments) == MAX_ZIP_MEMBERS and {a.kind for a in within.attachments} == {"other"}
    att = zip_attachment(F.crowded_zip(MAX_ZIP_MEMBERS + 1))
    assert att.kind == "refused" and f"超过 {MAX_ZIP_MEMBERS} 个" in att.what


def test_unsupported_method_and_corrupt_zip_are_refused() -> None:
    bz = zip_attachment(F.zip_bytes([("a.xlsx", F.tiny_workbook())], method=zipfile.ZIP_BZIP2))
    assert bz.kind == "refused" and "压缩方式" in bz.what
    broken = zip_attachment(b"PK\x03\x04" + b"\x00" * 100)
    assert broken.kind == "refused" and "已损坏" in broken.what
    crc = bytearray(F.zip_bytes([("a.txt", b"hello world" * 10)], method=zipfile.ZIP_STORED))
    crc[crc.index(b"hello") + 3] ^= 0xFF
    assert zip_attachment(bytes(crc)).kind == "refused"


def test_workbooks_and_nested_zips_are_never_unpacked() -> None:
    inner = F.zip_bytes([("x.txt", b"x")])
    atts = parse_message(F.message([("外层.zip", F.zip_bytes([("内层.zip", inner)]), "application/zip")])).attachments
    assert [(a.safe_name, a.kind, a.via) for a in atts] == [("内层.zip", "other", "压缩包 外层.zip")]
    assert "未展开" in atts[0].what
    book = zip_attachment(F.tiny_workbook(), name="报表.zip")  # a workbook renamed .zip
    assert (book.kind, book.safe_name, book.data) == ("workbook", "报表.xlsx", F.tiny_workbook())
    assert "按内容识别" in book.what
    unnamed = only(
        parse_message(F.multipart(F.HEAD, [F.file_part(b"Content-Disposition: attachment", F.tiny_workbook())]))
    )
    assert (unnamed.kind, unnamed.safe_name) == ("workbook", "附件.xlsx")


def test_zip_junk_from_finder_and_explorer_is_left_out() -> None:
    blob = F.zip_bytes([("__MACOSX/._a.xlsx", b"x"), ("a.xlsx", F.tiny_workbook()), ("Thumbs.db", b"x")])
    assert [a.safe_name for a in parse_message(F.message([("a.zip", blob, "application/zip")])).attachments] == [
        "a.xlsx"
    ]


# --- hostile and duplicate names -----------------------------------------------------------------


def test_hostile_names_are_made_safe() -> None:
    raw, names = F.hostile_names()
    atts = parse_message(raw).attachments
    assert [a.name for a in atts] == names  # the record keeps what was sent
    safe = [a.safe_name for a in atts]
    assert safe[:4] == ["x.xlsx", "passwd.xlsx", "y.xlsx", "abc.xlsx"]
    assert safe[5:] == ["附件.xlsx", "hidden.xlsx", "_CON.xlsx", "regnp.xlsx"]
    for s in safe:
        assert s and not s.startswith(".") and len(s) <= MAX_NAME_CHARS
        assert not set(s) & set("/\\\x00:") and ".." not in s.split(".xlsx")[0].split(" ")
        assert all(unicodedata.category(c)[0] != "C" for c in s)
        assert s == unicodedata.normalize("NFC", s)
        assert s.endswith(".xlsx")
    assert len(safe[4]) == MAX_NAME_CHARS
    assert len(set(safe)) == len(safe)


def test_names_equal_after_normalisation_are_the_same_name() -> None:
    atts = parse_message(F.nfc_nfd_twins()).attachments
    assert [a.safe_name for a in atts] == ["R\u00e9sum\u00e9.xlsx", "R\u00e9sum\u00e9 (2).xlsx"]


def test_duplicate_names_get_numbers_before_the_extension() -> None:
    book = F.tiny_workbook()
    raw = F.message([(n, book, F.XLSX) for n in ("报表.xlsx", "报表.xlsx", "报表.XLSX", "a/报表.xlsx")])
    assert [a.safe_name for a in parse_message(raw).attachments] == [
        "报表.xlsx",
        "报表 (2).xlsx",
        "报表 (3).XLSX",
        "报表 (4).xlsx",
    ]
    long = "长" * 200 + ".xlsx"
    names = [a.safe_name for a in parse_message(F.message([(long, book, F.XLSX)] * 2)).attachments]
    assert names[1].endswith(" (2).xlsx") and len(names[1]) <= MAX_NAME_CHARS


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("说明.docx", "Word 文档（.docx）"),
        ("盖章版.pdf", "PDF 文件"),
        ("报表.xls", "旧版 Excel 工作簿（.xls）：请另存为 .xlsx 后重新发送"),
        ("报表.et", "WPS 表格（.et）：请另存为 .xlsx 后重新发送"),
        ("报表.wps", "WPS 文字文档（.wps）"),
        ("扫描件.JPG", "图片（.jpg）"),
        ("报表.rar", "RAR 压缩包：无法打开，请改用 .zip 压缩或直接发送 .xlsx 附件"),
        ("README", "其他文件（无扩展名）"),
    ],
)
def test_other_kinds(name: str, what: str) -> None:
    att = only(parse_message(F.message([(name, b"\xd0\xcf\x11\xe0 not a zip", "application/octet-stream")])))
    assert (att.kind, att.what, att.safe_name) == ("other", what, name)


def test_macro_workbook_is_a_workbook() -> None:
    att = only(parse_message(F.message([("报表.xlsm", F.tiny_workbook(), F.XLSX)])))
    assert (att.kind, att.what) == ("workbook", "Excel 启用宏的工作簿（.xlsm）")


def test_real_sample_return() -> None:
    data = (ROOT / "samples" / "returns" / "市场监管局_2025_完整正确.xlsx").read_bytes()
    att = only(parse_message(F.message([("市场监管局.xlsx", data, F.XLSX)])))
    assert (att.kind, att.data) == ("workbook", data)


# --- malformed mail never raises -----------------------------------------------------------------


def test_truncated_message() -> None:
    msg = parse_message(F.truncated())
    assert msg.subject and msg.sender == "chengguan@example.org"
    assert [a.safe_name for a in msg.attachments] == ["城关镇.xlsx"]


def test_broken_base64() -> None:
    att = only(parse_message(F.broken_base64()))
    assert att.safe_name == "broken.xlsx" and att.data[:2] == b"PK"


@pytest.mark.parametrize(
    "raw", [b"", b"\x00\xff" * 50, b"From nobody\n", b"Subject: =?gbk?B?****?=\r\n\r\n", b"\r\n\r\n\r\n"]
)
def test_garbage(raw: bytes) -> None:
    msg = parse_message(raw)
    assert msg.raw == raw and msg.message_id.endswith("@xltool.invalid>")


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_mutated_messages_never_raise(data: st.DataObject) -> None:
    good = F.zip_message() if data.draw(st.booleans()) else F.rfc2047_split_name()[0]
    at = data.draw(st.integers(0, len(good)))
    cut = data.draw(st.integers(0, 64))
    junk = data.draw(st.binary(max_size=64))
    msg = parse_message(good[:at] + junk + good[at + cut :])
    json.dumps(msg.to_dict(), ensure_ascii=False)


def test_to_dict_is_json_without_bytes() -> None:
    msg = parse_message(F.zip_message())
    d = msg.to_dict()
    assert "raw" not in d and all("data" not in a for a in d["attachments"])
    assert d["date"] == "2026-01-16T09:30:00+08:00" and d["attachments"][0]["size"] == len(msg.attachments[0].data)
    json.dumps(d, ensure_ascii=False)


def test_mail_error_is_a_known_failure() -> None:
    assert issubclass(MailError, XltoolError)


# --- sources -------------------------------------------------------------------------------------


def messages() -> list[bytes]:
    return [F.message(message_id=f"<{i}@example.org>", date=F.DATE + dt.timedelta(minutes=i)) for i in range(4)]


def test_iter_eml(tmp_path: Path) -> None:
    for i, raw in enumerate(messages()):
        (tmp_path / f"{i}.eml").write_bytes(raw)
    assert list(iter_eml([tmp_path])) == messages()
    assert list(iter_eml([tmp_path / "2.eml", tmp_path / "0.eml"])) == [messages()[2], messages()[0]]
    with pytest.raises(MailError, match="无法读取邮件文件"):
        list(iter_eml([tmp_path / "missing.eml"]))


def test_iter_mbox(tmp_path: Path) -> None:
    path = tmp_path / "returns.mbox"
    box = mailbox.mbox(path)
    for raw in messages():
        box.add(raw)
    box.close()
    got = list(iter_mbox(path))
    assert [hashlib.sha256(g).digest() for g in got] == [hashlib.sha256(r).digest() for r in messages()]
    assert [parse_message(g).message_id for g in got] == [f"<{i}@example.org>" for i in range(4)]
    with pytest.raises(MailError, match="找不到 mbox"):
        list(iter_mbox(tmp_path / "none.mbox"))


def test_iter_maildir(tmp_path: Path) -> None:
    box = mailbox.Maildir(tmp_path / "md")
    keys = [box.add(raw) for raw in messages()]
    for key in keys[:2]:  # read ones move to cur/
        msg = box.get_message(key)
        msg.set_subdir("cur")
        box[key] = msg
    (tmp_path / "md" / "tmp" / "123.partial").write_bytes(b"Subject: still arriving\r\n\r\n")
    first = list(iter_maildir(tmp_path / "md"))
    assert first == list(iter_maildir(tmp_path / "md"))  # the same order every time
    assert sorted(parse_message(r).message_id for r in first) == sorted(f"<{i}@example.org>" for i in range(4))
    with pytest.raises(MailError, match="不是 Maildir"):
        list(iter_maildir(tmp_path))


def test_the_sample_inbox() -> None:
    """samples/mail/returns.mbox (samples/mail/make_mbox.py) holds every case its docstring promises."""
    raws = list(iter_mbox(ROOT / "samples" / "mail" / "returns.mbox"))
    msgs = [parse_message(r) for r in raws]
    assert len(msgs) == 39
    assert [m.date for m in msgs] == sorted(m.date for m in msgs if m.date)
    by_id: dict[str, list[bytes]] = {}
    for m in msgs:
        by_id.setdefault(m.message_id, []).append(m.raw)
    assert [len(set(v)) for v in by_id.values() if len(v) > 1] == [1]  # one resent duplicate, same bytes
    senders = {m.sender for m in msgs}
    assert "tbtjj@example.org" not in senders  # 统计局 never sends
    assert sum(not m.attachments for m in msgs) == 1
    vias = {a.via for m in msgs for a in m.attachments}
    assert vias == {"", "转发邮件", "压缩包 毛集镇年报.zip"}
    assert {a.what for m in msgs for a in m.attachments if a.kind == "other"} == {"Word 文档（.docx）"}
    chengguan = [m for m in msgs if m.sender == "chengguan@example.org"]
    assert len(chengguan) == 2 and chengguan[1].subject.startswith("更正")
    assert chengguan[0].attachments[0].sha256 != chengguan[1].attachments[0].sha256
    foxmail = next(m for m in msgs if m.sender == "huaiyuan@example.org")
    assert "王喆" in foxmail.subject and foxmail.attachments[0].safe_name == "淮源镇2025年度政府信息公开年报.xlsx"
    market = (ROOT / "samples" / "returns" / "市场监管局_2025_完整正确.xlsx").read_bytes()
    assert any(a.data == market for m in msgs for a in m.attachments)


def test_deep_nesting_and_many_parts_stop_with_a_note() -> None:
    deep = F.message([("a.xlsx", F.tiny_workbook(), F.XLSX)])
    for i in range(MAX_DEPTH + 5):
        deep = (
            F.part([b"Content-Type: message/rfc822"], deep)
            if i % 2
            else F.multipart([b"Subject: x"], [deep], f"=={i}==".encode())
        )
    atts = parse_message(deep).attachments
    assert [(a.kind, a.safe_name) for a in atts] == [("refused", "未读完的内容")]
    many = F.multipart(
        F.HEAD, [F.file_part(b"Content-Disposition: attachment; filename=a.txt", b"x")] * (MAX_ATTACHMENTS + 5)
    )
    atts = parse_message(many).attachments
    assert (
        len(atts) == MAX_ATTACHMENTS + 1
        and atts[-1].kind == "refused"
        and atts[-2].safe_name == f"a ({MAX_ATTACHMENTS}).txt"
    )


def test_iter_eml_takes_upper_case_suffixes_and_mbox_refuses_a_single_message(tmp_path: Path) -> None:
    (tmp_path / "A.EML").write_bytes(F.message())
    (tmp_path / "note.txt").write_bytes(b"x")
    assert list(iter_eml([tmp_path])) == [F.message()]
    with pytest.raises(MailError, match="不是 mbox"):
        list(iter_mbox(tmp_path / "A.EML"))


def test_many_small_members_and_many_zips_are_bombs_too(monkeypatch: pytest.MonkeyPatch) -> None:
    small_bomb = F.zip_bytes([(f"{i}.txt", bytes(1024 * 1024)) for i in range(30)])  # each under RATIO_FROM
    att = zip_attachment(small_bomb)
    assert att.kind == "refused" and "整体压缩比异常" in att.what
    budget = 2 * 1024 * 1024  # MAX_MESSAGE_UNPACKED scaled down, so the test stays small and fast
    monkeypatch.setattr("xltool.campaign.mail.MAX_MESSAGE_UNPACKED", budget)
    monkeypatch.setattr("xltool.campaign.mailzip.MAX_MESSAGE_UNPACKED", budget)
    noise = random.Random(0)
    fair = F.zip_bytes([(f"{i}.bin", noise.randbytes(256 * 1024)) for i in range(3)])  # 768 KB, incompressible
    atts = parse_message(F.message([(f"{i}.zip", fair, "application/zip") for i in range(4)])).attachments
    assert [a.kind for a in atts] == ["other"] * 6 + ["refused"] * 2  # two zips fit in 2 MB, not three
    assert atts[-1].what == "同一封邮件中的压缩包解压后总大小超过 2 MB，此压缩包未解压"


def test_a_failure_inside_the_walk_degrades(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object) -> None:
        raise RecursionError("a parser bug no test foresaw")

    monkeypatch.setattr("xltool.campaign.mail._leaf", boom)
    msg = parse_message(F.zip_message())
    assert msg.sender == "maoji@example.org"
    assert [(a.kind, a.what) for a in msg.attachments] == [("refused", "邮件结构异常，部分内容无法读取")]
