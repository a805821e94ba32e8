"""Canonical URLs: one article, one URL, whatever way a page linked to it."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string

# Parameters that never change what a page shows: return addresses (SharePoint's Source,
# Liferay's redirect and inheritRedirect, ASP.NET's ReturnUrl), analytics and
# social-network click ids.
DROP_PARAMS = frozenset(
    {
        "source",
        "redirect",
        "inheritredirect",  # Liferay sends it with redirect: "go back there, or not"
        "returnurl",
        "fbclid",
        "gclid",
        "zarsrc",
        "_gl",
        "mc_cid",
        "mc_eid",
        "igshid",
        "ref_src",
    }
)
DROP_PREFIXES = ("utm_",)
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "#", "about:", "ftp:", "file:")


def _kept(name: str) -> bool:
    lowered = name.lower()
    return lowered not in DROP_PARAMS and not lowered.startswith(DROP_PREFIXES)


def canonical_url(url: str) -> str:
    """Lower-case host, no default port, no fragment, sorted query without tracking parameters."""
    parts = urlsplit(safe_url_string(url.strip()))
    host = (parts.hostname or "").lower()
    port = parts.port
    default = (parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)
    netloc = host if port is None or default else f"{host}:{port}"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if _kept(k)]
    )
    rebuilt = urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", query, ""))
    return canonicalize_url(rebuilt, keep_fragments=False)


def absolute_link(href: str | None, base: str) -> str | None:
    """The canonical absolute http(s) URL of a link, or None for script, mail and anchor links."""
    if not href:
        return None
    href = href.strip()
    if not href or href.lower().startswith(_SKIP_SCHEMES):
        return None
    joined = urljoin(base, href)
    if urlsplit(joined).scheme not in ("http", "https"):
        return None
    return canonical_url(joined)


def same_site(url: str, netloc: str) -> bool:
    """Whether a URL is on the site's host (www. or not, any scheme)."""
    host = urlsplit(url).netloc.lower().removeprefix("www.")
    return host == netloc.lower().removeprefix("www.")
