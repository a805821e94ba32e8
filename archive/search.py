"""Vietnamese-aware full-text search over the FTS5 indexes of migration 0007.

A word typed without diacritics matches any tone ("tan hung" finds "Tân Hưng");
a word typed with them matches exactly ("phường" is not "phương"). The query
language is a small, checked subset of what search boxes accept:

    cải cách          both words (AND)        "hành chính"   a phrase
    chuyen*           a prefix                 "ky hop"*      a phrase ending in a prefix
    lua OR bao        either word              -covid         not this word or phrase

Every word is matched folded in `articles_fts`; words typed with diacritics are
also required in `articles_fts_exact`. A query typed entirely with diacritics
runs on the exact index alone. Two limits, both documented in the README: in a
phrase mixing both kinds of words, the accented words must each appear exactly
but their position is checked only folded; an OR group mixing both kinds
matches all its words folded.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from archive.filters import Filters

FOLDED, EXACT = "articles_fts", "articles_fts_exact"
FTS_TABLES = (FOLDED, EXACT)
FTS_SHADOW_SUFFIXES = ("_data", "_idx", "_content", "_docsize", "_config")
# bm25 weights of title, summary, body: a word in the headline says most about the article.
WEIGHTS = "10.0, 4.0, 1.0"
SNIPPET_WORDS = 16
MARK = ("«", "»")
SORTS = ("relevance", "newest")
NOTHING = '"wardnews matches nothing"'  # a phrase no article holds
_WORD = re.compile(r"\w+")


class QueryError(ValueError):
    """A search query that cannot be understood; the message says where."""


def is_fts_internal(name: str) -> bool:
    """The tables FTS5 keeps for itself (not part of the documented schema)."""
    return any(name == table + suffix for table in FTS_TABLES for suffix in FTS_SHADOW_SUFFIXES)


def fold(word: str) -> str:
    """Lower case without diacritics, đ as d: how `articles_fts` sees text."""
    decomposed = unicodedata.normalize("NFD", word.casefold().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def has_marks(word: str) -> bool:
    return fold(word) != word.casefold()


@dataclass(frozen=True)
class Leaf:
    """A word or a phrase (several words in order), optionally ending in a prefix."""

    words: tuple[str, ...]
    prefix: bool = False

    def render(self, *, folded: bool, words: tuple[str, ...] | None = None) -> str:
        chosen = self.words if words is None else words
        body = " ".join(fold(w) if folded else w.casefold() for w in chosen)
        return f'"{body}"' + (" *" if self.prefix and chosen[-1] == self.words[-1] else "")

    @property
    def kind(self) -> str:
        marked = [has_marks(word) for word in self.words]
        return "exact" if all(marked) else "mixed" if any(marked) else "folded"


@dataclass(frozen=True)
class Clause:
    """Alternatives (OR) of which one must match, or, negated, none may."""

    leaves: tuple[Leaf, ...]
    negated: bool = False

    @property
    def kind(self) -> str:
        kinds = {leaf.kind for leaf in self.leaves}
        return kinds.pop() if len(kinds) == 1 else "mixed"

    def render(self, *, folded: bool) -> str:
        inner = " OR ".join(leaf.render(folded=folded) for leaf in self.leaves)
        return f"({inner})"


_TOKEN = re.compile(r'\s*(?:(?P<quote>-?"[^"]*"?\*?)|(?P<chunk>[^\s"]+))')


def parse(query: str) -> list[Clause]:
    """Clauses of a query, NFC-normalised; QueryError says what is wrong with a bad one."""
    query = unicodedata.normalize("NFC", query).strip()
    if not query:
        raise QueryError("the search text is empty")
    clauses: list[Clause] = []
    pending_or = False
    position = 0
    while position < len(query):
        match = _TOKEN.match(query, position)
        if match is None or match.end() == position:
            break
        position = match.end()
        token = (match.group("quote") or match.group("chunk") or "").strip()
        if not token:
            continue
        if token == "OR":
            if not clauses or pending_or or clauses[-1].negated:
                raise QueryError("OR must stand between two words or phrases")
            pending_or = True
            continue
        negated = token.startswith("-") and len(token) > 1
        leaf = _leaf(token[1:] if negated else token)
        if leaf is None:
            continue
        if pending_or:
            if negated:
                raise QueryError("an excluded word (-word) cannot be part of an OR group")
            last = clauses.pop()
            clauses.append(Clause((*last.leaves, leaf)))
            pending_or = False
        else:
            clauses.append(Clause((leaf,), negated))
    if pending_or:
        raise QueryError("OR must stand between two words or phrases")
    if not clauses:
        raise QueryError(f"no word to search for in {query!r}")
    if all(clause.negated for clause in clauses):
        raise QueryError("a search needs at least one word that is not excluded (-word)")
    return clauses


def _leaf(token: str) -> Leaf | None:
    if token.startswith('"'):
        if len(token) < 2 or not token.rstrip("*").endswith('"') or token.rstrip("*") == '"':
            raise QueryError(f"unbalanced quote in {token!r}")
        prefix = token.endswith("*")
        words = tuple(_WORD.findall(token.rstrip("*")[1:-1].replace("_", " ")))
        if not words:
            raise QueryError(f"empty phrase {token!r}")
        return Leaf(words, prefix)
    prefix = token.endswith("*")
    core = token.rstrip("*")
    if "*" in core:
        raise QueryError(f"'*' may only end a word: {token!r}")
    words = tuple(_WORD.findall(core.replace("_", " ")))
    if not words:
        if prefix:
            raise QueryError(f"'*' needs a word before it: {token!r}")
        return None  # punctuation only: nothing to look for
    return Leaf(words, prefix)


@dataclass(frozen=True)
class Plan:
    """How a query runs: one MATCH on a primary index, then filters through the other."""

    primary: str
    match: str
    require: tuple[tuple[str, str], ...] = ()  # (index, expression) every hit must match
    exclude: tuple[tuple[str, str], ...] = ()  # (index, expression) no hit may match


def plan(clauses: list[Clause]) -> Plan:
    positive = [clause for clause in clauses if not clause.negated]
    negative = [clause for clause in clauses if clause.negated]
    primary_exact = all(clause.kind == "exact" for clause in positive)
    primary = EXACT if primary_exact else FOLDED
    terms = [clause.render(folded=not primary_exact) for clause in positive]
    require: list[tuple[str, str]] = []
    if not primary_exact:
        exact_terms = []
        for clause in positive:
            if clause.kind == "exact":
                exact_terms.append(clause.render(folded=False))
            elif clause.kind == "mixed" and len(clause.leaves) == 1:
                leaf = clause.leaves[0]
                marked = tuple(word for word in leaf.words if has_marks(word))
                exact_terms += [leaf.render(folded=False, words=(word,)) for word in marked]
        if exact_terms:
            require.append((EXACT, " AND ".join(exact_terms)))
    excluded_here, exclude = [], []
    for clause in negative:
        exact_clause = clause.kind == "exact"
        if exact_clause == primary_exact:
            excluded_here.append(clause.render(folded=not primary_exact))
        else:
            index = EXACT if exact_clause else FOLDED
            exclude.append((index, clause.render(folded=not exact_clause)))
    match = " AND ".join(terms)
    if excluded_here:
        match = f"({match}) NOT ({' OR '.join(excluded_here)})"
    return Plan(primary, match, tuple(require), tuple(exclude))


def search(
    session: Session,
    query: str,
    filters: Filters,
    *,
    limit: int = 20,
    sort: str = "relevance",
) -> list[dict[str, Any]]:
    """Hits, best first (or newest first), one per story unless the filters include copies."""
    steps = plan(parse(query))
    conditions, params = filters.where("a")
    params = {**params, "match": steps.match, "limit": limit}
    sql = [
        f"FROM {steps.primary} JOIN articles a ON a.id = {steps.primary}.rowid",
        f"WHERE {steps.primary} MATCH :match AND {conditions}",
    ]
    for number, (index, expression) in enumerate(steps.require):
        sql.append(f"AND a.id IN (SELECT rowid FROM {index} WHERE {index} MATCH :r{number})")
        params[f"r{number}"] = expression
    for number, (index, expression) in enumerate(steps.exclude):
        sql.append(f"AND a.id NOT IN (SELECT rowid FROM {index} WHERE {index} MATCH :x{number})")
        params[f"x{number}"] = expression
    try:
        if sort == "relevance":
            top = _best_ranked(session, steps, filters, sql, params, limit)
        else:
            top = _newest(session, steps, filters, sql, params)
        if not top:
            return []
        details = _details(session, steps, [row[0] for row in top])
    except OperationalError as exc:
        raise QueryError(f"the search index rejected the query: {exc.orig}") from None
    return [
        details[article_id] | {"score": round(score, 3), "copies": copies}
        for article_id, score, copies in top
    ]


def _newest(
    session: Session, steps: Plan, filters: Filters, sql: list[str], params: dict[str, Any]
) -> list[tuple[int, float, int]]:
    hits = (
        f"SELECT a.id, a.cluster_id, bm25({steps.primary}, {WEIGHTS}) AS score,"
        f" coalesce(a.published_at, '') AS published_at {' '.join(sql)}"
    )
    if filters.include_duplicates:
        ranked = f"SELECT id, score, 1 AS copies, published_at FROM ({hits})"
    else:
        # bm25() cannot sit inside an aggregate, hence the materialised step. SQLite takes
        # the other columns of a max() aggregate from the row holding the maximum.
        ranked = (
            f"WITH hits AS MATERIALIZED ({hits}) SELECT id, score, count(*) AS copies,"
            " max(published_at) AS published_at FROM hits GROUP BY cluster_id"
        )
    query = text(f"{ranked} ORDER BY published_at DESC, id LIMIT :limit")
    return [(row.id, row.score, row.copies) for row in session.execute(query, params)]


def _best_ranked(
    session: Session,
    steps: Plan,
    filters: Filters,
    sql: list[str],
    params: dict[str, Any],
    limit: int,
) -> list[tuple[int, float, int]]:
    """The top stories by bm25, read from the index's best rows first.

    Ranking the index alone and joining only its best rows costs half of joining
    every match; a story's copies and the filters are then applied to those rows.
    If they leave fewer than `limit` stories, the next, deeper round reads more.
    """
    index = steps.primary
    # The exact-index checks go on the joined rows: on the FTS rowid, SQLite would run
    # their MATCH once per candidate (31 s for a phrase at 100k).
    conditions = f"{filters.where('a')[0]} {' '.join(sql[2:])}"
    depth = max(4 * limit, 80)
    while True:
        rows = session.execute(
            text(
                f"WITH best AS MATERIALIZED (SELECT {index}.rowid AS id,"
                f" bm25({index}, {WEIGHTS}) AS score FROM {index}"
                f" WHERE {index} MATCH :match ORDER BY score LIMIT :depth)"
                " SELECT best.id, best.score, a.cluster_id, (SELECT count(*) FROM best) AS read"
                f" FROM best JOIN articles a ON a.id = best.id WHERE {conditions}"
                " ORDER BY best.score, best.id"
            ),
            {**params, "depth": depth},
        ).all()
        picked: dict[int, tuple[int, float]] = {}
        for row in rows:
            key = row.id if filters.include_duplicates else row.cluster_id
            picked.setdefault(key, (row.id, row.score))
        exhausted = not rows or rows[0].read < depth
        if len(picked) >= limit or exhausted:
            break
        depth *= 8
    chosen = list(picked.items())[:limit]
    if filters.include_duplicates:
        return [(article_id, score, 1) for _, (article_id, score) in chosen]
    copies = _matching_copies(session, steps, filters, sql, params, [c for c, _ in chosen])
    return [(article_id, score, copies.get(c, 1)) for c, (article_id, score) in chosen]


def _matching_copies(
    session: Session,
    steps: Plan,
    filters: Filters,
    sql: list[str],
    params: dict[str, Any],
    clusters: list[int],
) -> dict[int, int]:
    """How many articles of each story pass the filters and match the query."""
    if not clusters:
        return {}
    index = steps.primary
    cluster_list = ", ".join(str(int(cluster)) for cluster in clusters)
    # The stories' members first, then the MATCH checked on those ids alone: in one
    # statement SQLite drives from the MATCH and looks up every matching article
    # (150 ms for a common word at 100k), where the ids take a few.
    members = session.execute(
        text(
            f"SELECT a.id, a.cluster_id FROM articles a"
            f" WHERE a.cluster_id IN ({cluster_list}) AND {filters.where('a')[0]}"
        ),
        params,
    ).all()
    if not members:
        return {}
    id_list = ", ".join(str(int(row.id)) for row in members)
    matching = set(
        session.scalars(
            text(
                f"SELECT a.id FROM articles a WHERE a.id IN ({id_list})"
                # IN a subquery, not a correlated check: the MATCH (a prefix may merge many
                # doclists) runs once.
                f" AND a.id IN (SELECT rowid FROM {index} WHERE {index} MATCH :match)"
                f" {' '.join(sql[2:])}"
            ),
            params,
        )
    )
    counts: dict[int, int] = {}
    for row in members:
        if row.id in matching:
            counts[row.cluster_id] = counts.get(row.cluster_id, 0) + 1
    return counts


def _details(session: Session, steps: Plan, ids: list[int]) -> dict[int, dict[str, Any]]:
    marks = {"open": MARK[0], "close": MARK[1]}
    id_list = ", ".join(str(int(article_id)) for article_id in ids)
    rows = session.execute(
        text(
            f"SELECT a.id, a.published_at, a.title, a.url, a.cluster_id, a.duplicate_of,"
            f" s.slug AS site, s.unit_name, s.province, s.current_unit_name,"
            f" snippet({steps.primary}, -1, :open, :close, '…', {SNIPPET_WORDS}) AS snippet"
            f" FROM {steps.primary} JOIN articles a ON a.id = {steps.primary}.rowid"
            f" JOIN sites s ON s.id = a.site_id"
            f" WHERE {steps.primary} MATCH :match AND {steps.primary}.rowid IN ({id_list})"
        ),
        {"match": steps.match, **marks},
    ).mappings()
    return {row["id"]: dict(row) for row in rows}


def browse_expressions(query: str) -> tuple[str | None, str | None]:
    """(folded MATCH, exact MATCH or None) for SQL that cannot run Python, such as Datasette.

    Every clause goes to the folded index; words typed with diacritics are also
    required exactly. An empty or malformed query matches nothing (MATCH NULL is
    an FTS5 syntax error, which would greet every visitor of the empty form).
    """
    try:
        clauses = parse(query)
    except QueryError:
        return NOTHING, None
    positive = [clause.render(folded=True) for clause in clauses if not clause.negated]
    negative = [clause.render(folded=True) for clause in clauses if clause.negated]
    folded = " AND ".join(positive)
    if negative:
        folded = f"({folded}) NOT ({' OR '.join(negative)})"
    exact = plan([clause for clause in clauses if not clause.negated])
    if exact.primary == EXACT:
        return folded, exact.match
    return folded, exact.require[0][1] if exact.require else None
