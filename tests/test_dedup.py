"""Copies and stories: exact and near-duplicate copies cluster, related texts do not."""

from __future__ import annotations

import dataclasses
import io
import unicodedata

import pytest
from sqlalchemy import func, select

from archive import cli, models, store
from archive.db import Archive
from archive.neardup import MIN_WORDS, band_keys, features, is_duplicate, jaccard, signature
from archive.records import Article, RawPage, SiteInfo, iso
from pipelines.extract import extract_article
from spiders.platforms import profile
from spiders.urls import canonical_url
from tests.conftest import NOW
from tests.siteserver import SITES_DIR, load_site

STORED = "2026-11-22T10:00:00+07:00"
BODY = (
    "Sáng ngày 12/5/2025, UBND phường Hòa Bình tổ chức hội nghị triển khai kế hoạch cải cách "
    "hành chính năm 2025 với sự tham dự của 85 đại biểu là lãnh đạo các ban, ngành, đoàn thể "
    "và tổ trưởng 14 tổ dân phố.\n\n"
    "Theo báo cáo, năm 2024 phường đã tiếp nhận 3.245 hồ sơ thủ tục hành chính, trong đó 2.980 "
    "hồ sơ được nộp trực tuyến, đạt tỷ lệ 91,8%; 100% hồ sơ được giải quyết đúng hạn, không có "
    "hồ sơ trễ hẹn. Bộ phận một cửa được bố trí lại, trang bị thêm máy tính và máy quét.\n\n"
    "Phát biểu chỉ đạo, đồng chí Chủ tịch UBND phường yêu cầu các bộ phận chuyên môn tiếp tục "
    "rà soát, đơn giản hóa thủ tục, đẩy mạnh thanh toán không dùng tiền mặt và số hóa kết quả "
    "giải quyết; phấn đấu đến hết quý III/2025 có 95% hồ sơ được nộp trực tuyến toàn trình.\n\n"
    "Dịp này, UBND phường khen thưởng 6 tập thể và 11 cá nhân có thành tích xuất sắc trong "
    "công tác cải cách hành chính năm 2024."
)
OTHER_STORY = (
    "Chiều 14/5/2025, Đoàn Thanh niên phường Hòa Bình ra quân chiến dịch làm sạch môi trường "
    "bờ sông, thu gom hơn 4 tấn rác thải và phát quang 2 km tuyến đường ven kênh.\n\n"
    "Tham gia chiến dịch có hơn 200 đoàn viên, thanh niên và người dân các tổ dân phố. Các "
    "lực lượng đã nạo vét cống rãnh, sơn sửa lan can và trồng mới 150 cây xanh dọc bờ kè.\n\n"
    "Bí thư Đoàn phường cho biết chiến dịch sẽ được duy trì vào sáng chủ nhật hằng tuần đến "
    "hết tháng 8, gắn với phong trào xây dựng tuyến phố văn minh đô thị."
)
# The same meeting, written by another newsroom: related, not a copy.
SAME_EVENT = (
    "Ngày 12/5/2025, phường Hòa Bình họp triển khai nhiệm vụ cải cách hành chính. Năm qua, "
    "tỷ lệ hồ sơ trực tuyến của phường đạt 91,8%, không có hồ sơ trễ hạn.\n\n"
    "Lãnh đạo phường đề nghị cán bộ một cửa nâng cao tinh thần phục vụ, hướng dẫn người dân "
    "sử dụng dịch vụ công trực tuyến và ứng dụng VNeID, nhất là người cao tuổi.\n\n"
    "Mục tiêu năm 2025 là 95% hồ sơ trực tuyến toàn trình vào cuối quý III, đồng thời hoàn "
    "thành số hóa hồ sơ, kết quả giải quyết thủ tục hành chính."
)
NOTICE = (
    "Thực hiện Luật Tiếp công dân năm 2013 và Nghị định 64/2014/NĐ-CP, Chủ tịch UBND phường "
    "Hòa Bình thông báo lịch tiếp công dân định kỳ tháng {month}/2025 như sau: thời gian vào "
    "ngày {day1}/{month}/2025 và ngày {day2}/{month}/2025, buổi sáng từ 7 giờ 30 đến 11 giờ 30. "
    "Địa điểm tại Trụ sở tiếp công dân phường, số 12 đường Lê Lợi. Công dân đến liên hệ mang "
    "theo căn cước công dân và các giấy tờ liên quan đến nội dung khiếu nại, tố cáo, kiến nghị, "
    "phản ánh. Mọi thắc mắc xin liên hệ số điện thoại {phone} trong giờ hành chính."
)


