"""Near-duplicate clustering at archive scale: cost per article, precision, recall, size.

Builds one synthetic archive of Vietnamese-like articles through the real write
path (`store.store_article`: the row, its index keys, its cluster), growing it
to 1k, 10k and 100k articles. At each size it stores a probe batch, one
transaction per article as a crawl does, and times it: the cost of inserting
and looking up one article as the archive grows. Planted among the articles:

- copies of earlier articles, of the kinds measured in research/dates-and-dedup.md:
  a new first line, a new footer, byline and related links, 5% of words edited,
  a new first line + footer + 2% edits, NFD and spacing, the body printed twice;
- related texts that must NOT merge: notices from one template for another
  month (Jaccard ~0.7), and reports of the same event written anew (shared
  sentences, other text).

    python bench/dedup.py [--sizes 1000,10000,100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import logging
import random
import re
import statistics
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from archive import models, store  # noqa: E402
from archive.db import Archive  # noqa: E402
from archive.records import Article, SiteInfo  # noqa: E402

SEED = 20261122
COPY_SHARE = 0.05  # of articles, a planted copy of an earlier one
RELATED_SHARE = 0.03  # of articles, a related text that must stay apart
PROBE = 300
NOW = "2026-11-22T10:00:00+07:00"
SYLLABLES = (
    "ủy ban nhân dân phường xã quận huyện tỉnh thành phố hội nghị triển khai kế hoạch năm "
    "công tác cải cách hành chính cán bộ công chức đảng viên chi bộ đại hội nhiệm kỳ lãnh đạo "
    "chỉ đạo thực hiện nhiệm vụ kinh tế xã hội an ninh quốc phòng trật tự đô thị môi trường vệ "
    "sinh phòng chống thiên tai dịch bệnh sốt xuất huyết tiêm chủng giáo dục học sinh trường "
    "khai giảng tổng kết sơ kết đánh giá kết quả đạt được tồn tại hạn chế nguyên nhân giải pháp "
    "tăng cường phối hợp tuyên truyền vận động người dân doanh nghiệp hộ kinh doanh thuế ngân "
    "sách thu chi đầu tư công giải ngân dự án giải phóng mặt bằng đường giao thông nông thôn "
    "mới văn minh kiểu mẫu tổ dân phố thôn bản mặt trận tổ quốc đoàn thanh niên hội phụ nữ cựu "
    "chiến binh nông dân người cao tuổi khuyến học chính sách an sinh trợ cấp bảo hiểm y tế thẻ "
    "hỗ trợ hộ nghèo cận nghèo gia đình chính sách thương binh liệt sĩ người có công tặng quà "
    "thăm hỏi động viên chúc mừng khen thưởng tập thể cá nhân thành tích xuất sắc phong trào thi "
    "đua yêu nước chuyển đổi số dịch vụ công trực tuyến hồ sơ thủ tục một cửa tiếp nhận giải "
    "quyết đúng hạn trễ hẹn số hóa định danh điện tử căn cước tài khoản thanh toán không dùng "
    "tiền mặt ra quân lập lại lòng đường vỉa hè lấn chiếm xử lý vi phạm kiểm tra giám sát báo "
    "cáo đề xuất kiến nghị phản ánh tiếp công dân khiếu nại tố cáo đối thoại lắng nghe ý kiến "
    "đồng chí bí thư chủ tịch phó trưởng ban phòng trung tâm văn hóa thông tin thể thao tham dự "
    "phát biểu nhấn mạnh yêu cầu đề nghị các đơn vị địa bàn trong thời gian tới tiếp tục quan tâm"
).split()
# Stock phrases of local-government news: unrelated articles share some, as real ones do.
PHRASES = [
    "ủy ban nhân dân phường",
    "cán bộ công chức phường",
    "trong thời gian tới",
    "tiếp tục đẩy mạnh",
    "theo báo cáo của",
    "đồng chí chủ tịch ủy ban nhân dân",
    "các ban ngành đoàn thể",
    "tổ dân phố trên địa bàn",
    "công tác cải cách hành chính",
    "phát triển kinh tế xã hội",
    "bảo đảm an ninh trật tự",
    "xây dựng nông thôn mới",
    "dịch vụ công trực tuyến",
    "hội nghị tổng kết công tác năm",
    "triển khai nhiệm vụ năm",
    "đại hội chi bộ nhiệm kỳ",
    "phòng chống thiên tai",
    "mặt trận tổ quốc việt nam",
    "đoàn thanh niên cộng sản hồ chí minh",
    "hội liên hiệp phụ nữ",
    "người có công với cách mạng",
    "gia đình chính sách",
    "hộ nghèo hộ cận nghèo",
    "vệ sinh môi trường",
    "trật tự đô thị",
    "lòng đường vỉa hè",
    "phát biểu chỉ đạo hội nghị",
    "đánh giá cao kết quả",
    "những tồn tại hạn chế",
    "đề nghị các đơn vị",
    "quan tâm chỉ đạo",
    "đạt và vượt kế hoạch",
    "so với cùng kỳ năm trước",
    "thủ tục hành chính",
    "chuyển đổi số",
    "thanh toán không dùng tiền mặt",
    "tham dự hội nghị có",
    "lãnh đạo đảng ủy hđnd ubnd",
    "ủy ban mặt trận tổ quốc phường",
]
NAMES = "An Bình Cường Dũng Hà Hương Lan Minh Nam Phúc Quang Thảo Trang Tuấn Vân Yến".split()


def _syllables(rng: random.Random, count: int) -> list[str]:
    return [rng.choice(SYLLABLES) for _ in range(count)]


def _sentence(rng: random.Random) -> str:
    words = _syllables(rng, rng.randint(8, 20))
    for _ in range(rng.randint(1, 3)):
        words.insert(rng.randrange(len(words) + 1), rng.choice(PHRASES))
    if rng.random() < 0.5:
        day = f"{rng.randint(1, 28)}/{rng.randint(1, 12)}"
        words.insert(rng.randrange(len(words)), day + ("/2025" if rng.random() < 0.5 else ""))
    if rng.random() < 0.4:
        words.insert(rng.randrange(len(words)), str(rng.randint(2, 999)))
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _body(rng: random.Random) -> str:
    paragraphs = []
    for _ in range(rng.randint(4, 9)):
        paragraphs.append(" ".join(_sentence(rng) for _ in range(rng.randint(2, 4))))
    return "\n\n".join(paragraphs)


def _notice(ward: int, serial: int, day: int, name: str) -> str:
    """A ward's monthly notice (its `serial`-th): one template, the ward's own name, address
    and phone, the month's own dates."""
    month, year = 1 + serial % 12, 2015 + serial // 12
    return (
        f"Thực hiện Luật Tiếp công dân năm 2013, Chủ tịch UBND phường {ward} thông báo lịch "
        f"tiếp công dân định kỳ tháng {month}/{year} như sau: thời gian ngày {day}/{month}/{year} "
        f"và ngày {day + 14}/{month}/{year}, buổi sáng từ 7 giờ 30 đến 11 giờ 30 tại trụ sở "
        f"tiếp công dân phường {ward}, số {ward + 10} đường Lê Lợi. Người chủ trì: ông {name}, "
        f"Chủ tịch UBND phường {ward}. Công dân đến liên hệ mang theo căn cước công dân và các "
        "giấy tờ liên quan đến nội dung khiếu nại, tố cáo, kiến nghị, phản ánh. Mọi thắc mắc "
        f"xin liên hệ số điện thoại 0236.38{ward:02d}.456 trong giờ hành chính."
    )


