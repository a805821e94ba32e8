"""`scrapy crawl`, made safe to run from cron for the wards spider.

Before anything is fetched: the arguments are checked (a bad one prints one line and
exits 2), the archive's run lock is taken (a second run exits 4 at once), the run gets
its own log file under logs/, and the archive is opened and migrated (exit 1 if it
cannot be written). After the crawl: one summary line, a per-site table in a terminal,
and an exit status that says what happened (spiders/ops.py).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from sqlalchemy.exc import SQLAlchemyError

from archive.db import Archive, ArchiveError
from archive.records import iso, now_vn
from archive.runs import run_report
from spiders.ops import (
    EXIT_CODES,
    EXIT_FAILED,
    EXIT_LOCKED,
    Locked,
    RunLock,
    lock_path,
    prune_logs,
    run_log_path,
    summary_line,
)
from spiders.options import ArgumentError, parse_options
from spiders.progress import print_site_table, wants_progress
from spiders.registry import (
    LEGACY_TLS_CIPHERS,
    RegistryError,
    Site,
    load_registry,
    select_sites,
    site_for_url,
)

log = logging.getLogger(__name__)


class Command(ScrapyCrawlCommand):
    lock: RunLock | None = None
    log_file: Path | None = None

    def _create_crawler(self, spider_name: str) -> Any:
        self.last_crawler = super()._create_crawler(spider_name)
        return self.last_crawler

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        """Runs before Scrapy sets up logging: the only place to choose the run's log file."""
        super().process_options(args, opts)
        if not args or args[0] != "wards":
            return
        assert self.settings is not None
        settings = self.settings
        sites = check_wards_arguments(opts.spargs, settings.get("SITES_REGISTRY"))
        if any(site.tls == "legacy" for site in sites):
            # Scrapy 2.19 has no per-host TLS setting: the whole run accepts old ciphers.
            settings.set("DOWNLOADER_CLIENT_TLS_CIPHERS", LEGACY_TLS_CIPHERS, priority="cmdline")
        started = now_vn()
        try:
            self.lock = RunLock(lock_path(settings.get("ARCHIVE_URL")))
            self.lock.acquire(iso(started))
        except Locked as exc:
            sys.stderr.write(f"error: {exc}\n")
            raise SystemExit(EXIT_LOCKED) from None
        except OSError as exc:
            sys.stderr.write(f"error: {exc}\n")
            raise SystemExit(EXIT_FAILED) from None
        folder = settings.get("WARDNEWS_LOG_DIR")
        if folder and not settings.get("LOG_FILE"):
            try:
                Path(folder).mkdir(parents=True, exist_ok=True)
                prune_logs(Path(folder), settings.getint("WARDNEWS_LOGS_KEPT"))
            except OSError as exc:
                sys.stderr.write(f"error: cannot write logs to {folder}: {exc}\n")
                raise SystemExit(EXIT_FAILED) from None
            self.log_file = run_log_path(Path(folder), started, os.getpid())
            settings.set("LOG_FILE", str(self.log_file), priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        wards = bool(args) and args[0] == "wards"
        if wards:
            try:
                # Open (and migrate) the archive before any request goes out.
                Archive(self.settings.get("ARCHIVE_URL")).close()
            except ArchiveError as exc:
                log.error("%s", exc)
                sys.stderr.write(f"error: {exc}\n")
                self.exitcode = EXIT_CODES["failed"]
                return
        super().run(args, opts)
        crawler = getattr(self, "last_crawler", None)
        status = None
        if crawler is not None and crawler.stats is not None:
            status = crawler.stats.get_value("wardnews/status")
        if self.exitcode == 0:
            self.exitcode = EXIT_CODES.get(status, EXIT_FAILED) if status else EXIT_FAILED
        if wards and crawler is not None and crawler.stats is not None:
            self._summarise(crawler.stats.get_value("wardnews/run_id"))

    def _summarise(self, run_id: int | None) -> None:
        """The summary line on stdout (cron mails it) and in the log; a table in a terminal."""
        if run_id is None:
            line = "wardnews run did not start: see " + str(self.log_file or "the log")
        else:
            try:
                archive_url = self.settings.get("ARCHIVE_URL")
                with (
                    Archive(archive_url, readonly=True) as archive,
                    archive.session() as session,
                ):
                    run, sites = run_report(session, run_id)
            except (ArchiveError, SQLAlchemyError) as exc:
                line = f"wardnews run {run_id}: cannot read its record: {exc}"
            else:
                line = summary_line(run, {s["site"]: s["status"] for s in sites}, self.log_file)
                if wants_progress(self.settings.get("WARDNEWS_PROGRESS"), sys.stderr):
                    print_site_table(sites, sys.stderr)
        log.info("%s", line)
        print(line, flush=True)


def check_wards_arguments(arguments: dict[str, str], registry_path: str) -> list[Site]:
    """The sites to crawl; UsageError (one line, exit 2) for a bad argument or registry."""
    try:
        options = parse_options(arguments)
        registry = load_registry(registry_path)
        if options.url:
            return [site_for_url(options.url, registry)]
        sites = select_sites(registry, options.sites)
        if not sites:
            raise ArgumentError(f"no sites to crawl: {registry_path} registers none")
        return sites
    except (ArgumentError, RegistryError) as exc:
        raise UsageError(str(exc), print_help=False) from None
