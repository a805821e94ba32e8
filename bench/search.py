"""Search, export and size at archive scale, each against a peer measured in the same run.

Builds one synthetic archive of Vietnamese-like articles (200 sites, 5% copies of
earlier articles, words drawn with a Zipf-like skew so some are everywhere and
some rare), inserted through our engine so the FTS triggers index every row.

- search: p50/p95 of `archive.search.search` for queries typed without
  diacritics (folded) and with them (exact), against the LIKE/`wn_fold` scan
  the archive used before FTS (the peer);
- export: rows/s and peak RSS of our streaming CSV export (and Parquet), in a
  child process each, against a naive export that fetches every row first;
- size: MB per 1k articles, and the share the two FTS indexes take.

    python bench/search.py [--articles 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from archive import export, filters, search  # noqa: E402
from archive.db import Archive  # noqa: E402

SEED = 20261122
NOW = "2026-11-22T10:00:00+07:00"
SITES = 200
COPY_SHARE = 0.05
WORDS = (
    "ủy ban nhân dân phường xã quận huyện tỉnh thành phố hội nghị triển khai kế hoạch năm "
    "công tác cải cách hành chính cán bộ công chức đảng viên chi bộ đại hội nhiệm kỳ lãnh đạo "
    "chỉ đạo thực hiện nhiệm vụ kinh tế an ninh quốc phòng trật tự đô thị môi trường vệ "
    "sinh phòng chống thiên tai dịch bệnh sốt xuất huyết tiêm chủng giáo dục học sinh trường "
    "khai giảng tổng kết sơ kết đánh giá kết quả đạt được tồn tại hạn chế nguyên nhân giải pháp "
    "tăng cường phối hợp tuyên truyền vận động người doanh nghiệp hộ kinh doanh thuế ngân "
    "sách thu chi đầu tư giải ngân dự án mặt bằng đường giao thông nông thôn mới văn minh "
    "kiểu mẫu tổ phố bản mặt trận quốc đoàn thanh niên phụ nữ cựu chiến binh cao tuổi "
    "khuyến học chính an sinh trợ cấp bảo hiểm y tế thẻ hỗ trợ nghèo cận gia đình thương "
    "liệt sĩ có tặng quà thăm hỏi động viên chúc mừng khen thưởng tập thể cá thành tích xuất "
    "sắc phong trào thi đua yêu nước chuyển đổi số dịch vụ trực tuyến hồ sơ thủ tục một cửa "
    "tiếp nhận quyết đúng hạn trễ hẹn hóa định danh điện tử căn cước tài khoản thanh toán "
    "không dùng tiền ra quân lập lại lòng vỉa hè lấn chiếm xử lý vi phạm kiểm tra giám sát "
    "báo cáo đề xuất kiến nghị phản ánh khiếu nại tố đối thoại lắng nghe ý kiến đồng chí bí "
    "thư chủ tịch phó trưởng trung tâm văn thông tin thể thao tham dự phát biểu nhấn mạnh "
    "yêu cầu đề nghị các đơn vị địa bàn trong thời gian tới tiếp tục quan tâm phương án "
    "hạ tầng hà nội tân hưng lụt bão đê điều thủy lợi cấp nước sạch rác thải"
).split()
PROVINCES = ["Hà Nội", "Hải Phòng", "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Trị", "Huế"]
# (folded, exact): the same intent typed both ways. Common, rare, phrases, prefixes.
QUERIES = [
    ("phuong", "phường"),
    ("cai cach hanh chinh", "cải cách hành chính"),
    ('"cai cach hanh chinh"', '"cải cách hành chính"'),
    ("ha tang", "hạ tầng"),
    ("tan hung", "tân hưng"),
    ("lut bao", "lụt bão"),
    ("chuyen doi so", "chuyển đổi số"),
    ("dich vu truc tuyen", "dịch vụ trực tuyến"),
    ("chuyen*", "chuyển*"),
    ("thu*", "thủ*"),
    ("dang vien", "đảng viên"),
    ('"ve sinh moi truong"', '"vệ sinh môi trường"'),
    ("khieu nai -to", "khiếu nại -tố"),
    ("nuoc sach OR rac thai", "nước sạch OR rác thải"),
    ("dai hoi nhiem ky", "đại hội nhiệm kỳ"),
    ("can cuoc dinh danh", "căn cước định danh"),
]
# Stock phrases of local-government news, planted in some bodies so phrase queries find some.
PHRASES = [
    "cải cách hành chính",
    "vệ sinh môi trường",
    "chuyển đổi số",
    "dịch vụ công trực tuyến",
    "phòng chống lụt bão",
    "đại hội đảng bộ nhiệm kỳ",
]


ONSETS = "b c ch d đ g gh h k kh l m n ng nh p ph qu r s t th tr v x".split()
VOWELS = (
    "a á à ả ã ạ ă ắ ằ ẳ ẵ ặ â ấ ầ ẩ ẫ ậ e é è ẻ ẽ ẹ ê ế ề ể ễ ệ i í ì ỉ ĩ ị o ó ò ỏ õ ọ ô ố ồ "
    "ổ ỗ ộ ơ ớ ờ ở ỡ ợ u ú ù ủ ũ ụ ư ứ ừ ử ữ ự y ý ỳ ỷ ỹ ỵ"
).split()
CODAS = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t", "i", "o", "u"]
TAIL = 20_000  # syllables of names and rarer words: real text is not 350 words
TAIL_SHARE = 0.4  # of the words of a text


def tail_words(rng: random.Random) -> list[str]:
    found: dict[str, None] = {}
    while len(found) < TAIL:
        found[rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)] = None
    return list(found)


def words(rng: random.Random, count: int, tail: list[str]) -> str:
    """Common words with a Zipf-like skew (index ~ u^2), and a long tail of rarer ones (~u^3)."""
    return " ".join(
        tail[int(len(tail) * rng.random() ** 3)]
        if rng.random() < TAIL_SHARE
        else WORDS[int(len(WORDS) * rng.random() ** 2)]
        for _ in range(count)
    )


def build(path: Path, articles: int) -> None:
    rng = random.Random(SEED)
    tail = tail_words(rng)
    with Archive(f"sqlite:///{path}") as archive, archive.engine.begin() as connection:
        for n in range(SITES):
            connection.execute(
                text(
                    "INSERT INTO sites (slug, name, base_url, unit_name, unit_level,"
                    " province, in_registry, added_at)"
                    " VALUES (:slug, :name, :url, :name, 'ward', :p, 1, :now)"
                ),
                {
                    "slug": f"site{n}",
                    "name": f"Phường {n}",
                    "url": f"http://site{n}.example/",
                    "p": PROVINCES[n % len(PROVINCES)],
                    "now": NOW,
                },
            )
        batch: list[dict[str, object]] = []
        for n in range(1, articles + 1):
            copy_of = rng.randrange(1, n) if n > 10 and rng.random() < COPY_SHARE else None
            title = words(rng, rng.randint(8, 14), tail).capitalize()
            paragraphs = [words(rng, rng.randint(40, 70), tail) for _ in range(rng.randint(2, 4))]
            if rng.random() < 0.3:
                paragraphs.insert(1, rng.choice(PHRASES))
            body = "\n\n".join(paragraphs)
            day = rng.randrange(0, 3 * 365)
            batch.append(
                {
                    "id": n,
                    "site": rng.randrange(1, SITES + 1),
                    "url": f"http://example/{n}",
                    "title": title,
                    "summary": words(rng, 20, tail).capitalize() if rng.random() < 0.5 else None,
                    "body": body,
                    "published": f"{2023 + day // 365}-{day % 365 // 31 + 1:02d}-"
                    f"{day % 31 % 28 + 1:02d}T08:00:00+07:00",
                    "cluster": copy_of or n,
                    "dup": copy_of,
                    "now": NOW,
                }
            )
            if len(batch) == 5000 or n == articles:
                connection.execute(
                    text(
                        "INSERT INTO articles (id, site_id, url, title, summary, body,"
                        " published_at, first_seen_at, last_seen_at, fetched_at, content_hash,"
                        " extractor_version, cluster_id, duplicate_of) VALUES (:id, :site, :url,"
                        " :title, :summary, :body, :published, :now, :now, :now, 'x', 'bench',"
                        " :cluster, :dup)"
                    ),
                    batch,
                )
                batch = []
    checkpoint = __import__("sqlite3").connect(path)
    checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the size is then the file's
    checkpoint.close()


def timed(run, repeat: int = 3) -> list[float]:  # type: ignore[no-untyped-def]
    spent = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        spent.append((time.perf_counter() - start) * 1000)
    return spent


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def like_scan(session, needle: str) -> list:  # type: ignore[no-untyped-def]
    """The archive's search before FTS: every row folded in Python, in SQL."""
    return session.execute(
        text(
            "SELECT id FROM articles WHERE instr(wn_fold(title), :n) > 0"
            " OR instr(wn_fold(summary), :n) > 0 OR instr(wn_fold(body), :n) > 0"
            " ORDER BY published_at DESC LIMIT 20"
        ),
        {"n": needle},
    ).all()


