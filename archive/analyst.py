"""Analyst commands of `python -m archive`: search, export, plot, units, browse."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.orm import Session

from archive import export, filters, plots, search, units
from archive.cliutil import CommandError, open_readonly, table

SEARCH_COLUMNS = ("id", "published_at", "site", "province", "title", "url", "snippet", "copies")


@contextmanager
def _reading(options: argparse.Namespace) -> Iterator[tuple[Session, filters.Filters]]:
    """A read-only session and the command's filters, user errors turned into one line."""
    with open_readonly(options) as archive, archive.session() as session:
        try:
            chosen = filters.resolve(
                session,
                site=options.site,
                province=options.province,
                unit=options.unit,
                since=options.since,
                until=options.until,
                include_duplicates=getattr(options, "include_duplicates", True),
            )
            yield session, chosen
        except (filters.FilterError, search.QueryError, units.UnitDataError) as exc:
            raise CommandError(str(exc)) from None


def cmd_search(options: argparse.Namespace, out: TextIO) -> None:
    if options.limit < 1:
        raise CommandError(f"--limit must be at least 1, not {options.limit}")
    with _reading(options) as (session, chosen):
        hits = search.search(session, options.text, chosen, limit=options.limit, sort=options.sort)
    if options.format == "json":
        json.dump(hits, out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif options.format == "csv":
        writer = csv.DictWriter(out, fieldnames=SEARCH_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(hits)
    elif not hits:
        out.write(f"no article matches {options.text!r}\n")
    else:
        for hit in hits:
            when = (hit["published_at"] or "no date")[:10]
            copies = f"  (+{hit['copies'] - 1} copies)" if hit["copies"] > 1 else ""
            out.write(f"#{hit['id']}  {when}  {hit['site']}  {hit['title']}{copies}\n")
            out.write(f"    {' '.join(hit['snippet'].split())}\n    {hit['url']}\n")


def cmd_export(options: argparse.Namespace, out: TextIO) -> None:
    if options.format == "parquet" and not options.output:
        raise CommandError("--format parquet writes a file: give -o FILE")
    with _reading(options) as (session, chosen):
        rows = export.iter_rows(session, chosen, with_images=options.format != "csv")
        if options.format == "parquet":
            count = export.write_parquet(rows, Path(options.output))
        elif options.output:
            with Path(options.output).open("w", encoding="utf-8", newline="") as target:
                count = _write_text(options.format, rows, target)
        else:
            count = _write_text(options.format, rows, out)
    if options.output:
        sys.stderr.write(f"exported {count} articles to {options.output}\n")


def _write_text(fmt: str, rows: Any, target: TextIO) -> int:
    return export.write_csv(rows, target) if fmt == "csv" else export.write_jsonl(rows, target)


def cmd_plot(options: argparse.Namespace, out: TextIO) -> None:
    with _reading(options) as (session, chosen):
        monthly = plots.monthly_counts(session, chosen, by=options.by)
    if monthly is None:
        raise CommandError("no dated article matches these filters: nothing to plot")
    plots.draw_monthly(monthly, Path(options.output), title=options.title)
    out.write(f"wrote {options.output}: {monthly.total} articles in {len(monthly.months)} months\n")


def cmd_units(options: argparse.Namespace, out: TextIO) -> None:
    try:
        if options.lookup:
            rows = _lookup(options.lookup, options.province)
        else:
            with open_readonly(options) as archive, archive.session() as session:
                rows = units.site_tags(session)
    except units.UnitDataError as exc:
        raise CommandError(str(exc)) from None
    if options.format == "json":
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    if not rows:
        out.write("nothing found\n")
        return
    header = list(rows[0])
    table(out, header, [[str(row[name] or "") for name in header] for row in rows])


def _lookup(text: str, province: str | None) -> list[dict[str, Any]]:
    data = units.load()
    return [
        {
            "code": unit.code,
            "name": unit.name,
            "level": unit.level,
            "province": unit.province,
            "former_units": len(units.former_codes(data, unit.code)),
        }
        for unit in units.find_current(data, text, province)
    ]


def cmd_browse(options: argparse.Namespace, out: TextIO) -> None:
    from archive import browse

    try:
        browse.serve(options.archive, host=options.host, port=options.port, out=out)
    except browse.BrowseError as exc:
        raise CommandError(str(exc)) from None


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace, TextIO], None], str]] = {
    "search": (cmd_search, "full-text search; words without diacritics match any tone"),
    "export": (cmd_export, "write articles as CSV, JSON Lines or Parquet, streaming"),
    "plot": (cmd_plot, "draw articles per month as a PNG"),
    "units": (cmd_units, "official unit codes of the sites, or look a unit up"),
    "browse": (cmd_browse, "open the archive read-only in Datasette"),
}


def _add_filters(parser: argparse.ArgumentParser, *, duplicates: bool = True) -> None:
    parser.add_argument("--site", metavar="SLUG[,SLUG]", help="only these sites")
    parser.add_argument(
        "--province", metavar="NAME", help="only sites of this province (as named then or now)"
    )
    parser.add_argument(
        "--unit",
        metavar="NAME|CODE",
        help="only sites of this unit, or of former units merged into it in 2025",
    )
    parser.add_argument("--since", metavar="DATE", help="published on or after (YYYY[-MM[-DD]])")
    parser.add_argument("--until", metavar="DATE", help="published on or before (YYYY[-MM[-DD]])")
    if duplicates:
        parser.add_argument(
            "--include-duplicates",
            action="store_true",
            help="every copy of a story (default: one row per story)",
        )


def add_arguments(parsers: dict[str, argparse.ArgumentParser]) -> None:
    search_parser = parsers["search"]
    search_parser.add_argument(
        "text",
        metavar="QUERY",
        help='words (AND), "a phrase", prefix*, a OR b, -excluded; diacritics typed are exact',
    )
    _add_filters(search_parser)
    search_parser.add_argument(
        "--limit", type=int, default=20, help="at most this many results (default 20)"
    )
    search_parser.add_argument(
        "--sort", choices=search.SORTS, default="relevance", help="order of the results"
    )
    search_parser.add_argument(
        "--format", choices=("table", "json", "csv"), default="table", help="output format"
    )
    export_parser = parsers["export"]
    export_parser.add_argument(
        "--format",
        choices=export.FORMATS,
        required=True,
        help="csv (no images), jsonl or parquet (with images)",
    )
    export_parser.add_argument(
        "--output", "-o", metavar="FILE", help="write here instead of standard output"
    )
    _add_filters(export_parser)
    plot = parsers["plot"]
    plot.add_argument("chart", choices=("monthly",), help="what to draw: articles per month")
    _add_filters(plot, duplicates=False)
    plot.add_argument(
        "--by", choices=plots.GROUPS, default="total", help="one line in all, or per site/province"
    )
    plot.add_argument("--title", help="the chart's title (default: what was counted)")
    plot.add_argument("--output", "-o", metavar="FILE.png", required=True, help="where to draw")
    units_parser = parsers["units"]
    units_parser.add_argument(
        "--lookup", metavar="NAME|CODE", help="official current units of this name or code"
    )
    units_parser.add_argument("--province", metavar="NAME", help="with --lookup: in this province")
    units_parser.add_argument(
        "--format", choices=("table", "json"), default="table", help="output format"
    )
    browse_parser = parsers["browse"]
    browse_parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    browse_parser.add_argument("--port", type=int, default=8001, help="port to listen on")
