"""Choosing the headline: the page's heading, checked against what the page says it is.

Portal themes put words on the page in h1 that are not the headline: a hidden
"Thực đơn" (menu) heading, a portlet's "Chi tiết tin tức", SharePoint's list
name "Tin hoạt động". The page's <title> and og:title name the article, so a
heading that disagrees with them loses to an element that agrees; when no
element does, the reference itself is the headline.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from pipelines.generic import Chrome
from pipelines.html import is_hidden
from pipelines.text import clean_text

# "<headline> - <site>", "<list> - <headline>", "<headline> | <site>"
_SEPARATORS = re.compile(r"\s+[-|–—:»]{1,2}\s+")
_PUNCTUATION = re.compile(r"[\W_]+")
# A real headline is rarely this short; the theme's words ("Tin tức", "Chi tiết tin tức") are.
SHORT_HEADING = 30
# An element matches the reference when it is most of it (the rest being a site name).
MATCH_SHARE = 0.5
_HIDDEN = re.compile(
    r"(?i)(?:^|\s)[\w-]*(?:hidden-accessible|hide-accessible|sr-only|visually-hidden|"
    r"screen-reader|offscreen)[\w-]*(?:\s|$)|(?:^|\s)(?:hidden|hide|d-none)(?:\s|$)"
)
_TEXT_TAGS = ("h1", "h2", "h3", "h4", "header", "div", "p", "span", "td", "strong", "b", "font")


def _key(text: str) -> str:
    """Text compared without case, quotes and punctuation: “Dân vận khéo” = "Dân vận khéo"."""
    return " ".join(_PUNCTUATION.sub(" ", text.casefold()).split())


def references(doc: HtmlElement) -> list[str]:
    """What the page says its headline is: og:title, then <title>, each whole and its longest
    part (a list name or site name before or after the headline is the shorter part)."""
    names = {_key(name) for name in doc.xpath("//meta[@property='og:site_name']/@content")}
    found: list[str] = []
    for value in doc.xpath("//meta[@property='og:title']/@content | //title/text()"):
        text = clean_text(value)
        for part in (text, _headline_part(text)):
            if part and _key(part) not in names and part not in found:
                found.append(part)
    return found


def _headline_part(reference: str) -> str:
    """The longest part of "<headline> - <site name>" is the headline."""
    return max(_SEPARATORS.split(reference), key=len)


def matches(text: str, reference: str) -> bool:
    mine, theirs = _key(text), _key(reference)
    if not mine or not theirs:
        return False
    if mine == theirs:
        return True
    shorter, longer = sorted((mine, theirs), key=len)
    return len(shorter) >= MATCH_SHARE * len(longer) and len(shorter) >= 15 and shorter in longer


def _hidden(element: HtmlElement) -> bool:
    for node in (element, *element.iterancestors()):
        if _HIDDEN.search(node.get("class") or "") or is_hidden(node):
            return True
        if node.get("aria-hidden") == "true":
            return True
    return False


def _visible_text(element: HtmlElement) -> str:
    """An element's text without its hidden parts ("<span class=sr-only>Quay lại</span>")."""
    parts: list[str] = []

    def walk(node: HtmlElement) -> None:
        if not isinstance(node.tag, str) or node.tag in ("script", "style") or _hidden(node):
            return
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(element)
    return clean_text(" ".join(parts))


def _agreeing(doc: HtmlElement, refs: list[str], body: HtmlElement | None) -> HtmlElement | None:
    """The element nearest before the body whose whole text is the reference headline."""
    in_chrome = Chrome(doc)
    longest = max(len(ref) for ref in refs)
    order = {element: i for i, element in enumerate(doc.iter())}
    start = order.get(body, len(order)) if body is not None else len(order)
    found: list[HtmlElement] = []
    for element in doc.iter(*_TEXT_TAGS):
        size = in_chrome.sizes.get(element, 0)
        if not 15 <= size <= 2 * longest + 20:
            continue
        # Not Chrome(): themes call the headline's box "header-title" or "taglib-header".
        if element.xpath("ancestor-or-self::a | ancestor::nav") or _hidden(element):
            continue
        text = _visible_text(element)
        if any(matches(text, ref) for ref in refs):
            found.append(element)
    # The innermost of nested matches, and the last one before the body: the headline above it.
    found = [e for e in found if not any(o is not e and e in o.iterancestors() for o in found)]
    before = [e for e in found if order[e] < start]
    if before:
        return before[-1]
    return found[0] if found else None


def choose_title(
    doc: HtmlElement, picked: HtmlElement | None, body: HtmlElement | None
) -> tuple[str, HtmlElement | None]:
    """(headline, its element or None when it comes from <title>/og:title only)."""
    refs = references(doc)
    text = _visible_text(picked) if picked is not None else ""
    if picked is not None and text and not _hidden(picked):
        if not refs or any(matches(text, ref) for ref in refs):
            return text, picked
        if len(text) >= SHORT_HEADING:
            # A real-looking headline that the <title> does not repeat: sites often give
            # every page the same <title>, so the page's heading is trusted.
            return text, picked
    if refs:
        agreeing = _agreeing(doc, refs, body)
        if agreeing is not None:
            return _visible_text(agreeing), agreeing
        if picked is None or not text or _hidden(picked) or len(refs[0]) > len(text):
            return _headline_part(refs[0]), None
    return text, picked
