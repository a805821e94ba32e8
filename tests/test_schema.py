"""docs/schema.md is the analysts' contract: it must match the migrated database exactly."""

from __future__ import annotations

import re
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from archive.db import Archive
from archive.models import Base
from archive.search import FTS_TABLES, is_fts_internal

SCHEMA_DOC = Path(__file__).resolve().parent.parent / "docs" / "schema.md"
# The names issue #2 fixes for analysts; they may never disappear.
CONTRACT = {
    "sites": ["id", "slug", "name", "base_url", "platform", "unit_name", "unit_level", "province"],
    "articles": [
        "id",
        "site_id",
        "url",
        "title",
        "summary",
        "body",
        "author",
        "published_at",
        "updated_at",
        "first_seen_at",
        "last_seen_at",
        "content_hash",
        "duplicate_of",
        "extractor_version",
    ],
    "article_images": ["article_id", "url", "caption"],
    "crawl_runs": [
        "id",
        "started_at",
        "finished_at",
        "status",
        "pages_fetched",
        "articles_new",
        "articles_updated",
        "articles_unchanged",
        "errors",
    ],
}


def documented_tables() -> dict[str, dict[str, list[str]]]:
    """{table: {column: [type, meaning, example]}} read from docs/schema.md."""
    tables: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for line in SCHEMA_DOC.read_text("utf-8").splitlines():
        heading = re.match(r"^## (\w+)\s*$", line)
        if heading:
            current = tables.setdefault(heading.group(1), {})
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if current is None or not line.startswith("|") or len(cells) != 4:
            continue
        if cells[0] in ("column", "") or set(cells[0]) <= {"-"}:
            continue
        current[cells[0]] = cells[1:]
    return tables


def database_tables(url: str) -> dict[str, list[str]]:
    """Tables and views with their columns; FTS5's own shadow tables are not schema."""
    with Archive(url) as archive, archive.engine.connect() as connection:
        names = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
            " AND name NOT LIKE 'sqlite_%'"
        ).scalars()
        return {
            name: [row[1] for row in connection.exec_driver_sql(f"PRAGMA table_info({name})")]
            for name in list(names)
            if not is_fts_internal(name)
        }


def test_every_table_and_column_is_documented_and_nothing_else(archive_url: str) -> None:
    documented = documented_tables()
    actual = database_tables(archive_url)
    assert sorted(documented) == sorted(actual)
    for table, columns in actual.items():
        assert sorted(documented[table]) == sorted(columns), table


def test_every_documented_column_says_what_it_means_with_an_example() -> None:
    for table, columns in documented_tables().items():
        for column, (kind, meaning, example) in columns.items():
            assert kind and meaning and example, f"{table}.{column}"


def test_the_analyst_contract_names_exist(archive_url: str) -> None:
    actual = database_tables(archive_url)
    for table, columns in CONTRACT.items():
        assert set(columns) <= set(actual[table]), table


def _modelled(name: str | None, kind: str, _parents: object) -> bool:
    """FTS5 tables cannot be SQLAlchemy models; the doc test and test_search cover them."""
    return not (kind == "table" and (name in FTS_TABLES or is_fts_internal(name or "")))


def test_models_and_migrations_agree(archive_url: str) -> None:
    with Archive(archive_url) as archive, archive.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": _modelled})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_fts_shadow_tables_are_recognised_and_nothing_else(archive_url: str) -> None:
    with Archive(archive_url) as archive, archive.engine.connect() as connection:
        names = connection.exec_driver_sql("SELECT name FROM sqlite_master").scalars().all()
    shadows = [name for name in names if is_fts_internal(name)]
    assert len(shadows) == 4 * len(FTS_TABLES)  # _data, _idx, _docsize, _config each
    assert not any(is_fts_internal(name) for name in ("articles", "articles_fts", "sites"))


def test_an_old_archive_is_upgraded_on_first_use_and_keeps_its_rows(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    from archive.db import MIGRATIONS_DIR, head_revision

    path = tmp_path / "old.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(
            text(
                "INSERT INTO sites (slug, name, base_url, in_registry, added_at) "
                "VALUES ('a', 'A', 'http://a.vn/', 1, '2024-01-01T00:00:00+07:00')"
            )
        )
    engine.dispose()
    with Archive(f"sqlite:///{path}") as archive, archive.engine.connect() as connection:
        assert (
            connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
            == head_revision()
        )
        assert connection.exec_driver_sql("SELECT slug FROM sites").scalars().all() == ["a"]
        columns = [row[1] for row in connection.exec_driver_sql("PRAGMA table_info(articles)")]
        assert "published_source" in columns
