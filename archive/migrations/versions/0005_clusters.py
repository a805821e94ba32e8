"""Clusters of copies: articles.cluster_id and the near-duplicate index lsh_keys.

Existing articles become clusters of their exact copies (duplicate_of); their
near-duplicate keys are built by `python -m archive dedup`, which also joins
near-copies stored before this revision.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cluster_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_articles_cluster", ["cluster_id"], unique=False)
    op.execute("UPDATE articles SET cluster_id = coalesce(duplicate_of, id)")
    op.create_table(
        "lsh_keys",
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("article_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"]),
        sa.PrimaryKeyConstraint("key", "article_id"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("lsh_keys")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_cluster")
        batch_op.drop_column("cluster_id")
