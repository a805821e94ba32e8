"""Articles shown as a form: one table row per field, the label in the first cell.

SharePoint's list item view (DispForm.aspx) and some ASP.NET and Joomla portals
print a news item this way: "Tiêu đề | …", "Tóm tắt | …", "Nội dung | …",
"Ngày đăng | …", "Tác giả | …", "Nguồn tin | …". The labels say what each
value is, which beats any guess from the layout.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from pipelines.text import clean_text

LABELS: dict[str, re.Pattern[str]] = {
    name: re.compile(rf"(?:{pattern})\s*:?", re.IGNORECASE)
    for name, pattern in {
        "title": r"tiêu đề|tên bài(?: viết)?|tên tin|tựa đề",
        "summary": r"tóm tắt|trích yếu|sapo|mô tả|tóm tắt nội dung",
        "body": r"nội dung(?: chi tiết| bài viết| tin)?|chi tiết",
        "published": r"ngày đăng|ngày xuất bản|ngày đăng tin|thời gian đăng|ngày tạo",
        "author": r"tác giả|người viết|người đăng|phóng viên",
        "source": r"nguồn(?: tin)?|nguồn bài viết",
    }.items()
}
# Fields other than these are shown too ("Chuyên mục", "Tệp đính kèm"); they are labels
# all the same, never a value.
OTHER_LABELS = re.compile(
    r"(?:chuyên mục|danh mục|loại tin|tệp đính kèm|đính kèm|lượt xem|trạng thái|hình ảnh)\s*:?",
    re.IGNORECASE,
)
LABEL_MAX_CHARS = 30
# A form needs the body and two more labelled fields; a stray "Nội dung" row is no form.
MIN_FIELDS = 3


def is_label(text: str) -> bool:
    text = clean_text(text)
    return len(text) <= LABEL_MAX_CHARS and (
        any(pattern.fullmatch(text) for pattern in LABELS.values())
        or bool(OTHER_LABELS.fullmatch(text))
    )


def starts_with_label(text: str) -> bool:
    """A field label, alone or with its value after it ("Chuyên mục Tin hoạt động")."""
    words = clean_text(text).split()
    return any(is_label(" ".join(words[:n])) for n in range(1, min(len(words), 4) + 1))


def form_fields(doc: HtmlElement) -> dict[str, HtmlElement]:
    """Field name → the cell holding its value, when the page shows its article as a form."""
    fields: dict[str, HtmlElement] = {}
    for row in doc.iter("tr"):
        cells = [cell for cell in row if cell.tag in ("td", "th")]
        if len(cells) != 2:
            continue
        label = clean_text(cells[0].text_content())
        if len(label) > LABEL_MAX_CHARS:
            continue
        for name, pattern in LABELS.items():
            if pattern.fullmatch(label):
                fields.setdefault(name, cells[1])
                break
    if "body" not in fields or len(fields) < MIN_FIELDS:
        return {}
    return fields
