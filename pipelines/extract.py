"""One fetched page in, one clean article out, or a reason why not.

`extract_article` is pure: the same raw response, profile and hints give the
same article, which is what makes offline re-parsing possible.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from itertools import chain

from lxml.html import HtmlElement

from archive.records import Article, Image, RawPage
from pipelines.blocks import Block, read_blocks
from pipelines.body import attach_captions, clean_body
from pipelines.bylines import bylines_in, guess_credit, split_credit_parts, split_lead_source
from pipelines.fields import form_fields
from pipelines.generic import find_byline, find_content, find_heading, find_summary, text_weight
from pipelines.html import ParseError, decode_html, document_base, parse_html
from pipelines.pagedates import find_dates, json_ld_author
from pipelines.sitelines import SiteLines, short_lines
from pipelines.text import clean_text
from pipelines.titles import choose_title
from spiders.platforms import GENERIC, Profile

# A body with less text than this (not counting links) is no body.
MIN_BODY_CHARS = 80
# Bump whenever a change alters what is extracted; stored with every article.
EXTRACTOR_VERSION = "2026.11.1"
# A box holding a photo and its caption ("captioned-image", "img-box"): the photo's whole unit.
_PHOTO_BOX = re.compile(r"(?i)caption|figure|photo|picture|img-?box|image-?box|captioned")
_HTML_TYPES = ("text/html", "application/xhtml", "text/plain", "application/xml", "text/xml")
_SOURCE_LABEL = re.compile(r"^(?:nguồn(?: tin)?\s*:|theo)\s*", re.I)


def _labelled(element: HtmlElement | None, label: re.Pattern[str]) -> str | None:
    """A source element's text without its label ("Nguồn tin: X" → "X")."""
    if element is None:
        return None
    return label.sub("", clean_text(element.text_content())) or None


def _text(element: HtmlElement | None) -> str | None:
    return clean_text(element.text_content()) if element is not None else None


def _parts(element: HtmlElement | None) -> list[str]:
    """An element's text pieces, as its child elements print them."""
    if element is None:
        return []
    return [piece for text in element.itertext() if (piece := clean_text(text))]


class ExtractionError(ValueError):
    """The page is not a readable article; the message is stored as the failure reason."""


def _region(title: HtmlElement | None, body: HtmlElement) -> HtmlElement:
    """The smallest element holding both title and body: where the article's own dates are."""
    fallback = body.getparent() if body.getparent() is not None else body
    if title is None:
        return fallback
    body_line = {body, *body.iterancestors()}
    for element in chain([title], title.iterancestors()):
        if element in body_line:
            return fallback if element.tag in ("html", "body") else element
    return fallback


def _title(
    doc: HtmlElement, chosen: Profile, body: HtmlElement | None
) -> tuple[str, HtmlElement | None]:
    element = chosen.title.first(doc) if chosen.name != GENERIC else None
    if element is None or not clean_text(element.text_content()):
        element = find_heading(doc, body)
    return choose_title(doc, element, body)


INNER_SHARE = 0.6


def _body(doc: HtmlElement, chosen: Profile) -> HtmlElement | None:
    """The article's body: of the profile's matches, the one with the most text of its own.

    A family's body class can also mark an image field or a sidebar box (SharePoint's
    ms-rtestate-field does); when no match holds real text, the generic finder decides.
    """
    if chosen.name != GENERIC:
        candidates = [(text_weight(element), element) for element in chosen.body.every(doc)]
        if candidates:
            weight, element = max(candidates, key=lambda pair: pair[0])
            if weight >= MIN_BODY_CHARS:
                return _innermost(element, weight, candidates)
    return find_content(doc)


def _innermost(
    best: HtmlElement, weight: int, candidates: list[tuple[int, HtmlElement]]
) -> HtmlElement:
    """A match inside the best one that holds most of its text is the body proper: a wrapper
    selector (Liferay's journal-content-article) also holds the title, date line and sapo."""
    inside = [
        (inner_weight, element)
        for inner_weight, element in candidates
        if element is not best
        and best in element.iterancestors()
        and inner_weight >= INNER_SHARE * weight
    ]
    if not inside:
        return best
    inner_weight, element = min(inside, key=lambda pair: pair[0])
    return _innermost(element, inner_weight, candidates)


def _head(region_lines: list[str], body_blocks: list[Block]) -> list[str]:
    """The region's lines before the body's first line: headline, date line, toolbar."""
    first = next((block.text for block in body_blocks if block.text), None)
    return region_lines[: region_lines.index(first)] if first in region_lines else []


def _lead_images(
    region: HtmlElement, title: HtmlElement | None, body: HtmlElement, base: str
) -> list[Image]:
    """Photos between the headline and the body (a lead photo, a field image), with captions."""
    order = {element: i for i, element in enumerate(region.iter())}
    start = order.get(title, -1) if title is not None else -1
    end = order.get(body, 0)
    inside = set(title.iter()) if title is not None else set()
    images: list[Image] = []
    for element in region.iter():
        position = order[element]
        if element.tag == "img" and start < position < end and element not in inside:
            container = element
            # Read the image with its figure/table/caption box, not alone.
            for ancestor in element.iterancestors():
                if ancestor is region or order.get(ancestor, 0) <= start:
                    break
                container = ancestor
                if (
                    ancestor.tag in ("figure", "table")
                    or _PHOTO_BOX.search(f"{ancestor.get('class')} {ancestor.get('id')}")
                    or any(block.text for block in read_blocks(ancestor, base))
                ):
                    break
            _, found = attach_captions(read_blocks(container, base))
            images.extend(image for image in found if image not in images)
    return images


