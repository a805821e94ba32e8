"""Running unattended: the run lock, the per-run log file, run and site outcomes, the summary.

Pure functions and one small lock class; `scrapy crawl` (spiders/commands/crawl.py) and
the archive pipeline use them. The rules here are documented in README ("From cron").
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from archive.db import sqlite_path

# Exit statuses of `scrapy crawl wards`, for cron and monitoring.
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_LOCKED = 0, 1, 2, 3, 4
EXIT_CODES = {"ok": EXIT_OK, "failed": EXIT_FAILED, "interrupted": EXIT_INTERRUPTED}

# A site (or a whole run) fails when more than this share of the article pages it tried
# failed to fetch or to extract: the site is down or its layout changed; cron should say so.
MAX_ERROR_RATE = 0.5
# Per-run log files kept under the log folder; older ones are removed.
LOGS_KEPT = 200
DEFAULT_LOCK = Path("data/crawl.lock")


class Locked(Exception):
    """Another crawl holds the archive's lock."""


def lock_path(archive_url: str) -> Path:
    """The lock file of an archive: beside a SQLite file, else data/crawl.lock."""
    path = sqlite_path(archive_url)
    return path.with_name(path.name + ".lock") if path is not None else DEFAULT_LOCK


class RunLock:
    """An exclusive flock held for the life of the process.

    The kernel drops a flock when its process dies, even by SIGKILL, so a stale lock file
    never blocks the next run; the pid written inside is only for the message.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def acquire(self, now: str) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = self.path.open("a+", encoding="utf-8")
        except OSError as exc:
            raise OSError(f"cannot write the lock file {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown pid"
            handle.close()
            raise Locked(
                f"another crawl is running on this archive ({holder}); lock file {self.path}"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {now}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing drops the flock
            self._file = None


def run_log_path(folder: Path, started: datetime, pid: int) -> Path:
    return folder / f"crawl-{started:%Y%m%d-%H%M%S}-{pid}.log"


def prune_logs(folder: Path, keep: int = LOGS_KEPT) -> list[Path]:
    """Remove all but the newest `keep` run logs; returns what was removed."""
    logs = sorted(folder.glob("crawl-*.log"))  # names sort by start time
    removed = logs[: max(0, len(logs) - keep)]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


@dataclass
class SiteFigures:
    """One site's share of a run, as counted by the spider and the pipeline."""

    pages_fetched: int = 0
    pages_ok: int = 0  # responses below HTTP 400, robots.txt aside
    article_errors: int = 0  # article pages that could not be fetched or extracted
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    articles_empty: int = 0
    articles_undated: int = 0
    errors: int = 0
    links_found: int = 0

    @property
    def stored(self) -> int:
        return self.articles_new + self.articles_updated + self.articles_unchanged

    def columns(self) -> dict[str, int]:
        """The crawl_run_sites figures."""
        return {
            name: getattr(self, name)
            for name in (
                "pages_fetched",
                "articles_new",
                "articles_updated",
                "articles_unchanged",
                "articles_empty",
                "articles_undated",
                "errors",
                "links_found",
            )
        }


def error_rate(failed: int, stored: int) -> float:
    """The share of article pages tried that failed (dead links are neither)."""
    tried = failed + stored
    return failed / tried if tried else 0.0


def site_status(
    figures: SiteFigures, *, reason: str, done: bool, max_error_rate: float = MAX_ERROR_RATE
) -> str:
    """crawl_run_sites.status: `ok` only when everything planned for the site was done."""
    if reason == "shutdown" and not done:
        return "interrupted"
    if reason not in ("finished", "shutdown"):
        return "failed"
    if figures.pages_ok == 0:  # not one page of the site could be read
        return "failed"
    if error_rate(figures.article_errors, figures.stored) > max_error_rate:
        return "failed"
    return "ok"


def run_status(
    reason: str,
    sites: Mapping[str, str],
    *,
    article_errors: int,
    stored: int,
    pages: int,
    max_error_rate: float = MAX_ERROR_RATE,
) -> str:
    """crawl_runs.status from Scrapy's finish reason, the sites' outcomes and the error rate."""
    if reason == "shutdown":
        return "interrupted"
    if reason != "finished" or pages == 0:
        return "failed"
    if sites and all(status == "failed" for status in sites.values()):
        return "failed"
    if error_rate(article_errors, stored) > max_error_rate:
        return "failed"
    return "ok"


def summary_line(run: Mapping[str, Any], sites: Mapping[str, str], log: Path | None) -> str:
    """The one line a run ends with, for cron mail and the log."""
    by_status: dict[str, int] = {}
    for status in sites.values():
        by_status[status] = by_status.get(status, 0) + 1
    outcome = ", ".join(f"{n} {status}" for status, n in sorted(by_status.items()))
    line = (
        f"wardnews run {run['id']} {run['status']}: {len(sites)} sites ({outcome or 'none'}), "
        f"{run['pages_fetched']} pages, {run['articles_new']} new, "
        f"{run['articles_updated']} updated, {run['articles_unchanged']} unchanged, "
        f"{run['errors']} errors"
    )
    return line + (f"; log {log}" if log is not None else "")
