"""Clusters of copies in the archive: one story, every copy of it, the earliest as original.

An article joins the cluster of every stored article with the same text (same
content hash) or a near-duplicate body (archive/neardup.py, found through the
`lsh_keys` index). `cluster_id` is the id of the cluster's first stored
article and never changes for it; `duplicate_of` points every other member to
the earliest-published copy, and is NULL on that copy. These functions run
inside the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from archive import models
from archive.neardup import Features, band_keys, features, is_duplicate, signature

A = models.Article.__table__
K = models.LshKey.__table__


def _keys(found: Features) -> list[int]:
    return band_keys(signature(found.shingles)) if found.indexable else []


def unindex(session: Session, article_id: int, body: str) -> None:
    """Remove the index rows an earlier body of this article wrote."""
    keys = _keys(features(body))
    if keys:
        session.execute(delete(K).where(K.c.article_id == article_id, K.c.key.in_(keys)))


def _near_copies(session: Session, article_id: int, found: Features, keys: list[int]) -> set[int]:
    if not keys:
        return set()
    candidates = session.execute(
        select(K.c.article_id).where(K.c.key.in_(keys), K.c.article_id != article_id).distinct()
    ).scalars()
    ids = list(candidates)
    if not ids:
        return set()
    bodies = session.execute(select(A.c.id, A.c.body).where(A.c.id.in_(ids)))
    return {row.id for row in bodies if is_duplicate(found, features(row.body))}


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
    keys = _keys(found)
    copies = _near_copies(session, article_id, found, keys)
    copies.update(
        session.execute(
            select(A.c.id).where(A.c.content_hash == row.content_hash, A.c.id != article_id)
        ).scalars()
    )
    if keys:
        session.execute(
            sqlite_insert(K).on_conflict_do_nothing(),
            [{"key": key, "article_id": article_id} for key in keys],
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
    return settle(session, target).get(article_id)


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
