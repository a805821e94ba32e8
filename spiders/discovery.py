"""Finding links on home and list pages: article items, next pages, other lists, traps.

Pure functions over a parsed page and a platform profile; the spider only
turns their answers into requests. Platforms whose lists need code (JSON,
POST) add to this through spiders/families.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml.html import HtmlElement

from pipelines.generic import Chrome, column_width
from pipelines.html import document_base
from pipelines.text import clean_text, fold, words
from spiders.platforms import Profile
from spiders.urls import absolute_link, same_site

# Link texts that say "next page" in words: trusted even when the URL has no page number.
NEXT_WORDS = frozenset({"trang sau", "trang tiếp", "tiếp theo", "tiếp", "sau", "next", "next page"})
# Arrows and "more" links mean "next" on some sites and "last page" or "another section" on
# others: trusted only when their URL asks for the next page number.
NEXT_SIGNS = frozenset({"»", "›", ">", ">>", "tiếp >", "xem thêm", "xem tiếp", "more"})
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
ANCESTOR_LEVELS = 6
DATE_CHUNK_CHARS = 60  # a date printed in a list item stands in a short piece of text


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
        if node is None or _holds_other_headline(node, link.get("href")):
            return None  # past the item: a date here is another item's
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


def _holds_other_headline(node: HtmlElement, href: str | None) -> bool:
    return any(
        a.get("href") != href
        and len(words(clean_text(a.text_content()) or clean_text(a.get("title"))))
        >= HEADLINE_MIN_WORDS
        for a in node.iter("a")
    )


def list_items(doc: HtmlElement, page_url: str, profile: Profile) -> list[ListItem]:
    """The articles a list page lists, in page order, once each.

    Links in the page's chrome (sidebars, "most read", related boxes) and links
    to other list pages (pagers) are not the list's items.
    """
    netloc = urlsplit(page_url).netloc
    base = document_base(doc, page_url)
    order = _document_order(doc)
    in_chrome = Chrome(doc, lists=True)
    items: dict[str, ListItem] = {}
    for link in profile.list_links.every(doc):
        url = _site_link(link.get("href"), base, netloc)
        if url is None or profile.is_skipped(url) or profile.is_list_url(url) or in_chrome(link):
            continue
        title = clean_text(link.text_content()) or clean_text(link.get("title"))
        if url in items:
            # A thumbnail link first, the headline link second: keep the headline.
            if not items[url].title and title:
                items[url] = ListItem(url, title, items[url].date_text)
            continue
        items[url] = ListItem(url, title, _item_date(link, profile, order))
    return list(items.values())


def _links(doc: HtmlElement) -> list[HtmlElement]:
    return doc.xpath("//a[@href]")


def article_links(doc: HtmlElement, page_url: str, profile: Profile) -> list[str]:
    """Every link on the page whose URL has the shape of this platform's articles."""
    netloc = urlsplit(page_url).netloc
    base = document_base(doc, page_url)
    found: dict[str, None] = {}
    for link in _links(doc):
        url = _site_link(link.get("href"), base, netloc)
        if url and profile.is_article_url(url) and not profile.is_skipped(url):
            found[url] = None
    return list(found)


def list_links(doc: HtmlElement, page_url: str, profile: Profile) -> list[str]:
    """Links to pages that may be news lists (menus, category links) on the same site."""
    netloc = urlsplit(page_url).netloc
    base = document_base(doc, page_url)
    found: dict[str, None] = {}
    for link in _links(doc):
        url = _site_link(link.get("href"), base, netloc)
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


