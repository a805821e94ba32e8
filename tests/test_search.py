"""Full-text search: the table of cases, the query language's errors, and the indexes' upkeep."""

from __future__ import annotations

import io
import json
import sqlite3
import unicodedata
from pathlib import Path

import pytest

from archive import filters, search, store
from archive.cli import main
from archive.db import Archive
from archive.records import Article
from tests import analysts


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, int]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('search') / 'archive.sqlite3'}"
    return url, analysts.build(url)


def keys_found(archive: tuple[str, dict[str, int]], query: str, **options: str | bool) -> set[str]:
    url, ids = archive
    by_id = {article_id: key for key, article_id in ids.items()}
    with Archive(url, readonly=True) as opened, opened.session() as session:
        chosen = filters.resolve(session, **options)  # type: ignore[arg-type]
        hits = search.search(session, query, chosen, limit=50)
    return {by_id[hit["id"]] for hit in hits}


NFD_PHUONG = unicodedata.normalize("NFD", "phường")
CASES = [
    # folded: typed without diacritics, any tone matches
    ("tan hung", {}, {"tanhung"}),
    ("cai cach hanh chinh", {}, {"cchc"}),
    ("CAI CACH", {}, {"cchc"}),
    ("dai hoi", {}, {"daihoi"}),
    ("dang bo", {}, {"daihoi"}),  # Đảng: đ folds to d
    ("ha noi", {}, {"hanoi"}),
    ("ha", {}, {"hatang", "hanoi"}),  # hạ and hà, not "hạn" (whole words only)
    ("tan", {}, {"cchc", "tanhung"}),  # Tân, not Tăng
    # exact: typed with diacritics, other tones do not match
    ("phường", {}, {"cchc", "daihoi"}),
    ("phương", {}, {"phuongan"}),
    ("hạ", {}, {"hatang"}),
    ("hà", {}, {"hanoi"}),
    ("Đảng", {}, {"daihoi"}),
    ("tân", {}, {"cchc", "tanhung"}),
    ("tăng", {}, {"tangcuong"}),
    (NFD_PHUONG, {}, {"cchc", "daihoi"}),  # queries are NFC-normalised like the text
    # phrases
    ('"cải cách hành chính"', {}, {"cchc"}),
    ('"hanh chinh cai cach"', {}, set()),  # order matters in a phrase
    ('"tan dan"', {}, {"cchc"}),
    ('"phuong an"', {}, {"phuongan"}),
    # prefixes
    ("chuyen*", {}, {"chuyendoiso"}),
    ("hành*", {}, {"cchc"}),
    ('"chuyen d"*', {}, {"chuyendoiso"}),
    ("ket*", {}, {"kethon"}),
    # OR, exclusion, both kinds in one query
    ("bão OR Hà", {}, {"phuongan", "hanoi"}),
    ("phuong -bao", {}, {"cchc", "daihoi"}),
    ("phuong -phường", {}, {"phuongan"}),  # the exclusion is exact, the word folded
    ("Phường tan dan", {}, {"cchc"}),
    ("phương tan", {}, set()),
    ("nothing-like-this", {}, set()),
    # filters
    ("phuong", {"site": "phamsumanh"}, {"daihoi"}),
    ("cai cach", {"province": "Thanh Hoa"}, {"cchc"}),
    ("dau tu", {"province": "Hải Phòng"}, {"hatang"}),
    ("ho so", {}, {"cchc", "chuyendoiso"}),
    ("ho so", {"since": "2025"}, {"cchc"}),
    ("ho so", {"until": "2024-12-31"}, {"chuyendoiso"}),
    ("ket hon", {}, {"kethon"}),
    ("ket hon", {"since": "2020"}, set()),  # undated articles fall outside any window
    ("tang cuong", {"unit": "Phường Phạm Sư Mạnh"}, {"tangcuong"}),
    # the former district's site is found through the commune its land is in today
    ("ho so", {"unit": "Xã Thường Xuân"}, {"copy", "chuyendoiso"}),
    # copies: one hit per story unless asked
    ("cai cach", {}, {"cchc"}),
    ("cai cach", {"include_duplicates": True}, {"cchc", "copy"}),
    ("cai cach", {"site": "thuongxuan"}, {"copy"}),
]