def _edit(rng: random.Random, body: str, share: float) -> str:
    words = body.split(" ")
    for index in rng.sample(range(len(words)), int(len(words) * share)):
        if not any(ch.isdigit() for ch in words[index]):
            words[index] = rng.choice(SYLLABLES)
    return " ".join(words)


def _copy(rng: random.Random, body: str, kind: str) -> str:
    lead = f"(Cổng TTĐT quận) - {_sentence(rng)}"
    footer = (
        f"{rng.choice(NAMES)} {rng.choice(NAMES)} - Trung tâm Văn hóa, Thông tin và Thể thao\n\n"
        f"Tin liên quan: {_sentence(rng)}\n\n{_sentence(rng)}"
    )
    if kind == "new first line":
        return f"{lead}\n\n{body}"
    if kind == "footer, byline, related links":
        return f"{body}\n\n{footer}"
    if kind == "5% words edited":
        return _edit(rng, body, 0.05)
    if kind == "first line + footer + 2% edits":
        return f"{lead}\n\n{_edit(rng, body, 0.02)}\n\n{footer}"
    if kind == "dates shortened":  # "ngày 12/5/2025" → "ngày 12/5"
        return re.sub(r"(\d{1,2}/\d{1,2})/20\d\d", r"\1", body)
    if kind == "NFD and spacing":
        return unicodedata.normalize("NFD", body).replace(" ", "  ")
    return f"{body}\n\n{body}"  # printed twice


