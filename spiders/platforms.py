"""Platform profiles: how one CMS family lays out its lists and articles.

A profile is data (`platforms.toml`): CSS selectors tried in order, URL
patterns and detection markers. This module loads and compiles them once and
detects the family of a page from its generator meta, class names and URL.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

PLATFORMS_FILE = Path(__file__).with_name("platforms.toml")
GENERIC = "generic"
# Detection: a page must collect at least this score to count as a family.
DETECT_THRESHOLD = 3
_SELECTOR_FIELDS = (
    "detect_markers",
    "list_links",
    "list_dates",
    "next_page",
    "title",
    "published",
    "updated",
    "summary",
    "body",
    "author",
    "source",
    "drop",
)


_PATTERN_FIELDS = (
    "detect_generator",
    "detect_urls",
    "detect_text",
    "detect_strong",
    "article_urls",
    "list_urls",
    "skip_urls",
)
_FLAG_FIELDS = ("midnight_means_date_only", "lowercase_paths")


class ProfileError(ValueError):
    """A platforms.toml entry is malformed."""


@dataclass(frozen=True)
class Selectors:
    """CSS selectors compiled to XPath once; `first` tries them in order."""

    css: tuple[str, ...] = ()
    compiled: tuple[CSSSelector, ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def of(cls, css: list[str] | tuple[str, ...]) -> Selectors:
        return cls(tuple(css), tuple(CSSSelector(c, translator="html") for c in css))

    def first(self, root: HtmlElement) -> HtmlElement | None:
        for selector in self.compiled:
            found = selector(root)
            if found:
                return found[0]
        return None

    def all(self, root: HtmlElement) -> list[HtmlElement]:
        """Every match of the first selector that matches anything."""
        for selector in self.compiled:
            found = selector(root)
            if found:
                return found
        return []

    def every(self, root: HtmlElement) -> list[HtmlElement]:
        """Every match of every selector, in document order, without repeats."""
        seen: set[HtmlElement] = set()
        for selector in self.compiled:
            seen.update(selector(root))
        return sorted(seen, key=_document_position(root))

    def __bool__(self) -> bool:
        return bool(self.css)


def _document_position(root: HtmlElement):  # type: ignore[no-untyped-def]
    order = {element: i for i, element in enumerate(root.iter())}
    return lambda element: order.get(element, -1)


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    detect_generator: tuple[re.Pattern[str], ...] = ()
    detect_markers: Selectors = Selectors()
    detect_urls: tuple[re.Pattern[str], ...] = ()
    article_urls: tuple[re.Pattern[str], ...] = ()
    list_urls: tuple[re.Pattern[str], ...] = ()
    list_links: Selectors = Selectors()
    list_dates: Selectors = Selectors()
    next_page: Selectors = Selectors()
    title: Selectors = Selectors()
    published: Selectors = Selectors()
    updated: Selectors = Selectors()
    summary: Selectors = Selectors()
    body: Selectors = Selectors()
    author: Selectors = Selectors()
    source: Selectors = Selectors()
    drop: Selectors = Selectors()
    detect_text: tuple[re.Pattern[str], ...] = ()
    # Text that only this family's pages contain (its own CDN path): as strong as a generator.
    detect_strong: tuple[re.Pattern[str], ...] = ()
    skip_urls: tuple[re.Pattern[str], ...] = ()
    canonical_rewrites: tuple[tuple[re.Pattern[str], str], ...] = ()
    # A class in spiders/families.py for lists that need code (JSON, POST).
    code: str | None = None
    # SharePoint prints date-only fields as "dd/mm/yyyy 00:00:00": midnight means "time unknown".
    midnight_means_date_only: bool = False
    # IIS (SharePoint, ASP.NET) paths are case-insensitive: one article, one URL, lower-cased path.
    lowercase_paths: bool = False

    def is_article_url(self, url: str) -> bool:
        return any(pattern.search(url) for pattern in self.article_urls) and not self.is_skipped(
            url
        )

    def is_list_url(self, url: str) -> bool:
        return any(pattern.search(url) for pattern in self.list_urls) and not self.is_article_url(
            url
        )

    def is_skipped(self, url: str) -> bool:
        """Print and savefile copies, and other pages of the family that are never articles."""
        return any(pattern.search(url) for pattern in self.skip_urls)

    def canonical(self, url: str) -> str:
        """The family's own canonical form of an article URL (a savefile copy → its original)."""
        for pattern, replacement in self.canonical_rewrites:
            url = pattern.sub(replacement, url)
        if self.lowercase_paths:
            parts = urlsplit(url)
            url = urlunsplit(parts._replace(path=parts.path.lower()))
        return url


