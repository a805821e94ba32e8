"""Learning a site's own boilerplate: short lines that repeat across most of its pages.

A slogan, the site's name, an address block or a widget title that no rule
names is still boilerplate when it stands on most pages of the site. The
crawl counts short lines per page; the archive keeps what was learned, so
later runs and offline re-parses use it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml.html import HtmlElement

from pipelines.blocks import read_blocks
from pipelines.text import fold

# Only short lines: a paragraph of article text is longer, and a sapo shown on the home
# page, its list and its own page stands on three pages, far from most of them.
MAX_LINE_CHARS = 100
MIN_PAGES = 5
MIN_SHARE = 0.5
# Counting stops after this many pages of a site in one run: what repeats shows early.
MAX_COUNTED_PAGES = 400


def page_lines(doc: HtmlElement, base_url: str) -> dict[str, str]:
    """The page's distinct short lines: folded key (case and accent insensitive) → as printed."""
    body = doc.find("body")
    lines: dict[str, str] = {}
    for block in read_blocks(body if body is not None else doc, base_url):
        if block.text and len(block.text) <= MAX_LINE_CHARS:
            key = fold(block.text)
            if key:
                lines.setdefault(key, block.text)
    return lines


@dataclass
class SiteLines:
    """What one site repeats: line counts over the pages seen, and what that makes boilerplate.

    `known` is what earlier runs learned (from the archive); the rest is recomputed from this
    run's counts, so a line that stood on the first pages only (a "latest news" title) is
    forgotten once the pages show it is not on most of them.
    """

    known: set[str] = field(default_factory=set)
    pages: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    learned: set[str] = field(default_factory=set)
    texts: dict[str, str] = field(default_factory=dict)

    def add_page(self, lines: Mapping[str, str]) -> None:
        if self.pages >= MAX_COUNTED_PAGES:
            return
        self.pages += 1
        self.counts.update(lines.keys())
        for key, text in lines.items():
            self.texts.setdefault(key, text)
        self.learned = self.current()

    def current(self) -> set[str]:
        """The lines this run's pages make boilerplate."""
        threshold = max(MIN_PAGES, MIN_SHARE * self.pages)
        return {line for line, n in self.counts.items() if n >= threshold}

    def is_boilerplate(self, text: str) -> bool:
        if len(text) > MAX_LINE_CHARS:
            return False
        key = fold(text)
        return key in self.learned or key in self.known
