"""Shared test fixtures: the fixture sites on loopback, temporary archives, a crawl runner."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

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


def run_crawl(
    *arguments: str,
    archive_url: str,
    registry: Path | None = None,
    settings: tuple[str, ...] = FAST,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`scrapy crawl wards` in a subprocess, exactly as a user runs it."""
    command = [sys.executable, "-m", "scrapy", "crawl", "wards"]
    for argument in arguments:
        command += ["-a", argument]
    for setting in (*settings, f"ARCHIVE_URL={archive_url}"):
        command += ["-s", setting]
    if registry is not None:
        command += ["-s", f"SITES_REGISTRY={registry}"]
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
