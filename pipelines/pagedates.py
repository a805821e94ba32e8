"""Choosing an article's published and updated times from everything a page offers.

Order of trust: machine-readable fields, the platform's date element, labelled
text near the article, the date in the URL, the list page's date for the item.
Header clocks, print dates, related-news dates and footers are never read: the
search runs on the article's own elements and short labelled lines only.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lxml.html import HtmlElement

from pipelines.dates import VnDate, date_only, lead_date, normalize, parse_vn_date
from pipelines.text import clean_text, fold
from spiders.platforms import Profile

log = logging.getLogger(__name__)

_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "dc.date.issued",
    "date",
)
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "lastmod")
_LABELS_PUBLISHED = re.compile(
    r"^(?:ngày đăng|đăng lúc|đăng ngày|đăng tải|ngày xuất bản|xuất bản|thời gian đăng|"
    r"thời gian|ngày)\s*:?\s*\d"
)
_LABELS_UPDATED = re.compile(r"^(?:cập nhật(?: lúc| ngày)?|ngày cập nhật|sửa đổi)\s*:?\s*\d")
_URL_YEAR = re.compile(r"/((?:19|20)\d{2})/")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[-/](\d{1,2})[-/](\d{1,2})(?:/|[-_])")
_NEWS_TYPES = re.compile(r"(News|Blog|Report)?Article|WebPage|Posting", re.IGNORECASE)
LABEL_MAX_CHARS = 90
DATELINE_MAX_CHARS = 60
HEAD_LINE_MAX_CHARS = 100
_FULL_DATE = re.compile(r"(?<!\d)\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d{2}(?!\d)")
# A line made of a date, maybe a time, a weekday, separators and a view count.
_DATELINE = re.compile(
    r"^(?:(?:thứ \w+|chủ nhật|cn)\s*[,-]?\s*)?\(?\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\)?"
    r"(?:\s*[|,-]?\s*\d{1,2}:\d{2}(?::\d{2})?\s*(?:am|pm|sa|ch)?)?"
    r"(?:\s*[|-]?\s*[\d.,]+\s*lượt xem)?$"
    r"|^\d{1,2}:\d{2}(?::\d{2})?\s*[|-]?\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{4}$"
)


@dataclass(frozen=True)
class PageDates:
    published: VnDate | None
    updated: VnDate | None
    published_from: str | None  # which evidence gave the published date


def _json_ld_objects(doc: HtmlElement) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for script in doc.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.append(item["@graph"])
                kind = item.get("@type")
                kinds = kind if isinstance(kind, list) else [kind]
                if any(isinstance(k, str) and _NEWS_TYPES.search(k) for k in kinds):
                    found.append(item)
    return found


def json_ld_author(doc: HtmlElement) -> str | None:
    """The article's author as JSON-LD names it: a person, not the newspaper itself."""
    for item in _json_ld_objects(doc):
        publisher = item.get("publisher")
        house = publisher.get("name") if isinstance(publisher, dict) else None
        authors = item.get("author")
        for person in authors if isinstance(authors, list) else [authors]:
            if isinstance(person, dict) and person.get("@type") in (None, "Person"):
                name = clean_text(str(person.get("name") or ""))
                if name and name != house and fold(name) not in SITE_ACCOUNTS:
                    return name
    return None


# CMS log-in names that a theme or an SEO plugin prints as the author: nobody's byline.
SITE_ACCOUNTS = frozenset(
    ("admin", "administrator", "webmaster", "quan tri", "quan tri vien", "quan tri website")
)


def _meta(doc: HtmlElement, names: tuple[str, ...]) -> list[str]:
    values: list[str] = []
    for meta in doc.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in names:
            values.append(meta.get("content"))
    return values


def machine_dates(doc: HtmlElement, now: datetime) -> tuple[VnDate | None, VnDate | None]:
    """(published, updated) from JSON-LD, meta tags and <time datetime>."""
    published = updated = None
    for item in _json_ld_objects(doc):
        published = published or parse_vn_date(str(item.get("datePublished") or ""), now=now)
        updated = updated or parse_vn_date(str(item.get("dateModified") or ""), now=now)
    for value in _meta(doc, _PUBLISHED_META):
        published = published or parse_vn_date(value, now=now)
    for value in _meta(doc, _MODIFIED_META):
        updated = updated or parse_vn_date(value, now=now)
    if published is None:
        for value in doc.xpath(
            "//article//time/@datetime | //*[@itemprop='datePublished']/@datetime"
        ):
            published = parse_vn_date(value, now=now)
            if published:
                break
    return published, updated


def labelled_dates(lines: Sequence[str], now: datetime) -> tuple[VnDate | None, VnDate | None]:
    """Dates in short lines that say what they are: "Ngày đăng: …", "Cập nhật lúc …"."""
    published = updated = None
    for line in lines:
        text = normalize(line)
        if len(text) > LABEL_MAX_CHARS:
            continue
        if updated is None and _LABELS_UPDATED.search(text):
            updated = parse_vn_date(text, now=now)
        elif published is None and _LABELS_PUBLISHED.search(text):
            published = parse_vn_date(text, now=now)
        if published and updated:
            break
    return published, updated


