"""`python -m archive`: every command, its help, and its errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from archive import store
from archive.cli import COMMANDS, build_parser, main
from archive.db import Archive
from archive.records import Article, Image, RawPage, SiteInfo
from tests.conftest import ROOT

NOW = "2026-11-22T10:00:00+07:00"


@pytest.fixture
def filled(archive_url: str) -> str:
    site = SiteInfo(
        "phuong-a", "Phường A", "http://a.example/", "tandan", "Phường A", "ward", "Hà Nội"
    )
    articles = [
        Article(
            url=f"http://a.example/tin/{n}",
            title=title,
            body=body,
            published_at=f"2024-0{n}-01T08:00:00+07:00",
            published_precision="minute",
            images=[Image(f"http://a.example/{n}.jpg", "Ảnh")] if n == 1 else [],
            extractor_version="test",
        )
        for n, title, body in [
            (1, "Phường A họp giao ban", "Cải cách hành chính là nhiệm vụ trọng tâm."),
            (2, "Phương án phòng chống lụt bão", "Phương án được phê duyệt."),
            (3, "Hội nghị tổng kết", "Tổng kết năm 2023 của phường."),
        ]
    ]
    with Archive(archive_url) as archive, archive.session() as session:
        site_id = store.upsert_site(session, site, NOW)
        for article in articles:
            url = article.url
            raw_id = store.store_raw(session, RawPage(url, url, 200, {}, b"<html/>", NOW), None)
            store.store_article(session, site_id, article, raw_id, NOW)
    return archive_url


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_every_command_has_help_text() -> None:
    parser = build_parser()
    sub = next(a for a in parser._subparsers._group_actions if a.choices)  # type: ignore[union-attr]
    assert set(sub.choices) == set(COMMANDS)
    for name, command_parser in sub.choices.items():
        assert COMMANDS[name][1], name
        assert command_parser.format_help().strip(), name
        for action in command_parser._actions:
            assert action.help, f"{name} {action.dest} has no help"


def test_stats(filled: str) -> None:
    code, text = run("stats", "--archive", filled)
    assert code == 0
    assert "articles  3" in text
    assert "phuong-a" in text and "Phường A (ward)" in text
    code, text = run("stats", "--archive", filled, "--format", "json")
    stats = json.loads(text)
    assert stats["articles"] == 3 and stats["images"] == 1
    assert stats["by_site"][0]["last_published"] == "2024-03-01T08:00:00+07:00"


def test_search_is_case_insensitive_and_diacritics_exact(filled: str) -> None:
    code, text = run("search", "PHƯỜNG A", "--archive", filled, "--format", "json")
    assert code == 0
    assert [hit["title"] for hit in json.loads(text)] == ["Phường A họp giao ban"]
    code, text = run("search", "phương án", "--archive", filled, "--format", "json")
    assert [hit["title"] for hit in json.loads(text)] == ["Phương án phòng chống lụt bão"]
    code, text = run("search", "cải cách", "--archive", filled)
    assert "#1" in text and "«Cải» «cách» hành chính" in text
    code, text = run("search", "không có", "--archive", filled)
    assert code == 0 and "no article matches" in text


def test_show_by_id_and_by_url(filled: str) -> None:
    code, text = run("show", "1", "--archive", filled)
    assert code == 0
    assert text.startswith("Phường A họp giao ban\n")
    assert "[image 1] http://a.example/1.jpg" in text
    code, text = run("show", "http://a.example/tin/2", "--archive", filled, "--format", "json")
    assert json.loads(text)["title"] == "Phương án phòng chống lụt bão"


def test_export_csv_and_jsonl(filled: str, tmp_path: Path) -> None:
    code, text = run("export", "--format", "csv", "--archive", filled)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["id"] for row in rows] == ["1", "2", "3"]
    assert rows[0]["site"] == "phuong-a"
    target = tmp_path / "out.jsonl"
    code, _ = run("export", "--format", "jsonl", "-o", str(target), "--archive", filled)
    lines = [json.loads(line) for line in target.read_text("utf-8").splitlines()]
    assert len(lines) == 3 and lines[0]["images"] == [
        {"url": "http://a.example/1.jpg", "caption": "Ảnh"}
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["show", "999"], "no article with id or URL '999'"),
        (["search", "x", "--site", "nowhere"], "no site 'nowhere'"),
        (["export", "--format", "csv", "--site", "nowhere"], "no site 'nowhere'"),
        (["search", "x", "--limit", "0"], "--limit must be at least 1"),
    ],
)
def test_bad_requests_exit_1_with_a_message(
    filled: str, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--archive", filled], out=io.StringIO()) == 1
    assert message in capsys.readouterr().err


def _cli(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "archive", *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=60,
    )


def test_missing_archive_is_one_line_and_exit_1(tmp_path: Path) -> None:
    done = _cli("stats", "--archive", str(tmp_path / "none.sqlite3"))
    assert done.returncode == 1
    assert done.stderr.startswith("error: no archive at")
    assert "Traceback" not in done.stderr


def test_a_file_that_is_not_an_archive(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("not a database")
    done = _cli("stats", "--archive", str(junk))
    assert done.returncode == 1 and "Traceback" not in done.stderr


def test_bad_arguments_exit_2() -> None:
    for argv in (["export"], ["nonsense"], ["search"], ["stats", "--format", "xml"]):
        done = _cli(*argv)
        assert done.returncode == 2, argv
        assert "Traceback" not in done.stderr


def test_archive_url_from_the_environment(filled: str) -> None:
    import os

    done = _cli("stats", "--format", "json", env={**os.environ, "ARCHIVE_URL": filled})
    assert done.returncode == 0
    assert json.loads(done.stdout)["articles"] == 3


def test_cli_opens_read_only(filled: str, archive_path: Path) -> None:
    before = archive_path.stat().st_mtime_ns
    for argv in (["stats"], ["search", "phường"], ["show", "1"], ["export", "--format", "csv"]):
        assert run(*argv, "--archive", filled)[0] == 0
    assert archive_path.stat().st_mtime_ns == before
