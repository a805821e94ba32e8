"""Plain records passed from the crawler and the extractor to the archive.

They carry no SQLAlchemy state, so pure functions can build them and tests can
compare them.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

VN_TZ = timezone(timedelta(hours=7), "ICT")
UNIT_LEVELS = ("ward", "commune", "district", "province")
PRECISIONS = ("second", "minute", "hour", "day", "month", "year")


def now_vn() -> datetime:
    """The current time in Vietnam (UTC+7), to the second."""
    return datetime.now(VN_TZ).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """ISO 8601 text with its offset, as every timestamp in the archive is stored."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: archive timestamps carry an offset")
    return moment.isoformat(timespec="seconds")


@dataclass(frozen=True)
class SiteInfo:
    """One news site: a registry entry, or a site given by URL on the command line."""

    slug: str
    name: str
    base_url: str
    platform: str | None = None
    unit_name: str | None = None
    unit_level: str | None = None
    province: str | None = None
    in_registry: bool = True

    def __post_init__(self) -> None:
        if self.unit_level is not None and self.unit_level not in UNIT_LEVELS:
            raise ValueError(
                f"site {self.slug!r}: unit_level {self.unit_level!r} is not one of {UNIT_LEVELS}"
            )


@dataclass(frozen=True)
class Image:
    url: str
    caption: str | None = None


@dataclass
class Article:
    """An article as the extractor understood it: clean text, no HTML."""

    url: str
    title: str
    body: str
    summary: str | None = None
    author: str | None = None
    source: str | None = None
    published_at: str | None = None
    published_precision: str | None = None
    published_source: str | None = None
    updated_at: str | None = None
    images: list[Image] = field(default_factory=list)
    extractor_version: str = ""

    @property
    def content_hash(self) -> str:
        return content_hash(self.title, self.body)


@dataclass
class RawPage:
    """One fetched response, kept verbatim so extraction can be re-run offline."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


def fold_case(text: str | None) -> str:
    """NFC and case-folded, diacritics kept: "Phường" matches "phường" but not "phương"."""
    return unicodedata.normalize("NFC", text or "").casefold()


def content_hash(title: str, body: str) -> str:
    """SHA-256 of the cleaned title and body: equal for identical article text anywhere."""
    text = unicodedata.normalize("NFC", f"{title.strip()}\n\n{body.strip()}")
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()
