"""`scrapy snapshot SLUG URL`: save a live page into tests/fixtures/sites/SLUG/ for review.

This is how a maintainer adds a site or a page: the page is saved as served,
its [[page]] entry appended to site.toml, and a draft expected JSON written
with a `_review` mark that keeps the fixture tests failing until a person
has checked it. robots.txt is obeyed; tests never call this on the network.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import ClassVar
from urllib.parse import urljoin

from protego import Protego
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from spiders.registry import RegistryError, check_url, load_registry, slug_for_host
from spiders.snapshot import KINDS, SnapshotError, fetch, save_snapshot

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "sites"


class Command(ScrapyCommand):
    requires_project = True
    default_settings: ClassVar[dict[str, object]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[options] SLUG URL"

    def short_desc(self) -> str:
        return "Save a live page as a test fixture with a draft expected JSON"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--kind", choices=KINDS, help="what the page is (default: guessed)")
        parser.add_argument(
            "--fixtures", type=Path, default=FIXTURES, help="folder of fixture sites"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 2:
            raise UsageError("give a site slug and a URL: scrapy snapshot SLUG URL")
        slug, url = args
        try:
            check_url(url, "URL")
            if slug_for_host(slug) != slug:
                raise UsageError(
                    f"slug {slug!r} must be lowercase letters, digits, . or -", print_help=False
                )
            registry = load_registry(self.settings.get("SITES_REGISTRY"))
            agent = self.settings.get("USER_AGENT")
            robots = fetch(urljoin(url, "/robots.txt"), agent)
            rules = (
                Protego.parse(robots.body.decode("utf-8", "replace"))
                if robots.status == 200
                else None
            )
            if rules is not None and not rules.can_fetch(url, agent):
                raise SnapshotError(f"robots.txt of {url} forbids fetching it")
            fetched = fetch(url, agent)
            page, draft, kind = save_snapshot(
                slug,
                url,
                folder=opts.fixtures / slug,
                fetched=fetched,
                kind=opts.kind,
                site=registry.get(slug),
            )
        except (RegistryError, SnapshotError) as exc:
            sys.stderr.write(f"error: {exc}\n")
            self.exitcode = 1
            return
        print(f"saved {kind} page {page}")
        if draft is not None:
            print(f"draft expectation {draft}: review every field, then delete its _review key")
