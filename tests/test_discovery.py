"""Discovery rules: traps, pagination, feeds, incremental plans, JSON and POST lists."""

from __future__ import annotations

import json
from datetime import date

import pytest
from lxml import html as lxml_html

from spiders import discovery
from spiders.discovery import ListItem, ListRequest
from spiders.families import JsonLists, PostPaging
from spiders.feeds import feed_links, parse_feed, robots_sitemaps
from spiders.plan import Policy, plan_links, plan_listing
from spiders.platforms import profile
from tests.conftest import NOW

BASE = "http://phuong.gov.vn/tin-tuc"


@pytest.mark.parametrize(
    "url",
    [
        "http://a.vn/lich-cong-tac?month=12&year=2026",
        "http://a.vn/tin-tuc;jsessionid=ABC123",
        "http://a.vn/search?keys=phuong",
        "http://a.vn/tim-kiem?tukhoa=x",
        "http://a.vn/portal/_layouts/login.aspx",
        "http://a.vn/files/bao-cao.pdf",
        "http://a.vn/Portal/PrintItem.aspx?ContentID=1",
        "http://a.vn/" + "a/b/" * 11,
        "http://a.vn/x/tin/x/tin/x/tin/y",
        "http://a.vn/?" + "a" * 600,
    ],
)
def test_traps(url: str) -> None:
    assert discovery.is_trap(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://a.vn/tin-tuc-su-kien/ubnd-phuong-hop-giao-ban-800886",
        "http://a.vn/portal/Pages/Tin-tuc-su-kien.aspx?PageIndex=2",
        "http://a.vn/vi/news/tin-tuc/slug-123.html",
        "http://a.vn/_layouts/listfeed.aspx?List=%7BGUID%7D",
    ],
)
def test_not_traps(url: str) -> None:
    assert not discovery.is_trap(url)


@pytest.mark.parametrize(
    ("url", "number"),
    [
        ("http://a.vn/x.aspx?PageIndex=3", 3),
        ("http://a.vn/category/tin-tuc/page/4/", 4),
        ("http://a.vn/thoi-su/trang-5.html", 5),
        ("http://a.vn/x?p_p_id=a&_a_INSTANCE_x_cur=2", 2),
        ("http://a.vn/tin-tuc", None),
    ],
)
def test_page_numbers(url: str, number: int | None) -> None:
    assert discovery.page_number(url) == number


def test_next_page_prefers_the_number_over_an_ambiguous_arrow() -> None:
    doc = lxml_html.fromstring(
        '<div><span>1</span><a href="?page=2">2</a><a href="?page=9">»</a></div>'
    )
    assert discovery.next_page(doc, f"{BASE}?page=1", profile("generic")) == f"{BASE}?page=2"


def test_generic_links_read_headlines_and_menus() -> None:
    doc = lxml_html.fromstring(
        """<div><ul class="menu"><li><a href="/tin-tuc">Tin tức</a></li>
        <li><a href="/gioi-thieu">Giới thiệu</a></li></ul>
        <a href="/tin-tuc/ubnd-phuong-tan-hung-hop-giao-ban-thang-8-800886">
        UBND phường Tân Hưng họp giao ban tháng 8</a>
        <a href="/tin-tuc/ngan">Ngắn</a></div>"""
    )
    items, aside = discovery.generic_article_links(doc, "http://a.vn/")
    assert aside == []
    assert [i.url for i in items] == [
        "http://a.vn/tin-tuc/ubnd-phuong-tan-hung-hop-giao-ban-thang-8-800886"
    ]
    candidates = discovery.generic_list_links(doc, "http://a.vn/")
    assert "http://a.vn/tin-tuc" in candidates and "http://a.vn/gioi-thieu" not in candidates


RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Tin</title>
<item><title>Bai mot</title><link>http://a.vn/tin/1.html</link>
<pubDate>Tue, 12 Mar 2024 07:11:51 +0700</pubDate></item>
<item><title>Ngoai</title><link>http://other.vn/x.html</link></item>
</channel></rss>"""
ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>A</title>
<link href="/tin/2.html"/><published>2024-03-13T08:00:00+07:00</published></entry></feed>"""
SITEMAP = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>http://a.vn/tin/3.html</loc>
<news:news><news:publication_date>2024-03-14T09:00:00+07:00</news:publication_date>
<news:title>Tin ba</news:title></news:news></url></urlset>"""
INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://a.vn/sitemap-1.xml</loc></sitemap></sitemapindex>"""


def test_feeds_of_every_kind() -> None:
    rss = parse_feed(RSS, "http://a.vn/rss/")
    assert [(e.url, e.title, e.date_text) for e in rss.entries] == [
        ("http://a.vn/tin/1.html", "Bai mot", "2024-03-12T07:11:51+07:00")
    ]
    assert [e.url for e in parse_feed(ATOM, "http://a.vn/atom").entries] == [
        "http://a.vn/tin/2.html"
    ]
    sitemap = parse_feed(SITEMAP, "http://a.vn/sitemap.xml").entries
    assert [(e.url, e.title, e.date_text) for e in sitemap] == [
        ("http://a.vn/tin/3.html", "Tin ba", "2024-03-14T09:00:00+07:00")
    ]
    assert parse_feed(INDEX, "http://a.vn/sitemap.xml").child_sitemaps == [
        "http://a.vn/sitemap-1.xml"
    ]


