"""Analyst commands of `python -m archive`: search and export."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from archive import queries
from archive.cliutil import CommandError, open_readonly


def cmd_search(options: argparse.Namespace, out: TextIO) -> None:
    if not options.text.strip():
        raise CommandError("search text is empty")
    if options.limit < 1:
        raise CommandError(f"--limit must be at least 1, not {options.limit}")
    with open_readonly(options) as archive, archive.session() as session:
        if options.site and not queries.site_exists(session, options.site):
            raise CommandError(f"no site {options.site!r} in the archive")
        hits = queries.search(session, options.text, limit=options.limit, site=options.site)
    if options.format == "json":
        json.dump(hits, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    if not hits:
        out.write(f"no article contains {options.text!r}\n")
        return
    for hit in hits:
        when = (hit["published_at"] or "no date")[:16]
        out.write(f"#{hit['id']}  {when}  {hit['site']}  {hit['title']}\n")
        out.write(f"    {hit['snippet']}\n    {hit['url']}\n")


def cmd_export(options: argparse.Namespace, out: TextIO) -> None:
    with open_readonly(options) as archive, archive.session() as session:
        if options.site and not queries.site_exists(session, options.site):
            raise CommandError(f"no site {options.site!r} in the archive")
        target = (
            Path(options.output).open("w", encoding="utf-8", newline="")  # noqa: SIM115
            if options.output
            else out
        )
        try:
            rows = queries.iter_articles(
                session, site=options.site, with_images=options.format == "jsonl"
            )
            count = _write_rows(options.format, rows, target)
        finally:
            if options.output:
                target.close()
    if options.output:
        sys.stderr.write(f"exported {count} articles to {options.output}\n")


def _write_rows(fmt: str, rows: Any, target: TextIO) -> int:
    count = 0
    if fmt == "csv":
        writer = csv.DictWriter(target, fieldnames=queries.EXPORT_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    else:
        for row in rows:
            target.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace, TextIO], None], str]] = {
    "search": (cmd_search, "find articles whose title, summary or body contain TEXT"),
    "export": (cmd_export, "write all articles as CSV or JSON Lines, streaming"),
}


def add_arguments(parsers: dict[str, argparse.ArgumentParser]) -> None:
    search = parsers["search"]
    search.add_argument(
        "text", metavar="TEXT", help="words to look for; case-insensitive, diacritics exact"
    )
    search.add_argument("--site", metavar="SLUG", help="only this site")
    search.add_argument(
        "--limit", type=int, default=20, help="at most this many results (default 20)"
    )
    search.add_argument(
        "--format", choices=("table", "json"), default="table", help="output format"
    )
    export = parsers["export"]
    export.add_argument(
        "--format",
        choices=("csv", "jsonl"),
        required=True,
        help="csv (no images) or jsonl (with images)",
    )
    export.add_argument(
        "--output", "-o", metavar="FILE", help="write here instead of standard output"
    )
    export.add_argument("--site", metavar="SLUG", help="only this site")
