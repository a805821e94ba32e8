"""Exports (CSV, JSON Lines, Parquet), the analysts' views, and the monthly plot."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from archive import export, filters, plots
from archive.cli import main
from archive.db import Archive
from tests import analysts


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, int]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('export') / 'archive.sqlite3'}"
    return url, analysts.build(url)


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_csv_holds_one_row_per_story_by_default(archive: tuple[str, dict[str, int]]) -> None:
    url, ids = archive
    code, output = run("export", "--format", "csv", "--archive", url)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(output)))
    assert [int(row["id"]) for row in rows] == sorted(set(ids.values()) - {ids["copy"]})
    first = rows[0]
    assert first["site"] == "tandan" and first["province"] == "Thanh Hóa"
    assert first["current_unit_name"] == "Phường Tân Dân" and first["body"] == analysts.CCHC_BODY
    code, output = run("export", "--format", "csv", "--include-duplicates", "--archive", url)
    assert len(list(csv.DictReader(io.StringIO(output)))) == len(ids)


def test_jsonl_with_filters_and_images(archive: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    url, ids = archive
    target = tmp_path / "out.jsonl"
    argv = ["export", "--format", "jsonl", "-o", str(target), "--archive", url]
    assert run(*argv, "--province", "thanh hoa", "--since", "2025-03", "--until", "2025-06")[0] == 0
    rows = [json.loads(line) for line in target.read_text("utf-8").splitlines()]
    # March to June 2025 in Thanh Hóa: the story (once), the notice; not July, not Hải Phòng
    assert [row["id"] for row in rows] == [ids["cchc"], ids["script"]]
    assert rows[0]["images"] == [{"url": analysts.url("cchc") + ".jpg", "caption": "Ảnh"}]
    assert rows[1]["title"].startswith("Thông báo <script>")


def test_a_filtered_export_keeps_the_sites_own_copy(archive: tuple[str, dict[str, int]]) -> None:
    url, ids = archive
    code, output = run("export", "--format", "jsonl", "--site", "thuongxuan", "--archive", url)
    assert code == 0
    found = [json.loads(line)["id"] for line in output.splitlines()]
    assert found == sorted([ids["copy"], ids["chuyendoiso"], ids["kethon"]])


def test_parquet(archive: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    url, ids = archive
    target = tmp_path / "out.parquet"
    assert run("export", "--format", "parquet", "-o", str(target), "--archive", url)[0] == 0
    table = pq.read_table(target)
    assert table.num_rows == len(ids) - 1
    assert table.schema.field("id").type == "int64"
    first = table.slice(0, 1).to_pylist()[0]
    assert first["title"] == analysts.CCHC_TITLE and first["images"][0]["caption"] == "Ảnh"


def test_streaming_pages_through_every_row_in_batches(archive: tuple[str, dict[str, int]]) -> None:
    url, ids = archive
    with Archive(url, readonly=True) as opened, opened.session() as session:
        everything = filters.Filters(include_duplicates=True)
        small = [row["id"] for row in export.iter_rows(session, everything, batch=2)]
        large = [row["id"] for row in export.iter_rows(session, everything, batch=1000)]
    assert small == large == sorted(ids.values())


def test_parquet_writes_a_row_group_per_batch(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    rows = (dict.fromkeys(export.COLUMNS) | {"id": n, "images": []} for n in range(25))
    target = tmp_path / "rows.parquet"
    assert export.write_parquet(rows, target, batch=10) == 25
    assert pq.ParquetFile(target).metadata.num_row_groups == 3


def test_views(archive: tuple[str, dict[str, int]]) -> None:
    url, ids = archive
    with Archive(url, readonly=True) as opened, opened.engine.connect() as connection:

        def query(sql: str) -> list[tuple]:  # type: ignore[type-arg]
            return [tuple(row) for row in connection.execute(text(sql))]

        stories = query("SELECT id, site, copies, current_province, month FROM stories")
        assert len(stories) == len(ids) - 1
        assert (ids["cchc"], "tandan", 2, "Thanh Hóa", "2025-03") in stories
        assert query(
            "SELECT site, month, articles, originals FROM monthly_site_counts"
            " WHERE month = '2025-03' ORDER BY site"
        ) == [("tandan", "2025-03", 1, 1), ("thuongxuan", "2025-03", 1, 0)]
        assert query(
            "SELECT province, month, articles, stories, sites FROM monthly_province_counts"
            " WHERE month = '2025-03'"
        ) == [("Thanh Hóa", "2025-03", 2, 1, 2)]
        assert query(
            "SELECT cluster_id, copies, sites, original_id, title FROM duplicate_clusters"
        ) == [(ids["cchc"], 2, 2, ids["cchc"], analysts.CCHC_TITLE)]
        undated = query("SELECT count(*) FROM monthly_site_counts WHERE month IS NULL")
        assert undated == [(0,)]


def test_monthly_counts_fill_the_gaps(archive: tuple[str, dict[str, int]]) -> None:
    url, _ = archive
    with Archive(url, readonly=True) as opened, opened.session() as session:
        chosen = filters.resolve(session, site="phamsumanh", include_duplicates=True)
        monthly = plots.monthly_counts(session, chosen)
        by_province = plots.monthly_counts(
            session, filters.Filters(include_duplicates=True), by="province"
        )
    assert monthly is not None and by_province is not None
    assert monthly.months == ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]
    assert monthly.lines == {"all articles": [1, 1, 0, 1, 1]}
    assert set(by_province.lines) == {"Thanh Hóa", "Hải Phòng"}
    assert by_province.total == len(analysts.ARTICLES) - 1  # the undated one is left out


def test_plot_command_draws_a_png(archive: tuple[str, dict[str, int]], tmp_path: Path) -> None:
    url, _ = archive
    target = tmp_path / "monthly.png"
    code, output = run("plot", "monthly", "--by", "site", "-o", str(target), "--archive", url)
    assert code == 0 and "10 articles" in output
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, _ = run("plot", "monthly", "--since", "2030", "-o", str(target), "--archive", url)
    assert code == 1


def test_month_range() -> None:
    assert plots.month_range("2024-11", "2025-02") == ["2024-11", "2024-12", "2025-01", "2025-02"]
