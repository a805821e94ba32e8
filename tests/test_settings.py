"""Politeness and safety are defaults, checked on the settings a real crawler gets."""

from __future__ import annotations

import pytest
from scrapy.utils.project import get_project_settings

from spiders.wards import WardsSpider


@pytest.fixture(scope="module")
def settings():  # type: ignore[no-untyped-def]
    # What a crawl gets: the project settings, then the spider's own additions.
    merged = get_project_settings()
    WardsSpider.update_settings(merged)
    return merged


def test_robots_txt_is_obeyed(settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.getbool("ROBOTSTXT_OBEY") is True


def test_one_request_at_a_time_per_host_with_a_delay(settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is True
    assert settings.getfloat("AUTOTHROTTLE_TARGET_CONCURRENCY") <= 1


def test_user_agent_names_us_with_a_contact_url(settings) -> None:  # type: ignore[no-untyped-def]
    agent = settings.get("USER_AGENT")
    assert agent.startswith("wardnews/")
    assert "+https://" in agent or "+http://" in agent


def test_timeouts_and_size_limits_are_bounded(settings) -> None:  # type: ignore[no-untyped-def]
    assert 0 < settings.getint("DOWNLOAD_TIMEOUT") <= 30
    assert 0 < settings.getint("DOWNLOAD_MAXSIZE") <= 32 * 1024 * 1024
    assert 0 < settings.getint("DNS_TIMEOUT") <= 30
    assert settings.getint("DEPTH_LIMIT") > 0


def test_telnet_and_local_handlers_are_off(settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    assert handlers.get("file") is None and "file" in handlers
    assert handlers.get("data") is None and "data" in handlers


def test_archive_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    import settings as project_settings

    monkeypatch.setenv("ARCHIVE_URL", "sqlite:////tmp/from-env.sqlite3")
    try:
        assert importlib.reload(project_settings).ARCHIVE_URL == "sqlite:////tmp/from-env.sqlite3"
    finally:
        monkeypatch.delenv("ARCHIVE_URL")
        importlib.reload(project_settings)
