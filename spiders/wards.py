"""`scrapy crawl wards`: the one spider, a thin adapter over registry, profiles and discovery.

It walks home page → news lists (HTML, JSON, POST, feeds, sitemaps) →
pagination → articles, and yields each fetched article page as a PageItem;
extraction and storage happen in the pipelines. By default it fetches only
what the archive does not hold yet (see spiders/plan.py).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archive.records import SiteInfo, now_vn
from pipelines.html import ParseError, decode_html, parse_html
from pipelines.sitelines import SiteLines
from spiders import discovery
from spiders.discovery import ListRequest, list_identity
from spiders.feeds import robots_sitemaps
from spiders.items import AliasItem, FetchFailure, PageItem, raw_page
from spiders.listing import PageListing, html_listing, read_listing
from spiders.options import CrawlOptions, parse_options
from spiders.plan import Policy, plan_links, plan_listing
from spiders.platforms import GENERIC, detect_platform
from spiders.registry import load_registry, select_sites, site_for_url
from spiders.siterun import SiteRun, remember
from spiders.urls import canonical_url

_HTML_TYPES = (b"text/html", b"application/xhtml")
REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 5


class WardsSpider(scrapy.Spider):
    name = "wards"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.options: CrawlOptions = parse_options(
            {k: v for k, v in kwargs.items() if not k.startswith("_")}
        )
        super().__init__(*args, name=self.name)
        self.policy = Policy(self.options.full, self.options.since, self.options.until)
        self.runs: dict[str, SiteRun] = {}

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
        memory = remember(crawler.settings.get("ARCHIVE_URL"), [s.slug for s in chosen])
        spider.logger.info("archive knows %d article URLs of these sites", len(memory.known))
        for site in chosen:
            # A site crawled before by URL starts with the family found then.
            platform = site.info.platform or memory.platforms.get(site.slug)
            spider.runs[site.slug] = SiteRun(
                site,
                platform,
                memory.known,
                fixed_platform=site.info.platform is not None,
                lines=SiteLines(known=memory.lines.get(site.slug, set())),
                policy=dataclasses.replace(spider.policy, deep=site.slug not in memory.complete),
            )
            if site.slug not in memory.complete:
                spider.logger.info("site %s: last run unfinished, walking its lists", site.slug)
        spider.allowed_domains = sorted({urlsplit(s.start_url).hostname or "" for s in chosen})
        spider.max_requests = crawler.settings.getint("WARDNEWS_MAX_REQUESTS_PER_SITE", 20000)
        spider.max_list_pages = crawler.settings.getint("WARDNEWS_MAX_LIST_PAGES", 2000)
        spider.list_hops = crawler.settings.getint("WARDNEWS_LIST_HOPS", 2)
        spider.hosts = {urlsplit(s.start_url).netloc.lower(): s.slug for s in chosen}
        crawler.signals.connect(spider.on_response, signal=scrapy.signals.response_received)
        crawler.signals.connect(spider.on_dropped, signal=scrapy.signals.request_dropped)
        return spider

    # Requests ---------------------------------------------------------------

    def _request(
        self, target: str | ListRequest, run: SiteRun, callback: Any, **meta: Any
    ) -> scrapy.Request | None:
        """A request for this site, or None once the site's request budget is spent."""
        if run.requests >= self.max_requests:
            if run.requests == self.max_requests:
                self.logger.warning(
                    "site %s: request budget %d spent", run.site.slug, self.max_requests
                )
                run.requests += 1
            return None
        run.requests += 1
        run.pending += 1
        listed = target if isinstance(target, ListRequest) else ListRequest(target)
        meta.update(
            site=run.site.slug,
            download_slot=urlsplit(listed.url).netloc.lower(),
            list_request=listed,
        )
        if listed.method == "POST":
            return scrapy.FormRequest(
                listed.url,
                formdata=dict(listed.form),
                callback=callback,
                errback=self.on_error,
                meta=meta,
            )
        return scrapy.Request(listed.url, callback=callback, errback=self.on_error, meta=meta)

    def _article(
        self, url: str, run: SiteRun, hints: dict[str, str], aliases: tuple[str, ...] = ()
    ) -> scrapy.Request | None:
        # Redirects are ours to follow: one to a known article is an alias, not a fetch.
        return self._request(
            run.profile.canonical(url),
            run,
            self.parse_article,
            hints=hints,
            aliases=aliases,
            dont_redirect=True,
            handle_httpstatus_list=list(REDIRECTS),
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for run in self.runs.values():
            site = run.site
            self.logger.info("site %s: starting at %s", site.slug, site.start_url)
            robots = urljoin(site.start_url, "/robots.txt")
            for request in (
                self._request(robots, run, self.parse_robots, speculative=True),
                self._request(canonical_url(site.start_url), run, self.parse_entry, hops=0),
                *(
                    self._request(canonical_url(u), run, self.parse_list, hops=1)
                    for u in site.lists
                ),
            ):
                if request is not None:
                    yield request

    # Callbacks --------------------------------------------------------------

    def _arrived(self, response: Response) -> SiteRun:
        """The site of an answered request, which is no longer pending."""
        run = self.runs[response.meta["site"]]
        run.pending -= 1
        return run

    def _site_of(self, request: scrapy.Request) -> SiteRun | None:
        slug = request.meta.get("site") or self.hosts.get(urlsplit(request.url).netloc.lower())
        return self.runs.get(slug or "")

    def on_response(self, response: Response, request: scrapy.Request, **_: Any) -> None:
        """Every response, robots.txt fetched by Scrapy included, counts for its site."""
        run = self._site_of(request)
        if run is not None:
            run.figures.pages_fetched += 1
            robots = urlsplit(response.url).path == "/robots.txt"
            run.figures.pages_ok += response.status < 400 and not robots

    def on_dropped(self, request: scrapy.Request, **_: Any) -> None:
        """A request the scheduler refused (seen before) will get no answer."""
        run = self.runs.get(request.meta.get("site", ""))
        if run is not None:
            run.pending -= 1

    def _page(self, response: Response) -> tuple[Any, str] | None:
        content_type = response.headers.get(b"Content-Type") or b"text/html"
        if not content_type.lower().startswith(_HTML_TYPES):
            self.logger.info("skipping %s: not HTML (%s)", response.url, content_type.decode())
            return None
        text, _ = decode_html(response.body, content_type.decode("latin-1"))
        try:
            return parse_html(text), text
        except ParseError as exc:
            self.logger.warning("cannot read %s: %s", response.url, exc)
            return None

    def _detect(self, run: SiteRun, doc: Any, url: str, html: str) -> None:
        """Detect the family; while it is unknown, every page gets another look."""
        if run.fixed_platform or (run.platform not in (None, GENERIC)):
            return
        detected = detect_platform(doc, url, html)
        if detected != run.platform:
            self.logger.info("site %s: platform %s (from %s)", run.site.slug, detected, url)
            run.platform = detected

    def parse_robots(self, response: Response) -> Iterator[Any]:
        run = self._arrived(response)
        text = response.body.decode("utf-8", errors="replace")
        for sitemap in robots_sitemaps(text, response.url):
            yield self._request(sitemap, run, self.parse_feed, hops=1, speculative=True)

    def parse_entry(self, response: Response) -> Iterator[Any]:
        """The start URL: detect the platform, then treat it as an article or as a list."""
        run = self._arrived(response)
        page = self._page(response)
        if page is None:
            yield self._fetch_failure(
                run, response.url, "start page is not readable HTML", response
            )
            return
        doc, html = page
        self._detect(run, doc, response.url, html)
        if discovery.looks_like_article(doc, canonical_url(response.url), run.profile):
            yield self._page_item(response, run, {})
            return
        yield from self._follow(response, run, html_listing(doc, html, response.url, run.profile))

    def parse_list(self, response: Response) -> Iterator[Any]:
        run = self._arrived(response)
        asked: ListRequest = response.meta["list_request"]
        request = ListRequest(response.url, asked.method, asked.form)
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        page = read_listing(response.body, content_type, request, run.profile)
        if page is None:
            self.logger.info("not a list: %s (%s)", response.url, content_type)
            return
        if page.doc is not None:
            before = run.platform
            self._detect(run, page.doc, response.url, page.html)
            if run.platform != before:  # read again with the family's own rules
                page = html_listing(page.doc, page.html, response.url, run.profile)
        yield from self._follow(response, run, page)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        yield from self.parse_list(response)

    def parse_article(self, response: Response) -> Iterator[Any]:
        run = self._arrived(response)
        if response.status in REDIRECTS:
            yield from self._article_redirect(response, run)
            return
        if not run.fixed_platform and run.platform in (None, GENERIC):
            # The family may show only on article pages (a bare home page led here).
            page = self._page(response)
            if page is not None:
                self._detect(run, page[0], response.url, page[1])
        yield self._page_item(response, run, response.meta.get("hints", {}))

    def _article_redirect(self, response: Response, run: SiteRun) -> Iterator[Any]:
        location = (response.headers.get(b"Location") or b"").decode("latin-1").strip()
        aliases = (
            *response.meta.get("aliases", ()),
            run.profile.canonical(canonical_url(response.url)),
        )
        target = (
            run.profile.canonical(canonical_url(urljoin(response.url, location)))
            if location
            else ""
        )
        if (
            not target
            or len(aliases) > MAX_REDIRECTS
            or urlsplit(target).netloc != urlsplit(response.url).netloc
        ):
            yield self._fetch_failure(
                run,
                response.url,
                f"HTTP {response.status} to {location or 'nowhere'}",
                response,
                article=True,
            )
            return
        if target in run.known:
            for alias in aliases:
                yield AliasItem(self._site_info(run), alias, target)
            return
        request = self._article(target, run, response.meta.get("hints", {}), aliases)
        if request is not None:
            yield request

    def _follow(self, response: Response, run: SiteRun, page: PageListing) -> Iterator[Any]:
        listing = page.listing
        page_url = canonical_url(response.url)
        hops = response.meta.get("hops", 0)
        page_no = response.meta.get("page_no", 1)
        listing.items = [
            dataclasses.replace(i, url=run.profile.canonical(i.url)) for i in listing.items
        ]
        run.figures.links_found += len(listing.items)
        plan = plan_listing(listing.items, run.known, run.policy, now_vn())
        requests = []
        for item in plan.fetch:
            hints = {"list_url": page_url, "list_title": item.title}
            if item.date_text:
                hints["list_date"] = item.date_text
            requests.append(self._article(item.url, run, hints))
        listed = {item.url for item in listing.items}
        others = [run.profile.canonical(url) for url in page.others]
        others = [url for url in dict.fromkeys(others) if url not in listed]
        for url in plan_links(others, run.known, run.policy):
            requests.append(self._article(url, run, {"list_url": page_url}))
        if plan.follow_next and listing.next and page_no < self.max_list_pages:
            requests.append(
                self._request(listing.next, run, self.parse_list, hops=hops, page_no=page_no + 1)
            )
        for source in listing.sources:
            requests.append(self._request(source, run, self.parse_list, hops=hops + 1))
        for feed in listing.feeds:
            requests.append(
                self._request(feed, run, self.parse_feed, hops=hops + 1, speculative=True)
            )
        if hops < self.list_hops:
            # Menu links are only candidates: a dead one is not a crawl error. Other pages of
            # this same list are reached through `next` alone, which stops at known articles.
            this_list = list_identity(page_url)
            for url in page.candidates:
                if list_identity(url) == this_list:
                    continue
                requests.append(
                    self._request(url, run, self.parse_list, hops=hops + 1, speculative=True)
                )
        yield from (request for request in requests if request is not None)

    # Items ------------------------------------------------------------------

    def _site_info(self, run: SiteRun) -> SiteInfo:
        return dataclasses.replace(run.site.info, platform=run.platform or run.site.info.platform)

    def _page_item(self, response: Response, run: SiteRun, hints: dict[str, str]) -> PageItem:
        raw = raw_page(response, run.profile.canonical)
        requested = [*response.meta.get("redirect_urls", []), response.request.url]
        aliases = [run.profile.canonical(canonical_url(url)) for url in requested]
        aliases += response.meta.get("aliases", ())
        return PageItem(
            site=self._site_info(run),
            raw=raw,
            platform=run.platform or GENERIC,
            hints=hints,
            aliases=[alias for alias in dict.fromkeys(aliases) if alias != raw.url],
        )

    def _fetch_failure(
        self,
        run: SiteRun,
        url: str,
        reason: str,
        response: Response | None = None,
        *,
        article: bool = False,
    ) -> FetchFailure:
        return FetchFailure(
            site=self._site_info(run),
            url=canonical_url(url),
            reason=reason,
            http_status=response.status if response is not None else None,
            raw=raw_page(response) if response is not None else None,
            article=article,
        )

    def on_error(self, failure: Failure) -> Iterator[Any]:
        """A request that failed for good (after retries): record it, unless it was only a guess."""
        request = failure.request  # type: ignore[attr-defined]
        run = self.runs.get(request.meta.get("site", ""))
        if run is None:
            return
        run.pending -= 1
        if request.meta.get("speculative"):
            self.crawler.stats.inc_value("wardnews/dead_candidate_links")
            self.logger.info(
                "candidate page failed (%s): %s", failure.getErrorMessage(), request.url
            )
            return
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            self.logger.info("not fetched (%s): %s", failure.getErrorMessage(), request.url)
            return
        article = request.callback == self.parse_article
        if failure.check(HttpError):
            response = failure.value.response
            yield self._fetch_failure(
                run, request.url, f"HTTP {response.status}", response, article=article
            )
            return
        yield self._fetch_failure(
            run,
            request.url,
            f"{failure.type.__name__}: {failure.getErrorMessage()}",
            article=article,
        )
