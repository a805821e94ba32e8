"""Vietnamese date strings: day before month, +07:00, a precision, never a guess."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from pipelines.dates import date_only, parse_day_month, parse_vn_date
from tests.conftest import NOW

TABLE = Path(__file__).parent / "fixtures" / "dates.tsv"


def _table() -> list[tuple[str, str | None, str | None, str]]:
    """tests/fixtures/dates.tsv: text, ISO or "-", precision or "-", origin."""
    rows = []
    for line in TABLE.read_text("utf-8").splitlines():
        if line.startswith("#") or not line:
            continue
        text, iso, precision, origin = line.split("\t")
        rows.append(
            (text, None if iso == "-" else iso, None if precision == "-" else precision, origin)
        )
    return rows


CASES = _table()


def test_the_table_is_large_and_real() -> None:
    assert len(CASES) >= 150
    assert len({text for text, *_ in CASES}) == len(CASES), "a string is listed twice"
    origins = {origin for *_, origin in CASES}
    assert {"platforms.md", "seed", "fixture", "dateparser-notes", "api"} <= origins
    assert sum(iso is None for _, iso, _, _ in CASES) >= 30  # strings that must not become dates


@pytest.mark.parametrize(
    ("text", "iso", "precision", "origin"), CASES, ids=[c[0].strip() or "blank" for c in CASES]
)
def test_parse_vn_date(text: str, iso: str | None, precision: str | None, origin: str) -> None:
    found = parse_vn_date(text, now=NOW)
    assert (found.iso if found else None, found.precision if found else None) == (iso, precision)
    # Copy-pasted text arrives decomposed (NFD) and must read the same.
    assert parse_vn_date(unicodedata.normalize("NFD", text), now=NOW) == found


def test_decomposed_input_reads_the_same() -> None:
    text = "Thứ năm, ngày 21 tháng 10 năm 2019"
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    assert parse_vn_date(decomposed, now=NOW) == parse_vn_date(text, now=NOW)


def test_day_is_never_read_as_month() -> None:
    for day in range(1, 13):
        found = parse_vn_date(f"{day:02d}/07/2024", now=NOW)
        assert found is not None and (found.day.day, found.day.month) == (day, 7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Chiều 29/8, UBND phường", (29, 8)),
        ("Ngày 22-8", (22, 8)),
        ("Sáng ngày 1.3", (1, 3)),
        ("45/8", None),
    ],
)
def test_yearless_day_month(text: str, expected: tuple[int, int] | None) -> None:
    assert parse_day_month(text) == expected


def test_midnight_from_a_date_only_field_means_day_precision() -> None:
    found = parse_vn_date("Ngày 23/02/2024 00:00:00", now=NOW)
    assert found is not None and date_only(found).precision == "day"
    timed = parse_vn_date("Ngày 23/02/2024 14:00:05", now=NOW)
    assert timed is not None and date_only(timed).precision == "second"
    minutes = parse_vn_date("Ngày 23/02/2024 00:00", now=NOW)
    assert minutes is not None and date_only(minutes, minutes_too=False).precision == "minute"
