"""Reading one list response, whatever it is: an HTML list, a JSON page, a POST fragment, a feed.

The spider and the fixture tests both call `read_listing`, so what is tested
is what crawls.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml.html import HtmlElement

from pipelines.html import ParseError, decode_html, document_base, parse_html
from pipelines.text import words
from spiders import discovery
from spiders.discovery import Listing, ListItem, ListRequest
from spiders.families import JSON_LISTS, code_for
from spiders.feeds import feed_links, looks_like_feed, parse_feed
from spiders.platforms import GENERIC, Profile
from spiders.urls import canonical_url

HTML_TYPES = ("text/html", "application/xhtml")


@dataclass
class PageListing:
    """A list response read: the list itself, other article links, candidate list pages."""

    listing: Listing
    others: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    doc: HtmlElement | None = None
    html: str = ""


def html_listing(doc: HtmlElement, html: str, url: str, chosen: Profile) -> PageListing:
    """An HTML page's list items, next page, script-loaded sources, feeds and menu links."""
    page_url = canonical_url(url)
    if chosen.name == GENERIC:
        items, others = discovery.generic_article_links(doc, page_url)
        listing = Listing(items=items)
        candidates = discovery.generic_list_links(doc, page_url)
    else:
        listing = Listing(items=discovery.list_items(doc, page_url, chosen))
        others = discovery.article_links(doc, page_url, chosen)
        # The family's list URL shapes, and news-list menu links of any shape: a theme of the
        # family may name its lists otherwise (TinTuc.aspx?CatID=3 on an ASP.NET portal).
        candidates = list(
            dict.fromkeys(
                discovery.list_links(doc, page_url, chosen)
                + [
                    url
                    for url in discovery.generic_list_links(doc, page_url)
                    if not chosen.is_skipped(url)
                ]
            )
        )
        if not listing.items:
            # A theme of the family with list markup its profile does not name yet.
            listing.items, aside = discovery.generic_article_links(
                doc,
                page_url,
                lambda url: (
                    not chosen.is_skipped(url)
                    and (
                        chosen.is_article_url(url) or discovery.looks_like_generic_article_url(url)
                    )
                ),
            )
            others = list(dict.fromkeys(others + aside))
    code = code_for(chosen)
    following = discovery.next_page(doc, page_url, chosen)
    listing.next = (
        ListRequest(following) if following else code.next_request(html, page_url, listing)
    )
    listing.sources = code.sources(doc, html, page_url)
    listing.feeds = feed_links(doc, document_base(doc, page_url))
    return PageListing(listing, others, candidates, doc, html)


def read_listing(
    body: bytes, content_type: str, request: ListRequest, chosen: Profile
) -> PageListing | None:
    """The list in a response; None when it is neither a list format we read nor HTML."""
    if looks_like_feed(body, content_type):
        feed = parse_feed(body, request.url)
        items = [
            ListItem(e.url, e.title, e.date_text)
            for e in feed.entries
            # A list feed may carry its own list page (SharePoint's listfeed does): a list URL
            # with a menu title ("Tin tức"), not a headline.
            if not (
                chosen.is_list_url(e.url)
                and not chosen.is_article_url(e.url)
                and len(words(e.title or "")) < discovery.HEADLINE_MIN_WORDS
            )
        ]
        sources = [ListRequest(child) for child in feed.child_sitemaps]
        return PageListing(Listing(items=items, feeds=[s.url for s in sources]))
    listing = code_for(chosen).read(body, content_type, request, chosen)
    if listing is None and "json" in content_type.lower():
        # Any family's site may answer JSON (WordPress's REST API, a theme's "load more").
        listing = JSON_LISTS.read(body, content_type, request, chosen)
    if listing is not None:
        return PageListing(listing)
    if content_type and not content_type.lower().startswith(HTML_TYPES):
        return None
    html, _ = decode_html(body, content_type)
    try:
        doc = parse_html(html)
    except ParseError:
        return None
    return html_listing(doc, html, request.url, chosen)
