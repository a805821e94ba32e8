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

from archive import models, runs
from archive.db import Archive, ArchiveError
from archive.records import SiteInfo, iso, now_vn
from archive.store import (
    GONE_STATUSES,
    article_id_for,
    record_failure,
    save_learned,
    site_id_for,
    store_aliases,
    store_article,
    store_raw,
    strip_lines,
    upsert_site,
)
from pipelines.extract import EXTRACTOR_VERSION, ExtractionError, extract_page
from pipelines.sitelines import SiteLines, text_lines
from spiders.items import AliasItem, FetchFailure, PageItem
from spiders.ops import MAX_ERROR_RATE, SiteFigures, run_status, site_status
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
        self.max_error_rate = crawler.settings.getfloat("WARDNEWS_MAX_ERROR_RATE", MAX_ERROR_RATE)
        self.spare_figures: dict[str, SiteFigures] = {}  # sites outside the wards spider
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        try:
            self.archive = Archive(self.archive_url)
            now = iso(now_vn())
            with self.archive.session() as session:
                dead = runs.mark_dead_runs(session)
                run_id = runs.start_run(
                    session,
                    args=_spider_args(self.crawler.spider),
                    pid=os.getpid(),
                    extractor=EXTRACTOR_VERSION,
                    now=now,
                )
                for run in getattr(self.crawler.spider, "runs", {}).values():
                    info = self.crawler.spider._site_info(run)
                    runs.start_site(session, run_id, self._site_id(session, info, now))
            self.run_id = run_id  # only once it is committed
        except (ArchiveError, SQLAlchemyError) as exc:
            self.site_ids.clear()
            raise ArchiveError(f"cannot write to the archive {self.archive_url}: {exc}") from exc
        if dead:
            log.warning("runs %s had been killed; marked as such", ", ".join(map(str, dead)))
        log.info("archive %s: run %s started", self.archive_url, self.run_id)

    def _figures(self, slug: str) -> SiteFigures:
        runs_ = getattr(self.crawler.spider, "runs", {})
        if slug in runs_:
            return runs_[slug].figures
        return self.spare_figures.setdefault(slug, SiteFigures())

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
            self._figures(item.site.slug).errors += 1
            log.error("could not store %s: %s", _url_of(item), exc)
            self._record_store_failure(item, now, exc)
        return item

    def _write(self, session: Any, item: Any, now: str) -> None:
        site_id = self._site_id(session, item.site, now)
        figures = self._figures(item.site.slug)
        if isinstance(item, PageItem):
            raw_id = store_raw(session, item.raw, self.run_id)
            if item.article is not None:
                stored = store_article(session, site_id, item.article, raw_id, now)
                store_aliases(session, stored.article_id, item.aliases, item.article.url, now)
                if stored.outcome != "unchanged":
                    self.written.setdefault(item.site.slug, []).append(stored.article_id)
                self.counts[f"articles_{stored.outcome}"] += 1
                setattr(
                    figures,
                    f"articles_{stored.outcome}",
                    getattr(figures, f"articles_{stored.outcome}") + 1,
                )
                figures.articles_empty += not item.article.body.strip()
                figures.articles_undated += item.article.published_at is None
                self.crawler.stats.inc_value(f"wardnews/articles_{stored.outcome}")
                log.info("%s article %s", stored.outcome, item.article.url)
                return
            figures.articles_empty += item.raw.status < 400
            figures.article_errors += 1
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
            figures.article_errors += item.article
        else:
            return
        self.counts["errors"] += 1
        figures.errors += 1
        self.crawler.stats.inc_value("wardnews/errors")

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
            if run.policy.deep:
                self._recount_unfinished(slug, lines)
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

    def _recount_unfinished(self, slug: str, lines: SiteLines) -> None:
        """After an unfinished run, count the lines of the articles it stored: what it had
        learned died with it, and those articles were never cleaned of it."""
        assert self.archive is not None
        written = set(self.written.get(slug, []))
        with self.archive.session() as session:
            site_id = site_id_for(session, slug)
            if site_id is None:
                return
            since = runs.last_ok_start(session, site_id)
            for article_id in runs.articles_first_seen_since(session, site_id, since):
                if article_id in written:
                    continue
                body = session.get_one(models.Article, article_id).body
                lines.add_page(text_lines(body.split("\n\n")))
                self.written.setdefault(slug, []).append(article_id)

    def close_spider(self) -> None:
        """Nothing here: the run is closed on spider_closed, which knows the finish reason."""

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.archive is None or self.run_id is None:
            return
        stats = self.crawler.stats
        pages = int(stats.get_value("downloader/response_count", 0))
        self.counts["errors"] += int(stats.get_value("spider_exceptions/count", 0))
        self._settle_learning(spider)
        now = iso(now_vn())
        sites = {
            slug: site_status(
                run.figures, reason=reason, done=run.done, max_error_rate=self.max_error_rate
            )
            for slug, run in getattr(spider, "runs", {}).items()
        }
        every = [run.figures for run in getattr(spider, "runs", {}).values()]
        status = run_status(
            reason,
            sites,
            article_errors=sum(figures.article_errors for figures in every),
            stored=sum(figures.stored for figures in every),
            pages=pages,
            max_error_rate=self.max_error_rate,
        )
        figures = {
            "pages_fetched": pages,
            "articles_new": self.counts["articles_new"],
            "articles_updated": self.counts["articles_updated"],
            "articles_unchanged": self.counts["articles_unchanged"],
            "errors": self.counts["errors"],
        }
        try:
            with self.archive.session() as session:
                for slug, site_state in sites.items():
                    runs.finish_site(
                        session,
                        self.run_id,
                        self._site_id(session, spider._site_info(spider.runs[slug]), now),
                        status=site_state,
                        figures=spider.runs[slug].figures.columns(),
                        now=now,
                    )
                runs.finish_run(
                    session, self.run_id, status=status, counts=figures, reason=reason, now=now
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
