"""Registry, profiles, URL canonicalisation and spider arguments: the crawl's data and rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from spiders.options import ArgumentError, parse_options
from spiders.platforms import GENERIC, ProfileError, build_profile, load_profiles
from spiders.registry import REGISTRY_FILE, RegistryError, load_registry, select_sites, site_for_url
from spiders.urls import absolute_link, canonical_url


def test_the_shipped_registry_loads_and_names_known_platforms() -> None:
    registry = load_registry(REGISTRY_FILE)
    assert registry
    profiles = load_profiles()
    for site in registry.values():
        assert site.info.platform in profiles, site.slug
        assert site.info.unit_level in ("ward", "commune", "district", "province")
    # Every profiled family has at least one real site; generic is for the unprofiled rest.
    assert set(profiles) - {GENERIC} <= {site.info.platform for site in registry.values()} | {
        "newspaper",
        "wordpress",
    }


VALID = {
    "slug": "a",
    "name": "A",
    "url": "http://a.vn/",
    "platform": "tandan",
    "unit_name": "Phường A",
    "unit_level": "ward",
    "province": "Hà Nội",
}


def _entry(**changes: str | None) -> str:
    fields = {key: value for key, value in {**VALID, **changes}.items() if value is not None}
    return "[[site]]\n" + "".join(f'{key} = "{value}"\n' for key, value in fields.items())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"url": None, "platform": None}, "missing url, platform"),
        ({"slug": "A B"}, "slug 'A B'"),
        ({"platform": "joomla9"}, "platform 'joomla9' is unknown"),
        ({"unit_level": "village"}, "unit_level 'village'"),
        ({"url": "a.vn"}, "not an absolute http(s) URL"),
        ({"colour": "red"}, "unknown keys colour"),
    ],
)
def test_bad_registry_entries_say_what_is_wrong(
    tmp_path: Path, changes: dict[str, str | None], message: str
) -> None:
    path = tmp_path / "sites.toml"
    path.write_text(_entry(**changes), "utf-8")
    with pytest.raises(RegistryError, match=re.escape(message)):
        load_registry(path)


def test_duplicate_slugs_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "sites.toml"
    path.write_text(_entry() + _entry(), "utf-8")
    with pytest.raises(RegistryError, match="appears twice"):
        load_registry(path)


def test_site_selection() -> None:
    registry = load_registry(REGISTRY_FILE)
    first = next(iter(registry))
    assert [s.slug for s in select_sites(registry, first)] == [first]
    assert len(select_sites(registry, None)) == len(registry)
    with pytest.raises(RegistryError, match="unknown site nope"):
        select_sites(registry, f"{first},nope")


def test_a_url_on_a_registered_host_uses_its_entry() -> None:
    registry = load_registry(REGISTRY_FILE)
    site = next(iter(registry.values()))
    found = site_for_url(site.start_url.rstrip("/") + "/some/article.aspx", registry)
    assert found.info == site.info
    unknown = site_for_url("https://phuong-moi.hanoi.gov.vn:8443/tin-tuc", registry)
    assert (unknown.slug, unknown.info.in_registry, unknown.info.platform) == (
        "phuong-moi.hanoi.gov.vn-8443",
        False,
        None,
    )


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "HTTP://Quan4.HoChiMinhCity.gov.vn:80/tintuc/Lists/Posts/Post.aspx?Source=%2Ftintuc&ItemID=12802&Mode=1#top",
            "http://quan4.hochiminhcity.gov.vn/tintuc/Lists/Posts/Post.aspx?ItemID=12802&Mode=1",
        ),
        (
            "https://a.gov.vn/tin-tuc/bai-viet-123.html?utm_source=fb&fbclid=xyz",
            "https://a.gov.vn/tin-tuc/bai-viet-123.html",
        ),
        ("https://a.gov.vn", "https://a.gov.vn/"),
        ("https://a.gov.vn/tin tức/bài 1", "https://a.gov.vn/tin%20t%E1%BB%A9c/b%C3%A0i%201"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_absolute_link_skips_non_http() -> None:
    base = "http://a.gov.vn/portal/Pages/x.aspx"
    assert (
        absolute_link("2024-2-23/y.aspx", base) == "http://a.gov.vn/portal/Pages/2024-2-23/y.aspx"
    )
    for href in ("javascript:__doPostBack('x','')", "mailto:a@b.vn", "#", "", None, "ftp://x/y"):
        assert absolute_link(href, base) is None


def test_profile_errors_name_the_problem() -> None:
    with pytest.raises(ProfileError, match="unknown keys"):
        build_profile("x", {"label": "X", "titel": ["h1"]})
    with pytest.raises(ProfileError, match="bad regex"):
        build_profile("x", {"label": "X", "article_urls": ["(unclosed"]})


def test_spider_options() -> None:
    options = parse_options(
        {"site": "a,b", "full": "1", "since": "2024-01-01", "until": "2024-12-31"}
    )
    assert options.as_args() == {
        "site": "a,b",
        "full": "1",
        "since": "2024-01-01",
        "until": "2024-12-31",
    }
    with pytest.raises(ArgumentError, match="not both"):
        parse_options({"site": "a", "url": "http://a.vn/"})
    with pytest.raises(ArgumentError, match="is after"):
        parse_options({"since": "2024-02-01", "until": "2024-01-01"})
