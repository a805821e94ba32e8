"""Scrapy settings for wardnews: polite, bounded and safe by default.

Scrapy's own defaults are not polite (robots.txt ignored, no delay, 8 requests
per host, 180 s timeouts, 1 GiB responses); every value below is deliberate.
Override any of them with `-s NAME=VALUE`.
"""

import os

from archive.db import DEFAULT_ARCHIVE_URL

BOT_NAME = "wardnews"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# Where articles go: any SQLAlchemy URL, or a bare SQLite file path.
ARCHIVE_URL = os.environ.get("ARCHIVE_URL") or DEFAULT_ARCHIVE_URL
# The site registry; tests and the demo point this at a generated file.
SITES_REGISTRY = os.environ.get("WARDNEWS_REGISTRY") or "spiders/sites.toml"

# An honest User-Agent that says who we are and where to complain.
CONTACT_URL = os.environ.get("WARDNEWS_CONTACT_URL") or "https://github.com/wardnews/wardnews"
USER_AGENT = f"wardnews/0.1 (civic news archive; +{CONTACT_URL})"
ROBOTSTXT_OBEY = True

# One request at a time per host, a randomised delay, and AutoThrottle backing
# off further when a slow government server answers slowly.
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 3.0
DOWNLOAD_DELAY_JITTER = 0.5  # each delay is 0.5x to 1.5x DOWNLOAD_DELAY
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 3.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Government servers answer in 20-60 s or never; do not wait longer than that.
DOWNLOAD_TIMEOUT = 30
DNS_TIMEOUT = 20
RETRY_TIMES = 2
# A decompression bomb must not take the machine down (the limit applies after gunzip).
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
DOWNLOAD_WARNSIZE = 8 * 1024 * 1024
REDIRECT_MAX_TIMES = 10
URLLENGTH_LIMIT = 2000
# Calendar, search and session-id traps end here at the latest.
DEPTH_LIMIT = 40

# Only HTTP(S): no local files, data: URIs, S3 or FTP from scraped links.
DOWNLOAD_HANDLERS = {"file": None, "data": None, "s3": None, "ftp": None}
TELNETCONSOLE_ENABLED = False
COOKIES_ENABLED = True  # some ASP.NET portals need their session cookie for paging

ITEM_PIPELINES = {
    "pipelines.ExtractPipeline": 300,
    "pipelines.ArchivePipeline": 800,
}

LOG_LEVEL = os.environ.get("WARDNEWS_LOG_LEVEL") or "INFO"
# Each run logs to its own file here (relative to the working directory); the newest
# WARDNEWS_LOGS_KEPT are kept. Empty: log to stderr as plain Scrapy does.
WARDNEWS_LOG_DIR = os.environ.get("WARDNEWS_LOG_DIR", "logs")
WARDNEWS_LOGS_KEPT = 200
# A site, or the whole run, fails when more than this share of its fetched pages failed.
WARDNEWS_MAX_ERROR_RATE = 0.5
# The live progress line: auto (only in a terminal), on or off.
WARDNEWS_PROGRESS = os.environ.get("WARDNEWS_PROGRESS", "auto")
EXTENSIONS = {"spiders.progress.Progress": 500}
FEED_EXPORT_ENCODING = "utf-8"

# Our `crawl` wraps Scrapy's: arguments checked first, the run's outcome as exit status.
COMMANDS_MODULE = "spiders.commands"
