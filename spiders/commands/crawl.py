"""`scrapy crawl`, with the wards spider's arguments checked first and an honest exit status.

Bad arguments print one line saying what is wrong (no traceback) and exit 2.
After the crawl the exit status tells cron what happened (see EXIT_CODES).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from archive.db import Archive, ArchiveError
from spiders.options import ArgumentError, parse_options
from spiders.registry import (
    LEGACY_TLS_CIPHERS,
    RegistryError,
    Site,
    load_registry,
    select_sites,
    site_for_url,
)

EXIT_CODES = {"ok": 0, "failed": 1, "interrupted": 3}


class Command(ScrapyCrawlCommand):
    def _create_crawler(self, spider_name: str) -> Any:
        self.last_crawler = super()._create_crawler(spider_name)
        return self.last_crawler

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args and args[0] == "wards":
            sites = check_wards_arguments(opts.spargs, self.settings.get("SITES_REGISTRY"))
            if any(site.tls == "legacy" for site in sites):
                # Scrapy 2.19 has no per-host TLS setting: the whole run accepts old ciphers.
                self.settings.set(
                    "DOWNLOADER_CLIENT_TLS_CIPHERS", LEGACY_TLS_CIPHERS, priority="cmdline"
                )
            try:
                # Open (and migrate) the archive before any request goes out.
                Archive(self.settings.get("ARCHIVE_URL")).close()
            except ArchiveError as exc:
                sys.stderr.write(f"error: {exc}\n")
                self.exitcode = EXIT_CODES["failed"]
                return
        super().run(args, opts)
        crawler = getattr(self, "last_crawler", None)
        if self.exitcode == 0 and crawler is not None and crawler.stats is not None:
            status = crawler.stats.get_value("wardnews/status")
            self.exitcode = EXIT_CODES.get(status, 1) if status else 1


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