def test_hostile_or_broken_xml_gives_nothing() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><rss><channel><item><title>&b;</title><link>http://a.vn/1</link></item></channel></rss>'
    entries = parse_feed(bomb, "http://a.vn/").entries
    assert all("aaaa" not in e.title for e in entries)
    assert parse_feed(b"not xml at all", "http://a.vn/").entries == []


def test_declared_feeds_and_robots_sitemaps() -> None:
    doc = lxml_html.fromstring(
        '<html><head><link rel="alternate" type="application/rss+xml" href="/rss/">'
        '<link rel="alternate" type="application/rss+xml" href="http://other.vn/rss">'
        '<link rel="sitemap" type="application/xml" href="/sitemap.xml"></head></html>'
    )
    assert feed_links(doc, "http://a.vn/") == ["http://a.vn/rss/", "http://a.vn/sitemap.xml"]
    robots = "User-agent: *\nDisallow: /admin\nSitemap: /sitemaps/news.xml\nSitemap: http://cdn.other.vn/s.xml\n"
    assert robots_sitemaps(robots, "http://a.vn/robots.txt") == ["http://a.vn/sitemaps/news.xml"]


ITEMS = [
    ListItem("http://a.vn/1", "Một", "20/03/2024"),
    ListItem("http://a.vn/2", "Hai", "10/03/2024"),
    ListItem("http://a.vn/3", "Ba", None),
]


def test_incremental_plan_fetches_only_what_is_new_and_stops_when_nothing_is() -> None:
    plan = plan_listing(ITEMS, {"http://a.vn/1"}, Policy(), NOW)
    assert [i.url for i in plan.fetch] == ["http://a.vn/2", "http://a.vn/3"] and plan.follow_next
    plan = plan_listing(ITEMS, {i.url for i in ITEMS}, Policy(), NOW)
    assert plan.fetch == [] and not plan.follow_next
    assert plan_links(["http://a.vn/1", "http://a.vn/9"], {"http://a.vn/1"}, Policy()) == [
        "http://a.vn/9"
    ]


def test_full_plan_takes_everything() -> None:
    plan = plan_listing(ITEMS, {i.url for i in ITEMS}, Policy(full=True), NOW)
    assert plan.fetch == ITEMS and plan.follow_next


def test_since_plan_recrawls_the_window_and_stops_behind_it() -> None:
    known = {i.url for i in ITEMS}
    plan = plan_listing(ITEMS, known, Policy(since=date(2024, 3, 15)), NOW)
    assert [i.url for i in plan.fetch] == ["http://a.vn/1"] and plan.follow_next
    plan = plan_listing(ITEMS, known, Policy(since=date(2024, 3, 25)), NOW)
    assert plan.fetch == [] and not plan.follow_next
    plan = plan_listing(ITEMS, set(), Policy(until=date(2024, 3, 15)), NOW)
    assert [i.url for i in plan.fetch] == ["http://a.vn/2", "http://a.vn/3"] and plan.follow_next


def test_json_list_source_and_pages() -> None:
    page = lxml_html.fromstring(
        "<html><body><div id='list'></div><script>"
        "var loadPageUrl = '/web/hv/tin-tuc?p_p_id=news_INSTANCE_ab&p_p_lifecycle=2"
        "&p_p_resource_id=loadPage';"
        "function load(n){ $.get(loadPageUrl + '&_news_INSTANCE_ab_page=' + n); }"
        "</script></body></html>"
    )
    code = JsonLists()
    (source,) = code.sources(page, "", "http://hv.vn/web/hv/tin-tuc")
    assert source.url.endswith("p_p_resource_id=loadPage&_news_INSTANCE_ab_page=1")
    body = json.dumps(
        {
            "total": 3,
            "items": [
                {
                    "urlDetail": "/vi/w/bai-1-101",
                    "title": "Bài 1",
                    "createdDate": "21/10/2025 08:15",
                },
                {
                    "urlDetail": "/vi/w/bai-2-102",
                    "title": "Bài 2",
                    "createdDate": "20/10/2025 08:15",
                },
            ],
        }
    ).encode()
    listing = code.read(body, "application/json", source, profile("generic"))
    assert listing is not None
    assert [i.url for i in listing.items] == [
        "http://hv.vn/vi/w/bai-1-101",
        "http://hv.vn/vi/w/bai-2-102",
    ]
    assert listing.next is not None and listing.next.url.endswith("_page=2")
    last = code.read(body, "application/json", ListRequest(listing.next.url), profile("generic"))
    assert last is not None and last.next is None  # 2 pages of 2 cover the total of 3


def test_post_paging_reads_the_page_script() -> None:
    html = (
        "<script>var article_category_id = 1250; var site_id = 12; var page_size = 10;"
        " function LoadPage(page) { LoadArticle(page); }</script>"
    )
    listing = discovery.Listing(items=[ListItem("http://nb.vn/a-1", "A", None)])
    request = PostPaging().next_request(html, "http://nb.vn/tin-tuc", listing)
    assert request == ListRequest.post(
        "http://nb.vn/DesktopModule/UIArticleInMenu/ArticleInMenuPagination.aspx/LoadArticle",
        {
            "article_category_id": "1250",
            "site_id": "12",
            "page": "2",
            "page_size": "10",
            "lang": "vi-VN",
        },
    )
    assert PostPaging().next_request("<p>no script</p>", "http://nb.vn/tin-tuc", listing) is None
    # The variables without the paging script: the theme pages by links (/page/2).
    variables_only = "<script>var article_category_id = 112, site_id = 37;</script>"
    assert PostPaging().next_request(variables_only, "http://ct.vn/tin-tuc", listing) is None
