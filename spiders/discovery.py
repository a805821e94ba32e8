"""Finding links on home and list pages: article items, next pages, other lists.

Pure functions over a parsed page and a platform profile; the spider only
turns their answers into requests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from lxml.html import HtmlElement

from pipelines.text import clean_text, fold
from spiders.platforms import Profile
from spiders.urls import absolute_link, same_site

# Link texts that mean "next page" on Vietnamese sites.
NEXT_TEXTS = frozenset(
    {"trang sau", "sau", "tiếp", "trang tiếp", "tiếp theo", "next", "»", "›", ">", ">>"}
)
# Calendar, search, login and file links are never lists or articles.
TRAP_PATTERNS = re.compile(
    r"(?i)(/_layouts/|/search/|[?&](?:q|keyword|search|tukhoa)=|/login|/dang-nhap|calendar|lich-am|"
    r"[?&](?:year|month|day|date)=\d|sessionid=|jsessionid|\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|jpe?g|png|gif|mp4|mp3)(?:$|\?))"
)
_PAGE_PARAM = re.compile(r"(?i)^(?:pageindex|page|p|trang|pagenum|pageno|cur|.*_cur)$")
_DATE_TEXT = re.compile(r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|\d{4}-\d{2}-\d{2}")
ANCESTOR_LEVELS = 4


@dataclass(frozen=True)
class ListItem:
    url: str
    title: str
    date_text: str | None


def _document_order(root: HtmlElement) -> dict[HtmlElement, int]:
    return {element: i for i, element in enumerate(root.iter())}


def _item_date(link: HtmlElement, profile: Profile, order: dict[HtmlElement, int]) -> str | None:
    """The date printed with a list item: the nearest date element after its link."""
    position = order.get(link, 0)
    node = link
    for _ in range(ANCESTOR_LEVELS):
        node = node.getparent()
        if node is None:
            return None
        candidates = [
            element
            for selector in profile.list_dates.compiled
            for element in selector(node)
            if _DATE_TEXT.search(element.text_content())
        ]
        after = sorted(
            (order.get(element, 0), element)
            for element in candidates
            if order.get(element, 0) > position
        )
        if after:
            return clean_text(after[0][1].text_content())
        if candidates:
            return clean_text(candidates[-1].text_content())
    return None


def list_items(doc: HtmlElement, page_url: str, profile: Profile) -> list[ListItem]:
    """The articles a list page lists, in page order, once each."""
    netloc = urlsplit(page_url).netloc
    order = _document_order(doc)
    items: dict[str, ListItem] = {}
    for link in profile.list_links.every(doc):
        url = absolute_link(link.get("href"), page_url)
        if url is None or url in items or not same_site(url, netloc) or TRAP_PATTERNS.search(url):
            continue
        items[url] = ListItem(
            url, clean_text(link.text_content()), _item_date(link, profile, order)
        )
    return list(items.values())


def article_links(doc: HtmlElement, page_url: str, profile: Profile) -> list[str]:
    """Every link on the page whose URL has the shape of this platform's articles."""
    netloc = urlsplit(page_url).netloc
    found: dict[str, None] = {}
    for href in doc.xpath("//a/@href"):
        url = absolute_link(href, page_url)
        if (
            url
            and same_site(url, netloc)
            and profile.is_article_url(url)
            and not TRAP_PATTERNS.search(url)
        ):
            found[url] = None
    return list(found)


def list_links(doc: HtmlElement, page_url: str, profile: Profile) -> list[str]:
    """Links to pages that may be news lists (menus, category links) on the same site."""
    netloc = urlsplit(page_url).netloc
    found: dict[str, None] = {}
    for href in doc.xpath("//a/@href"):
        url = absolute_link(href, page_url)
        if (
            url
            and same_site(url, netloc)
            and profile.is_list_url(url)
            and not TRAP_PATTERNS.search(url)
        ):
            found[url] = None
    found.pop(page_url, None)
    return list(found)


def _page_number(url: str) -> int | None:
    for name, value in parse_qsl(urlsplit(url).query):
        if _PAGE_PARAM.match(name) and value.isdigit():
            return int(value)
    match = re.search(r"/(?:page|trang)[/-](\d+)/?$", urlsplit(url).path, re.I)
    return int(match.group(1)) if match else None


def next_page(doc: HtmlElement, page_url: str, profile: Profile) -> str | None:
    """The next list page: the profile's rule, rel=next, a "Trang sau" link, or page number + 1."""
    netloc = urlsplit(page_url).netloc

    def usable(href: str | None) -> str | None:
        url = absolute_link(href, page_url)
        if url and url != page_url and same_site(url, netloc) and not TRAP_PATTERNS.search(url):
            return url
        return None

    for selector in profile.next_page.compiled:
        for element in selector(doc):
            url = usable(element.get("href"))
            if url:
                return url
    links = doc.xpath("//a[@href]")
    current = _page_number(page_url) or 1
    for link in links:
        text = clean_text(link.text_content()).casefold() or (link.get("title") or "").casefold()
        if text in NEXT_TEXTS or fold(link.get("title") or "") in ("trang sau", "tiep"):
            url = usable(link.get("href"))
            # "»" is "next" on some sites and "last" on others: trust the page number.
            if url and _page_number(url) in (None, current + 1):
                return url
    for link in links:
        if clean_text(link.text_content()) == str(current + 1):
            url = usable(link.get("href"))
            if url and _page_number(url) == current + 1:
                return url
    return None


def looks_like_article(doc: HtmlElement, url: str, profile: Profile) -> bool:
    """Whether a start URL is itself an article (a re-crawl of one page) rather than a list."""
    if profile.is_article_url(url):
        return True
    if urlsplit(url).path in ("", "/"):
        return False
    if profile.list_links and list_items(doc, url, profile):
        return False
    return profile.body.first(doc) is not None and profile.title.first(doc) is not None
