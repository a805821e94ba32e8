"""Crawl cost: `scrapy crawl wards` (extract + store) against a bare Scrapy spider, same site.

Builds a synthetic Tân Dân portal of N articles from the fixture pages, serves
it on loopback, and crawls it twice in the same run: with the real spider into
a fresh archive, and with a bare spider that only follows the same links.
Delays are off (loopback); both use the same concurrency. Prints wall time,
pages per second and peak memory, and our/bare ratios.

    python bench/crawl.py [--articles 600]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.siteserver import SiteFarm, load_site  # noqa: E402

TEMPLATE_SITE = ROOT / "tests" / "fixtures" / "sites" / "tandan-nghison"
PER_LIST_PAGE = 20
SETTINGS = [
    "DOWNLOAD_DELAY=0",
    "AUTOTHROTTLE_ENABLED=False",
    "CONCURRENT_REQUESTS_PER_DOMAIN=8",
    "LOG_LEVEL=WARNING",
    "ROBOTSTXT_OBEY=False",
]
# Runs a command and reports its wall time and the peak RSS of its process tree.
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], check=False).returncode
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"code": code, "seconds": wall, "peak_kib": peak}))
"""
BARE_SPIDER = """
import scrapy

class Bare(scrapy.Spider):
    name = "bare"
    start_urls = [START]

    def parse(self, response):
        # The same walk as the wards spider: list items, the next list page, the articles.
        links = response.css(".tandan-p-module-news-title a::attr(href), a::attr(href)").getall()
        for href in links:
            url = response.urljoin(href)
            if "Tin-tuc-su-kien" in url:
                yield scrapy.Request(url, callback=self.parse)
        for href in response.css(".tandan-p-module-news-title a::attr(href)").getall():
            yield scrapy.Request(response.urljoin(href), callback=self.article)

    def article(self, response):
        yield {"url": response.url, "size": len(response.body)}
"""


def build_site(folder: Path, count: int) -> None:
    """A whole Tân Dân portal: home, paginated list, `count` articles from the fixture templates."""
    template = load_site(TEMPLATE_SITE)
    articles = template.of_kind("article")
    list_html = template.of_kind("list")[0].file.read_text("utf-8")
    pages = []
    items = []
    for number in range(count):
        source = articles[number % len(articles)]
        expected = json.loads(source.expect.read_text("utf-8"))  # type: ignore[union-attr]
        url = f"/portal/Pages/2024-1-{number % 28 + 1}/Bai-viet-so-{number}-x{number:05d}.aspx"
        title = f"{expected['title']} (bài {number})"
        html = source.file.read_text("utf-8").replace(expected["title"], title)
        name = f"a{number}.html"
        (folder / name).write_text(html, "utf-8")
        pages.append((url, name, "article"))
        items.append((url, title))
    chunks = [items[i : i + PER_LIST_PAGE] for i in range(0, len(items), PER_LIST_PAGE)]
    for index, chunk in enumerate(chunks, start=1):
        entries = "".join(
            f'<p class="tandan-p-module-news-title"><a href="{url}">{title}</a>'
            f'<span class="ngay"> (01/01/2024)</span></p>'
            for url, title in chunk
        )
        pager = f'<span class="CurrentPage">{index}</span>'
        if index < len(chunks):
            following = f"/portal/Pages/Tin-tuc-su-kien.aspx?PageIndex={index + 1}"
            pager += f'<a href="{following}">{index + 1}</a>'
        body = f"<body><div>{entries}</div>{pager}</body>"
        html = re.sub(r"<body.*</body>", lambda _, body=body: body, list_html, flags=re.S)
        name = f"list{index}.html"
        (folder / name).write_text(html, "utf-8")
        pages.append((f"/portal/Pages/Tin-tuc-su-kien.aspx?PageIndex={index}", name, "list"))
    home = '<html><body><a href="Tin-tuc-su-kien.aspx?PageIndex=1">Tin tức</a></body></html>'
    (folder / "home.html").write_text(home, "utf-8")
    pages.append(("/portal/Pages/Trang-chu.aspx", "home.html", "home"))
    toml = [
        'slug = "bench"\nname = "Bench"\nplatform = "tandan"\nunit_name = "Phường Bench"',
        'unit_level = "ward"\nprovince = "Thanh Hóa"',
        "case_insensitive_paths = true",  # IIS, as Tân Dân portals are
        'start = "/portal/Pages/Tin-tuc-su-kien.aspx?PageIndex=1"',
    ]
    for url, name, kind in pages:
        toml.append(f'[[page]]\nurl = "{url}"\nfile = "{name}"\nkind = "{kind}"')
    (folder / "site.toml").write_text("\n".join(toml) + "\n", "utf-8")


def stored_articles(archive_url: str) -> int:
    from archive.db import Archive
    from archive.store import article_count

    with Archive(archive_url, readonly=True) as archive, archive.session() as session:
        return article_count(session)


def measure(command: list[str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if result["code"] != 0:
        sys.exit(f"{' '.join(command[:5])} failed:\n{done.stderr[-2000:]}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=600)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "site"
        folder.mkdir()
        build_site(folder, options.articles)
        with SiteFarm([load_site(folder)]) as farm:
            served = next(iter(farm))
            flags = [arg for setting in SETTINGS for arg in ("-s", setting)]
            bare_file = Path(scratch) / "bare.py"
            bare_file.write_text(
                f"START = {served.start_url!r}\nORIGIN = {served.origin!r}\n" + BARE_SPIDER, "utf-8"
            )
            start = len(served.requests)
            runspider = [sys.executable, "-m", "scrapy", "runspider", str(bare_file)]
            bare = measure([*runspider, *flags, "-s", "ITEM_PIPELINES={}"])
            bare_pages = len(served.requests) - start
            archive = f"sqlite:///{scratch}/bench.sqlite3"
            crawl = [sys.executable, "-m", "scrapy", "crawl", "wards"]
            ours = measure(
                [*crawl, "-a", f"url={served.start_url}", *flags, "-s", f"ARCHIVE_URL={archive}"]
            )
            our_pages = len(served.requests) - start - bare_pages
            stored = stored_articles(archive)
    print(f"site: {options.articles} articles on loopback, no delay, 8 requests at a time")
    print(f"pages fetched: bare {bare_pages}, wardnews {our_pages}; articles stored: {stored}")
    if stored != options.articles:  # a crawl that stores nothing would look cheap
        sys.exit(f"wardnews stored {stored} of {options.articles} articles: not comparable")
    print(f"{'':24}{'seconds':>9}{'pages/s':>9}{'peak MiB':>10}")
    for name, result in (("bare Scrapy spider", bare), ("wardnews (extract+store)", ours)):
        assert result["code"] == 0, f"{name} exited {result['code']}"
        count = bare_pages if name.startswith("bare") else our_pages
        print(
            f"{name:24}{result['seconds']:9.2f}{count / result['seconds']:9.1f}"
            f"{result['peak_kib'] / 1024:10.1f}"
        )
    print(
        f"ratio wardnews/bare: time {ours['seconds'] / bare['seconds']:.2f}x,"
        f" peak memory {ours['peak_kib'] / bare['peak_kib']:.2f}x"
    )


if __name__ == "__main__":
    main()
