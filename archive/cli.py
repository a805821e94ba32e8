"""`python -m archive`: look into the archive from the command line.

Query commands open the database read-only; `migrate` and `dedup` write.
Errors print one line on stderr and exit 1 (2 for bad arguments); never a
traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from archive import analyst, clusters, ops_cli, queries, store
from archive.cliutil import CommandError, open_readonly, table
from archive.db import Archive, ArchiveError, current_revision, head_revision

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
DEDUP_BATCH = 500


def cmd_stats(options: argparse.Namespace, out: TextIO) -> None:
    with open_readonly(options) as archive, archive.session() as session:
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
    table(out, ["site", "platform", "unit", "articles", "dups", "first", "last", "failures"], rows)


def cmd_show(options: argparse.Namespace, out: TextIO) -> None:
    with open_readonly(options) as archive, archive.session() as session:
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


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace, TextIO], int | None], str]] = {
    "stats": (cmd_stats, "counts per site, the last run, and what the archive holds"),
    "show": (cmd_show, "print one article, by id or URL, with its images"),
    "migrate": (cmd_migrate, "bring an archive's schema up to date"),
    "dedup": (cmd_dedup, "index all articles for near-duplicates and cluster their copies"),
    **analyst.COMMANDS,
    **ops_cli.COMMANDS,
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
    analyst.add_arguments(parsers)
    ops_cli.add_arguments(parsers)
    show = parsers["show"]
    show.add_argument("key", metavar="ID|URL", help="the article's id or its canonical URL")
    show.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    options = build_parser().parse_args(argv)
    options.archive = getattr(options, "archive", None)
    handler, _help = COMMANDS[options.command]
    try:
        status = handler(options, out)
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
    return status or EXIT_OK
