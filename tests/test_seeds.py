"""Every seed (a naive scrape of a real page) has a fixture page, and that page extracts clean."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from archive.records import RawPage, iso
from pipelines.extract import extract_article
from spiders.platforms import profile
from spiders.urls import canonical_url
from tests.conftest import NOW
from tests.siteserver import SITES_DIR, load_site

SEEDS_DIR = Path(__file__).parent / "fixtures" / "seeds"
ORIGIN = "http://127.0.0.1:8000"
# seed file -> (fixture site, page file) reproducing its situation
SEEDS = {
    "000_36d710b93d156c45.txt": ("haiphong-tanhung", "article-giao-ban-thang-8.html"),
    "001_4a8c05c5ccea599f.txt": ("generic-hatinh", "article-4-hoi-nghi-bch-14.html"),
    "002_2491be00f8e4dda8.txt": ("tandan-nghison", "article-1-phuong-kieu-mau.html"),
    "003_03ccf52b4028f09f.txt": ("sharepoint-quan8", "post-12802.html"),
    "004_be9cc6a11f2dd294.txt": ("newspaper-plvn", "article-1-chinh-quyen-2-cap.html"),
}


# The dirt each seed shows (research/platforms.md): counters, sidebars, captions, bylines.
DIRT = {
    "000_36d710b93d156c45.txt": [
        "Đang online",
        "Thống kê truy cập",
        "QR Code",
        "image advertisement",
    ],
    "001_4a8c05c5ccea599f.txt": ["39 lượt xem", "Tin khác", "Hà Vân", "Toàn cảnh hội nghị BCH"],
    "002_2491be00f8e4dda8.txt": [
        "Truy cập",
        "Hôm nay:",
        "Tất cả:",
        "Đăng lúc:",
        "Toàn cảnh Hội nghị tại",
    ],
    "003_03ccf52b4028f09f.txt": [
        "data:image",
        "Nhóm BTV",
        "Quang cảnh buổi làm việc với Phòng Y tế",
    ],
    "004_be9cc6a11f2dd294.txt": ["(PLVN) -", "Đông Bắc", "làm việc với Ban Thường vụ xã An Thành."],
}


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFC", text).casefold()))


def test_every_seed_has_a_fixture() -> None:
    assert sorted(SEEDS) == sorted(path.name for path in SEEDS_DIR.glob("*.txt"))


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_seed_page_extracts_clean(seed: str) -> None:
    site = load_site(SITES_DIR / SEEDS[seed][0])
    (page,) = [p for p in site.pages if p.file.name == SEEDS[seed][1]]
    expected = page.expected(ORIGIN)
    seed_text = (SEEDS_DIR / seed).read_text("utf-8")

    # The fixture carries the seed's own text: each gold paragraph is in the naive scrape.
    scraped = _words(seed_text)
    for paragraph in expected["body"].split("\n\n"):
        assert _words(paragraph) in scraped, paragraph[:80]

    url = canonical_url(ORIGIN + page.url)
    body = page.file.read_bytes().replace(b"{{ORIGIN}}", ORIGIN.encode())
    raw = RawPage(url, url, 200, {"content-type": page.content_type}, body, iso(NOW))
    article = extract_article(raw, profile(site.platform))
    assert article.title == expected["title"]
    assert article.body == expected["body"]
    assert article.author == expected["author"]
    assert [(i.url, i.caption) for i in article.images] == [
        (ORIGIN + i["url"] if i["url"].startswith("/") else i["url"], i["caption"])
        for i in expected["images"]
    ]

    # What made the naive scrape dirty is in the seed, and not in our body.
    for dirt in DIRT[seed]:
        assert dirt in seed_text, f"the seed has no {dirt!r}: the fixture reproduces nothing"
        assert dirt not in article.body, dirt
    # A body the seed prints twice (screen and print copy) is stored once.
    for paragraph in article.body.split("\n\n"):
        assert article.body.count(paragraph) == 1 or len(paragraph) < 40, paragraph[:60]
