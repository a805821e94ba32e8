"""Clusters of copies in the archive: one story, every copy of it, the earliest as original.

An article joins the cluster of every stored article with the same text (same
content hash) or a near-duplicate body (archive/neardup.py, found through the
`lsh_keys` index). `cluster_id` is the id of the cluster's first stored
article and never changes for it; `duplicate_of` points every other member to
the earliest-published copy, and is NULL on that copy. These functions run
inside the caller's transaction.

The cost of placing one article stays flat as the archive grows:

- a key is stored once per cluster, not once per copy: a press release copied
  by fifty sites adds no rows after its first copies;
- a key that many clusters share says only "written from the same template"
  (a monthly notice): lookups skip it, so a template used ten thousand times
  does not make ten thousand candidates;
- a candidate is checked on its figures first (cheap), and only then on its text.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from archive import models
from archive.neardup import (
    Features,
    band_keys,
    features,
    figures,
    figures_agree,
    is_duplicate,
    signature,
)

A = models.Article.__table__
K = models.LshKey.__table__
# A key owned by more clusters than this is a template's, not a story's.
HOT_KEY = 20


def _keys(found: Features) -> list[int]:
    return band_keys(signature(found.shingles)) if found.indexable else []


def unindex(session: Session, article_id: int, body: str) -> None:
    """Remove the index rows an earlier body of this article wrote."""
    keys = _keys(features(body))
    if keys:
        session.execute(delete(K).where(K.c.article_id == article_id, K.c.key.in_(keys)))


def _owners(session: Session, keys: list[int]) -> dict[int, list[int] | None]:
    """key → the articles holding it, or None for a hot key (more than HOT_KEY of them)."""
    if not keys:
        return {}
    # One statement, each key's scan cut at HOT_KEY + 1 rows however hot the key is.
    one = f"SELECT * FROM (SELECT key, article_id FROM lsh_keys WHERE key = ? LIMIT {HOT_KEY + 1})"
    rows = session.connection().exec_driver_sql(" UNION ALL ".join([one] * len(keys)), tuple(keys))
    found: dict[int, list[int]] = {key: [] for key in keys}
    for key, owner in rows:
        found[key].append(owner)
    return {key: (None if len(held) > HOT_KEY else held) for key, held in found.items()}


def _near_copies(
    session: Session, article_id: int, found: Features, owners: dict[int, list[int] | None]
) -> set[int]:
    ids = {owner for held in owners.values() if held for owner in held} - {article_id}
    if not ids:
        return set()
    copies = set()
    for row in session.execute(select(A.c.id, A.c.body).where(A.c.id.in_(ids))):
        # Figures first: a regex, where the text check hashes every shingle.
        if figures_agree(found.figures, figures(row.body)) and is_duplicate(
            found, features(row.body)
        ):
            copies.add(row.id)
    return copies


def place(session: Session, article_id: int, *, old_body: str | None = None) -> int | None:
    """Index an article's body and put it in its cluster; returns its `duplicate_of`.

    `old_body`: the text it had before a re-crawl changed it, whose index rows go.
    """
    row = session.execute(
        select(A.c.body, A.c.content_hash, A.c.cluster_id).where(A.c.id == article_id)
    ).one()
    if old_body is not None:
        unindex(session, article_id, old_body)
    found = features(row.body)
    owners = _owners(session, _keys(found))
    copies = _near_copies(session, article_id, found, owners)
    copies.update(
        session.execute(
            select(A.c.id).where(A.c.content_hash == row.content_hash, A.c.id != article_id)
        ).scalars()
    )
    clusters = set(session.execute(select(A.c.cluster_id).where(A.c.id.in_(copies))).scalars()) - {
        None
    }
    # Clusters merge and never split: an edited article stays with the copies it had.
    clusters.add(row.cluster_id if row.cluster_id is not None else article_id)
    target = min(clusters)
    for other in clusters - {target}:
        session.execute(update(A).where(A.c.cluster_id == other).values(cluster_id=target))
    session.execute(update(A).where(A.c.id == article_id).values(cluster_id=target))
    _index(session, article_id, owners, set(copies) | {article_id})
    return settle(session, target).get(article_id)


def _index(
    session: Session, article_id: int, owners: dict[int, list[int] | None], cluster: set[int]
) -> None:
    """Store the keys this article adds: none its cluster holds already, none that are hot."""
    new = [key for key, held in owners.items() if held is not None and not cluster & set(held)]
    if new:
        session.execute(
            sqlite_insert(K).on_conflict_do_nothing(),
            [{"key": key, "article_id": article_id} for key in new],
        )


def settle(session: Session, cluster_id: int) -> dict[int, int | None]:
    """Point every member of a cluster to its earliest-published copy; returns id → duplicate_of."""
    members = session.execute(
        select(A.c.id, A.c.duplicate_of)
        .where(A.c.cluster_id == cluster_id)
        .order_by(A.c.published_at.is_(None), A.c.published_at, A.c.id)
    ).all()
    if not members:
        return {}
    original = members[0].id
    wanted = {member.id: (None if member.id == original else original) for member in members}
    for member in members:
        if member.duplicate_of != wanted[member.id]:
            session.execute(
                update(A).where(A.c.id == member.id).values(duplicate_of=wanted[member.id])
            )
    return wanted
