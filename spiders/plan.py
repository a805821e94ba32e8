"""What to fetch from a list page, and whether to read the next one.

Default (incremental): fetch the articles the archive does not know, and stop
paging a list at the first page that brings none. `full`: everything.
`since`/`until`: the articles listed in that date range, known or not, paging
back until the list is older than `since`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from pipelines.dates import parse_vn_date
from spiders.discovery import ListItem


@dataclass(frozen=True)
class Policy:
    full: bool = False
    since: date | None = None
    until: date | None = None
    # The site's last run did not finish (killed, interrupted, failed): its lists may hold
    # articles it never reached behind known ones, so page on past them.
    deep: bool = False

    @property
    def windowed(self) -> bool:
        return self.since is not None or self.until is not None

    def in_window(self, day: date) -> bool:
        return (self.since is None or day >= self.since) and (
            self.until is None or day <= self.until
        )


@dataclass(frozen=True)
class Plan:
    fetch: list[ListItem]
    follow_next: bool


def item_day(item: ListItem, now: datetime) -> date | None:
    found = parse_vn_date(item.date_text, now=now) if item.date_text else None
    return found.day if found else None


def plan_listing(items: list[ListItem], known: set[str], policy: Policy, now: datetime) -> Plan:
    """The items to fetch from one list page, and whether the next page is worth reading."""
    if not items:
        return Plan([], False)
    if policy.full:
        return Plan(list(items), True)
    days = [item_day(item, now) for item in items]
    new = [item.url not in known for item in items]
    if not policy.windowed:
        fresh_items = [item for item, fresh in zip(items, new, strict=True) if fresh]
        return Plan(fresh_items, any(new) or policy.deep)
    fetch = [
        item
        for item, day, fresh in zip(items, days, new, strict=True)
        if (day is not None and policy.in_window(day)) or (day is None and fresh)
    ]
    dated = [day for day in days if day is not None]
    if policy.since is None:
        follow = True  # only `until`: the window reaches back to the start of the list
    elif dated:
        follow = any(day >= policy.since for day in dated)  # lists run newest first
    else:
        follow = any(new)
    return Plan(fetch, follow)


def plan_links(urls: Iterable[str], known: set[str], policy: Policy) -> list[str]:
    """Article links found outside a list's own items (sidebars, home modules)."""
    return [url for url in urls if policy.full or url not in known]
