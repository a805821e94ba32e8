"""Maintainer commands of `python -m archive`: reparse (offline) and health (for monitoring)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date, datetime, time
from typing import TextIO

from archive import health, reparse
from archive.cliutil import CommandError, open_readonly, table
from archive.db import Archive
from archive.records import VN_TZ, now_vn
from archive.store import site_id_for

EXIT_BROKEN = 3


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def cmd_reparse(options: argparse.Namespace, out: TextIO) -> None:
    with Archive(options.archive) as archive:
        site_id = None
        if options.site:
            with archive.session() as session:
                site_id = site_id_for(session, options.site)
            if site_id is None:
                raise CommandError(f"no site {options.site!r} in the archive")
        report = reparse.reparse(archive, site_id=site_id, since=options.since)
    out.write(reparse.describe(report) + "\n")
    for url, reason in report.failed[:20]:
        out.write(f"  not readable now: {url}: {reason}\n")


def cmd_health(options: argparse.Namespace, out: TextIO) -> int:
    now = datetime.combine(options.as_of, time(23, 59), tzinfo=VN_TZ) if options.as_of else now_vn()
    with open_readonly(options) as archive, archive.session() as session:
        if options.site and site_id_for(session, options.site) is None:
            raise CommandError(f"no site {options.site!r} in the archive")
        sites = health.site_health(session, now, options.site)
    if options.format == "json":
        json.dump([site.as_dict() for site in sites], out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        table(
            out,
            ["site", "last ok run", "7d", "30d", "empty", "undated", "errors", "flags"],
            [
                [
                    site.slug,
                    (site.last_ok or "never")[:16],
                    str(site.articles_7d),
                    str(site.articles_30d),
                    _share(site.empty_share),
                    _share(site.undated_share),
                    str(site.errors),
                    "; ".join(site.flags) or "ok",
                ]
                for site in sites
            ],
        )
    return EXIT_BROKEN if any(site.broken for site in sites) else 0


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace, TextIO], int | None], str]] = {
    "reparse": (cmd_reparse, "re-run extraction on the stored pages, offline; keeps old versions"),
    "health": (cmd_health, "per-site health; exit 3 when a site looks broken"),
}


def add_arguments(parsers: dict[str, argparse.ArgumentParser]) -> None:
    again = parsers["reparse"]
    again.add_argument("--site", metavar="SLUG", help="only this site")
    again.add_argument(
        "--since",
        metavar="YYYY-MM-DD",
        type=_day,
        help="only articles published on or after this day (undated: first seen)",
    )
    check = parsers["health"]
    check.add_argument("--site", metavar="SLUG", help="only this site")
    check.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    check.add_argument(
        "--as-of", metavar="YYYY-MM-DD", type=_day, help="judge as on this day (default: now)"
    )
