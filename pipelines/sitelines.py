"""Learning a site's own boilerplate: short lines that repeat in most of its article bodies.

A slogan, the site's name, an address block or a widget title that no rule
names is still boilerplate when it stands in most article bodies of the site. The
crawl counts short lines per article body; the archive keeps what was learned, so
later runs and offline re-parses use it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pipelines.blocks import Block
from pipelines.text import fold

# Only short lines: a paragraph of article text is longer, and a sapo shown on the home
# page, its list and its own page stands on three pages, far from most of them.
MAX_LINE_CHARS = 100
MIN_PAGES = 5
MIN_SHARE = 0.5
# Counting stops after this many pages of a site in one run: what repeats shows early.
MAX_COUNTED_PAGES = 400


def short_lines(blocks: Iterable[Block]) -> dict[str, str]:
    """An article body's distinct short lines: folded key (case and accent insensitive) → as
    printed. Only the body is counted: lines outside it never reach an article."""
    return text_lines(block.text for block in blocks)


def text_lines(paragraphs: Iterable[str]) -> dict[str, str]:
    """short_lines() of a stored body's paragraphs (re-counting what a killed run learned)."""
    lines: dict[str, str] = {}
    for text in paragraphs:
        if text and len(text) <= MAX_LINE_CHARS:
            key = fold(text)
            if key:
                lines.setdefault(key, text)
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
