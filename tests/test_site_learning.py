"""Site-level learning: a line that repeats on most pages of a site is boilerplate."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pipelines.sitelines import MAX_LINE_CHARS, MIN_PAGES, SiteLines
from pipelines.text import fold
from tests.conftest import run_crawl
from tests.siteserver import SiteFarm, load_site

SLOGAN = "Phường Hòa Bình - Đoàn kết, dân chủ, kỷ cương, đổi mới"
HOTLINE = "Đường dây nóng của phường: 0236.3821.456"


def _lines(*texts: str) -> dict[str, str]:
    return {fold(text): text for text in texts}


def test_a_line_on_most_pages_is_learned_and_one_on_a_few_is_not() -> None:
    site = SiteLines()
    for number in range(10):
        site.add_page(_lines(SLOGAN, f"Tin số {number}", "Sapo dùng chung" if number < 3 else "x"))
    assert site.is_boilerplate(SLOGAN)
    assert not site.is_boilerplate("Sapo dùng chung")  # 3 pages of 10
    assert not site.is_boilerplate("Tin số 4")


def test_nothing_is_learned_from_too_few_pages() -> None:
    site = SiteLines()
    for _ in range(MIN_PAGES - 1):
        site.add_page(_lines(SLOGAN))
    assert not site.is_boilerplate(SLOGAN)
    site.add_page(_lines(SLOGAN))
    assert site.is_boilerplate(SLOGAN)


def test_a_line_that_stops_repeating_is_forgotten_but_archived_ones_stay() -> None:
    site = SiteLines(known={fold(HOTLINE)})
    for _ in range(6):
        site.add_page(_lines("Tin mới: Phường họp giao ban"))
    assert site.is_boilerplate("Tin mới: Phường họp giao ban")
    for _ in range(10):
        site.add_page(_lines("khác"))
    assert not site.is_boilerplate("Tin mới: Phường họp giao ban")  # 6 pages of 16
    assert site.is_boilerplate(HOTLINE)


def test_long_paragraphs_are_never_boilerplate() -> None:
    long_line = "Ủy ban nhân dân phường " * 10
    assert len(long_line) > MAX_LINE_CHARS
    site = SiteLines(known={fold(long_line)})
    assert not site.is_boilerplate(long_line)


PARAGRAPHS = [
    "Sáng ngày {n}/3/2024, UBND phường Hòa Bình tổ chức hội nghị triển khai nhiệm vụ cải cách"
    " hành chính, với sự tham dự của lãnh đạo các ban, ngành, đoàn thể và các tổ dân phố.",
    "Tại hội nghị, các đại biểu đã thảo luận, đề xuất nhiều giải pháp nâng cao chất lượng phục vụ"
    " người dân và doanh nghiệp trong giải quyết thủ tục hành chính số {n}.",
]


def _page(title: str, body: str) -> str:
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>
<body><div class="top"><p>{SLOGAN}</p></div><div class="wrap">
<div class="main-col">{body}</div><div class="col-side"><p>{HOTLINE}</p></div></div>
<div class="bottom"><p>{SLOGAN}</p></div></body></html>"""


def _build_site(folder: Path, count: int) -> None:
    pages = ['[[page]]\nurl = "/tin-tuc"\nfile = "list.html"\nkind = "list"']
    links = []
    for n in range(1, count + 1):
        url = f"/tin-tuc/hoi-nghi-trien-khai-nhiem-vu-cai-cach-hanh-chinh-so-{n}-{1000 + n}"
        title = f"Hội nghị triển khai nhiệm vụ cải cách hành chính số {n}"
        paragraphs = "".join(f"<p>{p.format(n=n)}</p>" for p in PARAGRAPHS)
        body = (
            f"<h1>{title}</h1><p>Ngày đăng: 0{n % 9 + 1}/03/2024 08:00</p>"
            f"<div class='article-content'>{paragraphs}<p>{SLOGAN}</p></div>"
        )
        (folder / f"a{n}.html").write_text(_page(title, body), "utf-8")
        pages.append(f'[[page]]\nurl = "{url}"\nfile = "a{n}.html"\nkind = "article"')
        links.append(f'<li><a href="{url}">{title}</a></li>')
    (folder / "list.html").write_text(
        _page("Tin tức", f"<h2>Tin tức</h2><ul>{''.join(links)}</ul>"), "utf-8"
    )
    (folder / "home.html").write_text(
        _page("Trang chủ", '<a href="/tin-tuc">Tin tức - Sự kiện</a>'), "utf-8"
    )
    pages.append('[[page]]\nurl = "/"\nfile = "home.html"\nkind = "home"')
    meta = 'slug = "hoabinh"\nname = "Phường Hòa Bình"\nplatform = "generic"\n'
    meta += (
        'unit_name = "Phường Hòa Bình"\nunit_level = "ward"\nprovince = "Đà Nẵng"\nstart = "/"\n\n'
    )
    (folder / "site.toml").write_text(meta + "\n\n".join(pages) + "\n", "utf-8")


@pytest.mark.slow
def test_a_crawl_learns_the_slogan_and_keeps_it_out_of_every_body(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    _build_site(folder, 8)
    archive_path = tmp_path / "archive.sqlite3"
    with SiteFarm([load_site(folder)]) as farm:
        served = next(iter(farm))
        done = run_crawl(f"url={served.start_url}", archive_url=f"sqlite:///{archive_path}")
    assert done.returncode == 0, done.log[-3000:]
    connection = sqlite3.connect(archive_path)
    try:
        bodies = [row[0] for row in connection.execute("SELECT body FROM articles")]
        learned = [row[0] for row in connection.execute("SELECT text FROM site_boilerplate")]
    finally:
        connection.close()
    assert len(bodies) == 8
    assert SLOGAN in learned
    for body in bodies:
        assert SLOGAN not in body
        assert body.count("\n\n") == 1  # both real paragraphs are still there
