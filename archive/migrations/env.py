"""Alembic environment: migrations run on the connection wardnews hands over.

archive.db.migrate() opens a write transaction and passes its connection in
`config.attributes["connection"]`; there is no alembic.ini to keep in sync.
"""

from alembic import context

from archive.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through archive.db.migrate(), which supplies a connection")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite can only alter tables by copying them
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
