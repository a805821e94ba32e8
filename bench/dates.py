"""Date accuracy and speed: wardnews against dateparser and htmldate, same inputs, same run.

Two tests:

- strings: every row of tests/fixtures/dates.tsv read by `parse_vn_date` and by
  `dateparser.parse(text, languages=["vi"])` (the call a user would write);
- pages: every fixture article page, its `published_at` chosen by our extractor, by
  `htmldate.find_date` (extensive search, original date) and by dateparser run over
  the page's short text lines in order, first hit (dateparser has no page mode).

Counted against the gold: day-exact, wrong day, day/month swapped, later than
the crawl (+1 day), nothing found, and on strings that are no date (or only a
guess), a date made up anyway.

    python bench/dates.py [--sites tests/fixtures/heldout]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import dateparser  # noqa: E402
import htmldate  # noqa: E402

from archive.records import RawPage  # noqa: E402
from bench.extraction import FETCHED_AT, Page, load_pages  # noqa: E402
from pipelines.blocks import read_blocks  # noqa: E402
from pipelines.dates import parse_vn_date  # noqa: E402
from pipelines.extract import ExtractionError, extract_article  # noqa: E402
from pipelines.html import decode_html, parse_html  # noqa: E402
from spiders.platforms import profile  # noqa: E402
from tests.siteserver import SITES_DIR  # noqa: E402
from tests.test_dates import CASES  # noqa: E402

NOW = datetime.fromisoformat(FETCHED_AT)
SHORT_LINE = 100


@dataclass
class Tally:
    name: str
    exact: int = 0
    wrong: int = 0
    swapped: int = 0
    future: int = 0
    missed: int = 0
    invented: int = 0  # a date where the gold says there is none
    seconds: list[float] = field(default_factory=list)

    def add(self, found: date | datetime | None, gold: date | None) -> None:
        day = found.date() if isinstance(found, datetime) else found
        if isinstance(found, datetime) and found.replace(tzinfo=None) > (
            NOW.replace(tzinfo=None) + timedelta(days=1)
        ):
            self.future += 1
        if gold is None:
            self.invented += day is not None
        elif day is None:
            self.missed += 1
        elif day == gold:
            self.exact += 1
        else:
            self.wrong += 1
            self.swapped += (day.year, day.month, day.day) == (gold.year, gold.day, gold.month)

    def row(self, dated: int, undated: int, unit: str, scale: float) -> str:
        share = 100 * self.exact / dated if dated else 0.0
        speed = statistics.median(self.seconds) * scale if self.seconds else 0.0
        invented = f"{self.invented:>4}/{undated}" if undated else "    -"
        return (
            f"{self.name:<34}{share:>7.1f}%{self.wrong:>6}{self.swapped:>6}{self.future:>6}"
            f"{self.missed:>6}{invented:>9}{speed:>11.1f} {unit}"
        )


HEADER = (
    f"{'':<34}{'exact':>8}{'wrong':>6}{'swap':>6}{'futur':>6}{'none':>6}{'invented':>9}"
    f"{'median':>11}"
)


def _timed(call: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    found = call()
    return found, time.perf_counter() - start


def _dateparser(text: str) -> datetime | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dateparser.parse(text, languages=["vi"])


def strings() -> None:
    ours, theirs = Tally("wardnews parse_vn_date"), Tally('dateparser.parse(languages=["vi"])')
    _dateparser("23/02/2024")  # import and first-call costs are not per-call costs
    for text, expected, _precision, _origin in CASES:
        gold = datetime.fromisoformat(expected).date() if expected else None
        found, spent = _timed(lambda t=text: parse_vn_date(t, now=NOW))
        ours.seconds.append(spent)
        ours.add(found.moment if found else None, gold)
        found, spent = _timed(lambda t=text: _dateparser(t))
        theirs.seconds.append(spent)
        theirs.add(found, gold)
    dated = sum(expected is not None for _, expected, _, _ in CASES)
    print(f"\n{len(CASES)} date strings ({dated} dates, {len(CASES) - dated} none or a guess)")
    print(HEADER)
    for tally in (ours, theirs):
        print(tally.row(dated, len(CASES) - dated, "µs", 1e6))
    ratio = statistics.median(ours.seconds) / statistics.median(theirs.seconds)
    print(f"median time wardnews/dateparser = {ratio:.3f}x")


def _lines(page: Page) -> list[str]:
    doc = parse_html(decode_html(page.body, page.content_type)[0])
    body = doc.find("body")
    return [
        block.text
        for block in read_blocks(body if body is not None else doc, page.url)
        if block.text and len(block.text) <= SHORT_LINE
    ]


def _first_dateparser_hit(lines: list[str]) -> datetime | None:
    for line in lines:
        found = _dateparser(line)
        if found is not None:
            return found
    return None


def pages(folder: Path) -> None:
    found_pages = load_pages(folder)
    ours = Tally("wardnews (whole extraction)")
    peer = Tally("htmldate.find_date")
    naive = Tally("dateparser, first line that parses")
    wrong_pages: list[str] = []
    for page in found_pages:
        gold = datetime.fromisoformat(str(page.gold["published_at"])).date()
        raw = RawPage(
            page.url, page.url, 200, {"content-type": page.content_type}, page.body, FETCHED_AT
        )

        def run_ours(raw: RawPage = raw, family: str = page.family) -> datetime | None:
            try:
                article = extract_article(raw, profile(family))
            except ExtractionError:
                return None
            return datetime.fromisoformat(article.published_at) if article.published_at else None

        found, spent = _timed(run_ours)
        ours.seconds.append(spent)
        ours.add(found, gold)  # type: ignore[arg-type]
        if not (isinstance(found, datetime) and found.date() == gold):
            wrong_pages.append(f"{page.name}: {found} want {gold}")
        text = decode_html(page.body, page.content_type)[0]
        found, spent = _timed(
            lambda text=text, url=page.url: htmldate.find_date(
                text, extensive_search=True, original_date=True, url=url
            )
        )
        peer.seconds.append(spent)
        peer.add(date.fromisoformat(found) if found else None, gold)  # type: ignore[arg-type]
        lines = _lines(page)
        found, spent = _timed(lambda lines=lines: _first_dateparser_hit(lines))
        naive.seconds.append(spent)
        naive.add(found, gold)  # type: ignore[arg-type]
    count = len(found_pages)
    print(f"\n{count} article pages, each with its gold published_at")
    print(HEADER)
    for tally in (ours, peer, naive):
        print(tally.row(count, 0, "ms", 1e3))
    ratio = statistics.median(ours.seconds) / statistics.median(peer.seconds)
    print(f"median time wardnews (whole extraction)/htmldate = {ratio:.2f}x")
    for line in wrong_pages:
        print("  not day-exact:", line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sites", type=Path, default=SITES_DIR, help="fixture sites folder")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    strings()
    pages(args.sites)


if __name__ == "__main__":
    main()
