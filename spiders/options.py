"""The `-a` arguments of `scrapy crawl wards`, checked before anything is fetched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from spiders.registry import RegistryError, check_url

ARGUMENTS = {
    "site": "registered site slugs, comma-separated (default: all registered sites)",
    "url": "crawl any site from its home, news-list or article URL, registered or not",
    "full": "1 to re-walk every list page instead of stopping at known articles",
    "since": "YYYY-MM-DD: re-crawl list pages back to this date",
    "until": "YYYY-MM-DD: ignore articles listed after this date",
}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ArgumentError(ValueError):
    """A bad -a argument; the message says which and why."""


@dataclass(frozen=True)
class CrawlOptions:
    sites: str | None = None
    url: str | None = None
    full: bool = False
    since: date | None = None
    until: date | None = None

    def as_args(self) -> dict[str, str]:
        """The options that were given, as text (recorded with the run)."""
        given = {
            "site": self.sites,
            "url": self.url,
            "full": "1" if self.full else None,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }
        return {name: value for name, value in given.items() if value}


def _day(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ArgumentError(f"-a {name}={value!r} is not a date in YYYY-MM-DD form") from None


def parse_options(arguments: dict[str, str]) -> CrawlOptions:
    """Validate spider arguments; raises ArgumentError naming the bad one."""
    unknown = sorted(set(arguments) - set(ARGUMENTS))
    if unknown:
        raise ArgumentError(
            f"unknown argument -a {unknown[0]}=…; the wards spider takes {', '.join(ARGUMENTS)}"
        )
    site = (arguments.get("site") or "").strip() or None
    url = (arguments.get("url") or "").strip() or None
    if site and url:
        raise ArgumentError("give -a site=… or -a url=…, not both")
    if url:
        try:
            check_url(url, "-a url")
        except RegistryError as exc:
            raise ArgumentError(str(exc)) from None
    full_text = str(arguments.get("full", "0")).strip().lower()
    if full_text not in _TRUE | _FALSE:
        raise ArgumentError(f"-a full={arguments['full']!r}: use 1 or 0")
    since = _day("since", arguments["since"]) if arguments.get("since") else None
    until = _day("until", arguments["until"]) if arguments.get("until") else None
    if since and until and since > until:
        raise ArgumentError(f"-a since={since} is after -a until={until}")
    return CrawlOptions(site, url, full_text in _TRUE, since, until)
