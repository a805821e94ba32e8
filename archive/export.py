"""Exports of articles as CSV, JSON Lines or Parquet, streamed so memory stays flat.

Rows are read in id order, a batch at a time (keyset paging, never OFFSET), and
written as they come; Parquet gets one row group per batch.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import text
from sqlalchemy.orm import Session

from archive.filters import Filters

FORMATS = ("csv", "jsonl", "parquet")
BATCH = 1000
COLUMNS = (
    "id",
    "site",
    "province",
    "unit_name",
    "current_unit_name",
    "url",
    "title",
    "summary",
    "body",
    "author",
    "source",
    "published_at",
    "published_precision",
    "published_source",
    "updated_at",
    "first_seen_at",
    "last_seen_at",
    "content_hash",
    "cluster_id",
    "duplicate_of",
    "extractor_version",
)
INTEGER_COLUMNS = ("id", "cluster_id", "duplicate_of")
_SELECT = (
    "SELECT a.id, s.slug AS site, coalesce(s.current_province, s.province) AS province,"
    " s.unit_name, s.current_unit_name, a.url, a.title, a.summary, a.body, a.author, a.source,"
    " a.published_at, a.published_precision, a.published_source, a.updated_at,"
    " a.first_seen_at, a.last_seen_at, a.content_hash, a.cluster_id, a.duplicate_of,"
    " a.extractor_version FROM articles a JOIN sites s ON s.id = a.site_id"
)
# The first copy of a story among the filtered rows: earliest published, undated last.
_EARLIER_COPY = (
    "NOT EXISTS (SELECT 1 FROM articles b WHERE b.cluster_id = a.cluster_id AND b.id != a.id"
    " AND {conditions} AND (coalesce(b.published_at, '~'), b.id)"
    " < (coalesce(a.published_at, '~'), a.id))"
)


def iter_rows(
    session: Session, filters: Filters, *, with_images: bool = False, batch: int = BATCH
) -> Iterator[dict[str, Any]]:
    """Articles passing the filters, in id order, one batch in memory at a time."""
    conditions, params = filters.where("a")
    if not filters.include_duplicates:
        conditions += " AND " + _EARLIER_COPY.format(conditions=filters.where("b")[0])
    query = text(f"{_SELECT} WHERE a.id > :after AND {conditions} ORDER BY a.id LIMIT :batch")
    after = 0
    while True:
        page = session.execute(query, {**params, "after": after, "batch": batch})
        rows = [dict(row) for row in page.mappings()]
        if not rows:
            return
        if with_images:
            images = _images(session, [row["id"] for row in rows])
            for row in rows:
                row["images"] = images.get(row["id"], [])
        yield from rows
        after = rows[-1]["id"]


def _images(session: Session, ids: list[int]) -> dict[int, list[dict[str, str | None]]]:
    found: dict[int, list[dict[str, str | None]]] = {}
    for article_id, url, caption in session.execute(
        text(
            "SELECT article_id, url, caption FROM article_images"
            f" WHERE article_id IN ({', '.join(map(str, ids))}) ORDER BY article_id, position"
        )
    ):
        found.setdefault(article_id, []).append({"url": url, "caption": caption})
    return found


def write_csv(rows: Iterable[dict[str, Any]], target: TextIO) -> int:
    writer = csv.DictWriter(target, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def write_jsonl(rows: Iterable[dict[str, Any]], target: TextIO) -> int:
    count = 0
    for row in rows:
        target.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_parquet(rows: Iterable[dict[str, Any]], path: Path, batch: int = BATCH) -> int:
    """Parquet with one row group per batch; pyarrow is imported only for this format."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    image = pa.struct([("url", pa.string()), ("caption", pa.string())])
    schema = pa.schema(
        [(name, pa.int64() if name in INTEGER_COLUMNS else pa.string()) for name in COLUMNS]
        + [("images", pa.list_(image))]
    )
    count = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        pending: list[dict[str, Any]] = []
        for row in rows:
            pending.append(row)
            if len(pending) >= batch:
                writer.write_table(pa.Table.from_pylist(pending, schema=schema))
                count, pending = count + len(pending), []
        if pending or not count:
            writer.write_table(pa.Table.from_pylist(pending, schema=schema))
            count += len(pending)
    return count