def bench_search(path: Path) -> None:
    results: dict[str, list[float]] = {"folded": [], "exact": [], "newest": []}
    hits: dict[str, int] = {}
    peer = []
    with Archive(f"sqlite:///{path}", readonly=True) as archive, archive.session() as session:
        everything = filters.Filters()
        for folded, exact in QUERIES:
            for kind, query in (("folded", folded), ("exact", exact)):
                search.search(session, query, everything)  # warm the page cache
                results[kind] += timed(lambda q=query: search.search(session, q, everything))
                hits[query] = session.execute(
                    text(
                        f"SELECT count(*) FROM {search.plan(search.parse(query)).primary}"
                        f" WHERE {search.plan(search.parse(query)).primary} MATCH :m"
                    ),
                    {"m": search.plan(search.parse(query)).match},
                ).scalar_one()
            results["newest"] += timed(
                lambda q=exact: search.search(session, q, everything, sort="newest"), repeat=1
            )
            # The peer answers "newest first" only: it has no ranking.
            needle = exact.strip('"').split(" -")[0]
            peer += timed(lambda n=needle: like_scan(session, n), 1)
    print(f"{'search':<22}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}")
    rows = [
        ("folded (relevance)", results["folded"]),
        ("exact (relevance)", results["exact"]),
        ("exact (newest)", results["newest"]),
        ("peer LIKE (newest)", peer),
    ]
    for label, spent in rows:
        print(
            f"{label:<22}{percentile(spent, 0.5):>9.1f}{percentile(spent, 0.95):>9.1f}"
            f"{max(spent):>9.1f}{len(QUERIES):>9}"
        )
    print(
        f"peer/ours p50 (newest first, same queries):"
        f" {percentile(peer, 0.5) / percentile(results['newest'], 0.5):.0f}x"
    )
    print("matches per query: " + ", ".join(f"{q} {n}" for q, n in hits.items()))


