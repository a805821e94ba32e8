"""Published source: which evidence gave an article its published_at.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 05:39:09.008930
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_source", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("published_source")
