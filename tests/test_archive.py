"""The archive's write side: idempotent upserts, whole-or-nothing writes, versions."""

from __future__ import annotations

import dataclasses
import multiprocessing
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from archive import models, store
from archive.db import Archive, ArchiveError, head_revision, resolve_archive_url
from archive.records import Article, Image, RawPage, SiteInfo

NOW = "2026-11-22T10:00:00+07:00"
LATER = "2026-11-23T10:00:00+07:00"
SITE = SiteInfo(
    slug="tandan-nghison",
    name="Phường Tân Dân",
    base_url="http://127.0.0.1:8000/",
    platform="tandan",
    unit_name="Phường Tân Dân",
    unit_level="ward",
    province="Thanh Hóa",
)


def _article(**changes: object) -> Article:
    article = Article(
        url="http://127.0.0.1:8000/portal/Pages/2024-2-23/a-dvv348x.aspx",
        title="Đẩy nhanh tiến độ xây dựng phường kiểu mẫu",
        body="Ngày 23/2, UBND thị xã tổ chức hội nghị.\n\nĐồng chí Mai Sỹ Lân chủ trì.",
        author="Hồ Hương",
        published_at="2024-02-23T00:00:00+07:00",
        published_precision="day",
        images=[Image("http://127.0.0.1:8000/a.jpg", "Toàn cảnh hội nghị")],
        extractor_version="test",
    )
    return dataclasses.replace(article, **changes)  # type: ignore[arg-type]


def _raw(body: bytes = b"<html>page</html>", url: str | None = None) -> RawPage:
    url = url or _article().url
    return RawPage(url, url, 200, {"content-type": "text/html"}, body, NOW)


def _count(archive: Archive, model: type[models.Base]) -> int:
    with archive.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _save(
    archive: Archive, article: Article, now: str = NOW, raw: RawPage | None = None
) -> store.StoredArticle:
    with archive.session() as session:
        site_id = store.upsert_site(session, SITE, now)
        raw_id = store.store_raw(session, raw or _raw(url=article.url), None)
        return store.store_article(session, site_id, article, raw_id, now)


@pytest.fixture
def archive(archive_url: str) -> Archive:
    opened = Archive(archive_url)
    yield opened
    opened.close()


def test_new_archive_is_migrated_with_wal_and_foreign_keys(archive: Archive) -> None:
    with archive.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
        revision = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert revision == head_revision()


def test_storing_the_same_article_twice_changes_nothing_but_last_seen(archive: Archive) -> None:
    first = _save(archive, _article())
    second = _save(archive, _article(), now=LATER)
    assert (first.outcome, second.outcome) == ("new", "unchanged")
    assert first.article_id == second.article_id
    assert _count(archive, models.Article) == 1
    assert _count(archive, models.ArticleImage) == 1
    assert _count(archive, models.ArticleVersion) == 0
    assert _count(archive, models.RawPage) == 1
    with archive.session() as session:
        row = session.get_one(models.Article, first.article_id)
        assert (row.first_seen_at, row.last_seen_at) == (NOW, LATER)


def test_changed_article_keeps_its_old_state_as_a_version(archive: Archive) -> None:
    first = _save(archive, _article())
    edited = _article(body="Ngày 23/2, UBND thị xã tổ chức hội nghị (đã sửa).", images=[])
    second = _save(archive, edited, now=LATER, raw=_raw(b"<html>edited</html>"))
    assert second.outcome == "updated"
    with archive.session() as session:
        row = session.get_one(models.Article, first.article_id)
        assert row.body == edited.body
        assert row.content_hash == edited.content_hash
        (version,) = session.scalars(select(models.ArticleVersion)).all()
        assert version.body == _article().body
        assert version.content_hash == _article().content_hash
        assert (
            version.images_json
            == '[{"url": "http://127.0.0.1:8000/a.jpg", "caption": "Toàn cảnh hội nghị"}]'
        )
        assert (version.fetched_at, version.replaced_at) == (NOW, LATER)
    assert _count(archive, models.ArticleImage) == 0
    assert _count(archive, models.RawPage) == 2


def test_a_failed_write_leaves_nothing_behind(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_images(*_args: object) -> None:
        raise OperationalError("INSERT INTO article_images", {}, Exception("disk I/O error"))

    monkeypatch.setattr(store, "_write_images", broken_images)
    with pytest.raises(OperationalError):
        _save(archive, _article())
    for model in (models.Site, models.Article, models.RawPage, models.ArticleImage):
        assert _count(archive, model) == 0, model.__tablename__


def test_identical_text_at_another_url_is_marked_duplicate(archive: Archive) -> None:
    original = _save(archive, _article())
    copy = _save(archive, _article(url="http://127.0.0.1:8000/portal/Pages/print.aspx?id=1"))
    assert copy.outcome == "new"
    assert copy.duplicate_of == original.article_id
    third = _save(archive, _article(url="http://127.0.0.1:8000/savefile/a.html"))
    assert third.duplicate_of == original.article_id


def test_site_upsert_keeps_a_detected_platform(archive: Archive) -> None:
    with archive.session() as session:
        first = store.upsert_site(session, SITE, NOW)
        again = store.upsert_site(session, dataclasses.replace(SITE, platform=None), LATER)
        assert first == again
        assert session.get_one(models.Site, first).platform == "tandan"


def test_raw_pages_round_trip_and_are_stored_once(archive: Archive) -> None:
    body = "<html><p>Phường Tân Dân</p></html>".encode() * 50
    with archive.session() as session:
        first = store.store_raw(session, _raw(body), None)
        second = store.store_raw(session, _raw(body), None)
        assert first == second
        loaded = store.load_raw(session, first)
    assert loaded.body == body
    assert loaded.headers == {"content-type": "text/html"}


def test_readonly_archive_refuses_writes(archive: Archive, archive_url: str) -> None:
    _save(archive, _article())
    reader = Archive(archive_url, readonly=True)
    try:
        with pytest.raises(OperationalError), reader.session() as session:
            session.execute(text("DELETE FROM articles"))
    finally:
        reader.close()
    assert _count(archive, models.Article) == 1


def test_missing_archive_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="no archive at"):
        Archive(str(tmp_path / "missing.sqlite3"), readonly=True)


def test_archive_url_resolution(tmp_path: Path) -> None:
    assert resolve_archive_url(None, env={}) == "sqlite:///data/archive.sqlite3"
    assert resolve_archive_url(None, env={"ARCHIVE_URL": "sqlite:////x.db"}) == "sqlite:////x.db"
    assert resolve_archive_url(str(tmp_path / "a.db"), env={}) == f"sqlite:///{tmp_path / 'a.db'}"
    with pytest.raises(ArchiveError, match="not a valid archive URL"):
        resolve_archive_url("://no-scheme", env={})
    with pytest.raises(ArchiveError, match="cannot use archive URL"):
        Archive("nosuchdialect://host/db")


def _open_in_process(url: str) -> None:
    Archive(url).close()


def test_two_processes_migrating_at_once_both_succeed(archive_path: Path, archive_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_open_in_process, args=(archive_url,)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0, 0]
    connection = sqlite3.connect(archive_path)
    try:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head_revision(),)
        ]
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        connection.close()
