"""`make demo`: serve the sample sites on loopback, crawl them for real, show the result.

Runs the same `scrapy crawl wards` a cron job runs, against the fixture sites
served on 127.0.0.1 (no internet needed), into data/demo.sqlite3. Delays are
off because the sites are local; everything else is the production setting.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from archive.db import Archive
from tests.siteserver import SiteFarm, load_sites

ROOT = Path(__file__).resolve().parent.parent
DEMO_ARCHIVE = ROOT / "data" / "demo.sqlite3"


def crawl_command(registry: Path, archive_url: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "wards",
        "-s",
        f"SITES_REGISTRY={registry}",
        "-s",
        f"ARCHIVE_URL={archive_url}",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-s",
        "LOG_LEVEL=WARNING",
    ]


def newest_article_id(archive_url: str) -> int | None:
    with Archive(archive_url, readonly=True) as archive, archive.session() as session:
        from sqlalchemy import text

        return session.scalar(
            text(
                "SELECT a.id FROM articles a LEFT JOIN article_images i ON i.article_id = a.id "
                "GROUP BY a.id ORDER BY count(i.url) DESC, a.published_at DESC LIMIT 1"
            )
        )


def main() -> int:
    archive_url = f"sqlite:///{DEMO_ARCHIVE}"
    try:
        farm = SiteFarm(load_sites(), stable=True)
    except OSError as exc:
        print(f"error: {exc} (is another demo or siteserver running?)", file=sys.stderr)
        return 1
    with farm, tempfile.TemporaryDirectory() as scratch:
        registry = Path(scratch) / "sites.toml"
        registry.write_text(farm.registry_toml(), "utf-8")
        print("Sample sites served on loopback:")
        for served in farm:
            print(f"  {served.site.slug:<24} {served.start_url}")
        print(f"\nCrawling them into {DEMO_ARCHIVE.relative_to(ROOT)} …\n", flush=True)
        status = subprocess.run(
            crawl_command(registry, archive_url), cwd=ROOT, check=False
        ).returncode
    print(f"\nscrapy crawl wards exited with status {status}\n", flush=True)
    env = {**os.environ, "ARCHIVE_URL": archive_url}
    subprocess.run([sys.executable, "-m", "archive", "stats"], cwd=ROOT, env=env, check=False)
    article = newest_article_id(archive_url)
    if article is not None:
        print("\nOne cleaned article, as stored:\n", flush=True)
        subprocess.run(
            [sys.executable, "-m", "archive", "show", str(article)], cwd=ROOT, env=env, check=False
        )
    return status


if __name__ == "__main__":
    sys.exit(main())
