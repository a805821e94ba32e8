"""Scrapy item pipelines: thin adapters around extraction and the archive.

ExtractPipeline turns a fetched page into an Article (or a failure reason);
ArchivePipeline writes page, article and run figures in one transaction each.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from typing import Any

from scrapy import signals
from sqlalchemy.exc import SQLAlchemyError

from archive.db import Archive, ArchiveError
from archive.records import SiteInfo, iso, now_vn
from archive.store import (
    GONE_STATUSES,
    article_id_for,
    finish_run,
    record_failure,
    save_learned,
    site_id_for,
    start_run,
    store_aliases,
    store_article,
    store_raw,
    strip_lines,
    upsert_site,
)
from pipelines.extract import EXTRACTOR_VERSION, ExtractionError, extract_page
from pipelines.sitelines import SiteLines
from spiders.items import AliasItem, FetchFailure, PageItem
from spiders.platforms import profile

log = logging.getLogger(__name__)


def site_lines(crawler: Any, slug: str) -> SiteLines | None:
    """The spider's running knowledge of a site's repeated lines (None outside the wards spider)."""
    runs = getattr(crawler.spider, "runs", {})
    return runs[slug].lines if slug in runs else None


class ExtractPipeline:
    """Fills `item.article`, or `item.error` with why the page is not an article."""

    def __init__(self, crawler: Any = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        lines = site_lines(self.crawler, item.site.slug) if self.crawler else None
        try:
            item.article, page = extract_page(
                item.raw, profile(item.platform), hints=item.hints, site_lines=lines
            )
            if lines is not None:
                lines.add_page(page)
        except ExtractionError as exc:
            item.error = str(exc)
        except Exception as exc:  # a bug must cost one page, recorded, never the crawl
            log.exception("extractor crashed on %s", item.raw.url)
            item.error = f"extractor crashed: {type(exc).__name__}: {exc}"
        return item


def run_status(reason: str, counts: Counter[str], pages_fetched: int) -> str:
    """crawl_runs.status from Scrapy's finish reason and the run's figures."""
    if reason == "shutdown":
        return "interrupted"
    if reason != "finished":
        return "failed"
    stored = counts["articles_new"] + counts["articles_updated"] + counts["articles_unchanged"]
    if counts["errors"] and not stored:
        return "failed"
    if pages_fetched == 0:
        return "failed"
    return "ok"


class ArchivePipeline:
    """Writes each page whole or not at all, and records the run in crawl_runs."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.archive_url: str = crawler.settings.get("ARCHIVE_URL")
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self.counts: Counter[str] = Counter()
        self.site_ids: dict[SiteInfo, int] = {}
        self.written: dict[str, list[int]] = {}  # articles new or changed in this run, by site
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        try:
            self.archive = Archive(self.archive_url)
            with self.archive.session() as session:
                self.run_id = start_run(
                    session,
                    args=_spider_args(self.crawler.spider),
                    pid=os.getpid(),
                    extractor=EXTRACTOR_VERSION,
                    now=iso(now_vn()),
                )
        except (ArchiveError, SQLAlchemyError) as exc:
            raise ArchiveError(f"cannot write to the archive {self.archive_url}: {exc}") from exc
        log.info("archive %s: run %s started", self.archive_url, self.run_id)

    def _site_id(self, session: Any, site: SiteInfo, now: str) -> int:
        if site not in self.site_ids:
            self.site_ids[site] = upsert_site(session, site, now)
        return self.site_ids[site]

    def process_item(self, item: Any) -> Any:
        assert self.archive is not None
        now = iso(now_vn())
        try:
            with self.archive.session() as session:
                self._write(session, item, now)
        except SQLAlchemyError as exc:
            self.site_ids.clear()  # ids from the rolled-back transaction may not exist
            self.counts["errors"] += 1
            log.error("could not store %s: %s", _url_of(item), exc)
            self._record_store_failure(item, now, exc)
        return item

    def _write(self, session: Any, item: Any, now: str) -> None:
        site_id = self._site_id(session, item.site, now)
        if isinstance(item, PageItem):
            raw_id = store_raw(session, item.raw, self.run_id)
            if item.article is not None:
                stored = store_article(session, site_id, item.article, raw_id, now)
                store_aliases(session, stored.article_id, item.aliases, item.article.url, now)
                if stored.outcome != "unchanged":
                    self.written.setdefault(item.site.slug, []).append(stored.article_id)
                self.counts[f"articles_{stored.outcome}"] += 1
                log.info("%s article %s", stored.outcome, item.article.url)
                return
            record_failure(
                session,
                url=item.raw.url,
                stage="extract",
                reason=item.error or "no article extracted",
                now=now,
                run_id=self.run_id,
                site_id=site_id,
                http_status=item.raw.status,
                raw_id=raw_id,
            )
            log.warning("not an article: %s: %s", item.raw.url, item.error)
        elif isinstance(item, AliasItem):
            article_id = article_id_for(session, item.url)
            if article_id is not None:
                store_aliases(session, article_id, [item.alias], item.url, now)
            return
        elif isinstance(item, FetchFailure):
            raw_id = store_raw(session, item.raw, self.run_id) if item.raw is not None else None
            record_failure(
                session,
                url=item.url,
                stage="fetch",
                reason=item.reason,
                now=now,
                run_id=self.run_id,
                site_id=site_id,
                http_status=item.http_status,
                raw_id=raw_id,
            )
            if item.http_status in GONE_STATUSES:
                # A dead link on the site, not a failure of the crawl: recorded, not counted.
                self.counts["gone"] += 1
                log.info("gone: %s: %s", item.url, item.reason)
                return
            log.warning("fetch failed: %s: %s", item.url, item.reason)
        else:
            return
        self.counts["errors"] += 1

    def _record_store_failure(self, item: Any, now: str, exc: Exception) -> None:
        assert self.archive is not None
        try:
            with self.archive.session() as session:
                raw = getattr(item, "raw", None)
                raw_id = store_raw(session, raw, self.run_id) if raw is not None else None
                record_failure(
                    session,
                    url=_url_of(item),
                    stage="store",
                    reason=f"{type(exc).__name__}: {exc}",
                    now=now,
                    run_id=self.run_id,
                    raw_id=raw_id,
                )
        except SQLAlchemyError:
            log.critical("the archive is not writable; stopping the crawl")
            self.crawler.engine.close_spider(self.crawler.spider, "archive_unwritable")

    def _settle_learning(self, spider: Any) -> None:
        """Keep what the run learned of each site's boilerplate; clean what it stored before."""
        assert self.archive is not None
        now = iso(now_vn())
        for slug, run in getattr(spider, "runs", {}).items():
            lines = run.lines
            learned = [
                (key, lines.texts.get(key, key), lines.counts[key]) for key in lines.current()
            ]
            if not learned and not lines.known:
                continue
            try:
                with self.archive.session() as session:
                    site_id = site_id_for(session, slug)
                    if site_id is None:
                        continue
                    save_learned(session, site_id, learned, lines.pages, now)
                    for article_id in self.written.get(slug, []):
                        strip_lines(session, article_id, lines.is_boilerplate)
            except SQLAlchemyError as exc:
                log.error("could not keep what was learned of %s: %s", slug, exc)

    def close_spider(self) -> None:
        """Nothing here: the run is closed on spider_closed, which knows the finish reason."""

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.archive is None or self.run_id is None:
            return
        stats = self.crawler.stats
        pages = int(stats.get_value("downloader/response_count", 0))
        self.counts["errors"] += int(stats.get_value("spider_exceptions/count", 0))
        status = run_status(reason, self.counts, pages)
        figures = {
            "pages_fetched": pages,
            "articles_new": self.counts["articles_new"],
            "articles_updated": self.counts["articles_updated"],
            "articles_unchanged": self.counts["articles_unchanged"],
            "errors": self.counts["errors"],
        }
        self._settle_learning(spider)
        try:
            with self.archive.session() as session:
                finish_run(
                    session,
                    self.run_id,
                    status=status,
                    counts=figures,
                    reason=reason,
                    now=iso(now_vn()),
                )
        except SQLAlchemyError as exc:
            log.critical("could not record the end of run %s: %s", self.run_id, exc)
            status = "failed"
        stats.set_value("wardnews/gone_links", self.counts["gone"])
        stats.set_value("wardnews/run_id", self.run_id)
        stats.set_value("wardnews/status", status)
        log.info(
            "run %s %s: %s pages, %s new, %s updated, %s unchanged, %s errors",
            self.run_id,
            status,
            *figures.values(),
        )
        self.archive.close()


def _spider_args(spider: Any) -> dict[str, str]:
    options = getattr(spider, "options", None)
    return options.as_args() if options is not None else {"spider": spider.name}


def _url_of(item: Any) -> str:
    if isinstance(item, PageItem):
        return item.raw.url
    return str(getattr(item, "url", "?"))
