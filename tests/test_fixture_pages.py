"""One parametrised test over every saved page of every fixture site.

Article pages must extract to their expected JSON; list pages must yield
their expected items and next link; every page must be detected as its
site's platform family.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from w3lib.url import safe_url_string

from archive.records import RawPage, iso
from pipelines.dates import parse_vn_date
from pipelines.extract import extract_article
from pipelines.html import decode_html, parse_html
from spiders.discovery import Listing, ListRequest
from spiders.listing import read_listing
from spiders.platforms import GENERIC, detect_platform, load_profiles, profile
from spiders.urls import canonical_url
from tests.conftest import NOW
from tests.siteserver import FixtureSite, Page, load_sites

# Offline stand-in for the served origin: extraction must not depend on it.
ORIGIN = "http://127.0.0.1:8000"
ARTICLE_FIELDS = (
    "title",
    "summary",
    "body",
    "author",
    "source",
    "published_at",
    "published_precision",
)


def _pages(kind: str) -> Iterator[Any]:
    for site in load_sites():
        for page in site.of_kind(kind):
            yield pytest.param(site, page, id=f"{site.slug}/{page.file.name}")


def _raw(page: Page) -> RawPage:
    url = canonical_url(ORIGIN + page.url)
    return RawPage(
        url=url,
        final_url=url,
        status=200,
        headers={"content-type": page.content_type},
        body=page.file.read_bytes().replace(b"{{ORIGIN}}", ORIGIN.encode()),
        fetched_at=iso(NOW),
    )


def _doc(page: Page):  # type: ignore[no-untyped-def]
    raw = _raw(page)
    return parse_html(decode_html(raw.body, page.content_type)[0])


def _absolute(url: str) -> str:
    return safe_url_string(ORIGIN + url if url.startswith("/") else url)


@pytest.mark.parametrize(("site", "page"), list(_pages("article")))
def test_article_page_extracts_to_expected(site: FixtureSite, page: Page) -> None:
    expected = page.expected(ORIGIN)
    article = extract_article(_raw(page), profile(site.platform))
    assert article.url == canonical_url(ORIGIN + expected["url"])
    for name in ARTICLE_FIELDS:
        assert getattr(article, name) == expected[name], name
    images = [(image.url, image.caption) for image in article.images]
    assert images == [(_absolute(i["url"]), i["caption"]) for i in expected["images"]]


def _read_list(site: FixtureSite, page: Page) -> Listing:
    url = canonical_url(ORIGIN + page.url)
    request = ListRequest.post(url, page.form) if page.method == "POST" else ListRequest(url)
    body = page.file.read_bytes().replace(b"{{ORIGIN}}", ORIGIN.encode())
    read = read_listing(body, page.content_type, request, profile(site.platform))
    assert read is not None, f"{page.file.name} is not read as a list"
    return read.listing


@pytest.mark.parametrize(("site", "page"), [*_pages("list"), *_pages("feed")])
def test_list_page_yields_expected_items(site: FixtureSite, page: Page) -> None:
    expected = page.expected(ORIGIN)
    listing = _read_list(site, page)
    items = listing.items
    assert [item.url for item in items] == [
        canonical_url(_absolute(i["url"])) for i in expected["items"]
    ]
    assert [item.title for item in items] == [i["title"] for i in expected["items"]]
    for item, wanted in zip(items, expected["items"], strict=True):
        found = parse_vn_date(item.date_text, now=NOW) if item.date_text else None
        assert (found.day.isoformat() if found else None) == wanted.get("date"), item.url
    assert listing.next == _expected_next(expected["next"])


def _expected_next(wanted: str | dict[str, Any] | None) -> ListRequest | None:
    if wanted is None:
        return None
    if isinstance(wanted, str):
        return ListRequest(canonical_url(_absolute(wanted)))
    return ListRequest.post(canonical_url(_absolute(wanted["url"])), wanted["form"])


def _html_pages() -> Iterator[Any]:
    """Whole HTML pages: JSON lists and POST fragments carry no family markers of their own."""
    for param in [*_pages("article"), *_pages("list")]:
        page = param.values[1]
        if page.method == "GET" and "json" not in page.content_type:
            yield param


@pytest.mark.parametrize(("site", "page"), list(_html_pages()))
def test_platform_is_detected_from_the_page(site: FixtureSite, page: Page) -> None:
    url = canonical_url(ORIGIN + page.url)
    text = decode_html(_raw(page).body, page.content_type)[0]
    detected = detect_platform(parse_html(text), url, text)
    if page.family_signal:
        assert detected == site.platform
    else:
        assert detected in (site.platform, GENERIC)


def test_pages_without_family_marks_are_the_exception() -> None:
    """Most pages of a site show its family; one that does not is marked so, with a reason."""
    for site in load_sites():
        unmarked = [page for page in site.pages if not page.family_signal]
        assert len(unmarked) < len(site.pages) / 2, site.slug
        assert not any(page.kind == "article" for page in unmarked), site.slug


def test_every_platform_has_a_fixture_site() -> None:
    covered = {site.platform for site in load_sites()}
    missing = sorted(set(load_profiles()) - covered - {GENERIC})
    assert not missing, f"platform profiles without a fixture site: {missing}"


def test_every_fixture_site_has_articles_and_lists() -> None:
    for site in load_sites():
        assert len(site.of_kind("article")) >= 3, site.slug
        assert site.of_kind("list"), site.slug
        for page in site.pages:
            assert page.file.exists(), page.file
            if page.kind in ("article", "list", "feed"):
                assert page.expect is not None and page.expect.exists(), page.file


def test_no_expectation_is_an_unreviewed_draft() -> None:
    for site in load_sites():
        for page in site.pages:
            if page.expect is not None:
                assert "_review" not in page.expected("http://x"), (
                    f"{page.expect} is an unreviewed snapshot draft"
                )