def _site(slug: str) -> SiteInfo:
    return SiteInfo(slug, slug, f"https://{slug}.gov.vn/", "generic", slug, "ward", "Đà Nẵng")


def _article(url: str, body: str, published: str, **more: object) -> Article:
    article = Article(
        url=url,
        title=str(more.pop("title", "Phường Hòa Bình triển khai cải cách hành chính năm 2025")),
        body=body,
        author=None,
        published_at=published,
        published_precision="minute",
        extractor_version="test",
    )
    return dataclasses.replace(article, **more)  # type: ignore[arg-type]


def _store(archive: Archive, slug: str, article: Article, now: str = STORED) -> int:
    with archive.session() as session:
        site_id = store.upsert_site(session, _site(slug), now)
        return store.store_article(session, site_id, article, None, now).article_id


def _rows(archive: Archive) -> dict[int, tuple[int | None, int | None]]:
    """id → (cluster_id, duplicate_of)."""
    with archive.session() as session:
        rows = session.execute(
            select(models.Article.id, models.Article.cluster_id, models.Article.duplicate_of)
        ).all()
    return {row.id: (row.cluster_id, row.duplicate_of) for row in rows}


def _count(archive: Archive, model: type[models.Base]) -> int:
    with archive.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _copy_with_new_byline(body: str) -> str:
    """How a district or a newspaper republishes a ward's news: its own first line, the
    text, its own byline and footer."""
    return (
        "(Cổng TTĐT quận) - Tin từ phường Hòa Bình:\n\n"
        + body
        + "\n\nMinh Anh - Trung tâm Văn hóa, Thông tin và Thể thao quận\n\n"
        + "Nguồn: Cổng thông tin điện tử phường Hòa Bình"
    )


def _edit_words(body: str, share: float) -> str:
    """Replace every n-th word (no figure) with another word: small edits by a copy desk."""
    words = body.split(" ")
    step = round(1 / share)
    return " ".join(
        "được" if i % step == step - 1 and not any(c.isdigit() for c in w) else w
        for i, w in enumerate(words)
    )


@pytest.fixture
def archive(archive_url: str) -> Archive:
    opened = Archive(archive_url)
    yield opened
    opened.close()


# ---- the pure part ------------------------------------------------------------------------


def test_a_republished_copy_is_a_near_duplicate_and_related_texts_are_not() -> None:
    base = features(BODY)
    assert is_duplicate(base, features(_copy_with_new_byline(BODY)))
    assert is_duplicate(base, features(_edit_words(BODY, 0.05)))
    assert not is_duplicate(base, features(SAME_EVENT))
    assert not is_duplicate(base, features(OTHER_STORY))


def test_notices_from_one_template_are_not_copies_of_each_other() -> None:
    july = features(NOTICE.format(month=7, day1=10, day2=24, phone="0236.3821.456"))
    august = features(NOTICE.format(month=8, day1=12, day2=26, phone="0236.3821.456"))
    assert jaccard(july.shingles, august.shingles) > 0.6  # the text alone would merge them
    assert not is_duplicate(july, august)


def test_decomposed_text_and_spacing_give_the_same_features() -> None:
    spaced = unicodedata.normalize("NFD", BODY).replace(" ", "  ")
    assert features(spaced) == features(BODY)


def test_short_bodies_are_left_to_the_exact_hash() -> None:
    assert not features("Thông báo lịch tiếp công dân tháng 7/2025.").indexable
    assert features(BODY).words >= MIN_WORDS and features(BODY).indexable