def export_child(path: Path, mode: str, target: Path) -> None:
    """One export in this process; prints rows, seconds and peak RSS as JSON."""
    start = time.perf_counter()
    with Archive(f"sqlite:///{path}", readonly=True) as archive, archive.session() as session:
        everything = filters.Filters(include_duplicates=True)
        if mode == "naive":
            rows = session.execute(text("SELECT * FROM articles ORDER BY id")).mappings().fetchall()
            with target.open("w", encoding="utf-8", newline="") as out:
                writer = csv.DictWriter(out, fieldnames=list(rows[0].keys()))
                writer.writeheader()
                writer.writerows(rows)
            count = len(rows)
        elif mode == "parquet":
            count = export.write_parquet(export.iter_rows(session, everything), target)
        else:
            with target.open("w", encoding="utf-8", newline="") as out:
                count = export.write_csv(export.iter_rows(session, everything), out)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"rows": count, "seconds": seconds, "peak_mb": peak}))


def bench_export(path: Path, folder: Path) -> None:
    measured = {}
    for mode in ("ours", "parquet", "naive"):
        done = subprocess.run(
            [sys.executable, __file__, "--export-child", mode, str(path), str(folder / mode)],
            capture_output=True,
            text=True,
            check=True,
        )
        measured[mode] = json.loads(done.stdout)
    print(f"{'export':<16}{'rows':>9}{'rows/s':>10}{'peak RSS MB':>13}")
    for mode, label in (
        ("ours", "ours (CSV)"),
        ("parquet", "ours (Parquet)"),
        ("naive", "naive CSV"),
    ):
        m = measured[mode]
        print(f"{label:<16}{m['rows']:>9}{m['rows'] / m['seconds']:>10.0f}{m['peak_mb']:>13.0f}")
    ours, naive = measured["ours"], measured["naive"]
    print(
        f"peak RSS naive/ours = {naive['peak_mb'] / ours['peak_mb']:.1f}x;"
        f" throughput ours/naive = {ours['seconds'] and naive['seconds'] / ours['seconds']:.2f}x"
    )


def bench_size(path: Path, articles: int) -> None:
    total = path.stat().st_size
    connection = __import__("sqlite3").connect(f"file:{path}?mode=ro", uri=True)
    pages = dict(connection.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
    connection.close()
    fts = sum(size for name, size in pages.items() if name.startswith("articles_fts"))
    print(
        f"size {total / 1e6:.0f} MB = {total / 1e6 / articles * 1000:.2f} MB per 1k articles;"
        f" FTS indexes {fts / 1e6:.0f} MB ({fts / total:.0%}),"
        f" {fts / 1e6 / articles * 1000:.2f} MB per 1k"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--keep", metavar="DIR", help="build the archive here and keep it")
    parser.add_argument("--export-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_child:
        mode, path, target = args.export_child
        export_child(Path(path), mode, Path(target))
        return
    folder = Path(args.keep or tempfile.mkdtemp(prefix="wardnews-search-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "archive.sqlite3"
    if not path.exists():
        start = time.perf_counter()
        build(path, args.articles)
        print(f"built {args.articles} articles in {time.perf_counter() - start:.0f} s")
    bench_search(path)
    bench_export(path, folder)
    bench_size(path, args.articles)
    if not args.keep:
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