def list_identity(url: str) -> str:
    """A list URL without its page number: every page of one list gives the same string."""
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _PAGE_PARAM.match(k)
    ]
    path = _PATH_PAGE.sub("", parts.path) or "/"
    return urlunsplit(parts._replace(path=path.rstrip("/") or "/", query=urlencode(sorted(query))))


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
    base = document_base(doc, page_url)
    current = page_number(page_url) or 1

    def usable(href: str | None) -> str | None:
        url = _site_link(href, base, netloc)
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
        text = clean_text(link.text_content()).casefold().strip(" »›>")
        sign = clean_text(link.text_content()).casefold()
        title = fold(link.get("title") or "")
        worded = text in NEXT_WORDS or title in ("trang sau", "tiep", "trang tiep", "next")
        if not worded and sign not in NEXT_SIGNS:
            continue
        url = usable(link.get("href"))
        number = page_number(url) if url else None
        if url and (number == current + 1 or (worded and number is None)):
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
    # Oracle WebCenter and other document stores: ?dDocName=PORTAL287937, ?docid=ABC1234
    r"|[?&]\w*(?:id|doc\w*)=[a-z_]*\d{4,}(?:&|$)"
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
# Sections of a government portal that are not news: documents, procedures, Q&A, schedules.
_NOT_NEWS = re.compile(
    r"(?i)/(?:van-ban|vanban|van-ban-phap-luat|thu-tuc-hanh-chinh|tthc|hoi-dap|gop-y|lien-he"
    r"|gioi-thieu|so-do|lich-cong-tac|lich-lam-viec|tags?|tu-khoa|du-thao|danh-ba)(?:/|$|\?|-)"
)


def looks_like_generic_article_url(url: str) -> bool:
    return bool(_ARTICLE_URL.search(url))


def generic_article_links(
    doc: HtmlElement,
    page_url: str,
    is_article: Callable[[str], bool] = looks_like_generic_article_url,
) -> tuple[list[ListItem], list[str]]:
    """(the list's own headline links, other headline links in sidebars and boxes).

    `is_article`: what an article URL looks like (a family's own shapes, when known)."""
    netloc = urlsplit(page_url).netloc
    base = document_base(doc, page_url)
    found: dict[str, ListItem] = {}
    aside: dict[str, None] = {}
    in_chrome = Chrome(doc, lists=True)
    columns: dict[str, int | None] = {}
    for link in _links(doc):
        url = _site_link(link.get("href"), base, netloc)
        if url is None or url in found or url == page_url or _NOT_NEWS.search(url):
            continue
        title = clean_text(link.text_content()) or clean_text(link.get("title"))
        if is_article(url) and len(words(title)) >= HEADLINE_MIN_WORDS:
            if in_chrome(link):
                aside[url] = None
            else:
                found[url] = ListItem(url, title, _text_date(link, base, is_article))
                columns[url] = column_width(link)
    # Headlines in a narrower grid column than others are the sidebar's, whatever its name.
    widest = max((width for width in columns.values() if width is not None), default=None)
    for url, width in columns.items():
        if width is not None and widest is not None and width < widest:
            aside[url] = None
            del found[url]
    return list(found.values()), [url for url in aside if url not in found]


_DATE_WITH_TIME = re.compile(
    r"(?:\d{1,2}:\d{2}(?::\d{2})?\s*[|-]?\s*)?(?:\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|\d{4}-\d{2}-\d{2})"
    r"(?:\s*[|-]?\s*\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:AM|PM|SA|CH))?)?",
    re.IGNORECASE,
)


def _text_date(
    link: HtmlElement, base: str, is_article: Callable[[str], bool] = looks_like_generic_article_url
) -> str | None:
    """The date printed in a list item of unknown layout: in the largest box around the link
    that holds no other article link."""
    target = link.get("href")
    container = None
    node = link
    for _ in range(ANCESTOR_LEVELS):
        node = node.getparent()
        if node is None:
            break
        hrefs = {
            a.get("href") for a in node.iter("a") if is_article(urljoin(base, a.get("href") or ""))
        }
        if hrefs - {target}:
            break
        container = node
    if container is None:
        return None
    for chunk in container.itertext():
        # A date label, not a date inside the excerpt's prose ("Tính đến ngày 31/10/2026, …").
        if len(chunk.strip()) > DATE_CHUNK_CHARS:
            continue
        match = _DATE_WITH_TIME.search(chunk)
        if match:
            return match.group(0).strip()
    return None


def generic_list_links(doc: HtmlElement, page_url: str) -> list[str]:
    """Menu and category links that look like news lists."""
    netloc = urlsplit(page_url).netloc
    base = document_base(doc, page_url)
    found: dict[str, None] = {}
    for link in _links(doc):
        url = _site_link(link.get("href"), base, netloc)
        if (
            url is None
            or url == page_url
            or looks_like_generic_article_url(url)
            or _NOT_NEWS.search(url)
        ):
            continue
        text = clean_text(link.text_content())
        if len(words(text)) <= 8 and (_LIST_WORDS.search(text) or _LIST_WORDS.search(url)):
            found[url] = None
    return list(found)
