"""Maintainer commands on a crawled archive: offline re-parse, and site health."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from spiders.platforms import profile
from spiders.urls import canonical_url
from tests.conftest import ROOT, run_crawl
from tests.siteserver import FixtureSite, Page, SiteFarm, load_sites

pytestmark = pytest.mark.slow

SLUG = "wordpress-phuong-x"
# Every proxy variable points at a closed loopback port: any fetch would fail at once.
DEAD_PROXY = "http://127.0.0.1:9"


def _site() -> FixtureSite:
    return next(site for site in load_sites() if site.slug == SLUG)


def _archive_cli(*arguments: str, archive: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARCHIVE_URL": f"sqlite:///{archive}"}
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env[name] = DEAD_PROXY
    return subprocess.run(
        [sys.executable, "-m", "archive", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _crawl(site: FixtureSite, archive: Path, folder: Path, *arguments: str) -> Any:
    with SiteFarm([site]) as farm:
        registry = folder / "sites.toml"
        registry.write_text(farm.registry_toml(), "utf-8")
        served = next(iter(farm))
        done = run_crawl(*arguments, archive_url=f"sqlite:///{archive}", registry=registry)
        expected = {
            profile(site.platform).canonical(
                canonical_url(served.origin + page.expected(served.origin)["url"])
            ): page.expected(served.origin)
            for page in site.of_kind("article")
        }
    return done, expected


def _rows(archive: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(archive)
    try:
        with connection:
            return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def test_reparse_rebuilds_articles_from_stored_pages_with_no_network(tmp_path: Path) -> None:
    archive = tmp_path / "archive.sqlite3"
    done, expected = _crawl(_site(), archive, tmp_path)
    assert done.returncode == 0, done.log[-3000:]
    # The sites are gone now; an older extractor's output is simulated on two articles.
    first, second = sorted(expected)[:2]
    _rows(
        archive,
        "UPDATE articles SET title = 'cũ', body = 'bản cũ', author = NULL, published_at = NULL,"
        " extractor_version = '2020.1' WHERE url = ?",
        first,
    )
    # A page once recorded as "not an article" (its article row removed).
    ((article_id, raw_id),) = _rows(
        archive, "SELECT id, raw_page_id FROM articles WHERE url = ?", second
    )
    for table in ("lsh_keys", "article_images", "url_aliases", "article_versions"):
        _rows(archive, f"DELETE FROM {table} WHERE article_id = ?", article_id)
    _rows(archive, "DELETE FROM articles WHERE id = ?", article_id)
    _rows(
        archive,
        "INSERT INTO failures (url, stage, reason, raw_page_id, site_id, occurred_at)"
        " SELECT ?, 'extract', 'article body is empty', ?, id, '2026-11-22T10:00:00+07:00'"
        " FROM sites",
        second,
        raw_id,
    )

    again = _archive_cli("reparse", "--site", SLUG, archive=archive)
    assert again.returncode == 0, again.stderr
    assert re.search(
        r"re-parsed \d+ articles with extractor \S+: 1 changed "
        r"\(1 titles, 1 bodies, 1 dates, 1 authors\); 0 could not be read .*; "
        r"1 pages once not an article now are",
        again.stdout,
    ), again.stdout
    for url in (first, second):
        ((title, body, author, published, version),) = _rows(
            archive,
            "SELECT title, body, author, published_at, extractor_version FROM articles"
            " WHERE url = ?",
            url,
        )
        wanted = expected[url]
        assert (title, body, author) == (wanted["title"], wanted["body"], wanted["author"])
        assert published == wanted["published_at"] and version != "2020.1"
    # The old values are kept as a version.
    assert _rows(
        archive,
        "SELECT v.title, v.body, v.extractor_version FROM article_versions v"
        " JOIN articles a ON a.id = v.article_id WHERE a.url = ?",
        first,
    ) == [("cũ", "bản cũ", "2020.1")]
    # Running it again changes nothing.
    repeat = _archive_cli("reparse", archive=archive)
    assert "0 changed" in repeat.stdout and "0 pages once not an article" in repeat.stdout


@pytest.mark.parametrize(
    ("arguments", "message", "status"),
    [
        (("reparse", "--site", "no-such-site"), "no site 'no-such-site'", 1),
        (("reparse", "--since", "2025-13-01"), "is not a date", 2),
        (("health", "--as-of", "hôm qua"), "is not a date", 2),
    ],
)
def test_bad_maintenance_arguments(
    arguments: tuple[str, ...], message: str, status: int, tmp_path: Path
) -> None:
    archive = tmp_path / "archive.sqlite3"
    _archive_cli("migrate", archive=archive)
    done = _archive_cli(*arguments, archive=archive)
    assert done.returncode == status
    assert message in done.stderr and "Traceback" not in done.stderr


def _changed(site: FixtureSite, folder: Path, kind: str, html: str) -> FixtureSite:
    """The same site after a redesign: every page of `kind` now serves `html`."""
    pages: list[Page] = []
    for page in site.pages:
        if page.kind == kind:
            new_file = folder / f"changed-{len(pages)}.html"
            new_file.write_text(html, "utf-8")
            page = dataclasses.replace(page, file=new_file)
        pages.append(page)
    return dataclasses.replace(site, pages=pages)


APP_SHELL = (
    "<!doctype html><html lang='vi'><head><meta charset='utf-8'><title>Phường Hòa Cường</title>"
    "</head><body><div id='app'></div><script src='/static/app.7f3c.js'></script></body></html>"
)


def _health(archive: Path, as_of: str) -> tuple[int, dict[str, Any]]:
    done = _archive_cli("health", "--format", "json", "--as-of", as_of, archive=archive)
    assert "Traceback" not in done.stderr
    (site,) = json.loads(done.stdout)
    return done.returncode, site


@pytest.mark.parametrize(
    ("kind", "flag"),
    [
        ("article", "broken: its last run failed"),  # article pages became a JS app shell
        ("list", "broken: its lists show no article links any more"),
    ],
)
def test_health_flags_a_site_whose_layout_changed(kind: str, flag: str, tmp_path: Path) -> None:
    archive = tmp_path / "archive.sqlite3"
    site = _site()
    done, expected = _crawl(site, archive, tmp_path)
    assert done.returncode == 0
    newest = max(page["published_at"] for page in expected.values())[:10]
    status, healthy = _health(archive, newest)
    assert status == 0 and healthy["flags"] == [] and healthy["last_ok"]
    assert healthy["empty_share"] == 0 and healthy["undated_share"] == 0

    redesigned = _changed(site, tmp_path, kind, APP_SHELL)
    if kind == "list":  # the home page lists the news too: it changed with the lists
        redesigned = _changed(redesigned, tmp_path, "home", APP_SHELL)
    _crawl(redesigned, archive, tmp_path, "full=1")
    status, broken = _health(archive, newest)
    assert status == 3
    assert flag in broken["flags"] and broken["broken"]
    if kind == "article":  # every redesigned page is a recorded failure, with its reason
        ((reason, count),) = broken["error_reasons"].items()
        assert reason.startswith("no article body") and count == len(expected)
    table = _archive_cli("health", "--as-of", newest, archive=archive)
    assert table.returncode == 3 and flag in table.stdout
