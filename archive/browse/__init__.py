"""`make browse`: the archive in Datasette, read-only, described by docs/schema.md.

The metadata (titles, column descriptions, facets, canned queries) is built from
the schema page each time, so the browser never disagrees with the contract.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

from archive.db import Archive, ArchiveError, resolve_archive_url, sqlite_path

ROOT = Path(__file__).resolve().parent.parent.parent
SCHEMA_DOC = ROOT / "docs" / "schema.md"
PLUGINS = Path(__file__).resolve().parent / "plugins"
FACETS = {
    "stories": ["current_province", "current_unit_name", "site", "month"],
    "articles": ["site_id"],
    "sites": ["current_province", "unit_level", "unit_status", "platform"],
    "monthly_site_counts": ["province", "site", "month"],
    "monthly_province_counts": ["province", "month"],
}
SETTINGS = {"truncate_cells_html": "400", "default_page_size": "50", "sql_time_limit_ms": "5000"}
QUERIES: dict[str, dict[str, Any]] = {
    "search": {
        "title": "Search articles",
        "description": (
            "Words without diacritics match any tone (tan hung finds Tân Hưng); words typed"
            ' with diacritics match exactly. "a phrase", prefix*, a OR b, -excluded.'
            " One row per story (its original)."
        ),
        "sql": """select a.id, a.published_at, s.slug as site,
  coalesce(s.current_province, s.province) as province, a.title,
  snippet(articles_fts, -1, '«', '»', '…', 16) as snippet, a.url
from articles_fts
  join articles a on a.id = articles_fts.rowid
  join sites s on s.id = a.site_id
where articles_fts match wn_search_folded(:q)
  and (wn_search_exact(:q) is null or a.id in (
    select rowid from articles_fts_exact where articles_fts_exact match wn_search_exact(:q)))
  and a.duplicate_of is null
order by bm25(articles_fts, 10.0, 4.0, 1.0)
limit 100""",
    },
    "latest_per_ward": {
        "title": "Latest article of each site",
        "sql": """select s.slug as site, s.unit_name,
  coalesce(s.current_province, s.province) as province, a.published_at, a.title, a.url, a.id
from sites s
  join articles a on a.id = (
    select id from articles where site_id = s.id and published_at is not null
    order by published_at desc limit 1)
order by province, s.slug""",
    },
    "story_copies": {
        "title": "Every copy of an article's story",
        "description": "All the articles in the cluster of article :id, earliest first.",
        "sql": """select a.id, a.published_at, s.slug as site, a.title, a.url, a.duplicate_of,
  a.id = a.cluster_id as first_stored
from articles a join sites s on s.id = a.site_id
where a.cluster_id = (select cluster_id from articles where id = :id)
order by coalesce(a.published_at, '~'), a.id""",
    },
}


class BrowseError(Exception):
    """The archive cannot be browsed (missing, not SQLite, old schema)."""


def documented(doc: Path = SCHEMA_DOC) -> dict[str, dict[str, Any]]:
    """{name: {"description": text, "columns": {column: meaning}}} from docs/schema.md."""
    found: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    for line in doc.read_text("utf-8").splitlines():
        heading = re.match(r"^## (\w+)\s*$", line)
        if heading:
            current = found.setdefault(heading.group(1), {"description": "", "columns": {}})
            continue
        if current is None:
            continue
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if len(cells) == 4 and cells[0] != "column" and set(cells[0]) - {"-"}:
                current["columns"][cells[0]] = f"{cells[2]} ({cells[1]})"
        elif line.strip() and not current["columns"]:
            current["description"] = f"{current['description']} {line.strip()}".strip()
    return found


def metadata(database: str, doc: Path = SCHEMA_DOC) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for name, info in documented(doc).items():
        tables[name] = {"description": info["description"], "columns": info["columns"]}
        if name in FACETS:
            tables[name]["facets"] = FACETS[name]
    tables["articles"] |= {"fts_table": "articles_fts", "fts_pk": "id", "sort_desc": "published_at"}
    tables["stories"] |= {"sort_desc": "published_at", "label_column": "title"}
    for name in ("articles_fts", "articles_fts_exact"):
        tables[name]["hidden"] = True
    return {
        "title": "wardnews archive",
        "description": "Vietnamese ward, district and province news. Schema: docs/schema.md.",
        "databases": {database: {"tables": tables, "queries": QUERIES}},
    }


def command(path: Path, metadata_file: Path, *, host: str, port: int) -> list[str]:
    settings = [part for name, value in SETTINGS.items() for part in ("--setting", name, value)]
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(path),  # opened with mode=ro: a running crawl keeps writing
        "--metadata",
        str(metadata_file),
        "--plugins-dir",
        str(PLUGINS),
        "--host",
        host,
        "--port",
        str(port),
        *settings,
    ]


def archive_file(url: str | None) -> Path:
    """The archive's SQLite file, checked to be a current wardnews archive."""
    resolved = resolve_archive_url(url)
    path = sqlite_path(resolved)
    if path is None:
        raise BrowseError(f"Datasette only opens SQLite files, not {resolved}")
    try:
        Archive(resolved, readonly=True).close()
    except ArchiveError as exc:
        raise BrowseError(str(exc)) from None
    return path


def serve(url: str | None, *, host: str, port: int, out: TextIO) -> None:
    """Run Datasette until interrupted."""
    path = archive_file(url)
    with tempfile.TemporaryDirectory(prefix="wardnews-browse-") as folder:
        metadata_file = Path(folder) / "metadata.json"
        metadata_file.write_text(json.dumps(metadata(path.stem), ensure_ascii=False), "utf-8")
        out.write(f"browsing {path} read-only at http://{host}:{port}/ (Ctrl-C stops)\n")
        out.flush()
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how browsing ends
            subprocess.run(
                command(path, metadata_file, host=host, port=port), cwd=ROOT, check=False
            )
