"""Serve the fixture sites (tests/fixtures/sites/*) on loopback, one port per site.

Used by the tests and by `make demo`; never by anything that could reach the
internet. Run alone to browse or crawl the sample sites by hand:

    python -m tests.siteserver            # prints each site's start URL, serves until Ctrl-C
    python -m tests.siteserver --registry /tmp/sites.toml   # also writes a registry for them
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import threading
import time
import tomllib
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

SITES_DIR = Path(__file__).parent / "fixtures" / "sites"
PLACEHOLDER = b"{{ORIGIN}}"
HOST = "127.0.0.1"
# Below Linux's ephemeral range (32768-60999): no outgoing connection of another program can
# be holding one of these ports when the demo starts.
STABLE_PORT_BASE = 21000
STABLE_PORT_SPAN = 2000


@dataclass
class Page:
    url: str
    file: Path
    kind: str
    expect: Path | None
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    method: str = "GET"
    form: dict[str, str] = field(default_factory=dict)
    redirect: str | None = None
    # False for a page that carries no mark of its family (a bare list page): alone it
    # must be detected as generic or its family, never as another family.
    family_signal: bool = True

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    def expected(self, origin: str) -> Any:
        """The expected JSON with {{ORIGIN}} replaced by the served origin."""
        if self.expect is None:
            return None
        return json.loads(self.expect.read_text("utf-8").replace("{{ORIGIN}}", origin))


@dataclass
class FixtureSite:
    folder: Path
    meta: dict[str, Any]
    pages: list[Page]

    @property
    def slug(self) -> str:
        return str(self.meta["slug"])

    @property
    def platform(self) -> str:
        return str(self.meta["platform"])

    def of_kind(self, kind: str) -> list[Page]:
        return [page for page in self.pages if page.kind == kind]


def load_site(folder: Path) -> FixtureSite:
    meta = tomllib.loads((folder / "site.toml").read_text("utf-8"))
    pages = []
    for entry in meta.get("page", []):
        pages.append(
            Page(
                url=entry["url"],
                file=folder / entry["file"],
                kind=entry.get("kind", "other"),
                expect=folder / entry["expect"] if entry.get("expect") else None,
                content_type=entry.get("content_type", "text/html; charset=utf-8"),
                status=int(entry.get("status", 200)),
                method=entry.get("method", "GET").upper(),
                form={k: str(v) for k, v in entry.get("form", {}).items()},
                redirect=entry.get("redirect"),
                family_signal=bool(entry.get("family_signal", True)),
            )
        )
    return FixtureSite(folder, meta, pages)


def load_sites(root: Path = SITES_DIR) -> list[FixtureSite]:
    return [
        load_site(folder) for folder in sorted(root.iterdir()) if (folder / "site.toml").exists()
    ]


def _params(query: str, ignored: set[str]) -> list[tuple[str, str]]:
    return sorted(
        (k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k.lower() not in ignored
    )


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *_args: Any) -> None:  # the tests read `requests` instead
        pass

    def do_GET(self) -> None:
        self._answer("GET", {})

    def do_HEAD(self) -> None:
        self._answer("HEAD", {})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace")
        form = dict(parse_qsl(body, keep_blank_values=True))
        if body.lstrip().startswith("{"):  # ASP.NET page methods may post JSON
            try:
                form = {k: str(v) for k, v in json.loads(body).items()}
            except (ValueError, AttributeError):
                form = {}
        self.server.forms[f"POST {self.path}"] = form
        self._answer("POST", form)

    def _answer(self, method: str, form: dict[str, str]) -> None:
        site = self.server.site
        self.server.requests.append(f"{method} {self.path}")
        if self.server.delay:
            time.sleep(self.server.delay)  # a slow government server
        parts = urlsplit(self.path)
        if parts.path == "/robots.txt":
            robots = str(site.meta.get("robots", "User-agent: *\nAllow: /\n"))
            self._send(200, "text/plain; charset=utf-8", robots.encode(), method)
            return
        page = self.server.match(method, parts.path, parts.query, form)
        if page is None:
            self._send(
                404, "text/html; charset=utf-8", b"<html><body><h1>404</h1></body></html>", method
            )
            return
        if page.redirect:
            self._send(301, "text/html", b"", method, location=page.redirect)
            return
        body = page.file.read_bytes().replace(PLACEHOLDER, self.server.origin.encode())
        self._send(page.status, page.content_type, body, method)

    def _send(
        self, status: int, content_type: str, body: bytes, method: str, location: str | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if location:
            self.send_header("Location", location)
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(body)


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: FixtureSite, port: int = 0, delay: float = 0.0) -> None:
        super().__init__((HOST, port), _Handler)
        self.site = site
        self.delay = delay
        self.origin = f"http://{HOST}:{self.server_address[1]}"
        self.requests: list[str] = []
        self.forms: dict[str, dict[str, str]] = {}  # the last form posted to each URL
        self.ignored = {name.lower() for name in site.meta.get("ignore_params", [])}
        # IIS (SharePoint, ASP.NET) paths are case-insensitive; most other servers' are not.
        self.case_insensitive = bool(site.meta.get("case_insensitive_paths", False))

    def _path_key(self, path: str) -> str:
        return path.lower() if self.case_insensitive else path

    def match(self, method: str, path: str, query: str, form: dict[str, str]) -> Page | None:
        wanted = _params(query, self.ignored)
        for page in self.site.pages:
            page_parts = urlsplit(page.url)
            if self._path_key(page_parts.path) != self._path_key(path):
                continue
            if _params(page_parts.query, self.ignored) != wanted:
                continue
            if page.method == "POST" and (
                method != "POST" or any(form.get(k) != v for k, v in page.form.items())
            ):
                continue
            if page.method == "GET" and method == "POST":
                continue
            return page
        return None


@dataclass
class ServedSite:
    site: FixtureSite
    server: _SiteServer

    @property
    def origin(self) -> str:
        return self.server.origin

    @property
    def start_url(self) -> str:
        return self.origin + str(self.site.meta["start"])

    @property
    def requests(self) -> list[str]:
        return self.server.requests

    def kind_of(self, request_line: str) -> str:
        """What a logged request hit: a page kind, "robots" or "missing"."""
        method, _, target = request_line.partition(" ")
        parts = urlsplit(target)
        if parts.path == "/robots.txt":
            return "robots"
        page = self.server.match(
            method, parts.path, parts.query, self.server.forms.get(request_line, {})
        )
        return page.kind if page else "missing"


def stable_ports(sites: list[FixtureSite], base: int = STABLE_PORT_BASE) -> dict[str, int]:
    """A fixed port per site, from its slug: the demo's URLs stay the same from run to run."""
    ports: dict[str, int] = {}
    for site in sorted(sites, key=lambda s: s.slug):
        port = base + zlib.crc32(site.slug.encode()) % STABLE_PORT_SPAN
        while port in ports.values():
            port = base + (port - base + 1) % STABLE_PORT_SPAN
        ports[site.slug] = port
    return ports


