"""A small archive for the analyst tests, written through the crawler's own write path."""

from __future__ import annotations

from archive import store
from archive.db import Archive
from archive.records import Article, Image, RawPage, SiteInfo

NOW = "2026-11-22T10:00:00+07:00"
SITES = {
    "tandan": SiteInfo(
        "tandan",
        "Phường Tân Dân",
        "http://a.example/",
        "tandan",
        "Phường Tân Dân",
        "ward",
        "Thanh Hóa",
    ),
    "phamsumanh": SiteInfo(
        "phamsumanh",
        "Phường Phạm Sư Mạnh",
        "http://b.example/",
        "haiphong",
        "Phường Phạm Sư Mạnh",
        "ward",
        "Hải Phòng",
    ),
    # A former district: its land is in several communes today, Xã Thường Xuân among them.
    "thuongxuan": SiteInfo(
        "thuongxuan",
        "Huyện Thường Xuân",
        "http://c.example/",
        "tandan",
        "Huyện Thường Xuân",
        "district",
        "Thanh Hóa",
    ),
}
CCHC_TITLE = "Phường Tân Dân đẩy mạnh cải cách hành chính"
CCHC_BODY = "Năm 2025, phường tiếp tục cải cách hành chính, giải quyết hồ sơ đúng hạn."
# key: (site, published_at, title, body)
ARTICLES: dict[str, tuple[str, str | None, str, str]] = {
    "cchc": ("tandan", "2025-03-10T08:00:00+07:00", CCHC_TITLE, CCHC_BODY),
    "phuongan": (
        "tandan",
        "2024-06-01T08:00:00+07:00",
        "Phương án phòng chống lụt bão năm 2024",
        "Phương án được Ủy ban nhân dân phê duyệt.",
    ),
    "hatang": (
        "phamsumanh",
        "2025-01-15T08:00:00+07:00",
        "Đầu tư hạ tầng giao thông",
        "Xã đầu tư nâng cấp hạ tầng đường giao thông nông thôn.",
    ),
    "hanoi": (
        "phamsumanh",
        "2025-02-01T08:00:00+07:00",
        "Đoàn công tác thăm Hà Nội",
        "Đoàn cán bộ đến thủ đô Hà Nội học tập kinh nghiệm.",
    ),
    "daihoi": (
        "phamsumanh",
        "2025-05-20T08:00:00+07:00",
        "ĐẠI HỘI Đảng bộ phường Phạm Sư Mạnh",
        "Đại hội đại biểu Đảng bộ nhiệm kỳ 2025–2030 thành công tốt đẹp.",
    ),
    # The same text on another site: a copy of "cchc", one story with it.
    "copy": ("thuongxuan", "2025-03-11T08:00:00+07:00", CCHC_TITLE, CCHC_BODY),
    "chuyendoiso": (
        "thuongxuan",
        "2023-11-05T08:00:00+07:00",
        "Chuyển đổi số trong cơ quan nhà nước",
        "Chuyển đổi số giúp người dân nộp hồ sơ trực tuyến.",
    ),
    "tanhung": (
        "tandan",
        "2025-07-01T08:00:00+07:00",
        "Khu phố Tân Hưng ra quân vệ sinh môi trường",
        "Người dân khu phố Tân Hưng tham gia dọn dẹp.",
    ),
    "tangcuong": (
        "phamsumanh",
        "2025-04-02T08:00:00+07:00",
        "Tăng cường an ninh trật tự",
        "Công an xã tăng cường tuần tra ban đêm.",
    ),
    "script": (
        "tandan",
        "2025-06-01T08:00:00+07:00",
        "Thông báo <script>alert('xss')</script> lịch tiếp dân",
        "Lịch tiếp công dân tháng 6.",
    ),
    "kethon": (
        "thuongxuan",
        None,
        "Hướng dẫn thủ tục đăng ký kết hôn",
        "Công dân mang theo giấy tờ tùy thân khi đăng ký kết hôn.",
    ),
}


def url(key: str) -> str:
    site = ARTICLES[key][0]
    return f"{SITES[site].base_url}tin/{key}"


def build(archive_url: str) -> dict[str, int]:
    """Write the sites and articles; returns {key: article id}."""
    ids: dict[str, int] = {}
    with Archive(archive_url) as archive, archive.session() as session:
        site_ids = {slug: store.upsert_site(session, info, NOW) for slug, info in SITES.items()}
        for key, (site, published, title, body) in ARTICLES.items():
            article = Article(
                url=url(key),
                title=title,
                body=body,
                published_at=published,
                published_precision="minute" if published else None,
                images=[Image(f"{url(key)}.jpg", "Ảnh")] if key == "cchc" else [],
                extractor_version="test",
            )
            raw = RawPage(article.url, article.url, 200, {}, b"<html/>", NOW)
            raw_id = store.store_raw(session, raw, None)
            ids[key] = store.store_article(session, site_ids[site], article, raw_id, NOW).article_id
    return ids
