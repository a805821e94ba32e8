"""Text normalisation, decoding, and each body-cleaning step on its own."""

from __future__ import annotations

import unicodedata

import pytest
from lxml import html as lxml_html

from pipelines.blocks import Block, read_blocks, split_lines
from pipelines.body import (
    attach_captions,
    clean_body,
    cut_tail,
    drop_boilerplate,
    drop_leading,
    drop_repeats,
    take_bylines,
    take_lead_source,
)
from pipelines.html import ParseError, decode_html, parse_html
from pipelines.text import clean_text

LONG = (
    "Ủy ban nhân dân phường tổ chức hội nghị sơ kết công tác cải cách hành chính sáu tháng đầu năm."
)


TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 writes it: base letters precomposed, tone marks combining."""
    out = []
    for char in unicodedata.normalize("NFD", text):
        if char in TONE_MARKS or not out:
            out.append(char)
        else:
            composed = unicodedata.normalize("NFC", out[-1] + char)
            if len(composed) == 1 and unicodedata.combining(char):
                out[-1] = composed
            else:
                out.append(char)
    return "".join(out).encode("cp1258")


def blocks(*texts: str) -> list[Block]:
    return [Block(text) for text in texts]


def texts(found: list[Block]) -> list[str]:
    return [block.text for block in found]


def test_clean_text_is_nfc_with_entities_and_spaces_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", "Phường Tân Dân")
    # A page that escaped twice ("&amp;ecirc;") leaves "&ecirc;" in the DOM text.
    assert clean_text(f"  {decomposed}\u00a0\u200b &ecirc;  ") == "Phường Tân Dân ê"
    assert clean_text("Tr&ecirc;n địa b&agrave;n") == "Trên địa bàn"
    assert unicodedata.is_normalized("NFC", clean_text(decomposed))


@pytest.mark.parametrize(
    ("body", "content_type", "encoding"),
    [
        ("Phường Tân Dân".encode(), "text/html; charset=utf-8", "utf-8"),
        ("Phường Tân Dân".encode(), "text/html; charset=iso-8859-1", "utf-8"),  # wrong header
        ("Phường Tân Dân".encode(), None, "utf-8"),  # no charset at all
        (cp1258("Phường Tân Dân"), "text/html; charset=windows-1258", "cp1258"),
        (b'<meta charset="windows-1258">' + cp1258("Phường Tân Dân"), None, "cp1258"),
        (cp1258("Phường Tân Dân"), None, "cp1258"),  # no charset, not UTF-8
    ],
)
def test_decode_html_finds_the_real_encoding(
    body: bytes, content_type: str | None, encoding: str
) -> None:
    text, used = decode_html(body, content_type)
    assert used == encoding
    assert "Tân Dân" in unicodedata.normalize("NFC", text)


def test_deeply_nested_page_keeps_its_text() -> None:
    deep = (
        "<html><body>"
        + "<div>" * 3000
        + "<p>sâu</p>"
        + "</div>" * 3000
        + "<p>sau</p></body></html>"
    )
    content = parse_html(deep).text_content()
    assert "sâu" in content and "sau" in content


def test_empty_page_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="empty"):
        parse_html("  \n ")


def test_br_joins_wrapped_lines_and_splits_sentences_and_list_items() -> None:
    assert split_lines("Đồng chí A - Chủ tịch UBND\nphát biểu kết luận") == [
        "Đồng chí A - Chủ tịch UBND phát biểu kết luận"
    ]
    assert split_lines("Câu một.\nCâu hai") == ["Câu một.", "Câu hai"]
    assert split_lines("Gồm:\n- Đạt.\n- Không đạt.") == ["Gồm:", "- Đạt.", "- Không đạt."]
    assert split_lines("Đoạn một\n\nĐoạn hai") == ["Đoạn một", "Đoạn hai"]


def test_read_blocks_skips_base64_icons_and_scripts() -> None:
    root = lxml_html.fromstring(
        '<div><p>Một.</p><img src="data:image/png;base64,AAAA"><img src="/icons/print.gif">'
        '<script>var x = "Hai";</script><p><img src="/anh 1.jpg" alt="A"></p></div>'
    )
    found = read_blocks(root, "http://x.gov.vn/tin/1.aspx")
    # The data: image leaves an empty placeholder (its caption is not text); the icon nothing.
    assert [(b.text, b.image_url) for b in found] == [
        ("Một.", None),
        ("", ""),
        ("", "http://x.gov.vn/anh%201.jpg"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Truy cập",
        "Hôm nay: 1",
        "Tất cả: 62924",
        "Đang online: 3",
        "12 người đang online",
        "Lượt xem: 14",
        "39 lượt xem",
        "Số lượt người xem: 356",
        "View count: 728",
        "In bài viết",
        "Gửi email",
        "Chia sẻ",
        "Trang chủ > Tin tức - Sự kiện",
        "QR Code",
        "(Bấm vào đây để nhận mã)",
        "0 bình luận",
        "[CÔNG KHAI TIẾN ĐỘ GIẢI QUYẾT TT HC]",
        "Đăng lúc: 23/02/2024 00:00:00 (GMT+7)",
        "Ghi rõ nguồn Cổng thông tin điện tử khi phát hành lại thông tin từ nguồn này",
        "Thiết kế bởi VNPT",
    ],
)
def test_boilerplate_lines_are_dropped(line: str) -> None:
    assert texts(drop_boilerplate(blocks(LONG, line))) == [LONG]


def test_article_text_that_mentions_counters_is_kept() -> None:
    kept = "Hôm nay, phường tổ chức lễ ra quân với 300 người tham gia."
    assert texts(drop_boilerplate(blocks(kept))) == [kept]


@pytest.mark.parametrize(
    "marker",
    ["Các tin khác", "Tin khác:", "Những tin cũ hơn", "Tệp đính kèm:", "Từ khóa: cải cách"],
)
def test_everything_after_a_tail_marker_leaves_the_body(marker: str) -> None:
    body, tail = cut_tail(blocks(LONG, marker, "Tin liên quan 1"))
    assert texts(body) == [LONG] and texts(tail) == [marker, "Tin liên quan 1"]


def test_whole_body_printed_twice_is_kept_once() -> None:
    first = [LONG, LONG.replace("sơ kết", "tổng kết"), "- Đạt."]
    assert texts(drop_repeats(blocks(*first, *first))) == first


def test_a_short_repeated_line_is_not_lost() -> None:
    items = ["Tiêu chí 1:", "- Đạt.", "Tiêu chí 2:", "- Đạt.", LONG]
    assert texts(drop_repeats(blocks(*items))) == items


def test_caption_after_an_image_leaves_the_text_and_repeats_once() -> None:
    found = [
        Block(LONG),
        Block(image_url="http://x/a.jpg"),
        Block("Toàn cảnh hội nghị"),
        Block("Toàn cảnh hội nghị"),
        Block(LONG + " Tiếp theo."),
    ]
    kept, images = attach_captions(found)
    assert texts(kept) == [LONG, LONG + " Tiếp theo."]
    assert [(i.url, i.caption) for i in images] == [("http://x/a.jpg", "Toàn cảnh hội nghị")]


def test_caption_of_an_inline_base64_image_is_not_text() -> None:
    kept, images = attach_captions(
        [Block(LONG), Block(image_url=""), Block("Đồng chí A phát biểu"), Block(LONG)]
    )
    assert texts(kept) == [LONG, LONG] and images == []


def test_a_byline_with_an_affiliation_splits_into_author_and_source() -> None:
    kept, author, source = take_bylines(blocks(LONG, "Thanh Thủy (Trung tâm VH-TT-TT)"), [])
    assert (texts(kept), author, source) == ([LONG], "Thanh Thủy", "Trung tâm VH-TT-TT")


def test_file_name_is_no_caption() -> None:
    kept, images = attach_captions(
        [Block(image_url="http://x/a.jpg"), Block("DSC00112.JPG"), Block(LONG)]
    )
    assert texts(kept) == [LONG] and images[0].caption is None


def test_a_finished_paragraph_after_an_image_is_not_a_caption() -> None:
    kept, images = attach_captions([Block(image_url="http://x/a.jpg"), Block(LONG)])
    assert texts(kept) == [LONG] and images[0].caption is None


def test_title_and_sapo_repeated_at_the_top_are_dropped() -> None:
    found = drop_leading(blocks("Tiêu đề bài", "Tóm tắt.", LONG), "Tiêu đề bài", "Tóm tắt.")
    assert texts(found) == [LONG]


@pytest.mark.parametrize(
    ("last", "author", "source"),
    [
        ("Hà Vân", "Hà Vân", None),
        ("BT: Hồ Hương", "Hồ Hương", None),
        ("Tin, ảnh: Lê Thương", "Lê Thương", None),
        ("Thực hiện: Lê Thương", "Lê Thương", None),
        ("Tác giả bài viết: Nguyễn Văn An", "Nguyễn Văn An", None),
        ("Nhóm BTV", "Nhóm BTV", None),
        ("Nguồn tin: Báo Thanh Hóa", None, "Báo Thanh Hóa"),
        ("Theo CTTĐT Hương Khê", None, "CTTĐT Hương Khê"),
    ],
)
def test_bylines_become_author_or_source(last: str, author: str | None, source: str | None) -> None:
    kept, found_author, found_source = take_bylines(blocks(LONG, last), [])
    assert (texts(kept), found_author, found_source) == ([LONG], author, source)


def test_a_sentence_at_the_end_is_not_a_byline() -> None:
    ending = "Hội nghị kết thúc trong không khí phấn khởi."
    kept, author, source = take_bylines(blocks(LONG, ending), [])
    assert (texts(kept), author, source) == ([LONG, ending], None, None)


def test_lead_source_in_parentheses() -> None:
    found, source = take_lead_source(blocks("(PLVN) - Ngày 17/7, Trưởng Ban làm việc.", LONG))
    assert source == "PLVN" and texts(found) == ["Ngày 17/7, Trưởng Ban làm việc.", LONG]


def test_clean_body_runs_every_step() -> None:
    found = [
        Block("Tiêu đề"),
        Block(LONG),
        Block(image_url="http://x/a.jpg"),
        Block("Chú thích ảnh"),
        Block("Lượt xem: 5"),
        Block("Hà Vân"),
        Block("Các tin khác"),
        Block("Tin cũ"),
    ]
    body = clean_body(found, title="Tiêu đề", summary=None)
    assert body.paragraphs == [LONG]
    assert body.author == "Hà Vân"
    assert [(i.url, i.caption) for i in body.images] == [("http://x/a.jpg", "Chú thích ảnh")]
