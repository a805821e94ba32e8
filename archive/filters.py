"""The filters search and export share: site, province, unit, date window, copies.

Site, province and unit all narrow the set of sites, which is small, so they are
resolved in Python to site ids; the query then only tests `site_id IN (...)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive import models, units

DATE_FORMS = "YYYY, YYYY-MM or YYYY-MM-DD"
PROVINCE_PREFIXES = ("tinh ", "thanh pho ")


class FilterError(ValueError):
    """A filter names nothing in the archive, or is malformed; the message says which."""


@dataclass(frozen=True)
class Filters:
    site_ids: frozenset[int] | None = None  # None: every site
    since: str | None = None  # published_at >= since
    before: str | None = None  # published_at < before (the day after --until)
    include_duplicates: bool = False

    def where(self, alias: str = "a") -> tuple[str, dict[str, object]]:
        """SQL conditions on an `articles` alias, and their parameters."""
        parts, params = [], {}
        if self.site_ids is not None:
            ids = ", ".join(str(int(i)) for i in sorted(self.site_ids)) or "NULL"
            parts.append(f"{alias}.site_id IN ({ids})")
        if self.since:
            parts.append(f"{alias}.published_at >= :since")
            params["since"] = self.since
        if self.before:
            parts.append(f"{alias}.published_at < :before")
            params["before"] = self.before
        return " AND ".join(parts) or "1", params


def parse_date(text: str, *, end: bool, flag: str) -> str:
    """The text bound of a year, month or day; with `end`, the bound just after it."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text.strip())
    if not match:
        raise FilterError(f"{flag} {text!r} is not a date ({DATE_FORMS})")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        start = date(year, month or 1, day or 1)  # type: ignore[arg-type]
    except ValueError as exc:
        raise FilterError(f"{flag} {text!r} is not a date: {exc}") from None
    if not end:
        return start.isoformat()
    if day:
        after = start + timedelta(days=1)
    elif month:
        after = date(year + (month == 12), month % 12 + 1, 1)  # type: ignore[operator]
    else:
        after = date(year + 1, 1, 1)  # type: ignore[operator]
    return after.isoformat()


def _province_key(text: str) -> str:
    key = units.loose_key(text)
    for prefix in PROVINCE_PREFIXES:
        key = key.removeprefix(prefix)
    return key


def resolve(
    session: Session,
    *,
    site: str | None = None,
    province: str | None = None,
    unit: str | None = None,
    since: str | None = None,
    until: str | None = None,
    include_duplicates: bool = False,
) -> Filters:
    """Filters from command-line values, checked against the archive."""
    start = parse_date(since, end=False, flag="--since") if since else None
    before = parse_date(until, end=True, flag="--until") if until else None
    if start and before and start >= before:
        raise FilterError(f"--since {since} is after --until {until}")
    sites = session.execute(
        select(
            models.Site.id,
            models.Site.slug,
            models.Site.unit_name,
            models.Site.province,
            models.Site.unit_code,
            models.Site.unit_status,
            models.Site.current_unit_code,
            models.Site.current_unit_name,
            models.Site.current_province,
        )
    ).all()
    chosen: set[int] | None = None
    if site:
        slugs = [slug.strip() for slug in site.split(",") if slug.strip()]
        known = {row.slug: row.id for row in sites}
        for slug in slugs:
            if slug not in known:
                raise FilterError(f"no site {slug!r} in the archive")
        chosen = {known[slug] for slug in slugs}
    if province:
        key = _province_key(province)
        found = {
            row.id
            for row in sites
            if key in (_province_key(row.province or ""), _province_key(row.current_province or ""))
        }
        if not found:
            names = sorted({row.current_province or row.province or "?" for row in sites})
            raise FilterError(
                f"no site of province {province!r} in the archive (provinces: {', '.join(names)})"
            )
        chosen = found if chosen is None else chosen & found
    if unit:
        found = _unit_sites(sites, unit, province)
        chosen = found if chosen is None else chosen & found
    return Filters(
        site_ids=None if chosen is None else frozenset(chosen),
        since=start,
        before=before,
        include_duplicates=include_duplicates,
    )


def _unit_sites(sites: list, text: str, province: str | None) -> set[int]:  # type: ignore[type-arg]
    """Sites of a unit: named so, or part of it today (a former ward or district merged into it)."""
    wanted = text.strip()
    keys = {units.name_key(wanted), units.loose_key(wanted)}

    def named(row: Any) -> bool:
        names = (row.unit_name or "", row.current_unit_name or "")
        return any({units.name_key(name), units.loose_key(name)} & keys for name in names)

    found = {
        row.id for row in sites if wanted in (row.unit_code, row.current_unit_code) or named(row)
    }
    official = units.find_current(units.load(), text, province)
    if len(official) > 1:
        names = "; ".join(f"{u.name} ({u.province}, code {u.code})" for u in official[:8])
        raise FilterError(f"unit {text!r} is ambiguous: {names}; give its code or --province")
    for current in official:
        formers = units.former_codes(units.load(), current.code)
        found |= {
            row.id
            for row in sites
            if row.current_unit_code == current.code
            or (row.unit_status == "former" and row.unit_code in formers)
        }
    if not found and not official:
        raise FilterError(f"no unit {text!r}: not an official unit name or code, nor a site's unit")
    return found
