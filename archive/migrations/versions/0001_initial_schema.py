"""Initial schema: sites, articles, images, versions, runs, raw pages, failures.

Revision ID: 0001
Revises:
Create Date: 2026-11-22 04:07:52.332139
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.String(length=32), nullable=False),
        sa.Column("finished_at", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("pages_fetched", sa.Integer(), server_default="0", nullable=False),
        sa.Column("articles_new", sa.Integer(), server_default="0", nullable=False),
        sa.Column("articles_updated", sa.Integer(), server_default="0", nullable=False),
        sa.Column("articles_unchanged", sa.Integer(), server_default="0", nullable=False),
        sa.Column("errors", sa.Integer(), server_default="0", nullable=False),
        sa.Column("args", sa.Text(), server_default="{}", nullable=False),
        sa.Column("finish_reason", sa.Text(), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("extractor_version", sa.String(length=40), server_default="", nullable=False),
        sa.CheckConstraint(
            "status IN ('running', 'ok', 'failed', 'interrupted', 'killed')",
            name="ck_crawl_runs_status",
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("base_url", sa.Text(), nullable=False),
        sa.Column("platform", sa.String(length=50), nullable=True),
        sa.Column("unit_name", sa.Text(), nullable=True),
        sa.Column("unit_level", sa.String(length=20), nullable=True),
        sa.Column("province", sa.Text(), nullable=True),
        sa.Column("in_registry", sa.Boolean(), server_default="1", nullable=False),
        sa.Column("added_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "unit_level IN ('ward', 'commune', 'district', 'province')", name="ck_sites_unit_level"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_table(
        "raw_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("headers_json", sa.Text(), nullable=False),
        sa.Column("body_zlib", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("first_fetched_at", sa.String(length=32), nullable=False),
        sa.Column("last_fetched_at", sa.String(length=32), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["crawl_runs.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url", "sha256", name="uq_raw_pages_url_sha256"),
    )
    with op.batch_alter_table("raw_pages", schema=None) as batch_op:
        batch_op.create_index("ix_raw_pages_url", ["url"], unique=False)

    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("published_at", sa.String(length=32), nullable=True),
        sa.Column("published_precision", sa.String(length=10), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=True),
        sa.Column("first_seen_at", sa.String(length=32), nullable=False),
        sa.Column("last_seen_at", sa.String(length=32), nullable=False),
        sa.Column("fetched_at", sa.String(length=32), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("extractor_version", sa.String(length=40), nullable=False),
        sa.Column("raw_page_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["duplicate_of"],
            ["articles.id"],
        ),
        sa.ForeignKeyConstraint(
            ["raw_page_id"],
            ["raw_pages.id"],
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url"),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index("ix_articles_content_hash", ["content_hash"], unique=False)
        batch_op.create_index("ix_articles_duplicate_of", ["duplicate_of"], unique=False)
        batch_op.create_index("ix_articles_published_at", ["published_at"], unique=False)
        batch_op.create_index(
            "ix_articles_site_published", ["site_id", "published_at"], unique=False
        )

    op.create_table(
        "failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("raw_page_id", sa.Integer(), nullable=True),
        sa.Column("occurred_at", sa.String(length=32), nullable=False),
        sa.CheckConstraint("stage IN ('fetch', 'extract', 'store')", name="ck_failures_stage"),
        sa.ForeignKeyConstraint(
            ["raw_page_id"],
            ["raw_pages.id"],
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["crawl_runs.id"],
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("failures", schema=None) as batch_op:
        batch_op.create_index("ix_failures_run", ["run_id"], unique=False)
        batch_op.create_index("ix_failures_url", ["url"], unique=False)

    op.create_table(
        "article_images",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", "position"),
    )
    op.create_table(
        "article_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("published_at", sa.String(length=32), nullable=True),
        sa.Column("updated_at", sa.String(length=32), nullable=True),
        sa.Column("images_json", sa.Text(), server_default="[]", nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("extractor_version", sa.String(length=40), nullable=False),
        sa.Column("fetched_at", sa.String(length=32), nullable=False),
        sa.Column("replaced_at", sa.String(length=32), nullable=False),
        sa.Column("raw_page_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["raw_page_id"],
            ["raw_pages.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("article_versions", schema=None) as batch_op:
        batch_op.create_index("ix_article_versions_article", ["article_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("article_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_article_versions_article")

    op.drop_table("article_versions")
    op.drop_table("article_images")
    with op.batch_alter_table("failures", schema=None) as batch_op:
        batch_op.drop_index("ix_failures_url")
        batch_op.drop_index("ix_failures_run")

    op.drop_table("failures")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_site_published")
        batch_op.drop_index("ix_articles_published_at")
        batch_op.drop_index("ix_articles_duplicate_of")
        batch_op.drop_index("ix_articles_content_hash")

    op.drop_table("articles")
    with op.batch_alter_table("raw_pages", schema=None) as batch_op:
        batch_op.drop_index("ix_raw_pages_url")

    op.drop_table("raw_pages")
    op.drop_table("sites")
    op.drop_table("crawl_runs")
