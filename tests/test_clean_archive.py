"""After a crawl of every fixture site: no boilerplate, mojibake or stray images stored."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_crawl
from tests.siteserver import SiteFarm

pytestmark = pytest.mark.slow

# The boilerplate listed in research/platforms.md, as it appears when it leaks into a body:
# a counter with its number, a list heading, a chrome line. Words such as "chia sẻ" or
# "hôm nay" are ordinary Vietnamese inside sentences; only their boilerplate forms count.
BOILERPLATE = [
    r"^Truy cập$",
    r"^(Hôm nay|Hôm qua|Tuần này|Tháng này|Tất cả|Trong tuần)\s*:\s*[\d.]+$",
    r"Đang online",
    r"\d+\s+người đang online",
    r"Số lượt truy cập",
    r"Số lượt người xem",
    r"Lượt xem\s*:",
    r"View count",
    r"\d+\s+lượt xem",
    r"Các tin khác",
    r"^Tin khác\s*:?$",
    r"Những tin (mới|cũ) hơn",
    r"Xem thêm tin tức",
    r"Viết bình luận",
    r"^\d+ bình luận$",
    r"Thêm ý kiến góp ý",
    r"(?i)đánh giá bài viết",
    r"Tài liệu kèm theo",
    r"Tệp đính kèm",
    r"^Từ khóa\s*:",
    r"Bấm vào đây để nhận mã",
    r"CÔNG KHAI TIẾN ĐỘ GIẢI QUYẾT",
    r"^Trang chủ(\s*[>»/|].*)?$",
    r"Truy cập nội dung luôn",
    r"^Thực đơn$",
    r"In bài viết",
    r"Gửi email",
    r"^Chia sẻ$",
    r"QR Code",
    r"image advertisement",
    r"^Thư viện ảnh$",
    r"^Tin mới$",
    r"Liên kết website",
    r"^(Địa chỉ|Điện thoại|Fax)\s*:",
    r"GPXB|/GP-TTĐT",
    r"Chịu trách nhiệm chính",
    r"Bản quyền thuộc",
    r"Ghi rõ nguồn",
    r"Thiết kế bởi",
    r"^Link gốc\s*:",
    r"Tổng số điểm của bài viết",
    r"^Chia sẻ\s+Lưu$",
]
# Characters of TCVN3 mojibake ("tæ chøc") that real Vietnamese text never contains.
MOJIBAKE = re.compile(r"[¡¢£¤¥¦§¨ª¬®µ¶¸¹¼½¾ÆÇËÎÏÐÑÖ×ØÜÞßäåæçëîïñö÷øûüþ]")


@pytest.fixture(scope="module")
def archive(
    farm: SiteFarm, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sqlite3.Connection]:
    folder = tmp_path_factory.mktemp("clean")
    registry = folder / "sites.toml"
    registry.write_text(farm.registry_toml(), "utf-8")
    path = folder / "archive.sqlite3"
    done = run_crawl(archive_url=f"sqlite:///{path}", registry=registry, timeout=300)
    assert done.returncode == 0, done.log[-3000:]
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    yield connection
    connection.close()


def _articles(archive: sqlite3.Connection) -> list[sqlite3.Row]:
    rows = archive.execute("SELECT * FROM articles").fetchall()
    assert len(rows) > 80
    return rows


@pytest.mark.parametrize("phrase", BOILERPLATE)
def test_no_boilerplate_in_any_stored_body(archive: sqlite3.Connection, phrase: str) -> None:
    pattern = re.compile(phrase, re.MULTILINE)
    leaks = [
        (row["url"], m.group(0))
        for row in _articles(archive)
        for m in [pattern.search(row["body"])]
        if m
    ]
    assert not leaks, leaks[:3]


def test_text_is_nfc_without_mojibake_or_leftover_entities(archive: sqlite3.Connection) -> None:
    for row in _articles(archive):
        for field in ("title", "summary", "body", "author", "source"):
            text = row[field] or ""
            assert unicodedata.is_normalized("NFC", text), (row["url"], field)
            assert not MOJIBAKE.search(text), (row["url"], field, MOJIBAKE.search(text).group(0))
            assert not re.search(r"&(?:[a-z]{2,8}|#\d{2,5});", text), (row["url"], field)
            assert "\u00a0" not in text and "  " not in text.replace("\n\n", ""), (
                row["url"],
                field,
            )


def test_bodies_are_plain_paragraphs(archive: sqlite3.Connection) -> None:
    for row in _articles(archive):
        body = row["body"]
        assert body.strip() == body and "\n\n\n" not in body
        assert not re.search(r"<[a-zA-Z/][^>]*>", body), row["url"]
        assert row["title"] not in body.split("\n\n")[:1], row["url"]


def test_images_are_real_urls_with_real_captions(archive: sqlite3.Connection) -> None:
    images = archive.execute("SELECT * FROM article_images").fetchall()
    assert len(images) > 50
    for image in images:
        assert image["url"].startswith(("http://", "https://")), image["url"]
        caption = image["caption"]
        if caption is not None:
            assert not re.match(r"^[\w\s().~-]+\.(?:jpe?g|png|gif)$", caption, re.I), caption
            assert caption.strip() == caption and caption
    for row in _articles(archive):
        for caption in archive.execute(
            "SELECT caption FROM article_images WHERE article_id = ? AND caption IS NOT NULL",
            (row["id"],),
        ):
            assert caption[0] not in row["body"].split("\n\n"), (row["url"], caption[0])


def test_learned_nothing_that_is_article_text(archive: sqlite3.Connection, tmp_path: Path) -> None:
    # Every fixture body matches its gold exactly (test_crawl); here: the whole archive is one run.
    (run,) = archive.execute("SELECT * FROM crawl_runs").fetchall()
    assert run["status"] == "ok" and run["errors"] == 0
