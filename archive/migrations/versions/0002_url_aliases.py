"""URL aliases: redirecting links (shortlinks) that lead to a stored article.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 04:37:09.311575
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "url_aliases",
        sa.Column("alias", sa.Text(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("alias"),
    )
    with op.batch_alter_table("url_aliases", schema=None) as batch_op:
        batch_op.create_index("ix_url_aliases_article", ["article_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("url_aliases", schema=None) as batch_op:
        batch_op.drop_index("ix_url_aliases_article")

    op.drop_table("url_aliases")
