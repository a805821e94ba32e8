"""Extraction quality and speed: wardnews against trafilatura, on every fixture article page.

Same pages, same bytes, same run. For each extractor: token-level precision,
recall and F1 of the body against the gold text, exact-match rate of the
title and of the author, and the median milliseconds per page (decoding and
parsing included). "wardnews (generic)" is our extractor told nothing about
the platform, as on a site of unknown layout.

    python bench/extraction.py [--sites tests/fixtures/heldout]
"""

from __future__ import annotations

import argparse
import logging
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from archive.records import RawPage  # noqa: E402
from pipelines.extract import ExtractionError, extract_article  # noqa: E402
from spiders.platforms import profile  # noqa: E402
from tests.siteserver import SITES_DIR, load_sites  # noqa: E402

ORIGIN = "http://127.0.0.1:8000"
FETCHED_AT = "2026-11-22T10:00:00+07:00"
ROUNDS = 3  # timing: the median of each page's best of ROUNDS runs


@dataclass
class Page:
    family: str
    name: str
    url: str
    body: bytes
    content_type: str
    gold: dict[str, object]


@dataclass
class Result:
    text: str
    title: str | None
    author: str | None


def tokens(text: str | None) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFC", text or "").casefold())


def scores(predicted: str | None, gold: str) -> tuple[float, float, float]:
    got, want = Counter(tokens(predicted)), Counter(tokens(gold))
    overlap = sum((got & want).values())
    precision = overlap / sum(got.values()) if got else 0.0
    recall = overlap / sum(want.values()) if want else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _normal(text: object) -> str | None:
    return " ".join(unicodedata.normalize("NFC", text).split()) if isinstance(text, str) else None


def same(a: str | None, b: object) -> bool:
    return _normal(a) == _normal(b)


def load_pages(folder: Path) -> list[Page]:
    pages = []
    for site in load_sites(folder):
        for page in site.of_kind("article"):
            body = page.file.read_bytes().replace(b"{{ORIGIN}}", ORIGIN.encode())
            pages.append(
                Page(
                    site.platform,
                    f"{site.slug}/{page.file.name}",
                    ORIGIN + page.url,
                    body,
                    page.content_type,
                    page.expected(ORIGIN),
                )
            )
    return pages


def ours(family: str | None) -> Callable[[Page], Result]:
    def run(page: Page) -> Result:
        raw = RawPage(
            page.url, page.url, 200, {"content-type": page.content_type}, page.body, FETCHED_AT
        )
        try:
            article = extract_article(raw, profile(family or page.family))
        except ExtractionError:
            return Result("", None, None)
        return Result(article.body, article.title, article.author)

    return run


def trafilatura_with(**options: object) -> Callable[[Page], Result]:
    def run(page: Page) -> Result:
        document = trafilatura.bare_extraction(
            page.body, url=page.url, with_metadata=True, **options
        )
        if document is None:
            return Result("", None, None)
        return Result(document.text or "", document.title, document.author)

    return run


def measure(extract: Callable[[Page], Result], pages: list[Page]) -> dict[str, object]:
    rows = []
    for page in pages:
        best = float("inf")
        for _ in range(ROUNDS):
            start = time.perf_counter()
            result = extract(page)
            best = min(best, time.perf_counter() - start)
        precision, recall, f1 = scores(result.text, str(page.gold["body"]))
        rows.append(
            {
                "family": page.family,
                "p": precision,
                "r": recall,
                "f1": f1,
                "title": same(result.title, page.gold["title"]),
                "author": same(result.author, page.gold["author"]),
                "ms": best * 1000,
            }
        )
    return {
        "p": statistics.fmean(r["p"] for r in rows),
        "r": statistics.fmean(r["r"] for r in rows),
        "f1": statistics.fmean(r["f1"] for r in rows),
        "title": statistics.fmean(r["title"] for r in rows),
        "author": statistics.fmean(r["author"] for r in rows),
        "ms": statistics.median(r["ms"] for r in rows),
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=Path, default=SITES_DIR, help="folder of fixture sites")
    options = parser.parse_args()
    logging.disable(logging.WARNING)  # date disagreements are logged per page; not the point here
    pages = load_pages(options.sites)
    families = sorted({page.family for page in pages})
    extractors = {
        "wardnews (profiles)": ours(None),
        "wardnews (generic)": ours("generic"),
        "trafilatura": trafilatura_with(),
        "trafilatura precision": trafilatura_with(favor_precision=True),
    }
    for extract in extractors.values():  # warm-up: imports, caches, compiled selectors
        extract(pages[0])
    results = {name: measure(extract, pages) for name, extract in extractors.items()}
    print(f"{len(pages)} article pages from {len(families)} families, each with gold text")
    print(f"{'':24}{'body P':>8}{'body R':>8}{'body F1':>9}{'title':>8}{'author':>8}{'ms/page':>9}")
    for name, r in results.items():
        print(
            f"{name:24}{r['p']:8.3f}{r['r']:8.3f}{r['f1']:9.3f}{r['title']:8.1%}{r['author']:8.1%}{r['ms']:9.2f}"
        )
    print("\nbody F1 per family:")
    short = {
        name: name.replace("wardnews", "ours").replace("trafilatura", "traf") for name in results
    }
    print(f"{'':14}" + "".join(f"{short[name]:>22}" for name in results))
    for family in families:
        cells = []
        for r in results.values():
            values = [row["f1"] for row in r["rows"] if row["family"] == family]
            cells.append(f"{statistics.fmean(values):22.3f}")
        print(f"{family:14}" + "".join(cells))
    mine = results["wardnews (profiles)"]
    best_name = max(("trafilatura", "trafilatura precision"), key=lambda n: results[n]["f1"])
    best = results[best_name]
    print(
        f"\nwardnews F1 - best trafilatura F1 ({best_name}) = {mine['f1'] - best['f1']:+.3f}; "
        f"median time wardnews/{best_name} = {mine['ms'] / best['ms']:.2f}x, "
        f"wardnews/trafilatura = {mine['ms'] / results['trafilatura']['ms']:.2f}x"
    )


if __name__ == "__main__":
    main()
