"""Vietnamese dates: day before month, +07:00, a precision, and never a guess.

`parse_vn_date` reads one date string (page chrome, API field, URL piece).
A date without a year is not a date here: it returns None, and callers that
have other evidence for the year use `parse_day_month`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from archive.records import VN_TZ, iso

EARLIEST_YEAR = 1995
FUTURE_TOLERANCE = timedelta(days=1)

_ISO = re.compile(
    r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"\s*(z|[+-]\d{2}:?\d{2})?)?(?!\d)"
)
_DMY = re.compile(r"(?<![\d/.-])(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4})(?!\d)")
# A range of days in one month: "18-19/05/2020", "ngày 03 - 05/3/2024": the first day.
_DAY_RANGE = re.compile(
    r"(?<![\d/.-])(\d{1,2})\s*[-–]\s*\d{1,2}\s*([/.])\s*(\d{1,2})\s*\2\s*(\d{4})(?!\d)"
)
# Months in words ("Tháng Mười Một 22, 2024", "22 November 2024"): dateparser reads these.
_MONTH_WORDS = re.compile(
    r"tháng\s+(?:giêng|một|hai|ba|tư|bốn|năm|sáu|bảy|tám|chín|mười(?:\s+(?:một|hai))?|chạp)\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s",
)
_YEAR = re.compile(r"\b(?:199[5-9]|20\d{2})\b")
_WORDY = re.compile(r"(?:ngày\s+)?(\d{1,2})\s+tháng\s+(\d{1,2})\s*(?:,\s*|\s+)năm\s+(\d{4})(?!\d)")
_MONTH_YEAR = re.compile(r"tháng\s+(\d{1,2})\s*(?:[/.-]\s*|,?\s*năm\s+)(\d{4})(?!\d)")
_DAY_MONTH = re.compile(r"(?<![\d/.-])(\d{1,2})\s*[/.-]\s*(\d{1,2})(?![\d/.-]*\d)")
_CLOCK = re.compile(
    r"(?<![\d/.-])(\d{1,2})\s*:\s*(\d{2})(?:\s*:\s*(\d{2}))?(?:\s*(sa|ch|am|pm|a\.m\.|p\.m\.))?(?![\d/])"
)
_HOUR_WORDS = re.compile(r"(?<!\d)(\d{1,2})\s*(?:h|giờ)\s*(\d{1,2})?(?:\s*phút)?(?![\w/])")
_RELATIVE = re.compile(r"(\d+)\s*(giây|phút|giờ|tiếng|ngày|tuần|tháng|năm)\s*trước")
_PM = {"ch", "pm", "p.m."}
_DOTNET_DATE = re.compile(r"/date\((-?\d{10,13})(?:[+-]\d{4})?\)/")
_RFC822 = re.compile(
    r"^(?:[a-z]{3},\s*)?\d{1,2}\s+[a-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s*"
    r"(?:gmt|ut|utc|z|[+-]\d{4})$"
)
# Labels before a date, with the colon that stops dateparser ("Đăng lúc: …").
_LABEL = re.compile(
    r"^(?:ngày đăng|đăng lúc|đăng ngày|đăng tải|ngày xuất bản|cập nhật(?: lúc)?|thời gian|ngày)"
    r"\s*:\s*"
)
_AM = {"sa", "am", "a.m."}


@dataclass(frozen=True)
class VnDate:
    moment: datetime
    precision: str  # second | minute | hour | day | month | year
    seconds_written: bool = False  # the text gave seconds, even ":00"

    @property
    def iso(self) -> str:
        return iso(self.moment)

    @property
    def day(self) -> date:
        return self.moment.date()


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    return " ".join(text.replace("\u00a0", " ").split())


def _valid_date(year: int, month: int, day: int) -> date | None:
    if not EARLIEST_YEAR <= year <= 2100:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _clock(text: str, skip: tuple[int, int] | None) -> tuple[int, int | None, int | None] | None:
    """(hour, minute, second) from "14:20", "03:27 PM", "7:11:51 SA", "17h30", "9 giờ";
    minute is None when only the hour is written ("lúc 17 giờ"), second when no seconds are."""
    for pattern in (_CLOCK, _HOUR_WORDS):
        for match in pattern.finditer(text):
            if skip and skip[0] <= match.start() < skip[1]:
                continue
            hour = int(match.group(1))
            minute = int(match.group(2)) if match.group(2) else None
            second = None
            if pattern is _CLOCK:
                second = int(match.group(3)) if match.group(3) else None
                marker = match.group(4)
                if marker in _PM and hour < 12:
                    hour += 12
                elif marker in _AM and hour == 12:
                    hour = 0
            if hour < 24 and (minute or 0) < 60 and (second is None or second < 60):
                return hour, minute, second
    return None


def _at(day: date, clock: tuple[int, int | None, int | None] | None) -> VnDate:
    """A day, at a clock time when there is one, with the precision the text gave."""
    if clock is None:
        return VnDate(datetime(day.year, day.month, day.day, tzinfo=VN_TZ), "day")
    hour, minute, second = clock
    moment = datetime(day.year, day.month, day.day, hour, minute or 0, second or 0, tzinfo=VN_TZ)
    precision = "hour" if minute is None else _time_precision(second)
    return VnDate(moment, precision, seconds_written=second is not None)


def _relative(text: str, now: datetime) -> VnDate | None:
    if "vừa xong" in text or "vài giây trước" in text:
        return VnDate(now, "minute")
    match = _RELATIVE.search(text)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        if unit == "giây":
            delta, precision = timedelta(seconds=amount), "second"
        elif unit == "phút":
            delta, precision = timedelta(minutes=amount), "minute"
        elif unit in ("giờ", "tiếng"):
            delta, precision = timedelta(hours=amount), "hour"
        elif unit == "ngày":
            delta, precision = timedelta(days=amount), "day"
        elif unit == "tuần":
            delta, precision = timedelta(weeks=amount), "day"
        else:
            return None  # "3 tháng trước" is too vague to store as a date
        return VnDate(now - delta, precision)
    for word, days in (("hôm kia", 2), ("hôm qua", 1), ("hôm nay", 0)):
        if word in text:
            return _at((now - timedelta(days=days)).date(), _clock(text, None))
    return None


def _from_iso(match: re.Match[str]) -> VnDate | None:
    year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    valid = _valid_date(year, month, day)
    if valid is None:
        return None
    if match.group(4) is None:
        return VnDate(datetime(year, month, day, tzinfo=VN_TZ), "day")
    hour, minute = int(match.group(4)), int(match.group(5))
    second = int(match.group(6) or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    moment = datetime(year, month, day, hour, minute, second, tzinfo=VN_TZ)
    offset = match.group(7)
    if offset:
        stamp = f"{match.group(0)[:10]}T{hour:02d}:{minute:02d}:{second:02d}"
        offset = "+00:00" if offset == "z" else offset
        if ":" not in offset:
            offset = f"{offset[:3]}:{offset[3:]}"
        moment = datetime.fromisoformat(stamp + offset).astimezone(VN_TZ)
    return VnDate(moment, _time_precision(second), seconds_written=match.group(6) is not None)


def _time_precision(second: int | None) -> str:
    """Seconds of exactly 00 are padding ("09:30:00"): the time is known to the minute."""
    return "second" if second else "minute"


def parse_vn_date(
    text: str | None, *, now: datetime, default_tz: str | tzinfo = "Asia/Ho_Chi_Minh"
) -> VnDate | None:
    """The first complete date in `text`, timezone-aware; None if there is none or it is absurd.

    Times with no offset are in `default_tz` (Vietnam, +07:00). Days come before months.
    Absurd: before 1995, after now + 1 day, or not a calendar date (31/02, 28/7/23018).
    """
    if not text:
        return None
    text = normalize(text)
    found = _parse(text, now) or _by_dateparser(text, now)
    if found is None or found.moment > now + FUTURE_TOLERANCE:
        return None
    zone = _zone(default_tz)
    if zone is not VN_TZ and found.moment.tzinfo is VN_TZ:
        found = VnDate(found.moment.replace(tzinfo=zone), found.precision, found.seconds_written)
    return found


def _zone(name: str | tzinfo) -> tzinfo:
    if not isinstance(name, str):
        return name
    return VN_TZ if name in ("Asia/Ho_Chi_Minh", "Asia/Saigon", "+07:00") else ZoneInfo(name)


def _by_dateparser(text: str, now: datetime) -> VnDate | None:
    """Months written in words: dateparser, told the order is day-month and the zone Vietnam.

    Only for text that names a month in words with a year: dateparser misreads bare
    numbers and relative phrases ("lúc 17 giờ" as 17 hours ago), which we read ourselves.
    """
    if not (_MONTH_WORDS.search(text) and _YEAR.search(text)):
        return None
    import dateparser  # imported on first use: it costs ~75 ms

    settings = {
        "DATE_ORDER": "DMY",
        "PREFER_DAY_OF_MONTH": "first",
        "REQUIRE_PARTS": ["day", "month", "year"],
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "TIMEZONE": "Asia/Ho_Chi_Minh",
        "RETURN_AS_TIMEZONE_AWARE": True,
    }
    cleaned = _LABEL.sub("", text)
    try:
        found = dateparser.parse(cleaned, languages=["vi", "en"], settings=settings)
    except (ValueError, OverflowError):
        return None
    if found is None or _valid_date(found.year, found.month, found.day) is None:
        return None
    return _at(found.date(), _clock(cleaned, None))


def _machine(text: str) -> VnDate | None:
    """Machine forms with their own offset: RFC 822 (RSS, HTTP) and ASP.NET's /Date(ms)/."""
    stamp = _DOTNET_DATE.search(text)
    if stamp:
        moment = datetime.fromtimestamp(int(stamp.group(1)) / 1000, tz=VN_TZ)
        return VnDate(moment, _time_precision(moment.second), seconds_written=True)
    if _RFC822.match(text):
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:  # "-0000": the offset is unknown; the text is local time
            moment = moment.replace(tzinfo=VN_TZ)
        if _valid_date(moment.year, moment.month, moment.day) is None:
            return None
        return VnDate(moment.astimezone(VN_TZ), _time_precision(moment.second), True)
    return None


