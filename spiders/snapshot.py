"""Saving a live page as a fixture, with a draft expected JSON for a human to review.

`scrapy snapshot SLUG URL` runs this. The draft is what the extractor reads
today, marked `_review`: the fixture tests fail until a person has checked
every field against the page and removed the mark.
"""

from __future__ import annotations

import json
import re
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from archive.records import RawPage, iso, now_vn
from pipelines.dates import parse_vn_date
from pipelines.extract import ExtractionError, extract_article
from pipelines.html import decode_html, parse_html
from spiders import discovery
from spiders.feeds import looks_like_feed, parse_feed
from spiders.platforms import GENERIC, detect_platform, profile
from spiders.registry import Site
from spiders.urls import canonical_url

REVIEW_MARK = (
    "draft written by `scrapy snapshot`: check every field against the page, then delete this key"
)
KINDS = ("article", "list", "feed", "home", "other")
TIMEOUT = 30


class SnapshotError(ValueError):
    """The page could not be saved; the message says why."""


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    content_type: str
    body: bytes


def fetch(url: str, user_agent: str) -> Fetched:
    """One polite GET (robots.txt is the caller's business: it is checked before this)."""
    request = urllib.request.Request(url, headers={"User-Agent": user_agent})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return Fetched(
                response.geturl(),
                response.status,
                response.headers.get("Content-Type", ""),
                response.read(),
            )
    except OSError as exc:
        raise SnapshotError(f"cannot fetch {url}: {exc}") from None


def file_name(url: str, kind: str, folder: Path) -> str:
    """A file name from the URL's last path segment, made safe and unique in the folder."""
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or "index"
    stem = re.sub(r"[^a-zA-Z0-9-]+", "-", last.rsplit(".", 1)[0]).strip("-")[:60] or kind
    name, number = f"{kind}-{stem}", 2
    while (folder / f"{name}.html").exists():
        name, number = f"{kind}-{stem}-{number}", number + 1
    return name


def draft_expectation(
    kind: str, fetched: Fetched, platform: str, origin: str
) -> dict[str, object] | None:
    """What the extractor reads in the page today, with {{ORIGIN}} for the site's own host."""
    chosen = profile(platform)
    url = canonical_url(fetched.url)
    if kind == "article":
        raw = RawPage(
            url,
            fetched.url,
            fetched.status,
            {"content-type": fetched.content_type},
            fetched.body,
            iso(now_vn()),
        )
        try:
            article = extract_article(raw, chosen)
        except ExtractionError as exc:
            return {"_review": f"{REVIEW_MARK}; the extractor failed: {exc}"}
        draft: dict[str, object] = {
            "_review": REVIEW_MARK,
            "url": urlsplit(article.url)._replace(scheme="", netloc="").geturl(),
            "title": article.title,
            "summary": article.summary,
            "body": article.body,
            "author": article.author,
            "source": article.source,
            "published_at": article.published_at,
            "published_precision": article.published_precision,
            "images": [
                {"url": image.url.replace(origin, ""), "caption": image.caption}
                for image in article.images
            ],
        }
        return draft
    if kind in ("list", "feed"):
        if kind == "feed":
            entries = parse_feed(fetched.body, url).entries
            items = [discovery.ListItem(e.url, e.title, e.date_text) for e in entries]
            following = None
        else:
            doc = parse_html(decode_html(fetched.body, fetched.content_type)[0])
            items = (
                discovery.list_items(doc, url, chosen)
                if platform != GENERIC
                else discovery.generic_article_links(doc, url)[0]
            )
            following = discovery.next_page(doc, url, chosen)
        now = now_vn()
        return {
            "_review": REVIEW_MARK,
            "items": [
                {
                    "url": item.url.replace(origin, ""),
                    "title": item.title,
                    "date": day.day.isoformat()
                    if item.date_text and (day := parse_vn_date(item.date_text, now=now))
                    else None,
                }
                for item in items
            ],
            "next": following.replace(origin, "") if following else None,
        }
    return None


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def save_snapshot(
    slug: str, url: str, *, folder: Path, fetched: Fetched, kind: str | None, site: Site | None
) -> tuple[Path, Path | None, str]:
    """Write the page, its [[page]] entry and its draft; return (page file, draft file, kind)."""
    parts = urlsplit(fetched.url)
    origin = f"{parts.scheme}://{parts.netloc}"
    doc = None
    if not looks_like_feed(fetched.body, fetched.content_type):
        doc = parse_html(decode_html(fetched.body, fetched.content_type)[0])
    platform = (
        site.info.platform
        if site and site.info.platform
        else (detect_platform(doc, fetched.url) if doc is not None else GENERIC)
    )
    if kind is None:
        if doc is None:
            kind = "feed"
        elif discovery.looks_like_article(doc, canonical_url(fetched.url), profile(platform)):
            kind = "article"
        else:
            kind = "list"
    if kind not in KINDS:
        raise SnapshotError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "site.toml"
    if not manifest.exists():
        info = site.info if site else None
        manifest.write_text(
            "\n".join(
                [
                    f"slug = {_toml_string(slug)}",
                    f"name = {_toml_string(info.name if info else parts.netloc)}",
                    f"platform = {_toml_string(platform)}",
                    f"unit_name = {_toml_string(info.unit_name or '' if info else '')}",
                    f"unit_level = {_toml_string(info.unit_level or '' if info else '')}",
                    f"province = {_toml_string(info.province or '' if info else '')}",
                    f"start = {_toml_string(parts.path or '/')}",
                    "",
                ]
            ),
            "utf-8",
        )
    name = file_name(fetched.url, kind, folder)
    page_file = folder / f"{name}.html"
    page_file.write_bytes(fetched.body.replace(origin.encode(), b"{{ORIGIN}}"))
    draft = draft_expectation(kind, fetched, platform, origin)
    draft_file = None
    if draft is not None:
        draft_file = folder / f"{name}.json"
        draft_file.write_text(json.dumps(draft, ensure_ascii=False, indent=2) + "\n", "utf-8")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    entry = [
        f"\n[[page]]\nurl = {_toml_string(path)}",
        f"file = {_toml_string(page_file.name)}",
        f'kind = "{kind}"',
    ]
    if fetched.content_type and fetched.content_type != "text/html; charset=utf-8":
        entry.append(f"content_type = {_toml_string(fetched.content_type)}")
    if draft_file is not None:
        entry.append(f"expect = {_toml_string(draft_file.name)}")
    with manifest.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(entry) + "\n")
    tomllib.loads(manifest.read_text("utf-8"))  # the manifest must stay valid TOML
    return page_file, draft_file, kind
