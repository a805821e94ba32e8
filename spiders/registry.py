"""The site registry: which sites exist, where they start, and what unit they serve.

Sites are data in `sites.toml`; this module loads and validates them, and makes
an ad-hoc entry for a site given only by URL (`-a url=`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from archive.records import UNIT_LEVELS, SiteInfo
from spiders.platforms import load_profiles

REGISTRY_FILE = Path(__file__).with_name("sites.toml")
REQUIRED = ("slug", "name", "url", "platform", "unit_name", "unit_level", "province")
OPTIONAL = ("lists", "delay", "tls", "note")
TLS_MODES = ("legacy",)
# OpenSSL's security level 0 accepts the old ciphers, small DH keys and SHA-1 of
# servers set up a decade ago; "DEFAULT" is Scrapy's own.
LEGACY_TLS_CIPHERS = "DEFAULT:@SECLEVEL=0"
SLUG = re.compile(r"^[a-z0-9][a-z0-9.-]*$")


class RegistryError(ValueError):
    """The registry file or a site argument is wrong; the message says where."""


@dataclass(frozen=True)
class Site:
    """A site to crawl: what the archive stores about it, and how to start."""

    info: SiteInfo
    start_url: str
    lists: tuple[str, ...] = ()
    delay: float | None = None
    tls: str | None = None

    @property
    def slug(self) -> str:
        return self.info.slug

    @property
    def netloc(self) -> str:
        return urlsplit(self.start_url).netloc.lower()


def check_url(url: str, where: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RegistryError(f"{where}: {url!r} is not an absolute http(s) URL")
    return url


def base_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}/"


def _site_from_entry(entry: dict[str, object], where: str) -> Site:
    missing = [key for key in REQUIRED if not entry.get(key)]
    if missing:
        raise RegistryError(f"{where}: missing {', '.join(missing)}")
    unknown = set(entry) - set(REQUIRED) - set(OPTIONAL)
    if unknown:
        raise RegistryError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    slug = str(entry["slug"])
    if not SLUG.match(slug):
        raise RegistryError(f"{where}: slug {slug!r} must be lowercase letters, digits, . or -")
    if entry["unit_level"] not in UNIT_LEVELS:
        raise RegistryError(
            f"{where}: unit_level {entry['unit_level']!r} is not one of {', '.join(UNIT_LEVELS)}"
        )
    platform = str(entry["platform"])
    if platform not in load_profiles():
        raise RegistryError(
            f"{where}: platform {platform!r} is unknown; "
            f"known: {', '.join(sorted(load_profiles()))}"
        )
    url = check_url(str(entry["url"]), where)
    lists = tuple(check_url(str(u), where) for u in entry.get("lists", []))  # type: ignore[attr-defined]
    delay = entry.get("delay")
    tls = entry.get("tls")
    if tls is not None and tls not in TLS_MODES:
        raise RegistryError(f"{where}: tls {tls!r} is not one of {', '.join(TLS_MODES)}")
    return Site(
        info=SiteInfo(
            slug=slug,
            name=str(entry["name"]),
            base_url=base_url(url),
            platform=platform,
            unit_name=str(entry["unit_name"]),
            unit_level=str(entry["unit_level"]),
            province=str(entry["province"]),
            in_registry=True,
        ),
        start_url=url,
        lists=lists,
        delay=float(delay) if delay is not None else None,  # type: ignore[arg-type]
        tls=str(tls) if tls else None,
    )


def load_registry(path: Path | str = REGISTRY_FILE) -> dict[str, Site]:
    """All registered sites by slug; raises RegistryError naming the bad entry."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise RegistryError(f"registry file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"registry file {path}: {exc}") from None
    sites: dict[str, Site] = {}
    for number, entry in enumerate(data.get("site", []), start=1):
        site = _site_from_entry(entry, f"{path} [[site]] #{number}")
        if site.slug in sites:
            raise RegistryError(f"{path}: slug {site.slug!r} appears twice")
        sites[site.slug] = site
    return sites


def select_sites(registry: dict[str, Site], slugs: str | None) -> list[Site]:
    """The sites named by `-a site=a,b`, or all of them."""
    if not slugs:
        return list(registry.values())
    wanted = [slug.strip() for slug in slugs.split(",") if slug.strip()]
    unknown = [slug for slug in wanted if slug not in registry]
    if unknown:
        raise RegistryError(
            f"unknown site {', '.join(unknown)}; "
            f"registered: {', '.join(sorted(registry)) or 'none'}"
        )
    return [registry[slug] for slug in wanted]


def slug_for_host(netloc: str) -> str:
    return re.sub(r"[^a-z0-9.-]+", "-", netloc.lower()).strip("-.")


def site_for_url(url: str, registry: dict[str, Site]) -> Site:
    """The site a bare URL belongs to: its registry entry if the host is registered, else ad hoc."""
    check_url(url, "url")
    netloc = urlsplit(url).netloc.lower()
    for site in registry.values():
        if site.netloc == netloc:
            return Site(info=site.info, start_url=url, lists=(), delay=site.delay, tls=site.tls)
    return Site(
        info=SiteInfo(
            slug=slug_for_host(netloc),
            name=netloc,
            base_url=base_url(url),
            platform=None,
            in_registry=False,
        ),
        start_url=url,
    )