class SiteFarm:
    """Every fixture site served on its own loopback port, in background threads.

    Ports are ephemeral (tests) unless `stable=True` (the demo, whose archive
    must see the same URLs on every run).
    """

    def __init__(
        self, sites: list[FixtureSite], *, stable: bool = False, delay: float = 0.0
    ) -> None:
        ports = stable_ports(sites) if stable else {}
        self.served = []
        for site in sites:
            port = ports.get(site.slug, 0)
            try:
                server = _SiteServer(site, port, delay)
            except OSError as exc:
                for served in self.served:
                    served.server.server_close()
                raise OSError(f"cannot serve {site.slug} on {HOST}:{port}: {exc}") from None
            self.served.append(ServedSite(site, server))
        self._threads = [
            threading.Thread(target=s.server.serve_forever, name=f"site-{s.site.slug}", daemon=True)
            for s in self.served
        ]

    def __enter__(self) -> SiteFarm:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        for served in self.served:
            served.server.shutdown()
            served.server.server_close()

    def __iter__(self) -> Iterator[ServedSite]:
        return iter(self.served)

    def by_slug(self, slug: str) -> ServedSite:
        return next(s for s in self.served if s.site.slug == slug)

    def registry_toml(self) -> str:
        """A site registry naming every served site, for `-s SITES_REGISTRY=…`."""
        entries = []
        for served in self.served:
            meta = served.site.meta
            fields = {
                "slug": meta["slug"],
                "name": meta["name"],
                "url": served.start_url,
                "platform": meta["platform"],
                "unit_name": meta["unit_name"],
                "unit_level": meta["unit_level"],
                "province": meta["province"],
            }
            lines = [
                f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items()
            ]
            entries.append("[[site]]\n" + "\n".join(lines))
        return "\n\n".join(entries) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sites", type=Path, default=SITES_DIR, help="folder of fixture sites")
    parser.add_argument(
        "--registry", type=Path, help="write a site registry for the served sites here"
    )
    options = parser.parse_args()
    with SiteFarm(load_sites(options.sites)) as farm:
        if options.registry:
            options.registry.write_text(farm.registry_toml(), "utf-8")
        for served in farm:
            print(f"{served.site.slug}\t{served.start_url}", flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


if __name__ == "__main__":
    main()
