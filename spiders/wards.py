"""`scrapy crawl wards`: the one spider, a thin adapter over registry, profiles and discovery.

It walks home page → news lists → pagination → articles, and yields each
fetched article page as a PageItem; extraction and storage happen in the
pipelines. Every request carries its site, so many sites crawl in one run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archive.records import RawPage, iso, now_vn
from pipelines.html import ParseError, decode_html, parse_html
from spiders import discovery
from spiders.items import FetchFailure, PageItem
from spiders.options import CrawlOptions, parse_options
from spiders.platforms import GENERIC, detect_platform, profile
from spiders.registry import Site, load_registry, select_sites, site_for_url
from spiders.urls import canonical_url

# How far from the start page the spider looks for other news lists (menus).
LIST_DISCOVERY_HOPS = 2
MAX_LIST_PAGES = 2000
_HTML_TYPES = (b"text/html", b"application/xhtml")


class WardsSpider(scrapy.Spider):
    name = "wards"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.options: CrawlOptions = parse_options(
            {k: v for k, v in kwargs.items() if not k.startswith("_")}
        )
        super().__init__(*args, name=self.name)
        self.sites: dict[str, Site] = {}
        self.platforms: dict[str, str] = {}

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        # Per-site delays from the registry become download slots keyed by host.
        try:
            registry = load_registry(settings.get("SITES_REGISTRY"))
        except ValueError:
            return  # reported with a clear message when the spider starts
        slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
        for site in registry.values():
            if site.delay is not None:
                slots.setdefault(site.netloc, {})["delay"] = site.delay
        settings.set("DOWNLOAD_SLOTS", slots, priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> WardsSpider:
        spider: WardsSpider = super().from_crawler(crawler, *args, **kwargs)
        registry = load_registry(crawler.settings.get("SITES_REGISTRY"))
        if spider.options.url:
            chosen = [site_for_url(canonical_url(spider.options.url), registry)]
        else:
            chosen = select_sites(registry, spider.options.sites)
        spider.sites = {site.slug: site for site in chosen}
        spider.platforms = {
            site.slug: site.info.platform for site in chosen if site.info.platform is not None
        }
        spider.allowed_domains = sorted(
            {urlsplit(site.start_url).hostname or "" for site in chosen}
        )
        return spider

    # Requests ---------------------------------------------------------------

    def _request(self, url: str, site: Site, callback: Any, **meta: Any) -> scrapy.Request:
        meta.update(site=site.slug, download_slot=urlsplit(url).netloc.lower())
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for site in self.sites.values():
            self.logger.info("site %s: starting at %s", site.slug, site.start_url)
            yield self._request(canonical_url(site.start_url), site, self.parse_entry, hops=0)
            for list_url in site.lists:
                yield self._request(
                    canonical_url(list_url), site, self.parse_list, hops=1, page_no=1
                )

    # Callbacks --------------------------------------------------------------

    def _site(self, response: Response) -> Site:
        return self.sites[response.meta["site"]]

    def _document(self, response: Response):  # type: ignore[no-untyped-def]
        content_type = response.headers.get(b"Content-Type") or b"text/html"
        if not content_type.lower().startswith(_HTML_TYPES):
            self.logger.info("skipping %s: not HTML (%s)", response.url, content_type.decode())
            return None
        text, _ = decode_html(response.body, content_type.decode("latin-1"))
        try:
            return parse_html(text)
        except ParseError as exc:
            self.logger.warning("cannot read %s: %s", response.url, exc)
            return None

    def parse_entry(self, response: Response) -> Iterator[Any]:
        """The start URL: detect the platform, then treat it as an article or as a list."""
        site = self._site(response)
        doc = self._document(response)
        if doc is None:
            yield self._fetch_failure(
                site, response.url, "start page is not readable HTML", response
            )
            return
        if site.slug not in self.platforms:
            detected = detect_platform(doc, response.url)
            self.platforms[site.slug] = detected
            self.logger.info("site %s: detected platform %s", site.slug, detected)
        chosen = profile(self.platforms[site.slug])
        if discovery.looks_like_article(doc, canonical_url(response.url), chosen):
            yield self._page_item(response, site, {})
            return
        yield from self._follow_listing(response, doc, site)

    def parse_list(self, response: Response) -> Iterator[Any]:
        site = self._site(response)
        doc = self._document(response)
        if doc is not None:
            yield from self._follow_listing(response, doc, site)

    def _follow_listing(self, response: Response, doc: Any, site: Site) -> Iterator[Any]:
        chosen = profile(self.platforms.get(site.slug, GENERIC))
        page_url = canonical_url(response.url)
        hops = response.meta.get("hops", 0)
        page_no = response.meta.get("page_no", 1)
        items = discovery.list_items(doc, page_url, chosen)
        for item in items:
            hints = {"list_url": page_url, "list_title": item.title}
            if item.date_text:
                hints["list_date"] = item.date_text
            yield self._request(item.url, site, self.parse_article, hints=hints)
        for url in discovery.article_links(doc, page_url, chosen):
            yield self._request(url, site, self.parse_article, hints={"list_url": page_url})
        following = discovery.next_page(doc, page_url, chosen)
        if following and items and page_no < MAX_LIST_PAGES:
            yield self._request(following, site, self.parse_list, hops=hops, page_no=page_no + 1)
        if hops < LIST_DISCOVERY_HOPS:
            # Menu links are only candidates: a dead one is not a crawl error.
            for url in discovery.list_links(doc, page_url, chosen):
                yield self._request(
                    url, site, self.parse_list, hops=hops + 1, page_no=1, speculative=True
                )

    def parse_article(self, response: Response) -> Iterator[Any]:
        yield self._page_item(response, self._site(response), response.meta.get("hints", {}))

    # Items ------------------------------------------------------------------

    def _site_info(self, site: Site):  # type: ignore[no-untyped-def]
        platform = self.platforms.get(site.slug)
        return dataclasses.replace(site.info, platform=platform or site.info.platform)

    @staticmethod
    def _raw(response: Response) -> RawPage:
        headers = {
            key.decode("latin-1").lower(): b", ".join(values).decode("latin-1")
            for key, values in response.headers.items()
        }
        return RawPage(
            url=canonical_url(response.url),
            final_url=response.url,
            status=response.status,
            headers=headers,
            body=response.body,
            fetched_at=iso(now_vn()),
        )

    def _page_item(self, response: Response, site: Site, hints: dict[str, str]) -> PageItem:
        return PageItem(
            site=self._site_info(site),
            raw=self._raw(response),
            platform=self.platforms.get(site.slug, GENERIC),
            hints=hints,
        )

    def _fetch_failure(
        self, site: Site, url: str, reason: str, response: Response | None = None
    ) -> FetchFailure:
        return FetchFailure(
            site=self._site_info(site),
            url=canonical_url(url),
            reason=reason,
            http_status=response.status if response is not None else None,
            raw=self._raw(response) if response is not None else None,
        )

    def on_error(self, failure: Failure) -> Iterator[Any]:
        """A request that failed for good (after retries): record it, unless robots.txt said no."""
        request = failure.request  # type: ignore[attr-defined]
        site = self.sites.get(request.meta.get("site", ""))
        if site is None:
            return
        if request.meta.get("speculative"):
            self.crawler.stats.inc_value("wardnews/dead_candidate_links")
            self.logger.info(
                "candidate list page failed (%s): %s", failure.getErrorMessage(), request.url
            )
            return
        if failure.check(HttpError):
            response = failure.value.response
            yield self._fetch_failure(site, request.url, f"HTTP {response.status}", response)
            return
        if failure.check(IgnoreRequest):
            self.logger.info("not fetched (%s): %s", failure.getErrorMessage(), request.url)
            return
        reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        yield self._fetch_failure(site, request.url, reason)
