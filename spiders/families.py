"""Platforms whose lists need code: lists loaded as JSON, and pagination by POST.

A profile names one of these by `code = "…"`. Each reads what the page's own
scripts would have requested, and turns the responses into a Listing.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from pipelines.html import ParseError, parse_html
from spiders.discovery import Listing, ListItem, ListRequest, list_items, page_number, with_page
from spiders.platforms import Profile
from spiders.urls import absolute_link, same_site

_URL_KEYS = ("urlDetail", "url", "Url", "URL", "link", "Link", "href", "detailUrl", "DetailUrl")
_TITLE_KEYS = ("title", "Title", "name", "Name", "headline", "TieuDe")
_DATE_KEYS = (
    "createdDate",
    "CreatedDate",
    "publishDate",
    "PublishDate",
    "PublishTime",
    "date",
    "Date",
)
_TOTAL_KEYS = ("total", "Total", "totalCount", "TotalCount", "totalRecord", "TotalRecord")
_PAGES_KEYS = ("totalPage", "totalPages", "TotalPage", "TotalPages", "pageCount", "PageCount")
_SIZE_KEYS = ("pageSize", "PageSize", "limit", "size", "perPage")
_LIST_KEYS = ("items", "Items", "data", "Data", "results", "Results", "d", "list", "List")


class ListCode:
    """Hooks a platform overrides; the defaults do nothing."""

    def sources(self, doc: HtmlElement, html: str, page_url: str) -> list[ListRequest]:
        """List sources a page loads by script (a JSON endpoint's first page)."""
        return []

    def next_request(self, html: str, page_url: str, listing: Listing) -> ListRequest | None:
        """The next page of an HTML list when the page pages by script (POST)."""
        return None

    def read(
        self, body: bytes, content_type: str, request: ListRequest, profile: Profile
    ) -> Listing | None:
        """A list response that is not a whole HTML page; None to read it as HTML."""
        return None


class JsonLists(ListCode):
    """Lists loaded as JSON: Liferay's `p_p_resource_id=loadPage`, DotNetNuke `api/…/listnew`."""

    endpoint = re.compile(
        r"""['"]((?:https?:)?/[^'"\s<>]*?(?:p_p_resource_id=loadPage|/api/[^'"\s<>]*list)[^'"\s<>]*)['"]""",
        re.IGNORECASE,
    )
    # `url + '&_xyz_page=' + n`: the name of the page parameter the script appends.
    appended_page = re.compile(
        r"""['"][&?]?([\w.]*?(?:page|cur|pageindex))=['"]\s*\+""", re.IGNORECASE
    )

    def sources(self, doc: HtmlElement, html: str, page_url: str) -> list[ListRequest]:
        found: dict[str, None] = {}
        scripts = "\n".join(doc.xpath("//script[not(@src)]/text()"))
        for match in self.endpoint.finditer(scripts):
            url = absolute_link(match.group(1).replace("&amp;", "&"), page_url)
            if not url or not same_site(url, urlsplit(page_url).netloc):
                continue
            if page_number(url) is None:
                # The script appends the page number somewhere below: `url + '&_x_page=' + n`.
                appended = self.appended_page.search(scripts, match.end())
                if appended:
                    url += ("&" if "?" in url else "?") + f"{appended.group(1)}=1"
            found[url] = None
        return [ListRequest(url) for url in found]

    def read(
        self, body: bytes, content_type: str, request: ListRequest, profile: Profile
    ) -> Listing | None:
        if "json" not in content_type.lower() and body.lstrip()[:1] not in (b"{", b"["):
            return None
        try:
            data = json.loads(body)
        except ValueError:
            return Listing()
        records, _total = _records(data)
        items = []
        for record in records:
            url = absolute_link(_first(record, _URL_KEYS), request.url)
            if url and same_site(url, urlsplit(request.url).netloc):
                title = " ".join(str(_first(record, _TITLE_KEYS, text=True) or "").split())
                items.append(ListItem(url, title, _first(record, _DATE_KEYS)))
        listing = Listing(items=items)
        current = page_number(request.url) or 1
        if items and _more_pages(data, current, len(records)):
            following = with_page(request.url, current + 1)
            listing.next = ListRequest(following) if following else None
        return listing


def _number(data: Any, keys: tuple[str, ...]) -> int | None:
    if isinstance(data, dict):
        for key in keys:
            if str(data.get(key, "")).isdigit():
                return int(data[key])
    return None


def _more_pages(data: Any, current: int, count: int) -> bool:
    """Whether a JSON list has a page after `current`, by what the answer says of itself."""
    pages = _number(data, _PAGES_KEYS)
    if pages is not None:
        return current < pages
    total = _number(data, _TOTAL_KEYS)
    size = _number(data, _SIZE_KEYS) or count
    if total is not None:
        return current * size < total
    return count > 0


def _plain(value: str) -> str:
    """Text of a JSON field that may carry markup or entities ("&#8211;", "<b>…</b>")."""
    if "<" not in value and "&" not in value:
        return value
    return " ".join(html.unescape(_TAG.sub(" ", value)).split())


_TAG = re.compile(r"<[^>]+>")


def _first(record: dict[str, Any], keys: tuple[str, ...], *, text: bool = False) -> str | None:
    """The first non-empty field; `text`: a title, whose markup and entities go (never a URL:
    "&copy=2" in a query would become "©=2")."""
    for key in keys:
        value = record.get(key)
        if isinstance(value, dict):  # WordPress REST: "title": {"rendered": "…"}
            value = value.get("rendered")
        if value not in (None, ""):
            return _plain(str(value)) if text else str(value)
    return None


def _records(data: Any) -> tuple[list[dict[str, Any]], int | None]:
    """The list of item objects in a JSON answer, and the total count when it says."""
    if isinstance(data, str):  # ASP.NET wraps answers as {"d": "<json text>"}
        try:
            return _records(json.loads(data))
        except ValueError:
            return [], None
    if isinstance(data, list):
        return [item for item in data if isinstance(item, dict)], None
    if not isinstance(data, dict):
        return [], None
    total = next((int(data[k]) for k in _TOTAL_KEYS if str(data.get(k, "")).isdigit()), None)
    for key in _LIST_KEYS:
        if key in data:
            records, inner_total = _records(data[key])
            return records, total if total is not None else inner_total
    # Lists under names of their own ("ListData" and "ListMoreData" in DotNetNuke's cmsview):
    # every list of objects that carry a link, in order.
    records = [
        item
        for value in data.values()
        if isinstance(value, list)
        for item in value
        if isinstance(item, dict) and _first(item, _URL_KEYS)
    ]
    return records, total


class PostPaging(ListCode):
    """ASP.NET page-method pagination (Ninh Bình): page 2 on is a POST answered by HTML."""

    default_endpoint = "/DesktopModule/UIArticleInMenu/ArticleInMenuPagination.aspx/LoadArticle"
    endpoint = re.compile(r"""['"]([^'"\s]*\.aspx/LoadArticle)['"]""", re.IGNORECASE)
    fields = ("article_category_id", "site_id", "page_size", "lang")
    call = re.compile(r"LoadArticle\w*\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)", re.IGNORECASE)

    def _field(self, html: str, name: str) -> str | None:
        match = re.search(rf"""\b{name}\b['"]?\s*[:=]\s*['"]?([\w-]+)""", html, re.IGNORECASE)
        return match.group(1) if match else None

    def _more(self, html: str, page: int, page_size: int) -> bool:
        """Whether there is a page after `page`: maxPage, total records or the pager say so."""
        most = re.search(r"maxPage\s*=\s*(?:parseInt\()?\s*['\"]?(\d+)", html)
        if most:
            return page < int(most.group(1))
        total = re.search(
            r"hdTotalRecord[^>]*value=['\"]?(\d+)|value=['\"]?(\d+)['\"]?[^>]*hdTotalRecord", html
        )
        if total:
            return page * page_size < int(total.group(1) or total.group(2))
        pager = {int(n) for n in re.findall(r"LoadPage\w*\(\s*(\d+)", html)}
        if pager:
            return page + 1 in pager
        return True

    def next_request(self, html: str, page_url: str, listing: Listing) -> ListRequest | None:
        if not re.search(r"LoadArticle|LoadPage", html):
            return None  # the variables alone: this theme pages by links (/page/2)
        category, site = self._field(html, "article_category_id"), self._field(html, "site_id")
        if not (category and site):
            call = self.call.search(html)
            if not call:
                return None
            category, site = call.group(1), call.group(2)
        endpoint = self.endpoint.search(html)
        url = urljoin(page_url, endpoint.group(1) if endpoint else self.default_endpoint)
        page_size = self._field(html, "page_size") or str(len(listing.items) or 10)
        if not self._more(html, 1, int(page_size) if page_size.isdigit() else 10):
            return None
        form = {
            "article_category_id": category,
            "site_id": site,
            "page": "2",
            "page_size": page_size,
            "lang": self._field(html, "lang") or "vi-VN",
        }
        return ListRequest.post(url, form)

    def read(
        self, body: bytes, content_type: str, request: ListRequest, profile: Profile
    ) -> Listing | None:
        if request.method != "POST":
            return None
        text = body.decode("utf-8", errors="replace")
        try:
            payload = json.loads(text)
            text = payload.get("d", "") if isinstance(payload, dict) else text
        except ValueError:
            pass
        try:
            fragment = parse_html(f"<html><body>{text}</body></html>")
        except ParseError:
            return Listing()
        items = list_items(fragment, request.url, profile)
        listing = Listing(items=items)
        form = dict(request.form)
        page = int(form.get("page", "1")) if str(form.get("page", "1")).isdigit() else 1
        size = (
            int(form.get("page_size", "10")) if str(form.get("page_size", "10")).isdigit() else 10
        )
        if items and self._more(text, page, size):
            form["page"] = str(page + 1)
            listing.next = ListRequest.post(request.url, form)
        return listing


JSON_LISTS = JsonLists()
CODE: dict[str, ListCode] = {"json_lists": JSON_LISTS, "post_paging": PostPaging()}
NO_CODE = ListCode()


def code_for(profile: Profile) -> ListCode:
    return CODE.get(profile.code or "", NO_CODE)
