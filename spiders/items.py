"""What the spider hands to the pipelines: fetched article pages and failed fetches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from archive.records import Article, RawPage, SiteInfo, iso, now_vn
from spiders.urls import canonical_url


@dataclass
class PageItem:
    """A fetched article page; ExtractPipeline fills `article`, or `error` with the reason."""

    site: SiteInfo
    raw: RawPage
    platform: str
    hints: dict[str, str] = field(default_factory=dict)
    aliases: list[str] = field(default_factory=list)  # other URLs that led here (redirects)
    article: Article | None = None
    error: str | None = None


@dataclass
class FetchFailure:
    """A page that could not be fetched: stored as a failure with its reason."""

    site: SiteInfo
    url: str
    reason: str
    http_status: int | None = None
    raw: RawPage | None = None
    article: bool = False  # an article page, not a list, feed or start page


@dataclass
class AliasItem:
    """Another URL of an article the archive already holds (a redirect to it): remembered."""

    site: SiteInfo
    alias: str
    url: str


def raw_page(response: Any, canonical: Callable[[str], str] | None = None) -> RawPage:
    """A Scrapy response as kept in the archive, under its canonical URL."""
    headers = {
        key.decode("latin-1").lower(): b", ".join(values).decode("latin-1")
        for key, values in response.headers.items()
    }
    url = canonical_url(response.url)
    return RawPage(
        url=canonical(url) if canonical else url,
        final_url=response.url,
        status=response.status,
        headers=headers,
        body=response.body,
        fetched_at=iso(now_vn()),
    )
