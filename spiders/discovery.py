"""Finding links on home and list pages: article items, next pages, other lists, traps.

Pure functions over a parsed page and a platform profile; the spider only
turns their answers into requests. Platforms whose lists need code (JSON,
POST) add to this through spiders/families.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from lxml.html import HtmlElement

from pipelines.text import clean_text, fold, words
from spiders.platforms import Profile
from spiders.urls import absolute_link, same_site

# Link texts that mean "next page" on Vietnamese sites.
NEXT_TEXTS = frozenset(
    {
        "trang sau",
        "sau",
        "tiếp",
        "tiếp >",
        "trang tiếp",
        "tiếp theo",
        "next",
        "»",
        "›",
        ">",
        ">>",
        "xem thêm",
    }
)
_TRAP = re.compile(
    r"(?i)(/_layouts/(?!listfeed)|/search/?(?:$|[?/])|/tim-kiem|[?&](?:q|keys?|keyword|search|tukhoa|s)="
    r"|/login|/dang-nhap|/logout|/dang-xuat|/user/|/wp-admin|/wp-login|calendar|lich-cong-tac|lich-am"
    r"|[?&](?:year|month|day|date|ngay|thang|nam)=\d|[;?&](?:jsessionid|phpsessid|sessionid|sid)="
    r"|/(?:print|printitem|in-bai|savefile)\b|printitem\.aspx|/feed/?$|/rss/?$|/comment"
    r"|\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|7z|jpe?g|png|gif|webp|svg|mp4|mp3|avi|apk|exe)(?:$|\?))"
)
_PAGE_PARAM = re.compile(
    r"(?i)^(?:pageindex|page|p|trang|pagenum|pageno|paged|cur|.*_cur|.*_page)$"
)
_PATH_PAGE = re.compile(r"(?i)/(?:page|trang)[/-](\d+)(?:\.html?)?/?$")
_DATE_TEXT = re.compile(r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|\d{4}-\d{2}-\d{2}")
# Heritrix's trap rules: not too deep, not the same path segment over and over.
MAX_PATH_SEGMENTS = 20
MAX_SEGMENT_REPEATS = 2
MAX_URL_LENGTH = 512
ANCESTOR_LEVELS = 4


@dataclass(frozen=True)
class ListItem:
    url: str
    title: str
    date_text: str | None


@dataclass(frozen=True)
class ListRequest:
    """A list page to fetch: a GET URL, or a POST with form fields (ASP.NET page methods)."""

    url: str
    method: str = "GET"
    form: tuple[tuple[str, str], ...] = ()

    @classmethod
    def post(cls, url: str, form: dict[str, str]) -> ListRequest:
        return cls(url, "POST", tuple(sorted(form.items())))

    @property
    def key(self) -> str:
        """One string per distinct request, for "seen" sets."""
        return self.url if self.method == "GET" else f"POST {self.url}?{urlencode(self.form)}"


@dataclass
class Listing:
    """What one list page gives: its items, its next page, and other list sources it names."""

    items: list[ListItem] = field(default_factory=list)
    next: ListRequest | None = None
    sources: list[ListRequest] = field(default_factory=list)  # lists loaded by script (JSON)
    feeds: list[str] = field(default_factory=list)  # RSS/Atom feeds and sitemaps it declares


def is_trap(url: str) -> bool:
    """Calendars, searches, sessions, logins, files, print copies and runaway paths."""
    if len(url) > MAX_URL_LENGTH or _TRAP.search(url):
        return True
    segments = [s for s in urlsplit(url).path.split("/") if s]
    if len(segments) > MAX_PATH_SEGMENTS:
        return True
    return any(segments.count(s) > MAX_SEGMENT_REPEATS for s in set(segments))


def _site_link(href: str | None, page_url: str, netloc: str) -> str | None:
    url = absolute_link(href, page_url)
    if url and same_site(url, netloc) and not is_trap(url):
        return url
    return None


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
        url = _site_link(link.get("href"), page_url, netloc)
        if url is None or url in items or profile.is_skipped(url):
            continue
        title = clean_text(link.text_content()) or clean_text(link.get("title"))
        items[url] = ListItem(url, title, _item_date(link, profile, order))
    return list(items.values())


def _links(doc: HtmlElement) -> list[HtmlElement]:
    return doc.xpath("//a[@href]")


def article_links(doc: HtmlElement, page_url: str, profile: Profile) -> list[str]:
    """Every link on the page whose URL has the shape of this platform's articles."""
    netloc = urlsplit(page_url).netloc
    found: dict[str, None] = {}
    for link in _links(doc):
        url = _site_link(link.get("href"), page_url, netloc)
        if url and profile.is_article_url(url) and not profile.is_skipped(url):
            found[url] = None
    return list(found)


def list_links(doc: HtmlElement, page_url: str, profile: Profile) -> list[str]:
    """Links to pages that may be news lists (menus, category links) on the same site."""
    netloc = urlsplit(page_url).netloc
    found: dict[str, None] = {}
    for link in _links(doc):
        url = _site_link(link.get("href"), page_url, netloc)
        if url and profile.is_list_url(url) and not profile.is_skipped(url):
            found[url] = None
    found.pop(page_url, None)
    return list(found)


