"""The live progress line of a crawl in a terminal, and its final per-site table.

Under cron there is no terminal: nothing is drawn, and the run says what happened in its
log and its one summary line (spiders/commands/crawl.py).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

REFRESH_SECONDS = 1.0


def wants_progress(setting: str | None, stream: TextIO) -> bool:
    """WARDNEWS_PROGRESS: `auto` (draw only in a terminal), `on` or `off`."""
    value = (setting or "auto").strip().lower()
    if value in ("on", "1", "true"):
        return True
    if value in ("off", "0", "false"):
        return False
    return stream.isatty()


def progress_line(figures: Mapping[str, int], elapsed: float) -> str:
    minutes, seconds = divmod(int(elapsed), 60)
    return (
        f"{minutes:d}:{seconds:02d}  pages {figures['pages']}  articles {figures['new']} new"
        f" / {figures['updated']} updated / {figures['unchanged']} unchanged"
        f"  errors {figures['errors']}  sites {figures['sites_done']}/{figures['sites']} done"
    )


def print_site_table(sites: Sequence[Mapping[str, Any]], stream: TextIO) -> None:
    names = ["site", "status", "pages_fetched", "articles_new", "articles_updated"]
    names += ["articles_unchanged", "errors"]
    header = ["site", "status", "pages", "new", "updated", "unchanged", "errors"]
    rows = [header, *([str(site[name]) for name in names] for site in sites)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        cells = [
            cell.ljust(width) if i < 2 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        stream.write("  ".join(cells).rstrip() + "\n")
    stream.flush()


class Progress:
    """Redraws one status line on stderr every second while the crawl runs."""

    def __init__(self, crawler: Any, stream: TextIO) -> None:
        self.crawler = crawler
        self.stream = stream
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.draw)
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> Progress:
        if not wants_progress(crawler.settings.get("WARDNEWS_PROGRESS"), sys.stderr):
            raise NotConfigured  # no terminal; with a message Scrapy would log a warning
        return cls(crawler, sys.stderr)

    def figures(self) -> dict[str, int]:
        stats = self.crawler.stats
        runs = getattr(self.crawler.spider, "runs", {})
        return {
            "pages": int(stats.get_value("downloader/response_count", 0)),
            "new": int(stats.get_value("wardnews/articles_new", 0)),
            "updated": int(stats.get_value("wardnews/articles_updated", 0)),
            "unchanged": int(stats.get_value("wardnews/articles_unchanged", 0)),
            "errors": int(stats.get_value("wardnews/errors", 0)),
            "sites": len(runs),
            "sites_done": sum(1 for run in runs.values() if run.done),
        }

    def draw(self) -> None:
        line = progress_line(self.figures(), time.monotonic() - self.started)
        self.stream.write("\r\x1b[K" + line)  # back to the line start, clear it, redraw
        self.stream.flush()

    def opened(self, spider: Any) -> None:
        self.started = time.monotonic()
        self.loop.start(REFRESH_SECONDS, now=True)

    def closed(self, spider: Any, reason: str) -> None:
        if self.loop.running:
            self.loop.stop()
        self.draw()
        self.stream.write("\n")
        self.stream.flush()
