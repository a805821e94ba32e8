"""Opening the archive: URL resolution, SQLite pragmas, transactions, migrations.

Writers get WAL, foreign keys, a busy timeout and `BEGIN IMMEDIATE` transactions
(a read that later writes would otherwise fail with SQLITE_BUSY_SNAPSHOT).
Readers open the file read-only. Migrations run automatically for writers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from archive.records import fold_case

DEFAULT_ARCHIVE_URL = "sqlite:///data/archive.sqlite3"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 30_000
WRITER_CACHE_KIB = 64 * 1024


class ArchiveError(Exception):
    """A problem with the archive a user can act on; the message says what to do."""


def resolve_archive_url(given: str | None = None, env: dict[str, str] | None = None) -> str:
    """The archive URL from an argument, else $ARCHIVE_URL, else the default.

    A bare file path is accepted and turned into a SQLite URL.
    """
    env = os.environ if env is None else env
    value = (given or env.get("ARCHIVE_URL") or DEFAULT_ARCHIVE_URL).strip()
    if "://" not in value:
        value = f"sqlite:///{Path(value).expanduser()}"
    try:
        make_url(value)
    except ArgumentError as exc:
        raise ArchiveError(f"not a valid archive URL: {value!r} ({exc})") from None
    return value


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases or in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    database = parsed.database
    if database.startswith("file:"):
        database = database[len("file:") :]
    return Path(database)


def _install_sqlite_hooks(engine: Engine, *, readonly: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Take transaction control from the legacy sqlite3 module: it would not
        # emit BEGIN before SELECTs, so reads would not be isolated.
        dbapi_connection.isolation_level = None
        # Case-insensitive matching that keeps diacritics (SQLite's lower() is ASCII-only).
        dbapi_connection.create_function("wn_fold", 1, fold_case, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if readonly:
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            # Each stored article touches a few random pages of the url and lsh_keys
            # indexes; a 64 MiB cache (SQLite's default is 2 MiB) keeps them in memory
            # as the archive grows, so the cost per article stays flat.
            cursor.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def make_engine(url: str, *, readonly: bool = False) -> Engine:
    """An engine for the archive; SQLite gets its pragmas and transaction hooks."""
    path = sqlite_path(url)
    if path is None:
        try:
            return create_engine(url)
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:
            raise ArchiveError(f"cannot use archive URL {url!r}: {exc}") from None
    if readonly:
        if not path.exists():
            raise ArchiveError(
                f"no archive at {path}: run a crawl first, or pass --archive / set ARCHIVE_URL"
            )
        engine = create_engine(
            f"sqlite:///file:{path.resolve()}?mode=ro&uri=true",
        )
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(f"cannot create the folder of {path}: {exc.strerror}") from None
        engine = create_engine(url)
    _install_sqlite_hooks(engine, readonly=readonly)
    return engine


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None, "archive/migrations has no revisions"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; a no-op when it is already there."""
    if current_revision(engine) == head_revision():
        return
    config = _alembic_config()
    # One write transaction around the whole upgrade: two crawls starting at the
    # same moment serialise here, and the second finds the work done.
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


class Archive:
    """An open archive: an engine plus sessions whose transactions commit whole or not at all."""

    def __init__(self, url: str | None = None, *, readonly: bool = False) -> None:
        self.url = resolve_archive_url(url)
        self.readonly = readonly
        self.engine = make_engine(self.url, readonly=readonly)
        try:
            if readonly:
                self._check_revision()
            else:
                migrate(self.engine)
        except SQLAlchemyError as exc:
            self.engine.dispose()
            reason = getattr(exc, "orig", None) or exc
            raise ArchiveError(f"cannot open archive {self.url}: {reason}") from None
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def _check_revision(self) -> None:
        found, wanted = current_revision(self.engine), head_revision()
        if found is None:
            raise ArchiveError(f"{self.url} is not a wardnews archive (no schema version)")
        if found != wanted:
            raise ArchiveError(
                f"{self.url} has schema {found}, this wardnews needs {wanted}: "
                "run `python -m archive migrate` (or any crawl) to upgrade it"
            )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self._sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