def test_near_copies_share_an_index_key_and_unrelated_texts_do_not() -> None:
    def keys(text: str) -> set[int]:
        return set(band_keys(signature(features(text).shingles)))

    base = keys(BODY)
    assert base & keys(_copy_with_new_byline(BODY))
    assert base & keys(_edit_words(BODY, 0.05))
    assert not base & keys(OTHER_STORY)


# ---- the archive --------------------------------------------------------------------------


def test_a_print_copy_at_another_url_points_to_the_original(archive: Archive) -> None:
    original = _store(
        archive,
        "hoabinh",
        _article("https://hoabinh.gov.vn/tin/1", BODY, "2025-05-12T10:00:00+07:00"),
    )
    printed = _store(
        archive,
        "hoabinh",
        _article("https://hoabinh.gov.vn/print/tin/1", BODY, "2025-05-12T10:00:00+07:00"),
    )
    rows = _rows(archive)
    assert rows[original] == (original, None)
    assert rows[printed] == (original, original)
    assert _count(archive, models.Article) == 2  # kept, not dropped


def test_cross_site_copies_cluster_and_point_to_the_earliest_published(archive: Archive) -> None:
    # The newspaper's copy is crawled first, the ward's own (published earlier) later.
    paper = _store(
        archive,
        "baodanang",
        _article(
            "https://baodanang.vn/hoa-binh-cai-cach-3361234.html",
            _copy_with_new_byline(BODY),
            "2025-05-13T08:00:00+07:00",
            author="Minh Anh",
        ),
    )
    district = _store(
        archive,
        "quanhaichau",
        _article(
            "https://haichau.gov.vn/tin/hoa-binh",
            _edit_words(BODY, 0.05),
            "2025-05-12T15:00:00+07:00",
        ),
    )
    ward = _store(
        archive,
        "hoabinh",
        _article("https://hoabinh.gov.vn/tin/1", BODY, "2025-05-12T10:00:00+07:00", author="PV"),
    )
    other = _store(
        archive,
        "hoabinh",
        _article("https://hoabinh.gov.vn/tin/2", OTHER_STORY, "2025-05-14T16:00:00+07:00"),
    )
    related = _store(
        archive,
        "baodanang",
        _article("https://baodanang.vn/x-3361240.html", SAME_EVENT, "2025-05-12T12:00:00+07:00"),
    )
    rows = _rows(archive)
    assert rows[paper][0] == rows[district][0] == rows[ward][0] == paper  # first stored names it
    assert rows[ward][1] is None
    assert rows[paper][1] == rows[district][1] == ward
    assert rows[other] == (other, None)
    assert rows[related] == (related, None)
    with archive.session() as session:
        stories = session.scalar(select(func.count(func.distinct(models.Article.cluster_id))))
    assert stories == 3


def test_templated_notices_stay_separate_in_the_archive(archive: Archive) -> None:
    for month, day in ((6, 9), (7, 10), (8, 12)):
        body = NOTICE.format(month=month, day1=day, day2=day + 14, phone="0236.3821.456")
        _store(
            archive,
            "hoabinh",
            _article(
                f"https://hoabinh.gov.vn/thong-bao/{month}",
                body,
                f"2025-{month:02d}-01T08:00:00+07:00",
                title=f"Lịch tiếp công dân tháng {month}/2025",
            ),
        )
    assert all(duplicate is None for _, duplicate in _rows(archive).values())


def test_an_edited_article_keeps_a_version_and_its_cluster(archive: Archive) -> None:
    url = "https://hoabinh.gov.vn/tin/1"
    ward = _store(archive, "hoabinh", _article(url, BODY, "2025-05-12T10:00:00+07:00"))
    copy = _store(
        archive,
        "quanhaichau",
        _article(
            "https://haichau.gov.vn/tin/hoa-binh",
            _copy_with_new_byline(BODY),
            "2025-05-12T15:00:00+07:00",
        ),
    )
    edited = BODY.replace("85 đại biểu", "90 đại biểu").replace("6 tập thể", "7 tập thể")
    assert (
        _store(
            archive,
            "hoabinh",
            _article(url, edited, "2025-05-12T10:00:00+07:00"),
            "2026-11-23T10:00:00+07:00",
        )
        == ward
    )
    with archive.session() as session:
        versions = session.scalars(select(models.ArticleVersion)).all()
        keys = session.scalar(
            select(func.count()).select_from(models.LshKey).where(models.LshKey.article_id == ward)
        )
        current = session.get_one(models.Article, ward)
    assert [version.body for version in versions] == [BODY]  # the old text is kept
    assert current.body == edited
    assert keys == len(band_keys(signature(features(edited).shingles)))  # old keys gone
    assert _rows(archive)[copy] == (ward, ward)


