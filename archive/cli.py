"""`python -m archive`: look into the archive from the command line.

Query commands open the database read-only; `migrate` and `dedup` write.
Errors print one line on stderr and exit 1 (2 for bad arguments); never a
traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.exc import SQLAlchemyError

from archive import clusters, queries, store
from archive.db import Archive, ArchiveError, current_revision, head_revision

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
DEDUP_BATCH = 500


class CommandError(Exception):
    """A problem the user can fix; printed as one line."""


def _open(options: argparse.Namespace) -> Archive:
    return Archive(options.archive, readonly=True)


def cmd_stats(options: argparse.Namespace, out: TextIO) -> None:
    with _open(options) as archive, archive.session() as session:
        stats = queries.archive_stats(session)
    if options.format == "json":
        json.dump(stats, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    out.write(f"archive   {archive.url}\n")
    out.write(
        f"articles  {stats['articles']} ({stats['stories']} stories, {stats['duplicates']}"
        f" copies, {stats['versions']} older versions) · sites {stats['sites']}"
        f" · images {stats['images']} · raw pages {stats['raw_pages']}"
        f" · failures {stats['failures']} · runs {stats['runs']}\n"
    )
    run = stats["last_run"]
    if run:
        out.write(
            f"last run  #{run['id']} {run['status']} at {run['started_at']}: "
            f"{run['pages_fetched']} pages, "
            f"{run['articles_new']} new, {run['articles_updated']} updated, "
            f"{run['articles_unchanged']} unchanged, {run['errors']} errors\n"
        )
    rows = [
        [
            site["slug"],
            site["platform"] or "?",
            f"{site['unit_name'] or site['name']}"
            + (f" ({site['unit_level']})" if site["unit_level"] else ""),
            str(site["articles"]),
            str(site["duplicates"]),
            (site["first_published"] or "")[:10],
            (site["last_published"] or "")[:10],
            str(site["failures"]),
        ]
        for site in stats["by_site"]
    ]
    out.write("\n")
    _table(out, ["site", "platform", "unit", "articles", "dups", "first", "last", "failures"], rows)


def _table(out: TextIO, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    for row in [header, *rows]:
        out.write(
            "  ".join(
                str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)
            ).rstrip()
            + "\n"
        )


def cmd_search(options: argparse.Namespace, out: TextIO) -> None:
    if not options.text.strip():
        raise CommandError("search text is empty")
    if options.limit < 1:
        raise CommandError(f"--limit must be at least 1, not {options.limit}")
    with _open(options) as archive, archive.session() as session:
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


def cmd_show(options: argparse.Namespace, out: TextIO) -> None:
    with _open(options) as archive, archive.session() as session:
        article = queries.find_article(session, options.key)
    if article is None:
        raise CommandError(f"no article with id or URL {options.key!r}")
    if options.format == "json":
        json.dump(article, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    out.write(f"{article['title']}\n{'=' * min(len(article['title']), 80)}\n")
    for name in (
        "id",
        "site",
        "url",
        "published_at",
        "published_precision",
        "updated_at",
        "author",
        "source",
    ):
        if article[name] is not None:
            out.write(f"{name:<20}{article[name]}\n")
    out.write(f"{'seen':<20}{article['first_seen_at']} … {article['last_seen_at']}\n")
    if article["duplicate_of"]:
        out.write(f"{'duplicate of':<20}#{article['duplicate_of']}\n")
    out.write(f"{'versions':<20}{article['versions']} older\n")
    if article["summary"]:
        out.write(f"\n{article['summary']}\n")
    out.write(f"\n{article['body']}\n")
    for number, image in enumerate(article["images"], start=1):
        out.write(
            f"\n[image {number}] {image['url']}"
            + (f"\n    {image['caption']}" if image["caption"] else "")
        )
    if article["images"]:
        out.write("\n")


def cmd_export(options: argparse.Namespace, out: TextIO) -> None:
    with _open(options) as archive, archive.session() as session:
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


def cmd_migrate(options: argparse.Namespace, out: TextIO) -> None:
    with Archive(options.archive) as archive:
        found = current_revision(archive.engine)
        out.write(f"{archive.url}: schema at {found} (newest {head_revision()})\n")


def cmd_dedup(options: argparse.Namespace, out: TextIO) -> None:
    """Index every article for near-duplicates and cluster its copies: needed once after an
    upgrade past migration 0005, harmless to repeat (each batch is its own transaction)."""
    done = 0
    with Archive(options.archive) as archive:
        last = 0
        while True:
            with archive.session() as session:
                ids = store.article_ids_after(session, last, DEDUP_BATCH)
                for article_id in ids:
                    clusters.place(session, article_id)
            if not ids:
                break
            done, last = done + len(ids), ids[-1]
        with archive.session() as session:
            stats = queries.archive_stats(session)
    out.write(
        f"{archive.url}: {done} articles indexed; {stats['stories']} stories,"
        f" {stats['duplicates']} copies\n"
    )


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace, TextIO], None], str]] = {
    "stats": (cmd_stats, "counts per site, the last run, and what the archive holds"),
    "search": (cmd_search, "find articles whose title, summary or body contain TEXT"),
    "show": (cmd_show, "print one article, by id or URL, with its images"),
    "export": (cmd_export, "write all articles as CSV or JSON Lines, streaming"),
    "migrate": (cmd_migrate, "bring an archive's schema up to date"),
    "dedup": (cmd_dedup, "index all articles for near-duplicates and cluster their copies"),
}


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--archive",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="SQLAlchemy URL or SQLite file path (default: $ARCHIVE_URL, else sqlite:///data/archive.sqlite3)",
    )
    parser = argparse.ArgumentParser(
        prog="python -m archive", description="Query the wardnews archive.", parents=[common]
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parsers = {
        name: sub.add_parser(name, help=help, description=help, parents=[common])
        for name, (_, help) in COMMANDS.items()
    }
    parsers["stats"].add_argument(
        "--format", choices=("table", "json"), default="table", help="output format"
    )
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
    show = parsers["show"]
    show.add_argument("key", metavar="ID|URL", help="the article's id or its canonical URL")
    show.add_argument("--format", choices=("text", "json"), default="text", help="output format")
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
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    options = build_parser().parse_args(argv)
    options.archive = getattr(options, "archive", None)
    handler, _help = COMMANDS[options.command]
    try:
        handler(options, out)
    except (ArchiveError, CommandError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_ERROR
    except SQLAlchemyError as exc:
        sys.stderr.write(f"error: the archive could not be read: {getattr(exc, 'orig', exc)}\n")
        return EXIT_ERROR
    except BrokenPipeError:
        raise  # the reader went away (`| head`): __main__ exits quietly
    except OSError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_ERROR
    return EXIT_OK