def page_number(url: str) -> int | None:
    """The list page number a URL asks for (?page=3, ?PageIndex=3, /page/3, /trang-3.html)."""
    for name, value in parse_qsl(urlsplit(url).query):
        if _PAGE_PARAM.match(name) and value.isdigit():
            return int(value)
    match = _PATH_PAGE.search(urlsplit(url).path)
    return int(match.group(1)) if match else None


def with_page(url: str, number: int) -> str | None:
    """The same list URL asking for another page number; None if the URL has no page parameter."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    for index, (name, value) in enumerate(query):
        if _PAGE_PARAM.match(name) and value.isdigit():
            query[index] = (name, str(number))
            return urlunsplit(parts._replace(query=urlencode(query)))
    return None


def next_page(doc: HtmlElement, page_url: str, profile: Profile) -> str | None:
    """The next list page: the profile's rule, rel=next, a "Trang sau" link, or page number + 1."""
    netloc = urlsplit(page_url).netloc
    current = page_number(page_url) or 1

    def usable(href: str | None) -> str | None:
        url = _site_link(href, page_url, netloc)
        return url if url and url != page_url else None

    for selector in profile.next_page.compiled:
        for element in selector(doc):
            url = usable(element.get("href"))
            if url and (page_number(url) or current + 1) > current:
                return url
    for href in doc.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href"):
        url = usable(href)
        if url:
            return url
    links = _links(doc)
    for link in links:
        text = clean_text(link.text_content()).casefold()
        title = fold(link.get("title") or "")
        if text in NEXT_TEXTS or title in ("trang sau", "tiep", "trang tiep", "next"):
            url = usable(link.get("href"))
            # "»" is "next" on some sites and "last" on others: trust the page number.
            if url and page_number(url) in (None, current + 1):
                return url
    for link in links:
        if clean_text(link.text_content()) == str(current + 1):
            url = usable(link.get("href"))
            if url and page_number(url) == current + 1:
                return url
    return None


def looks_like_article(doc: HtmlElement, url: str, profile: Profile) -> bool:
    """Whether a start URL is itself an article (a re-crawl of one page) rather than a list."""
    if profile.is_article_url(url):
        return True
    if urlsplit(url).path in ("", "/") or profile.is_list_url(url):
        return False
    if profile.list_links and list_items(doc, url, profile):
        return False
    if profile.name == "generic":
        return looks_like_generic_article_url(url)
    return profile.body.first(doc) is not None and profile.title.first(doc) is not None


# The generic path: unknown layouts --------------------------------------------------------

# URL shapes that usually name one article: an id at the end, a date path, ?p=, /node/.
_ARTICLE_URL = re.compile(
    r"(?i)(?:[-_/](?:\d{3,}|[a-z]*\d{4,})(?:\.html?|\.aspx|\.php)?/?$|/\d{4}/\d{1,2}/\d{1,2}/[^/]+"
    r"|[?&](?:p|id|itemid|newsid|articleid|contentid|news_id|dinhdanh)=\d+|/node/\d+$"
    r"|/(?:bai-viet|chi-tiet|tin-chi-tiet|view_content|news/detail|detail)/"
    r"|/[a-z0-9đ]+(?:-[a-z0-9đ]+){5,}(?:\.html?|\.aspx)?/?$)"
)
# Words in a link or URL that mark a news list.
_LIST_WORDS = re.compile(
    r"(?i)(tin[- ]tuc|tin tức|su[- ]kien|sự kiện|hoat[- ]dong|hoạt động|thong[- ]bao|thông báo"
    r"|chuyen[- ]muc|chuyên mục|danh[- ]muc|category|/news|tin[- ]moi|tin mới|thoi[- ]su|thời sự"
    r"|tin-hoat-dong|xa-phuong|xã phường|ban-tin|bản tin|tin-dia-phuong|chinh-quyen)"
)
HEADLINE_MIN_WORDS = 5


def looks_like_generic_article_url(url: str) -> bool:
    return bool(_ARTICLE_URL.search(url))


def generic_article_links(doc: HtmlElement, page_url: str) -> list[ListItem]:
    """Links that read like headlines to article-shaped URLs on the same site."""
    netloc = urlsplit(page_url).netloc
    found: dict[str, ListItem] = {}
    for link in _links(doc):
        url = _site_link(link.get("href"), page_url, netloc)
        if url is None or url in found or url == page_url:
            continue
        title = clean_text(link.text_content()) or clean_text(link.get("title"))
        if looks_like_generic_article_url(url) and len(words(title)) >= HEADLINE_MIN_WORDS:
            found[url] = ListItem(url, title, None)
    return list(found.values())


def generic_list_links(doc: HtmlElement, page_url: str) -> list[str]:
    """Menu and category links that look like news lists."""
    netloc = urlsplit(page_url).netloc
    found: dict[str, None] = {}
    for link in _links(doc):
        url = _site_link(link.get("href"), page_url, netloc)
        if url is None or url == page_url or looks_like_generic_article_url(url):
            continue
        text = clean_text(link.text_content())
        if len(words(text)) <= 8 and (_LIST_WORDS.search(text) or _LIST_WORDS.search(url)):
            found[url] = None
    return list(found)
