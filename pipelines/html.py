"""Bytes to a DOM: charset decoding and robust HTML parsing.

lxml parses fast but silently drops everything below 255 nested elements; it
reports that in its error log, and then the page is re-parsed with
BeautifulSoup, which copes, into the same lxml tree API.
"""

from __future__ import annotations

import codecs
import re
import sys
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from lxml.html import HtmlElement
from w3lib.encoding import http_content_type_encoding, read_bom, resolve_encoding

MAX_FALLBACK_DEPTH = 20_000
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# Declared charsets that are really "we did not think about it": a page that is
# valid UTF-8 wins over them.
_WEAK_CHARSETS = {"iso8859-1", "latin-1", "cp1252", "ascii", "us-ascii", "windows-1252"}


class ParseError(ValueError):
    """The page cannot be read as HTML; the message says why."""


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    resolved = resolve_encoding(name.decode() if isinstance(name, bytes) else name)
    if resolved is None:
        return None
    try:
        return codecs.lookup(resolved).name
    except LookupError:
        return None


def declared_encoding(body: bytes, content_type: str | None) -> str | None:
    """The charset the server or the page itself claims, if any."""
    from_header = _codec(http_content_type_encoding(content_type or ""))
    if from_header:
        return from_header
    match = _META_CHARSET.search(body[:4096])
    return _codec(match.group(1).decode("ascii", "ignore")) if match else None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(text, encoding used). Valid UTF-8 wins over a missing or weak declared charset."""
    bom_encoding, bom = read_bom(body)
    if bom_encoding:
        return body[len(bom) :].decode(bom_encoding, errors="replace"), bom_encoding
    declared = declared_encoding(body, content_type)
    if declared in (None, "utf-8") or declared in _WEAK_CHARSETS:
        try:
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    # Vietnamese legacy pages are windows-1258 when they are not UTF-8.
    encoding = declared if declared and declared != "utf-8" else "cp1258"
    return body.decode(encoding, errors="replace"), encoding


def _depth_exceeded(parser: etree.HTMLParser) -> bool:
    return any(
        error.type_name == "ERR_RESOURCE_LIMIT" or "depth" in error.message.lower()
        for error in parser.error_log
    )


def parse_html(text: str) -> HtmlElement:
    """A DOM for the page; raises ParseError for a page with no HTML in it."""
    text = _XML_DECLARATION.sub("", text.replace("\x00", ""), count=1)
    if not text.strip():
        raise ParseError("empty response body")
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
    try:
        doc = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"not parseable as HTML: {exc}") from None
    if _depth_exceeded(parser):
        doc = _parse_deep(text)
    return doc


def _parse_deep(text: str) -> HtmlElement:
    from bs4 import BeautifulSoup
    from lxml.html import soupparser

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, MAX_FALLBACK_DEPTH * 3))
    try:
        soup = BeautifulSoup(text, "lxml")
        root = soupparser.convert_tree(soup)
    except RecursionError:
        raise ParseError(f"HTML nested deeper than {MAX_FALLBACK_DEPTH} elements") from None
    finally:
        sys.setrecursionlimit(limit)
    elements = [node for node in root if isinstance(node, HtmlElement)]
    if not elements:
        raise ParseError("no HTML element found")
    return elements[0]


def document_base(doc: HtmlElement, url: str) -> str:
    """The URL relative links resolve against: <base href> when the page sets one."""
    for href in doc.xpath("//base/@href"):
        if href.strip():
            return urljoin(url, href.strip())
    return url


_HIDING_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def is_hidden(element: HtmlElement) -> bool:
    """Hidden by the page itself (inline style or the hidden attribute), whatever its CSS:
    SharePoint's field labels, a body printed twice with one copy hidden."""
    return bool(_HIDING_STYLE.search(element.get("style") or "")) or (
        element.get("hidden") is not None
    )