def _compile_patterns(name: str, key: str, values: list[str]) -> tuple[re.Pattern[str], ...]:
    try:
        return tuple(re.compile(value) for value in values)
    except re.error as exc:
        raise ProfileError(f"platform {name!r}: bad regex in {key}: {exc}") from None


def build_profile(name: str, spec: dict[str, object]) -> Profile:
    known = set(Profile.__dataclass_fields__) - {"name"}
    unknown = set(spec) - known
    if unknown:
        raise ProfileError(f"platform {name!r}: unknown keys {sorted(unknown)}")
    values: dict[str, object] = {"name": name, "label": str(spec.get("label", name))}
    for key, value in spec.items():
        if key == "label":
            continue
        if key in _SELECTOR_FIELDS:
            try:
                values[key] = Selectors.of(list(value))  # type: ignore[call-overload]
            except Exception as exc:
                raise ProfileError(f"platform {name!r}: bad selector in {key}: {exc}") from None
        elif key in _PATTERN_FIELDS:
            values[key] = _compile_patterns(name, key, list(value))  # type: ignore[call-overload]
        elif key == "canonical_rewrites":
            pairs = [(str(p), str(r)) for p, r in value]  # type: ignore[attr-defined]
            patterns = _compile_patterns(name, key, [p for p, _ in pairs])
            values[key] = tuple(zip(patterns, (r for _, r in pairs), strict=True))
        elif key in _FLAG_FIELDS:
            if not isinstance(value, bool):
                raise ProfileError(f"platform {name!r}: {key} must be true or false")
            values[key] = value
        else:
            values[key] = value
    return Profile(**values)  # type: ignore[arg-type]


@cache
def load_profiles(path: Path = PLATFORMS_FILE) -> dict[str, Profile]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    profiles = {name: build_profile(name, spec) for name, spec in data.items()}
    if GENERIC not in profiles:
        raise ProfileError(f"{path} must define the [{GENERIC}] fallback profile")
    return profiles


def profile(name: str | None) -> Profile:
    profiles = load_profiles()
    if name is None:
        return profiles[GENERIC]
    try:
        return profiles[name]
    except KeyError:
        raise ProfileError(
            f"unknown platform {name!r}; known: {', '.join(sorted(profiles))}"
        ) from None


def _generator(doc: HtmlElement) -> str:
    return " ".join(
        doc.xpath("//meta[translate(@name,'GENERATOR','generator')='generator']/@content")
    )


def detection_scores(doc: HtmlElement, url: str, html: str = "") -> dict[str, int]:
    """How strongly a page looks like each family.

    Generator meta or a family-only string 3, each marker element or text 2, URL shape 1.
    """
    generator = _generator(doc)
    head = html[:300_000]
    scores: dict[str, int] = {}
    for name, candidate in load_profiles().items():
        if name == GENERIC:
            continue
        score = 3 * any(p.search(generator) for p in candidate.detect_generator)
        score += 2 * sum(bool(s(doc)) for s in candidate.detect_markers.compiled)
        score += 2 * sum(bool(p.search(head)) for p in candidate.detect_text)
        score += 3 * any(p.search(head) for p in candidate.detect_strong)
        score += any(p.search(url) for p in candidate.detect_urls)
        if score:
            scores[name] = score
    return scores


def detect_platform(doc: HtmlElement, url: str, html: str = "") -> str:
    """The best-matching family of a page, or `generic` when none is convincing."""
    scores = detection_scores(doc, url, html)
    if not scores:
        return GENERIC
    best = max(scores, key=lambda name: scores[name])
    return best if scores[best] >= DETECT_THRESHOLD else GENERIC