def _parse(text: str, now: datetime) -> VnDate | None:
    machine = _machine(text)
    if machine:
        return machine
    iso_match = _ISO.search(text)
    if iso_match:
        return _from_iso(iso_match)
    day_range = _DAY_RANGE.search(text)
    if day_range:
        day, _sep, month, year = day_range.groups()
        text = f"{day}/{month}/{year} " + text[day_range.end() :]
    for pattern, order in ((_WORDY, "dmy"), (_DMY, "d?my")):
        match = pattern.search(text)
        if not match:
            continue
        if order == "dmy":
            day, month, year = (int(g) for g in match.groups())
        else:
            day, month, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        valid = _valid_date(year, month, day)
        if valid is None:
            return None
        return _at(valid, _clock(text, (match.start(), match.end())))
    month_year = _MONTH_YEAR.search(text)
    if month_year:
        month, year = int(month_year.group(1)), int(month_year.group(2))
        if _valid_date(year, month, 1):
            return VnDate(datetime(year, month, 1, tzinfo=VN_TZ), "month")
        return None
    return _relative(text, now)


def parse_day_month(text: str) -> tuple[int, int] | None:
    """(day, month) of a yearless date such as "Chiều 29/8" or "Ngày 22-8"; None otherwise."""
    match = _DAY_MONTH.search(normalize(text))
    if not match:
        return None
    day, month = int(match.group(1)), int(match.group(2))
    if 1 <= day <= 31 and 1 <= month <= 12:
        return day, month
    return None


