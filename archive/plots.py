"""Charts of the archive: articles per month, drawn with matplotlib into a PNG."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from archive.filters import Filters

GROUPS = ("total", "site", "province")
MAX_LINES = 12  # more lines than this are unreadable; the rest are summed as "other"


@dataclass(frozen=True)
class Monthly:
    """Counts per month, one list per line, aligned with `months` (gaps are 0)."""

    months: list[str]
    lines: dict[str, list[int]]

    @property
    def total(self) -> int:
        return sum(sum(counts) for counts in self.lines.values())


_GROUP_SQL = {
    "total": "'all articles'",
    "site": "s.slug",
    "province": "coalesce(s.current_province, s.province)",
}


def monthly_counts(session: Session, filters: Filters, *, by: str = "total") -> Monthly | None:
    """Articles per month from the first dated one to the last; None when there are none."""
    conditions, params = filters.where("a")
    if not filters.include_duplicates:
        conditions += " AND a.duplicate_of IS NULL"
    rows = session.execute(
        text(
            f"SELECT {_GROUP_SQL[by]} AS line, substr(a.published_at, 1, 7) AS month, count(*)"
            " FROM articles a JOIN sites s ON s.id = a.site_id"
            f" WHERE a.published_at IS NOT NULL AND {conditions} GROUP BY line, month"
        ),
        params,
    ).all()
    if not rows:
        return None
    span = month_range(min(row[1] for row in rows), max(row[1] for row in rows))
    index = {month: i for i, month in enumerate(span)}
    series: dict[str, list[int]] = {}
    for line, month, count in rows:
        series.setdefault(line or "?", [0] * len(span))[index[month]] += count
    ranked = sorted(series, key=lambda name: -sum(series[name]))
    if len(ranked) > MAX_LINES:
        other = [
            sum(values)
            for values in zip(*(series[n] for n in ranked[MAX_LINES - 1 :]), strict=True)
        ]
        series = {name: series[name] for name in ranked[: MAX_LINES - 1]} | {"other": other}
    return Monthly(span, series)


def month_range(first: str, last: str) -> list[str]:
    """Every YYYY-MM from first to last inclusive."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def draw_monthly(monthly: Monthly, output: Path, *, title: str | None = None) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on a server or in CI
    import matplotlib.pyplot as plt

    months = monthly.months
    figure, axes = plt.subplots(figsize=(max(6.0, len(months) * 0.35), 4.5), dpi=100)
    for name, counts in monthly.lines.items():
        axes.plot(range(len(months)), counts, marker="o", markersize=3, label=name)
    step = max(1, len(months) // 24)
    axes.set_xticks(range(0, len(months), step), months[::step], rotation=60, fontsize=8)
    axes.set_ylabel("articles")
    axes.set_ylim(bottom=0)
    axes.set_title(title or "Articles per month")
    axes.grid(alpha=0.3)
    if len(monthly.lines) > 1:
        axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(output)
    plt.close(figure)
