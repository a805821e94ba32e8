"""Running unattended: the lock, exit statuses, SIGTERM, SIGKILL at random moments, cron.

Every test runs the real `scrapy crawl wards` in a subprocess against loopback sites.
"""

from __future__ import annotations

import dataclasses
import os
import pty
import random
import re
import shlex
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from spiders.platforms import profile
from spiders.urls import canonical_url
from tests.conftest import ROOT, crawl_command, run_crawl
from tests.siteserver import FixtureSite, ServedSite, SiteFarm, load_sites

pytestmark = pytest.mark.slow

# Three families with enough pages that a kill lands mid-crawl: 16 articles in all.
SLUGS = ("tandan-nghison", "wordpress-phuong-x", "nukeviet-sonlinh")
KILLS = 10


def _sites() -> list[FixtureSite]:
    return [site for site in load_sites() if site.slug in SLUGS]


@pytest.fixture
def slow_farm() -> Iterator[SiteFarm]:
    """The three sites, each answer taking 50 ms: a crawl lasts a few seconds."""
    with SiteFarm(_sites(), delay=0.05) as farm:
        yield farm


def _registry(farm: SiteFarm, folder: Path) -> Path:
    path = folder / "sites.toml"
    path.write_text(farm.registry_toml(), "utf-8")
    return path


