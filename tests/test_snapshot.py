"""`scrapy snapshot`: a page saved as a fixture, with a draft that must be reviewed."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.siteserver import SiteFarm

pytestmark = pytest.mark.slow


def snapshot(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "snapshot", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_snapshot_saves_page_entry_and_draft(farm: SiteFarm, tmp_path: Path) -> None:
    served = farm.by_slug("tandan-nghison")
    page = served.site.of_kind("article")[0]
    done = snapshot("new-site", served.origin + page.url, "--fixtures", str(tmp_path))
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "new-site"
    manifest = tomllib.loads((folder / "site.toml").read_text("utf-8"))
    assert manifest["slug"] == "new-site" and manifest["platform"] == "tandan"
    (entry,) = manifest["page"]
    assert (entry["url"], entry["kind"]) == (page.url, "article")
    saved = (folder / entry["file"]).read_bytes()
    assert served.origin.encode() not in saved  # the host became {{ORIGIN}}
    draft = json.loads((folder / entry["expect"]).read_text("utf-8"))
    assert "_review" in draft
    assert draft["title"] == page.expected(served.origin)["title"]


def test_snapshot_obeys_robots_txt(farm: SiteFarm, tmp_path: Path) -> None:
    served = farm.by_slug("tandan-nghison")
    done = snapshot("new-site", served.origin + "/_layouts/login.aspx", "--fixtures", str(tmp_path))
    assert done.returncode == 1
    assert "robots.txt" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "new-site").exists()


def test_snapshot_needs_a_slug_and_a_url(tmp_path: Path) -> None:
    done = snapshot("only-one-argument")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