def test_rerunning_the_same_writes_changes_nothing(archive: Archive) -> None:
    articles = [
        ("hoabinh", _article("https://hoabinh.gov.vn/tin/1", BODY, "2025-05-12T10:00:00+07:00")),
        (
            "baodanang",
            _article(
                "https://baodanang.vn/a-1.html",
                _copy_with_new_byline(BODY),
                "2025-05-13T08:00:00+07:00",
            ),
        ),
        (
            "hoabinh",
            _article("https://hoabinh.gov.vn/tin/2", OTHER_STORY, "2025-05-14T16:00:00+07:00"),
        ),
    ]
    for slug, article in articles:
        _store(archive, slug, article)
    before = (
        _rows(archive),
        _count(archive, models.LshKey),
        _count(archive, models.ArticleVersion),
    )
    for slug, article in articles:
        _store(archive, slug, article, "2026-11-23T10:00:00+07:00")
    assert (
        _rows(archive),
        _count(archive, models.LshKey),
        _count(archive, models.ArticleVersion),
    ) == before


def test_the_index_lives_in_the_database(archive_url: str) -> None:
    with Archive(archive_url) as first:
        original = _store(
            first,
            "hoabinh",
            _article("https://hoabinh.gov.vn/tin/1", BODY, "2025-05-12T10:00:00+07:00"),
        )
    with Archive(archive_url) as reopened:  # a new process would see the same
        copy = _store(
            reopened,
            "baodanang",
            _article(
                "https://baodanang.vn/a-1.html",
                _copy_with_new_byline(BODY),
                "2025-05-13T08:00:00+07:00",
            ),
        )
        assert _rows(reopened)[copy] == (original, original)


def test_dedup_command_rebuilds_clusters_of_an_older_archive(
    archive: Archive, archive_url: str
) -> None:
    ward = _store(
        archive,
        "hoabinh",
        _article("https://hoabinh.gov.vn/tin/1", BODY, "2025-05-12T10:00:00+07:00"),
    )
    paper = _store(
        archive,
        "baodanang",
        _article(
            "https://baodanang.vn/a-1.html",
            _copy_with_new_byline(BODY),
            "2025-05-13T08:00:00+07:00",
        ),
    )
    with archive.session() as session:  # as migration 0005 leaves an archive made before it
        session.execute(models.LshKey.__table__.delete())
        session.execute(
            models.Article.__table__.update().values(
                cluster_id=models.Article.id, duplicate_of=None
            )
        )
    out = io.StringIO()
    assert cli.main(["dedup", "--archive", archive_url], out=out) == 0
    assert "2 articles indexed; 1 stories, 1 copies" in out.getvalue()
    assert _rows(archive)[paper] == (ward, ward)


def test_a_body_printed_twice_in_its_page_is_one_article_of_its_own(archive: Archive) -> None:
    """Seed 002: the page prints the article twice; it is cleaned once, and is no copy pair."""
    site = load_site(SITES_DIR / "tandan-nghison")
    (page,) = [p for p in site.pages if p.file.name == "article-1-phuong-kieu-mau.html"]
    origin = "http://127.0.0.1:8000"
    url = canonical_url(origin + page.url)
    body = page.file.read_bytes().replace(b"{{ORIGIN}}", origin.encode())
    raw = RawPage(url, url, 200, {"content-type": page.content_type}, body, iso(NOW))
    article = extract_article(raw, profile(site.platform))
    paragraphs = article.body.split("\n\n")
    assert len(paragraphs) == len(set(paragraphs))
    stored = _store(archive, "tandan-nghison", article)
    assert _rows(archive) == {stored: (stored, None)}
