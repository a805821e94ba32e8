"""Vietnamese date strings: day before month, +07:00, a precision, never a guess."""

from __future__ import annotations

import unicodedata

import pytest

from pipelines.dates import date_only, parse_day_month, parse_vn_date
from tests.conftest import NOW

# (text, expected ISO or None, expected precision or None); NOW is 2026-11-22 10:00 +07:00.
CASES = [
    ("23/02/2024", "2024-02-23T00:00:00+07:00", "day"),
    ("(23/02/2024)", "2024-02-23T00:00:00+07:00", "day"),
    ("Ngày 23/02/2024 00:00:00", "2024-02-23T00:00:00+07:00", "minute"),
    ("Ngày 12/10/2023 14:20", "2023-10-12T14:20:00+07:00", "minute"),
    ("Đăng ngày 18-01-2024 09:05", "2024-01-18T09:05:00+07:00", "minute"),
    ("Đăng lúc: 23/02/2024 08:15:30 (GMT+7)", "2024-02-23T08:15:30+07:00", "second"),
    ("Ngày đăng 06/01/2016 | 03:27 PM | View count: 728", "2016-01-06T15:27:00+07:00", "minute"),
    ("03/04/2020 | 10:36 PM", "2020-04-03T22:36:00+07:00", "minute"),
    ("12:05 AM 01/02/2021", "2021-02-01T00:05:00+07:00", "minute"),
    ("Thứ năm, 20/11/2025 | 14:24", "2025-11-20T14:24:00+07:00", "minute"),
    ("Thứ năm - 02/02/2023 09:32", "2023-02-02T09:32:00+07:00", "minute"),
    ("21:39 | 11/05/2022", "2022-05-11T21:39:00+07:00", "minute"),
    ("21:08 20/07/2025", "2025-07-20T21:08:00+07:00", "minute"),
    ("11/10/2021 14:48 39 lượt xem", "2021-10-11T14:48:00+07:00", "minute"),
    ("05/06/2024", "2024-06-05T00:00:00+07:00", "day"),
    ("7:11:51 SA 12/3/2019", "2019-03-12T07:11:51+07:00", "second"),
    ("12/3/2019 7:11:51 CH", "2019-03-12T19:11:51+07:00", "second"),
    ("ngày 21 tháng 10 năm 2019", "2019-10-21T00:00:00+07:00", "day"),
    ("Hà Nội, ngày 5 tháng 3 năm 2023", "2023-03-05T00:00:00+07:00", "day"),
    ("Tháng 8/2025", "2025-08-01T00:00:00+07:00", "month"),
    ("2026-01-19T08:50:00", "2026-01-19T08:50:00+07:00", "minute"),
    ("2026-01-19T08:50", "2026-01-19T08:50:00+07:00", "minute"),
    ("2024-02-23T02:30:00Z", "2024-02-23T09:30:00+07:00", "minute"),
    ("2024-02-23T02:30:15Z", "2024-02-23T09:30:15+07:00", "second"),
    ("2024-02-23T09:30:00+07:00", "2024-02-23T09:30:00+07:00", "minute"),
    ("2024-02-23", "2024-02-23T00:00:00+07:00", "day"),
    ("17h30 ngày 29/8/2025", "2025-08-29T17:30:00+07:00", "minute"),
    ("2 giờ trước", "2026-11-22T08:00:00+07:00", "hour"),
    ("hôm qua", "2026-11-21T00:00:00+07:00", "day"),
    ("3 ngày trước", "2026-11-19T10:00:00+07:00", "day"),
    # Never a guess:
    ("Chiều 29/8", None, None),
    ("Ngày 17/7", None, None),
    ("28/7/23018", None, None),
    ("31/02/2024", None, None),
    ("01/01/1990", None, None),
    ("25/12/2026", None, None),  # a month after "now": a future date is an error
    ("", None, None),
    ("Lượt xem: 14", None, None),
    ("3 tháng trước", None, None),
]


@pytest.mark.parametrize(("text", "iso", "precision"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_parse_vn_date(text: str, iso: str | None, precision: str | None) -> None:
    found = parse_vn_date(text, now=NOW)
    assert (found.iso if found else None, found.precision if found else None) == (iso, precision)


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
