"""RSS, Atom and sitemap files: the article links they list, with dates when given.

Parsed with a hardened XML parser (no entities, no network, no huge trees):
feeds come from the sites we crawl, not from us.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from lxml import etree
from lxml.html import HtmlElement

from spiders.urls import absolute_link, same_site

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml")
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, recover=True, remove_comments=True
)
# Sitemap index files can list thousands of sitemaps; the newest few are what matter.
MAX_CHILD_SITEMAPS = 50


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str
    date_text: str | None


@dataclass(frozen=True)
class Feed:
    entries: list[FeedEntry]
    child_sitemaps: list[str]


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child_text(element: etree._Element, *names: str) -> str | None:
    for child in element:
        if _local(child.tag) in names:
            if _local(child.tag) == "link" and child.get("href"):
                return child.get("href")
            text = "".join(child.itertext()).strip()
            if text:
                return text
    return None


def looks_like_feed(body: bytes, content_type: str | None) -> bool:
    head = body[:600].lstrip().lower()
    if content_type and content_type.split(";")[0].strip().lower() in FEED_TYPES:
        return True
    return head.startswith(b"<?xml") or head.startswith(
        (b"<rss", b"<feed", b"<urlset", b"<sitemapindex")
    )


def parse_feed(body: bytes, base_url: str) -> Feed:
    """Entries of an RSS 2.0 / RSS 1.0 / Atom feed or a (news) sitemap, on the feed's own site."""
    try:
        root = etree.fromstring(body, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return Feed([], [])
    if root is None:
        return Feed([], [])
    netloc = urlsplit(base_url).netloc
    entries: list[FeedEntry] = []
    children: list[str] = []
    kind = _local(root.tag)
    for element in root.iter():
        name = _local(element.tag)
        if kind == "sitemapindex" and name == "sitemap":
            loc = absolute_link(_child_text(element, "loc"), base_url)
            if loc and same_site(loc, netloc):
                children.append(loc)
            continue
        if name not in ("item", "entry", "url"):
            continue
        link = _child_text(element, "link", "loc") or _child_text(element, "guid", "id")
        url = absolute_link(link, base_url)
        if not url or not same_site(url, netloc):
            continue
        title = _news_title(element) or _child_text(element, "title") or ""
        date = _child_text(element, "pubdate", "published", "updated", "date", "lastmod")
        date = _iso_date(_news_date(element) or date)
        entries.append(FeedEntry(url, " ".join(title.split()), date))
    return Feed(entries, children[:MAX_CHILD_SITEMAPS])


def _iso_date(text: str | None) -> str | None:
    """RSS dates are RFC 822 ("Tue, 12 Mar 2024 07:11:51 +0700"); give them as ISO 8601."""
    if not text or not re.match(r"^\s*(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}", text):
        return text
    try:
        return parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError):
        return text


def _news_title(element: etree._Element) -> str | None:
    for child in element.iter():
        if (
            _local(child.tag) == "title"
            and child is not element
            and _local(child.getparent().tag) == "news"
        ):
            return (child.text or "").strip() or None
    return None


def _news_date(element: etree._Element) -> str | None:
    for child in element.iter():
        if _local(child.tag) == "publication_date":
            return (child.text or "").strip() or None
    return None


_FEED_LINK_TYPES = re.compile(r"(rss|atom)\+xml|^application/xml$|^text/xml$", re.I)


def feed_links(doc: HtmlElement, page_url: str) -> list[str]:
    """Feeds and sitemaps a page declares with <link rel="alternate|sitemap">, on its own site."""
    netloc = urlsplit(page_url).netloc
    found: dict[str, None] = {}
    for link in doc.xpath("//link[@href]"):
        rel = (link.get("rel") or "").lower()
        kind = link.get("type") or ""
        if ("alternate" in rel and _FEED_LINK_TYPES.search(kind)) or rel == "sitemap":
            url = absolute_link(link.get("href"), page_url)
            if url and same_site(url, netloc):
                found[url] = None
    return list(found)


def robots_sitemaps(robots_text: str, base_url: str) -> list[str]:
    """The `Sitemap:` lines of a robots.txt that point at the site itself."""
    netloc = urlsplit(base_url).netloc
    found = []
    for line in robots_text.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap" and value.strip():
            url = absolute_link(value.strip(), base_url)
            if url and same_site(url, netloc):
                found.append(url)
    return found