def date_only(found: VnDate, *, minutes_too: bool = True) -> VnDate:
    """The same day without a time, when the time is a CMS's midnight placeholder.

    A printed "00:00:00" is a date-only field on every platform we know (nobody
    publishes at midnight to the second); a bare "00:00" only where the
    platform is known to print date-only fields that way.
    """
    moment = found.moment
    midnight = (moment.hour, moment.minute, moment.second) == (0, 0, 0)
    if midnight and (found.seconds_written or (minutes_too and found.precision == "minute")):
        return VnDate(moment, "day")
    return found


# The opening of a news lead: "Chiều 29/8, …", "Sáng nay 28/6", "Ngày 22-8", "Sáng ngày 1.3".
_LEAD = re.compile(
    r"^(?:\([^()]{1,20}\)\s*[-–—]\s*)?"  # a source first: "(PLVN) - "
    r"(?:(?:sáng|chiều|tối|trưa|đêm|rạng sáng)\s+)?(?:nay\s+|hôm nay\s+|qua\s+)?(?:ngày\s+)?"
    r"(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?(?![\d/.-])"
)


def lead_date(lead: str, *, years: list[int], now: datetime) -> VnDate | None:
    """The date a lead opens with ("Chiều 29/8, …"), its year from evidence, never a guess.

    A lead giving its year keeps it. Otherwise the year comes from evidence (a year in the
    URL: "/2015/"), else from the crawl: the latest such day not after it.
    """
    match = _LEAD.match(normalize(lead))
    if not match:
        return None
    day, month = int(match.group(1)), int(match.group(2))
    if match.group(3):
        found = _valid_date(int(match.group(3)), month, day)
    elif years:
        found = next((d for y in years if (d := _valid_date(y, month, day)) is not None), None)
    else:
        candidates = (_valid_date(year, month, day) for year in (now.year, now.year - 1))
        found = next((d for d in candidates if d is not None and d <= now.date()), None)
    if found is None or datetime(found.year, found.month, found.day, tzinfo=VN_TZ) > now:
        return None
    return VnDate(datetime(found.year, found.month, found.day, tzinfo=VN_TZ), "day")