COPY_KINDS = (
    "new first line",
    "footer, byline, related links",
    "5% words edited",
    "first line + footer + 2% edits",
    "dates shortened",
    "NFD and spacing",
    "printed twice",
)


@dataclass
class Corpus:
    """What was planted: the story each article belongs to, and the pairs to check."""

    story: dict[str, int] = field(default_factory=dict)  # url -> true story number
    notices: dict[int, int] = field(default_factory=dict)  # ward -> notices so far
    copies: list[tuple[str, str, str]] = field(default_factory=list)  # (original, copy, kind)
    related: list[tuple[str, str, str]] = field(default_factory=list)
    bodies: list[tuple[str, str]] = field(default_factory=list)  # (url, body) of originals


def _next_articles(rng: random.Random, corpus: Corpus, number: int) -> list[tuple[str, Article]]:
    """The next article to store (two for a pair of notices), its truth noted in `corpus`."""
    url = f"https://site{number % 50}.gov.vn/tin-tuc/bai-{number}"
    slug = f"site{number % 50}"
    roll = rng.random()
    day = 1 + number % 700
    published = f"{2024 + day // 365}-{1 + (day % 365) // 31:02d}-{1 + day % 28:02d}T08:00:00+07:00"
    if roll < COPY_SHARE and corpus.bodies:
        original_url, original = rng.choice(corpus.bodies)
        kind = rng.choice(COPY_KINDS)
        body = _copy(rng, original, kind)
        corpus.copies.append((original_url, url, kind))
        corpus.story[url] = corpus.story[original_url]
    elif roll < COPY_SHARE + RELATED_SHARE and corpus.bodies:
        if rng.random() < 0.5:
            ward = number % 50
            serial = corpus.notices.get(ward, 0)
            corpus.notices[ward] = serial + 2
            name = rng.choice(NAMES)
            original = _notice(ward, serial, rng.randint(1, 14), name)
            body = _notice(ward, serial + 1, rng.randint(1, 14), name)
            first_url = f"{url}-thong-bao"
            corpus.story[first_url] = -number
            corpus.related.append((first_url, url, "notice of another month"))
            corpus.story[url] = number
            return [
                (slug, _make(first_url, original, published)),
                (slug, _make(url, body, published)),
            ]
        original_url, original = rng.choice(corpus.bodies)
        shared = [s for p in original.split("\n\n") for s in p.split(". ")][:3]
        body = ". ".join(shared) + ".\n\n" + _body(rng)
        corpus.related.append((original_url, url, "same event, new text"))
        corpus.story[url] = number
    else:
        body = _body(rng)
        corpus.bodies.append((url, body))
        corpus.story[url] = number
    return [(slug, _make(url, body, published))]


def _make(url: str, body: str, published: str) -> Article:
    return Article(
        url=url,
        title=body.split(".")[0][:120],
        body=body,
        published_at=published,
        published_precision="minute",
        extractor_version="bench",
    )


def _store(archive: Archive, items: list[tuple[str, Article]], sites: dict[str, int]) -> None:
    with archive.session() as session:
        for slug, article in items:
            if slug not in sites:
                info = SiteInfo(slug, slug, f"https://{slug}/", "generic", slug, "ward", "Đà Nẵng")
                sites[slug] = store.upsert_site(session, info, NOW)
            store.store_article(session, sites[slug], article, None, NOW)