@pytest.mark.parametrize(("query", "options", "expected"), CASES)
def test_search_cases(
    archive: tuple[str, dict[str, int]], query: str, options: dict, expected: set[str]
) -> None:
    assert keys_found(archive, query, **options) == expected


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 25


def test_hits_are_ranked_by_bm25_with_title_first(archive: tuple[str, dict[str, int]]) -> None:
    url, ids = archive
    with Archive(url, readonly=True) as opened, opened.session() as session:
        hits = search.search(session, "giao thong", filters.Filters(), limit=5)
        assert [hit["id"] for hit in hits] == [ids["hatang"]]
        hits = search.search(session, "dan", filters.Filters(), limit=10)
        # "dân"/"dẫn" in three titles, in bodies only elsewhere: the titles come first
        assert {hit["id"] for hit in hits[:3]} == {ids["cchc"], ids["script"], ids["kethon"]}
        assert len(hits) == 6
        scores = [hit["score"] for hit in hits]
        assert scores == sorted(scores)


def test_snippets_mark_the_words_in_the_real_text(archive: tuple[str, dict[str, int]]) -> None:
    url, _ = archive
    with Archive(url, readonly=True) as opened, opened.session() as session:
        (hit,) = search.search(session, "dang bo", filters.Filters())
    assert "«Đảng» «bộ»" in hit["snippet"]


