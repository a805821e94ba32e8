"""Per-site figures of each crawl run: crawl_run_sites.

A site's lists are trusted as walked to the end only after a run that
finished for that site (status ok); an interrupted or killed run makes the next
one walk the lists past known articles again, so nothing it missed is lost.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crawl_run_sites",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False, server_default="running"),
        sa.Column("pages_fetched", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("articles_new", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("articles_updated", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("articles_unchanged", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("articles_empty", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("articles_undated", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("errors", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("links_found", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("finished_at", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'ok', 'failed', 'interrupted', 'killed')",
            name="ck_crawl_run_sites_status",
        ),
        sa.ForeignKeyConstraint(["run_id"], ["crawl_runs.id"]),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"]),
        sa.PrimaryKeyConstraint("run_id", "site_id"),
    )
    op.create_index("ix_crawl_run_sites_site", "crawl_run_sites", ["site_id", "run_id"])


def downgrade() -> None:
    op.drop_index("ix_crawl_run_sites_site", table_name="crawl_run_sites")
    op.drop_table("crawl_run_sites")
