"""Site boilerplate: lines learned to repeat across most pages of a site.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 05:27:27.604545
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_boilerplate",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("line_key", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("pages_seen", sa.Integer(), nullable=False),
        sa.Column("learned_at", sa.String(length=32), nullable=False),
        sa.Column("last_seen_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("site_id", "line_key"),
    )


def downgrade() -> None:
    op.drop_table("site_boilerplate")