def _summary_text(element: HtmlElement | None, base: str) -> str:
    """The sapo's own text: a photo and its caption set inside the sapo box are not part of it."""
    if element is None:
        return ""
    kept, _ = attach_captions(read_blocks(element, base))
    return clean_text(" ".join(block.text for block in kept if not block.is_image))


def extract_from_doc(
    doc: HtmlElement,
    *,
    url: str,
    chosen: Profile,
    now: datetime,
    hints: Mapping[str, str] | None = None,
    site_lines: SiteLines | None = None,
) -> tuple[Article, dict[str, str]]:
    """(the article, its body's short lines for site learning)."""
    hints = hints or {}
    fields = form_fields(doc)
    body_element = fields.get("body")
    if body_element is None:
        body_element = _body(doc, chosen)
    if body_element is None:
        raise ExtractionError(
            f"no article body: none of {list(chosen.body.css)} matched and no text block found"
        )
    title_element = fields.get("title")
    title = clean_text(title_element.text_content()) if title_element is not None else ""
    if not title:
        title, title_element = _title(doc, chosen, body_element)
    if not title:
        raise ExtractionError(f"no title: none of {list(chosen.title.css)} matched, no <title>")
    region = _region(title_element, body_element)
    summary_element = fields.get("summary")
    if summary_element is None:
        summary_element = chosen.summary.first(region)
    if summary_element is None:
        summary_element = chosen.summary.first(doc) if chosen.name != GENERIC else None
    if summary_element is None:
        summary_element = find_summary(region, body_element)
    summary = _summary_text(summary_element, page_url := document_base(doc, url))
    summary, summary_source = split_lead_source(summary)
    source_element = fields.get("source")
    if source_element is None and chosen.source:
        source_element = chosen.source.first(region)
    author_element = fields.get("author")
    if author_element is None and chosen.author:
        author_element = chosen.author.first(region)
    if author_element is None and chosen.author and chosen.name != GENERIC:
        author_element = chosen.author.first(doc)
    lead = _lead_images(region, title_element, body_element, page_url)
    # Dates and bylines are read before the profile drops toolbars that may hold them.
    region_lines = [block.text for block in read_blocks(region, page_url) if block.text]
    head_lines = _head(region_lines, read_blocks(body_element, page_url))
    dates = find_dates(
        doc,
        url=url,
        profile=chosen,
        now=now,
        region=region,
        title=title_element,
        region_lines=region_lines,
        head_lines=head_lines,
        list_date=hints.get("list_date"),
    )
    for unwanted in chosen.drop.every(region):
        if unwanted is not body_element and unwanted is not title_element:
            unwanted.drop_tree()
    body_blocks = read_blocks(body_element, page_url)
    body = clean_body(
        body_blocks,
        title=title,
        summary=summary,
        site_boilerplate=site_lines.is_boilerplate if site_lines is not None else None,
    )
    images = lead + [image for image in body.images if image not in lead]
    if not body.paragraphs and not images:
        raise ExtractionError("article body is empty after removing boilerplate")
    paragraphs = set(body.paragraphs)
    around_author, around_source = bylines_in(
        [line for line in region_lines if line not in paragraphs]
    )
    credited, credited_source = split_credit_parts(_parts(author_element))
    guessed, guessed_source = (None, None)
    if author_element is None:
        guessed, guessed_source = guess_credit(_parts(find_byline(region)))
    if "author" in fields:  # the form says who wrote it, or (left empty) that nobody is named
        author = credited or body.author
    else:
        author = credited or body.author or around_author or guessed or json_ld_author(doc)
    if dates.published is None and body.paragraphs:
        dates = find_dates(
            doc,
            url=url,
            profile=chosen,
            now=now,
            region=region,
            title=title_element,
            region_lines=region_lines,
            head_lines=head_lines,
            list_date=hints.get("list_date"),
            lead=summary or body.paragraphs[0],
        )
    published = dates.published
    article = Article(
        url=url,
        title=title,
        body=body.text,
        summary=summary or None,
        author=author,
        source=_labelled(source_element, _SOURCE_LABEL)
        or credited_source
        or body.source
        or summary_source
        or around_source
        or guessed_source,
        published_at=published.iso if published else None,
        published_precision=published.precision if published else None,
        published_source=dates.published_from if published else None,
        updated_at=dates.updated.iso if dates.updated else None,
        images=images,
        extractor_version=EXTRACTOR_VERSION,
    )
    return article, short_lines(body_blocks)


def extract_page(
    raw: RawPage,
    chosen: Profile,
    *,
    hints: Mapping[str, str] | None = None,
    site_lines: SiteLines | None = None,
) -> tuple[Article, dict[str, str]]:
    """(the article in a fetched page, its body's short lines for site learning).

    Raises ExtractionError with the reason when the page is not a readable article.
    """
    if raw.status >= 400:
        raise ExtractionError(f"HTTP status {raw.status}")
    content_type = raw.headers.get("content-type", "")
    if content_type and not content_type.lower().startswith(_HTML_TYPES):
        raise ExtractionError(f"not an HTML page: Content-Type {content_type}")
    text, _encoding = decode_html(raw.body, content_type)
    try:
        doc = parse_html(text)
    except ParseError as exc:
        raise ExtractionError(str(exc)) from None
    now = datetime.fromisoformat(raw.fetched_at)
    return extract_from_doc(
        doc, url=raw.url, chosen=chosen, now=now, hints=hints, site_lines=site_lines
    )


def extract_article(
    raw: RawPage,
    chosen: Profile,
    *,
    hints: Mapping[str, str] | None = None,
    site_lines: SiteLines | None = None,
) -> Article:
    """The article in a fetched page; raises ExtractionError with the reason when there is none."""
    return extract_page(raw, chosen, hints=hints, site_lines=site_lines)[0]
