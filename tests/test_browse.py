"""`make browse`: Datasette on loopback over a small archive, checked through HTTP."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive import browse
from tests import analysts
from tests.conftest import ROOT

STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    folder = tmp_path_factory.mktemp("browse")
    path = folder / "archive.sqlite3"
    ids = analysts.build(f"sqlite:///{path}")
    metadata_file = folder / "metadata.json"
    metadata_file.write_text(json.dumps(browse.metadata(path.stem)), "utf-8")
    port = free_port()
    command = browse.command(
        browse.archive_file(str(path)), metadata_file, host="127.0.0.1", port=port
    )
    server = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    base = f"http://127.0.0.1:{port}/archive"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                get(f"http://127.0.0.1:{port}/-/versions.json")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    server.kill()
                    pytest.fail(f"datasette did not start: {server.communicate()[1][-2000:]}")
                time.sleep(0.2)
        yield base, ids
    finally:
        server.terminate()
        server.communicate(timeout=10)  # also closes the stderr pipe


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def rows(base: str, page: str, **params: str) -> list[dict[str, Any]]:
    query = urllib.parse.urlencode({**params, "_shape": "array"})
    return json.loads(get(f"{base}/{page}.json?{query}"))


def test_search_query_folded_and_exact(served: tuple[str, dict[str, int]]) -> None:
    base, ids = served
    found = rows(base, "search", q="tan hung")
    assert [row["id"] for row in found] == [ids["tanhung"]]
    assert "«Tân» «Hưng»" in found[0]["snippet"]
    assert {row["id"] for row in rows(base, "search", q="phường")} == {ids["cchc"], ids["daihoi"]}
    assert {row["id"] for row in rows(base, "search", q="phương")} == {ids["phuongan"]}
    assert rows(base, "search", q="") == []  # the empty form is no error


def test_search_page_shows_stored_html_escaped(served: tuple[str, dict[str, int]]) -> None:
    base, _ = served
    page = get(f"{base}/search?q=thong+bao")
    assert "&lt;script&gt;alert(" in page
    assert "<script>alert(" not in page


def test_facets_and_column_descriptions(served: tuple[str, dict[str, int]]) -> None:
    base, _ = served
    data = json.loads(get(f"{base}/stories.json"))
    facets = data["facet_results"]
    facets = facets.get("results", facets)  # the layout moved between Datasette versions
    assert set(browse.FACETS["stories"]) <= set(facets)
    months = {item["value"]: item["count"] for item in facets["month"]["results"]}
    assert months["2025-03"] == 1  # the story, not its copy
    page = get(f"{base}/articles")
    assert "the headline" in page  # articles.title's meaning in docs/schema.md


def test_latest_per_ward_and_a_storys_copies(served: tuple[str, dict[str, int]]) -> None:
    base, ids = served
    latest = {row["site"]: row["id"] for row in rows(base, "latest_per_ward")}
    assert latest == {
        "tandan": ids["tanhung"],
        "phamsumanh": ids["daihoi"],
        "thuongxuan": ids["copy"],
    }
    copies = rows(base, "story_copies", id=str(ids["copy"]))
    assert [row["id"] for row in copies] == [ids["cchc"], ids["copy"]]


def test_metadata_describes_every_documented_table() -> None:
    meta = browse.metadata("archive")
    tables = meta["databases"]["archive"]["tables"]
    documented = browse.documented()
    assert set(tables) == set(documented)
    for name, info in documented.items():
        assert info["description"], name
        assert tables[name]["columns"] and all(tables[name]["columns"].values()), name
    assert tables["stories"]["facets"] == ["current_province", "current_unit_name", "site", "month"]


def test_browse_refuses_a_missing_archive(tmp_path: Path) -> None:
    with pytest.raises(browse.BrowseError, match="no archive at"):
        browse.archive_file(str(tmp_path / "none.sqlite3"))
