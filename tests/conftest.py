"""Shared test fixtures: the fixture sites on loopback, temporary archives, a crawl runner."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from archive.db import sqlite_path
from archive.records import VN_TZ
from tests.siteserver import FixtureSite, SiteFarm, load_sites

ROOT = Path(__file__).resolve().parent.parent
# Loopback sites answer at once: no delay, no throttle (production keeps both).
FAST = ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "LOG_LEVEL=INFO")
# The clock the pure-function tests pass explicitly (never frozen globally).
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=VN_TZ)


@pytest.fixture(scope="session")
def fixture_sites() -> list[FixtureSite]:
    return load_sites()


@pytest.fixture(scope="session")
def farm(fixture_sites: list[FixtureSite]) -> Iterator[SiteFarm]:
    with SiteFarm(fixture_sites) as running:
        yield running


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.sqlite3"


@pytest.fixture
def archive_url(archive_path: Path) -> str:
    return f"sqlite:///{archive_path}"


def crawl_command(
    *arguments: str,
    archive_url: str,
    registry: Path | None = None,
    settings: tuple[str, ...] = FAST,
) -> list[str]:
    """`scrapy crawl wards …`; its run logs go beside a SQLite archive, not into the repo."""
    command = [sys.executable, "-m", "scrapy", "crawl", "wards"]
    for argument in arguments:
        command += ["-a", argument]
    for setting in (*settings, f"ARCHIVE_URL={archive_url}"):
        command += ["-s", setting]
    path = sqlite_path(archive_url)
    if path is not None:
        command += ["-s", f"WARDNEWS_LOG_DIR={path.parent / 'logs'}"]
    if registry is not None:
        command += ["-s", f"SITES_REGISTRY={registry}"]
    return command


def run_crawl(
    *arguments: str,
    archive_url: str,
    registry: Path | None = None,
    settings: tuple[str, ...] = FAST,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`scrapy crawl wards` in a subprocess, exactly as a user runs it.

    The run's log is in `.log` (stderr stays quiet without a terminal)."""
    command = crawl_command(
        *arguments, archive_url=archive_url, registry=registry, settings=settings
    )
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    done.log = run_log(done.stdout)  # type: ignore[attr-defined]
    return done


def run_log(stdout: str) -> str:
    """The log named in a run's summary line (empty if there is none)."""
    for line in reversed(stdout.splitlines()):
        if "; log " in line:
            path = Path(line.rsplit("; log ", 1)[1].strip())
            return path.read_text("utf-8", errors="replace") if path.exists() else ""
    return ""
