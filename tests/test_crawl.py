"""End to end: `scrapy crawl wards` in a subprocess against the loopback fixture sites."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from spiders.platforms import profile
from spiders.urls import canonical_url
from tests.conftest import run_crawl
from tests.siteserver import FixtureSite, ServedSite, SiteFarm, load_sites

pytestmark = pytest.mark.slow


def _rows(path: Path, query: str, *params: Any) -> list[sqlite3.Row]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        return connection.execute(query, params).fetchall()
    finally:
        connection.close()


def _expected_articles(served: ServedSite) -> dict[str, dict[str, Any]]:
    """Expected JSON of every article page, by the URL the archive must hold (each article once)."""
    family = profile(served.site.platform)
    found: dict[str, dict[str, Any]] = {}
    for page in served.site.of_kind("article"):
        expected = page.expected(served.origin)
        found[family.canonical(canonical_url(served.origin + expected["url"]))] = expected
    return found


@pytest.mark.parametrize("site", load_sites(), ids=lambda site: site.slug)
def test_crawl_by_url_stores_every_article_once_then_a_second_run_fetches_no_article(
    site: FixtureSite, farm: SiteFarm, archive_path: Path, archive_url: str
) -> None:
    """One site, crawled twice by URL: everything once, robots.txt obeyed, then incremental."""
    served = farm.by_slug(site.slug)
    start = len(served.requests)
    done = run_crawl(f"url={served.start_url}", archive_url=archive_url)
    assert done.returncode == 0, done.log[-3000:]
    _check_first_run(served, archive_path)
    _check_robots(served, served.requests[start:])
    _check_second_run(served, archive_path, archive_url)


def _check_first_run(served: ServedSite, archive_path: Path) -> None:
    expected = _expected_articles(served)
    rows = {row["url"]: row for row in _rows(archive_path, "SELECT * FROM articles")}
    assert set(rows) == set(expected)
    for url, wanted in expected.items():
        row = rows[url]
        assert row["title"] == wanted["title"]
        assert row["body"] == wanted["body"]
        assert row["published_at"] == wanted["published_at"]
        assert row["published_precision"] == wanted["published_precision"]
        assert row["author"] == wanted["author"]
        assert row["content_hash"] and row["extractor_version"]
        images = _rows(
            archive_path,
            "SELECT url, caption FROM article_images WHERE article_id = ? ORDER BY position",
            row["id"],
        )
        assert [image["caption"] for image in images] == [i["caption"] for i in wanted["images"]]

    (site_row,) = _rows(archive_path, "SELECT * FROM sites")
    assert site_row["platform"] == served.site.platform
    assert site_row["in_registry"] == 0
    (run,) = _rows(archive_path, "SELECT * FROM crawl_runs")
    assert (run["status"], run["articles_new"], run["errors"]) == ("ok", len(expected), 0)
    assert json.loads(run["args"]) == {"url": served.start_url}
    # Every article keeps the response it came from (dead links keep theirs in failures).
    kept = "SELECT count(*) AS n FROM articles a JOIN raw_pages r ON r.id = a.raw_page_id"
    assert _rows(archive_path, kept)[0]["n"] == len(expected)


def _check_robots(served: ServedSite, requests: list[str]) -> None:
    disallowed = [
        line.split(":", 1)[1].strip()
        for line in str(served.site.meta.get("robots", "")).splitlines()
        if line.lower().startswith("disallow:") and line.split(":", 1)[1].strip()
    ]
    requested = [line.split(" ", 1)[1] for line in requests]
    assert "/robots.txt" in requested
    for prefix in disallowed:
        assert not [path for path in requested if path.startswith(prefix)], prefix


_PAGE_NUMBER = re.compile(
    r"(?i)([?&](?:pageindex|page|paged|p|trang|start|[\w.]*_(?:cur|page))=\d+|/(?:page|trang)[/-]\d+)"
)


def _list_identity(request_line: str) -> str:
    """The list a list-page request belongs to: its URL without the page number."""
    return _PAGE_NUMBER.sub("", request_line.split(" ", 1)[1])


def _check_second_run(served: ServedSite, archive_path: Path, archive_url: str) -> None:
    counts = "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM article_images),"
    counts += " (SELECT count(*) FROM raw_pages), (SELECT count(*) FROM article_versions)"
    before = tuple(_rows(archive_path, counts)[0])
    start = len(served.requests)
    second = run_crawl(f"url={served.start_url}", archive_url=archive_url)
    assert second.returncode == 0, second.log[-3000:]
    requested = served.requests[start:]
    kinds = [served.kind_of(line) for line in requested]
    per_list: dict[str, int] = {}
    for line, kind in zip(requested, kinds, strict=True):
        if kind in ("list", "feed"):
            per_list[_list_identity(line)] = per_list.get(_list_identity(line), 0) + 1
    print(f"{served.site.slug}: second run made {len(requested)} requests: {dict(Counter(kinds))}")
    assert tuple(_rows(archive_path, counts)[0]) == before
    last = _rows(archive_path, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    assert (last["status"], last["articles_new"], last["articles_updated"]) == ("ok", 0, 0)
    assert "article" not in kinds and "copy" not in kinds
    assert per_list and max(per_list.values()) <= 2, per_list


def test_registry_sites_by_slug(
    farm: SiteFarm, tmp_path: Path, archive_path: Path, archive_url: str
) -> None:
    registry = tmp_path / "sites.toml"
    registry.write_text(farm.registry_toml(), "utf-8")
    served = next(iter(farm))
    done = run_crawl(f"site={served.site.slug}", archive_url=archive_url, registry=registry)
    assert done.returncode == 0, done.log[-3000:]
    (site_row,) = _rows(archive_path, "SELECT * FROM sites")
    meta = served.site.meta
    assert (
        site_row["slug"],
        site_row["unit_name"],
        site_row["unit_level"],
        site_row["province"],
    ) == (
        meta["slug"],
        meta["unit_name"],
        meta["unit_level"],
        meta["province"],
    )
    assert site_row["in_registry"] == 1
    count = _rows(
        archive_path, "SELECT count(*) AS n FROM articles WHERE site_id = ?", site_row["id"]
    )
    assert count[0]["n"] == len(_expected_articles(served))


def test_one_article_url_is_fetched_alone(
    farm: SiteFarm, archive_path: Path, archive_url: str
) -> None:
    served = next(iter(farm))
    page = served.site.of_kind("article")[0]
    before = len(served.requests)
    done = run_crawl(f"url={served.origin}{page.url}", archive_url=archive_url)
    assert done.returncode == 0, done.log[-3000:]
    assert [row["title"] for row in _rows(archive_path, "SELECT title FROM articles")] == [
        page.expected(served.origin)["title"]
    ]
    fetched = [line for line in served.requests[before:] if not line.endswith("/robots.txt")]
    assert len(fetched) == 1


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("site=no-such-site", "unknown site no-such-site"),
        ("since=2024-13-01", "is not a date"),
        ("until=yesterday", "is not a date"),
        ("full=maybe", "use 1 or 0"),
        ("sitez=x", "unknown argument -a sitez"),
        ("url=ftp://example.org/", "not an absolute http(s) URL"),
    ],
)
def test_bad_argument_is_one_clear_line(argument: str, message: str, archive_url: str) -> None:
    done = run_crawl(argument, archive_url=archive_url, timeout=60)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_unwritable_archive_fails_clearly(farm: SiteFarm, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    served = next(iter(farm))
    before = len(served.requests)
    done = run_crawl(f"url={served.start_url}", archive_url=f"sqlite:///{blocker}/archive.sqlite3")
    assert done.returncode == 1
    assert "error: cannot" in done.stderr and str(blocker) in done.stderr
    assert "Traceback" not in done.stderr
    # Nothing is fetched when nothing could be stored.
    assert served.requests[before:] == []


def test_unreachable_site_is_a_failed_run(archive_path: Path, archive_url: str) -> None:
    # Port 9 on loopback: nothing listens there, the connection is refused at once.
    done = run_crawl("url=http://127.0.0.1:9/portal/Pages/Trang-chu.aspx", archive_url=archive_url)
    assert done.returncode == 1
    (run,) = _rows(archive_path, "SELECT * FROM crawl_runs")
    assert run["status"] == "failed"
    failures = _rows(archive_path, "SELECT stage, reason FROM failures")
    assert [failure["stage"] for failure in failures] == ["fetch"]
    assert "Connection" in failures[0]["reason"] or "refused" in failures[0]["reason"]


def _article_paths(served: ServedSite, lines: list[str]) -> set[str]:
    return {line.split(" ", 1)[1] for line in lines if served.kind_of(line) == "article"}


def test_full_rewalks_every_article(farm: SiteFarm, archive_path: Path, archive_url: str) -> None:
    served = farm.by_slug("tandan-nghison")
    assert run_crawl(f"url={served.start_url}", archive_url=archive_url).returncode == 0
    start = len(served.requests)
    done = run_crawl(f"url={served.start_url}", "full=1", archive_url=archive_url)
    assert done.returncode == 0, done.log[-3000:]
    expected = _expected_articles(served)
    assert len(_article_paths(served, served.requests[start:])) == len(expected)
    last = _rows(archive_path, "SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1")[0]
    assert (last["articles_new"], last["articles_unchanged"]) == (0, len(expected))
    assert json.loads(last["args"]) == {"url": served.start_url, "full": "1"}


def test_since_recrawls_only_the_date_window(
    farm: SiteFarm, archive_path: Path, archive_url: str
) -> None:
    served = farm.by_slug("tandan-nghison")
    assert run_crawl(f"url={served.start_url}", archive_url=archive_url).returncode == 0
    start = len(served.requests)
    done = run_crawl(f"url={served.start_url}", "since=2024-01-01", archive_url=archive_url)
    assert done.returncode == 0, done.log[-3000:]
    window = {
        page.url.lower()  # SharePoint paths are case-insensitive; the crawler asks in lower case
        for page in served.site.of_kind("article")
        if page.expected(served.origin)["published_at"] >= "2024-01-01"
    }
    fetched = {path.lower() for path in _article_paths(served, served.requests[start:])}
    assert window and fetched == window


def test_traps_are_never_requested(farm: SiteFarm, archive_url: str) -> None:
    served = farm.by_slug("generic-drupal")
    start = len(served.requests)
    assert run_crawl(f"url={served.start_url}", archive_url=archive_url).returncode == 0
    requested = [line.split(" ", 1)[1] for line in served.requests[start:]]
    for trap in ("lich-cong-tac", "jsessionid", "/search", "/user/login"):
        assert not [path for path in requested if trap in path], trap
