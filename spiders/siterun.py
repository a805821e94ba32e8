"""A site's state during a crawl, and what earlier runs left in the archive about it."""

from __future__ import annotations

from dataclasses import dataclass, field

from archive.db import Archive, ArchiveError
from archive.runs import completed_sites
from archive.store import known_urls, learned_lines, site_platforms
from pipelines.sitelines import SiteLines
from spiders.ops import SiteFigures
from spiders.plan import Policy
from spiders.platforms import GENERIC, Profile, profile
from spiders.registry import Site


@dataclass
class SiteRun:
    """One site's state during a run: its family, what the archive knows, its request budget."""

    site: Site
    platform: str | None
    known: set[str] = field(default_factory=set)
    requests: int = 0
    fixed_platform: bool = False
    lines: SiteLines = field(default_factory=SiteLines)
    policy: Policy = field(default_factory=Policy)
    figures: SiteFigures = field(default_factory=SiteFigures)
    pending: int = 0  # requests sent and not yet answered; 0 once started means done

    @property
    def done(self) -> bool:
        return self.requests > 0 and self.pending <= 0

    @property
    def profile(self) -> Profile:
        return profile(self.platform or GENERIC)


@dataclass(frozen=True)
class Memory:
    """What an earlier run left in the archive about the sites of this run."""

    known: set[str]
    platforms: dict[str, str]
    lines: dict[str, set[str]]
    complete: set[str]  # sites whose last run walked everything


def remember(archive_url: str, slugs: list[str]) -> Memory:
    """What the archive already knows of these sites (nothing on a first run)."""
    try:
        with Archive(archive_url, readonly=True) as archive, archive.session() as session:
            return Memory(
                known_urls(session, slugs),
                site_platforms(session, slugs),
                learned_lines(session, slugs),
                completed_sites(session, slugs),
            )
    except ArchiveError:
        return Memory(set(), {}, {}, set())
