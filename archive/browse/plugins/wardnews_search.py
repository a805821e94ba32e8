"""Datasette plugin: the SQL functions the `search` canned query calls (archive/search.py)."""

from __future__ import annotations

import sqlite3

from datasette import hookimpl

from archive import search


def _folded(query: str | None) -> str | None:
    return search.browse_expressions(query or "")[0]


def _exact(query: str | None) -> str | None:
    return search.browse_expressions(query or "")[1]


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function("wn_search_folded", 1, _folded, deterministic=True)
    conn.create_function("wn_search_exact", 1, _exact, deterministic=True)