def test_one_hit_per_story_counts_its_matching_copies(
    archive: tuple[str, dict[str, int]],
) -> None:
    url, ids = archive
    with Archive(url, readonly=True) as opened, opened.session() as session:
        (hit,) = search.search(session, "cai cach", filters.Filters())
    assert hit["copies"] == 2 and hit["id"] in (ids["cchc"], ids["copy"])


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"cải cách', "unbalanced quote"),
        ("OR phường", "OR must stand between"),
        ("phường OR", "OR must stand between"),
        ("-phường", "at least one word that is not excluded"),
        ("*", "'*' needs a word"),
        ("ph*ng", "'*' may only end a word"),
        ('""', "empty phrase"),
        ("   ", "empty"),
        ("!!! ???", "no word to search for"),
    ],
)
def test_malformed_queries_say_what_is_wrong(query: str, message: str) -> None:
    with pytest.raises(search.QueryError, match=message):
        search.plan(search.parse(query))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["search", '"cải cách'], "unbalanced quote"),
        (["search", "x", "--site", "nowhere"], "no site 'nowhere'"),
        (["search", "x", "--since", "2025-13-01"], "--since '2025-13-01' is not a date"),
        (["search", "x", "--until", "yesterday"], "is not a date"),
        (["search", "x", "--since", "2025", "--until", "2024"], "is after --until"),
        (["search", "x", "--province", "Atlantis"], "no site of province 'Atlantis'"),
        (["search", "x", "--unit", "Phường Không Có"], "no unit 'Phường Không Có'"),
        (["search", "x", "--unit", "Xã Bình Minh"], "ambiguous"),
        (["export", "--format", "parquet"], "give -o FILE"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(
    archive: tuple[str, dict[str, int]],
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([*argv, "--archive", archive[0]], out=io.StringIO()) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: ") and message in error and error.count("\n") == 1


def test_search_formats(archive: tuple[str, dict[str, int]]) -> None:
    out = io.StringIO()
    assert main(["search", "tan hung", "--archive", archive[0], "--format", "csv"], out=out) == 0
    header, row, *rest = out.getvalue().splitlines()
    assert header.startswith("id,published_at,site") and "Tân Hưng" in row and not rest
    out = io.StringIO()
    main(["search", "ho so", "--archive", archive[0], "--format", "json", "--sort", "newest"], out)
    dates = [hit["published_at"] for hit in json.loads(out.getvalue())]
    assert dates == sorted(dates, reverse=True) and len(dates) == 2


def _fresh(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    analysts.build(url)
    return url


def _found(url: str, query: str) -> set[str]:
    with Archive(url, readonly=True) as opened, opened.session() as session:
        return {hit["url"] for hit in search.search(session, query, filters.Filters())}


def test_the_indexes_follow_updates_and_deletes(tmp_path: Path) -> None:
    url = _fresh(tmp_path)
    changed = Article(
        url=analysts.url("hanoi"),
        title="Đoàn công tác thăm Đà Nẵng",
        body="Đoàn cán bộ đến Đà Nẵng học tập kinh nghiệm.",
        extractor_version="test",
    )
    with Archive(url) as opened, opened.session() as session:
        site_id = store.site_id_for(session, "phamsumanh")
        assert store.store_article(session, site_id, changed, None, analysts.NOW).outcome == (
            "updated"
        )
    assert _found(url, "ha noi") == set() and _found(url, "Hà Nội") == set()
    assert _found(url, "da nang") == {analysts.url("hanoi")} == _found(url, "Đà Nẵng")
    with Archive(url) as opened, opened.session() as session:
        session.execute(store.delete(store.models.ArticleImage))
        session.execute(
            store.delete(store.models.Article).where(
                store.models.Article.url == analysts.url("tanhung")
            )
        )
    assert _found(url, "tan hung") == set()
    with Archive(url) as opened, opened.engine.connect() as connection:
        check = "INSERT INTO articles_fts_exact(articles_fts_exact) VALUES ('integrity-check')"
        connection.exec_driver_sql(check)  # raises if the index and the table disagree


def test_a_plain_sqlite3_client_can_write_articles(tmp_path: Path) -> None:
    """The triggers use built-in SQL only: no wardnews function needs to be registered."""
    url = _fresh(tmp_path)
    connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    with connection:
        connection.execute(
            "INSERT INTO articles (site_id, url, title, body, first_seen_at, last_seen_at,"
            " fetched_at, content_hash, extractor_version, cluster_id)"
            " VALUES (1, 'http://a.example/shell', 'Đường điện mới', 'Điện về bản.', ?, ?, ?,"
            " 'x', 'shell', 0)",
            (analysts.NOW,) * 3,
        )
        connection.execute("UPDATE articles SET cluster_id = id WHERE url LIKE '%/shell'")
    connection.close()
    assert _found(url, "duong dien") == {"http://a.example/shell"} == _found(url, "Điện")


def test_an_archive_from_before_0007_gets_its_index_filled(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine

    from archive.db import MIGRATIONS_DIR

    path = tmp_path / "old.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
        connection.exec_driver_sql(
            "INSERT INTO sites (slug, name, base_url, unit_name, unit_level, province,"
            " in_registry, added_at) VALUES ('tandan', 'Tân Dân', 'http://a.example/',"
            " 'Phường Tân Dân', 'ward', 'Thanh Hóa', 1, ?)",
            (analysts.NOW,),
        )
        connection.exec_driver_sql(
            "INSERT INTO articles (id, site_id, url, title, body, first_seen_at, last_seen_at,"
            " fetched_at, content_hash, extractor_version, cluster_id)"
            " VALUES (1, 1, 'http://a.example/1', 'Đại hội Đoàn', 'Đoàn viên dự đại hội.',"
            " ?, ?, ?, 'x', 'old', 1)",
            (analysts.NOW,) * 3,
        )
    engine.dispose()
    url = f"sqlite:///{path}"
    Archive(url).close()  # a writer migrates
    assert _found(url, "dai hoi doan") == {"http://a.example/1"} == _found(url, "Đoàn")
    with Archive(url, readonly=True) as opened, opened.engine.connect() as connection:
        tags = connection.exec_driver_sql(
            "SELECT unit_code, unit_status, current_unit_name FROM sites"
        ).one()
    assert tuple(tags) == ("16594", "current", "Phường Tân Dân")