def url_date(url: str, now: datetime) -> VnDate | None:
    match = _URL_DATE.search(url)
    if not match:
        return None
    year, month, day = match.groups()
    return parse_vn_date(f"{day}/{month}/{year}", now=now)


def dateline(lines: Sequence[str], now: datetime) -> VnDate | None:
    """The first short line that is mostly a date ("11/10/2021 14:48 39 lượt xem")."""
    for line in lines:
        text = normalize(line)
        if len(text) <= DATELINE_MAX_CHARS and _DATELINE.search(text):
            found = parse_vn_date(text, now=now)
            if found:
                return found
    return None


def head_date(lines: Sequence[str], now: datetime) -> VnDate | None:
    """The date in a short meta line between the headline and the body.

    Themes put the date among other things on one line ("Tin hoạt động 21:08
    20/07/2025 Lượt xem: 642 A- A+ In bài", "22/09/2022 | 04:10 PM In trang"); above
    the body, a line with exactly one full date and no sentence is that line.
    """
    for line in lines:
        text = normalize(line)
        if len(text) > HEAD_LINE_MAX_CHARS or len(_FULL_DATE.findall(text)) != 1:
            continue
        if text.rstrip().endswith((".", "?", "!")):
            continue
        found = parse_vn_date(text, now=now)
        if found:
            return found
    return None


def _machine_time(element: HtmlElement, now: datetime) -> VnDate | None:
    """The datetime attribute of a date element (<time datetime>, itemprop content), which
    carries the time its text leaves out ("Thứ Ba, 24/06/2025")."""
    values = element.xpath("(@datetime | @content | .//time/@datetime)")
    for value in values:
        found = parse_vn_date(str(value), now=now)
        if found is not None:
            shown = parse_vn_date(normalize(element.text_content()), now=now)
            if shown is None or shown.day == found.day:
                return found
    return None


def _element_dates(
    profile: Profile,
    doc: HtmlElement,
    region: HtmlElement | None,
    title: HtmlElement | None,
    now: datetime,
) -> tuple[VnDate | None, VnDate | None]:
    """(published, updated) from the platform's date elements: the first ones after the headline.

    Related-news lists beside the article carry dates in the same markup, so
    position decides, not selector order. An element labelled "Cập nhật" is
    an updated time.
    """
    if not profile.published:
        return None, None
    scopes = [region] if region is not None else []
    if profile.name != "generic":
        scopes.append(doc)
    published = updated = None
    for scope in scopes:
        order = {element: i for i, element in enumerate(scope.iter())}
        start = order.get(title, -1) if title is not None else -1
        # After the headline first (where the article's own date line is), then before it.
        candidates = sorted(
            (order[element] < start, order[element], element)
            for element in profile.published.every(scope)
            if element in order
        )
        for _, _, element in candidates:
            text = normalize(element.text_content())
            found = _machine_time(element, now) or parse_vn_date(text, now=now)
            if found is None:
                continue
            if _LABELS_UPDATED.search(text):
                updated = updated or found
            elif published is None:
                published = found
        if published or updated:
            break
    return published, updated


def find_dates(
    doc: HtmlElement,
    *,
    url: str,
    profile: Profile,
    now: datetime,
    region: HtmlElement | None = None,
    title: HtmlElement | None = None,
    region_lines: Sequence[str] = (),
    head_lines: Sequence[str] = (),
    list_date: str | None = None,
    lead: str | None = None,
) -> PageDates:
    """The published and updated times of an article page, from the best evidence there is."""
    machine_published, machine_updated = machine_dates(doc, now)
    element_date, element_updated = _element_dates(profile, doc, region, title, now)
    labelled_published, labelled_updated = labelled_dates(region_lines, now)
    from_url = url_date(url, now)
    from_list = parse_vn_date(list_date, now=now) if list_date else None
    candidates: list[tuple[str, VnDate | None]] = [
        ("machine", machine_published),
        ("element", element_date),
        ("label", labelled_published),
        ("dateline", dateline(region_lines, now) or head_date(head_lines, now)),
        # Only "updated" on the page: the best there is for when it was published.
        ("updated", element_updated or labelled_updated),
        ("url", from_url),
        ("list", from_list),
    ]
    published_from, published = next(
        ((name, found) for name, found in candidates if found is not None), (None, None)
    )
    if published is None and lead:
        years = [int(year) for year in _URL_YEAR.findall(url)]
        published = lead_date(lead, years=years, now=now)
        published_from = "lead" if published else None
    if published is not None:
        published = date_only(published, minutes_too=profile.midnight_means_date_only)
    if published and labelled_published and labelled_published.day != published.day:
        # The page says in words when it was published: that beats an unlabelled element.
        log.warning(
            "%s: dates disagree: %s says %s, a labelled line says %s; the labelled one wins",
            url,
            published_from,
            published.day,
            labelled_published.day,
        )
        published, published_from = labelled_published, "label"
    updated = machine_updated or element_updated or labelled_updated
    if updated is not None:
        updated = date_only(updated, minutes_too=profile.midnight_means_date_only)
    return PageDates(published, updated, published_from)
