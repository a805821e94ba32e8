"""Analysts: full-text search (two FTS5 indexes kept by triggers), views, official unit tags.

articles_fts indexes title, summary and body without diacritics (the tokenizer
strips them; đ is not a diacritic to Unicode, so the triggers turn it into d
with replace()). articles_fts_exact keeps them, case-folded only. Both read
their text from `articles` (external content), so nothing is stored twice and
snippets show the real text. The triggers use built-in SQL only: a plain
sqlite3 shell that writes articles keeps the indexes right.

Sites get their official unit code and the unit they belong to since the 2025
reorganisation (archive/units.py); existing sites are tagged here.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TAG_COLUMNS = (
    ("unit_code", sa.String(length=10)),
    ("unit_status", sa.String(length=10)),
    ("current_unit_code", sa.String(length=10)),
    ("current_unit_name", sa.Text()),
    ("current_unit_level", sa.String(length=20)),
    ("current_province_code", sa.String(length=10)),
    ("current_province", sa.Text()),
)


def _fold(column: str) -> str:
    return f"replace(replace({column}, 'đ', 'd'), 'Đ', 'D')"


def _values(prefix: str, folded: bool) -> str:
    columns = [f"{prefix}.title", f"{prefix}.summary", f"{prefix}.body"]
    return ", ".join(_fold(c) if folded else c for c in columns)


FTS_TABLES = {"articles_fts": True, "articles_fts_exact": False}  # name -> folded
TOKENIZERS = {True: "unicode61 remove_diacritics 2", False: "unicode61 remove_diacritics 0"}


def _fts_statements() -> list[str]:
    statements = []
    for table, folded in FTS_TABLES.items():
        statements.append(
            f"CREATE VIRTUAL TABLE {table} USING fts5(title, summary, body,"
            f" content='articles', content_rowid='id', tokenize='{TOKENIZERS[folded]}')"
        )
        statements.append(
            f"INSERT INTO {table}(rowid, title, summary, body)"
            f" SELECT a.id, {_values('a', folded)} FROM articles a"
        )
    insert = "".join(
        f"INSERT INTO {t}(rowid, title, summary, body) VALUES (new.id, {_values('new', f)});"
        for t, f in FTS_TABLES.items()
    )
    delete = "".join(
        f"INSERT INTO {t}({t}, rowid, title, summary, body)"
        f" VALUES ('delete', old.id, {_values('old', f)});"
        for t, f in FTS_TABLES.items()
    )
    statements += [
        f"CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN {insert} END",
        f"CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN {delete} END",
        "CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, summary, body ON articles"
        f" BEGIN {delete}{insert} END",
    ]
    return statements


VIEWS = {
    "stories": """
        SELECT a.id, a.published_at, substr(a.published_at, 1, 7) AS month, a.title,
               a.summary, a.body, a.author, a.url, s.slug AS site, s.name AS site_name,
               s.unit_name, s.unit_level, s.province, s.unit_code, s.current_unit_code,
               s.current_unit_name, coalesce(s.current_province, s.province) AS current_province,
               a.cluster_id,
               (SELECT count(*) FROM articles c WHERE c.cluster_id = a.cluster_id) AS copies
        FROM articles a JOIN sites s ON s.id = a.site_id
        WHERE a.duplicate_of IS NULL""",
    "monthly_site_counts": """
        SELECT s.slug AS site, s.unit_name, coalesce(s.current_province, s.province) AS province,
               substr(a.published_at, 1, 7) AS month, count(*) AS articles,
               sum(a.duplicate_of IS NULL) AS originals
        FROM articles a JOIN sites s ON s.id = a.site_id
        WHERE a.published_at IS NOT NULL
        GROUP BY s.id, substr(a.published_at, 1, 7)""",
    "monthly_province_counts": """
        SELECT coalesce(s.current_province, s.province) AS province,
               substr(a.published_at, 1, 7) AS month, count(*) AS articles,
               count(DISTINCT a.cluster_id) AS stories, count(DISTINCT a.site_id) AS sites
        FROM articles a JOIN sites s ON s.id = a.site_id
        WHERE a.published_at IS NOT NULL
        GROUP BY coalesce(s.current_province, s.province), substr(a.published_at, 1, 7)""",
    "duplicate_clusters": """
        SELECT a.cluster_id, count(*) AS copies, count(DISTINCT a.site_id) AS sites,
               max(CASE WHEN a.duplicate_of IS NULL THEN a.id END) AS original_id,
               max(CASE WHEN a.duplicate_of IS NULL THEN a.title END) AS title,
               min(a.published_at) AS first_published, max(a.published_at) AS last_published,
               group_concat(DISTINCT s.slug) AS site_slugs
        FROM articles a JOIN sites s ON s.id = a.site_id
        GROUP BY a.cluster_id
        HAVING count(*) > 1""",
}


def upgrade() -> None:
    for name, kind in TAG_COLUMNS:
        op.add_column("sites", sa.Column(name, kind, nullable=True))
    for statement in _fts_statements():
        op.execute(statement)
    for name, body in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {body}")
    _tag_sites()


def _tag_sites() -> None:
    # Application code on purpose: the official lists live in a package, not in this file.
    from archive import units

    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, unit_name, unit_level, province FROM sites")
    ).all()
    if not rows:
        return
    data = units.load()
    for site_id, unit_name, unit_level, province in rows:
        tag = units.tag(unit_name, unit_level, province, data)
        if tag is None:
            continue
        values = {name: getattr(tag, name) for name in units.TAG_FIELDS}
        assignments = ", ".join(f"{name} = :{name}" for name in values)
        connection.execute(
            sa.text(f"UPDATE sites SET {assignments} WHERE id = :id"), {**values, "id": site_id}
        )


def downgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW {name}")
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER articles_fts_{trigger}")
    for table in FTS_TABLES:
        op.execute(f"DROP TABLE {table}")
    with op.batch_alter_table("sites") as batch:
        for name, _kind in reversed(TAG_COLUMNS):
            batch.drop_column(name)