def _query(path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def _expected_urls(farm: SiteFarm) -> set[str]:
    urls = set()
    for served in farm:
        family = profile(served.site.platform)
        for page in served.site.of_kind("article"):
            urls.add(
                family.canonical(canonical_url(served.origin + page.expected(served.origin)["url"]))
            )
    return urls


def _start(command: list[str], **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs
    )


def _wait_for(condition: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def _check_sound(path: Path) -> None:
    """What a kill must never leave: a damaged file, a half article, a copy stored twice."""
    assert _query(path, "PRAGMA integrity_check") == [("ok",)]
    assert _query(path, "PRAGMA foreign_key_check") == []
    assert _query(path, "SELECT url FROM articles GROUP BY url HAVING count(*) > 1") == []
    half = _query(
        path,
        "SELECT a.url FROM articles a LEFT JOIN raw_pages r ON r.id = a.raw_page_id "
        "WHERE r.id IS NULL OR a.title = '' OR a.body = '' OR a.cluster_id IS NULL",
    )
    assert half == []


def test_a_second_run_exits_at_once_while_the_first_holds_the_lock(
    slow_farm: SiteFarm, archive_path: Path, archive_url: str, tmp_path: Path
) -> None:
    registry = _registry(slow_farm, tmp_path)
    first = _start(crawl_command(archive_url=archive_url, registry=registry))
    lock = archive_path.with_name(archive_path.name + ".lock")
    _wait_for(lambda: lock.exists() and f"pid {first.pid}" in lock.read_text())
    second = run_crawl(archive_url=archive_url, registry=registry, timeout=60)
    assert first.poll() is None, "the first run should still be crawling"
    assert second.returncode == 4
    assert "another crawl is running" in second.stderr and f"pid {first.pid}" in second.stderr
    first.communicate(timeout=120)
    assert first.returncode == 0
    assert _query(archive_path, "SELECT count(*) FROM crawl_runs") == [(1,)]
    # The lock goes with the process: the next run is not blocked.
    assert run_crawl(archive_url=archive_url, registry=registry).returncode == 0


def test_sigterm_stores_what_is_in_flight_and_records_an_interrupted_run(
    slow_farm: SiteFarm, archive_path: Path, archive_url: str, tmp_path: Path
) -> None:
    registry = _registry(slow_farm, tmp_path)
    run = _start(crawl_command(archive_url=archive_url, registry=registry))

    def articles_requested() -> list[tuple[ServedSite, str]]:
        return [
            (served, line)
            for served in slow_farm
            for line in list(served.requests)
            if served.kind_of(line) == "article"
        ]

    _wait_for(lambda: len(articles_requested()) >= 3)
    run.send_signal(signal.SIGTERM)
    out, _ = run.communicate(timeout=60)
    assert run.returncode == 3
    assert re.search(r"wardnews run 1 interrupted: 3 sites", out), out
    ((status, finished, reason),) = _query(
        archive_path, "SELECT status, finished_at, finish_reason FROM crawl_runs"
    )
    assert (status, reason) == ("interrupted", "shutdown") and finished
    # Every article page the sites sent before the crawl stopped is in the archive.
    stored = {url for (url,) in _query(archive_path, "SELECT url FROM articles")}
    stored |= {url for (url,) in _query(archive_path, "SELECT alias FROM url_aliases")}
    requested = articles_requested()
    assert requested
    for served, line in requested:
        path = line.split(" ", 1)[1]
        assert (
            profile(served.site.platform).canonical(canonical_url(served.origin + path)) in stored
        )
    assert len(stored) < len(_expected_urls(slow_farm)), "the run should have been cut short"
    _check_sound(archive_path)
    # The next run walks on past what is known and completes the archive.
    done = run_crawl(archive_url=archive_url, registry=registry)
    assert done.returncode == 0, done.log[-3000:]
    assert {url for (url,) in _query(archive_path, "SELECT url FROM articles")} == _expected_urls(
        slow_farm
    )


def _article_rows(path: Path) -> set[tuple[Any, ...]]:
    return set(
        _query(
            path,
            "SELECT url, title, body, author, published_at, summary, "
            "(SELECT count(*) FROM article_images i WHERE i.article_id = a.id) FROM articles a",
        )
    )


def test_sigkill_at_random_moments_loses_nothing_and_stores_nothing_twice(
    slow_farm: SiteFarm, archive_path: Path, archive_url: str, tmp_path: Path
) -> None:
    registry = _registry(slow_farm, tmp_path)
    clean = tmp_path / "clean" / "archive.sqlite3"
    first = run_crawl(archive_url=f"sqlite:///{clean}", registry=registry)
    assert first.returncode == 0, first.log[-3000:]
    rng = random.Random(20261122)
    # From interpreter start-up (schema creation) to the last stores and the run's close.
    moments = sorted(rng.uniform(0.2, 4.0) for _ in range(KILLS))
    rng.shuffle(moments)
    stored_before = 0
    for moment in moments:
        run = _start(crawl_command(archive_url=archive_url, registry=registry))
        time.sleep(moment)
        run.kill()
        run.communicate(timeout=30)
        if archive_path.exists() and _query(
            archive_path, "SELECT name FROM sqlite_master WHERE name = 'articles'"
        ):
            _check_sound(archive_path)
            stored = _query(archive_path, "SELECT count(*) FROM articles")[0][0]
            assert stored >= stored_before, "a kill must never lose an article"
            stored_before = stored
    done = run_crawl(archive_url=archive_url, registry=registry)
    assert done.returncode == 0, done.log[-3000:]
    _check_sound(archive_path)
    # Exactly what one uninterrupted crawl stores, cleaned the same way.
    assert _article_rows(archive_path) == _article_rows(clean)
    statuses = [status for (status,) in _query(archive_path, "SELECT status FROM crawl_runs")]
    assert statuses[-1] == "ok"
    assert set(statuses[:-1]) <= {"killed", "ok"} and "running" not in statuses


def _broken_articles(site: FixtureSite) -> FixtureSite:
    pages = [
        dataclasses.replace(page, status=500) if page.kind == "article" else page
        for page in site.pages
    ]
    return dataclasses.replace(site, pages=pages)


def test_a_run_whose_pages_mostly_fail_exits_1(archive_path: Path, archive_url: str) -> None:
    site = _broken_articles(next(s for s in _sites() if s.slug == "tandan-nghison"))
    with SiteFarm([site]) as farm:
        served = next(iter(farm))
        done = run_crawl(f"url={served.start_url}", archive_url=archive_url)
    assert done.returncode == 1, done.log[-3000:]
    assert _query(archive_path, "SELECT status FROM crawl_runs") == [("failed",)]
    ((status, errors, stored),) = _query(
        archive_path,
        "SELECT status, errors, articles_new + articles_updated + articles_unchanged"
        " FROM crawl_run_sites",
    )
    assert (status, stored) == ("failed", 0) and errors == len(site.of_kind("article"))
    assert "wardnews run 1 failed" in done.stdout
    # Every failed page is recorded with its reason.
    assert _query(archive_path, "SELECT DISTINCT reason FROM failures") == [("HTTP 500",)]


def test_one_article_url_is_fetched_again_and_updated(
    farm: SiteFarm, archive_path: Path, archive_url: str
) -> None:
    served = farm.by_slug("wordpress-phuong-x")
    assert run_crawl(f"url={served.start_url}", archive_url=archive_url).returncode == 0
    page = served.site.of_kind("article")[0]
    url = profile(served.site.platform).canonical(
        canonical_url(served.origin + page.expected(served.origin)["url"])
    )
    connection = sqlite3.connect(archive_path)
    with connection:
        connection.execute(
            "UPDATE articles SET body = 'sửa tay', content_hash = 'x' WHERE url = ?", (url,)
        )
    connection.close()
    before = len(served.requests)
    done = run_crawl(f"url={served.origin}{page.url}", archive_url=archive_url)
    assert done.returncode == 0, done.log[-3000:]
    fetched = [line for line in served.requests[before:] if not line.endswith("/robots.txt")]
    assert fetched == [f"GET {page.url}"]
    ((body,),) = _query(archive_path, "SELECT body FROM articles WHERE url = ?", url)
    assert body == page.expected(served.origin)["body"]
    assert _query(
        archive_path,
        "SELECT v.body FROM article_versions v JOIN articles a ON a.id = v.article_id "
        "WHERE a.url = ?",
        url,
    ) == [("sửa tay",)]


def test_without_a_terminal_a_run_prints_one_summary_line_and_logs_to_its_file(
    farm: SiteFarm, archive_path: Path, archive_url: str
) -> None:
    served = farm.by_slug("nukeviet-sonlinh")
    done = run_crawl(f"url={served.start_url}", archive_url=archive_url)
    assert done.returncode == 0
    assert done.stderr == ""
    (line,) = done.stdout.splitlines()
    assert re.fullmatch(
        r"wardnews run 1 ok: 1 sites \(1 ok\), \d+ pages, 5 new, 0 updated, 0 unchanged,"
        r" 0 errors; log .*/logs/crawl-\d{8}-\d{6}-\d+\.log",
        line,
    )
    assert "Spider closed (finished)" in done.log and line in done.log


def test_in_a_terminal_a_progress_line_and_a_site_table(farm: SiteFarm, archive_url: str) -> None:
    served = farm.by_slug("nukeviet-sonlinh")
    controller, terminal = pty.openpty()
    run = subprocess.Popen(
        crawl_command(f"url={served.start_url}", archive_url=archive_url),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=terminal,
        text=True,
    )
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    out, _ = run.communicate(timeout=120)
    assert run.returncode == 0 and out.startswith("wardnews run 1 ok")
    os.close(controller)
    text = shown.decode("utf-8", "replace")
    assert re.search(
        r"pages \d+  articles 5 new / 0 updated / 0 unchanged  errors 0  sites 1/1 done", text
    )
    assert re.search(r"site\s+status\s+pages\s+new\s+updated\s+unchanged\s+errors", text)
    assert re.search(r"127.0.0.1-\d+\s+ok\s+\d+\s+5\s+0\s+0\s+0", text)  # a site by URL


def _cron_line() -> str:
    readme = (ROOT / "README.md").read_text("utf-8")
    block = re.search(r"```cron\n(.+?)```", readme, re.S)
    assert block, "README has a ```cron block"
    (line,) = [row for row in block.group(1).splitlines() if row and not row.startswith("#")]
    return line


def test_the_readme_crontab_line_works_as_written(tmp_path: Path) -> None:
    """Its command part, run by sh as cron would, in a copy of the install folder's layout;
    the environment names the archive and registry as a cron MAILTO-style setup would."""
    fields = _cron_line().split(None, 5)
    assert len(fields) == 6 and all(re.fullmatch(r"[\d*/,-]+", f) for f in fields[:5])
    command = fields[5]
    assert "%" not in command.replace("\\%", ""), "cron turns a bare % into a newline"
    assert command.startswith("cd /srv/wardnews && ")
    # Production delays stay on: a registry entry that is one article keeps it short.
    site = next(s for s in _sites() if s.slug == "wordpress-phuong-x")
    article = site.of_kind("article")[0]
    small = dataclasses.replace(site, meta={**site.meta, "start": article.url}, pages=[article])
    with SiteFarm([small]) as farm:
        registry = _registry(farm, tmp_path)
        env = {
            "PATH": "/usr/bin:/bin",  # cron's
            "HOME": str(tmp_path),
            "ARCHIVE_URL": f"sqlite:///{tmp_path / 'archive.sqlite3'}",
            "WARDNEWS_REGISTRY": str(registry),
            "WARDNEWS_LOG_DIR": str(tmp_path / "logs"),
        }
        done = subprocess.run(
            ["/bin/sh", "-c", command.replace("/srv/wardnews", shlex.quote(str(ROOT)))],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    assert done.returncode == 0, done.stderr + done.stdout
    assert re.match(r"wardnews run 1 ok: 1 sites \(1 ok\)", done.stdout), done.stdout
    assert list((tmp_path / "logs").glob("crawl-*.log"))