def _count(archive: Archive) -> int:
    with archive.session() as session:
        return session.scalar(select(func.count()).select_from(models.Article)) or 0


def _quality(archive: Archive, corpus: Corpus) -> tuple[float, float, int, int]:
    with archive.session() as session:
        rows = session.execute(
            select(models.Article.url, models.Article.cluster_id, models.Article.duplicate_of)
        ).all()
        by_id = dict(session.execute(select(models.Article.id, models.Article.url)).all())
    cluster = {row.url: row.cluster_id for row in rows}
    flagged = [(row.url, by_id[row.duplicate_of]) for row in rows if row.duplicate_of]
    right = sum(corpus.story[url] == corpus.story[original] for url, original in flagged)
    precision = right / len(flagged) if flagged else 1.0
    found = sum(cluster[a] == cluster[b] for a, b, _ in corpus.copies)
    recall = found / len(corpus.copies) if corpus.copies else 1.0
    merged = sum(cluster[a] == cluster[b] for a, b, _ in corpus.related)
    return precision, recall, merged, len(corpus.related)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--keep", type=Path, help="build the archive here and keep it")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    logging.disable(logging.WARNING)
    rng = random.Random(SEED)
    corpus = Corpus()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="wardnews-dedup-"))
    path = folder / "dedup.sqlite3"
    path.unlink(missing_ok=True)
    archive = Archive(f"sqlite:///{path}")
    sites: dict[str, int] = {}
    number = 0
    costs: dict[int, float] = {}
    walls: dict[int, float] = {}
    print(
        f"{'articles':>9}{'ms/article':>12}{'wall ms':>9}{'precision':>11}{'recall':>8}"
        f"{'related merged':>16}{'MB per 1k':>11}"
    )
    for size in sizes:
        while (count := _count(archive)) < size:  # build: batches of 500 per transaction
            batch = []
            for _ in range(min(500, size - count)):
                number += 1
                batch.extend(_next_articles(rng, corpus, number))
            _store(archive, batch, sites)
        probe = []
        for _ in range(PROBE):
            number += 1
            probe.extend(_next_articles(rng, corpus, number))
        spent, cpu = [], []
        for item in probe:  # one transaction per article, as the crawl writes
            start, start_cpu = time.perf_counter(), time.process_time()
            _store(archive, [item], sites)
            spent.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        # CPU time (user + system, so reads from the OS cache count) is the cost; wall time
        # is shown too, but on a shared machine it also measures the neighbours.
        costs[size] = statistics.mean(cpu)
        walls[size] = statistics.mean(spent)
        count = _count(archive)
        files = [path, path.with_name(path.name + "-wal")]  # the WAL holds recent pages
        megabytes = sum(f.stat().st_size for f in files if f.exists()) / 1e6 / count * 1000
        precision, recall, merged, related = _quality(archive, corpus)
        print(
            f"{count:>9}{costs[size] * 1000:>12.2f}{walls[size] * 1000:>9.2f}"
            f"{precision:>11.4f}{recall:>8.4f}{merged:>10}/{related:<5}{megabytes:>11.2f}"
        )
    archive.close()
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        print(
            f"cost ratio {last // 1000}k/{first // 1000}k = {costs[last] / costs[first]:.2f}"
            f" (CPU time; wall time {walls[last] / walls[first]:.2f})"
        )
    kinds = {kind: [0, 0] for kind in COPY_KINDS}
    archive = Archive(f"sqlite:///{path}", readonly=True)
    with archive.session() as session:
        cluster = dict(session.execute(select(models.Article.url, models.Article.cluster_id)).all())
    archive.close()
    for original, copy, kind in corpus.copies:
        kinds[kind][0] += cluster[original] == cluster[copy]
        kinds[kind][1] += 1
    print("recall by kind of copy: " + "; ".join(f"{k} {a}/{n}" for k, (a, n) in kinds.items()))
    if not args.keep:
        for leftover in folder.iterdir():
            leftover.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
