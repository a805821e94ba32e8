"""Text patterns kept as data in boilerplate.toml: boilerplate lines, tail markers, bylines."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PATTERNS_FILE = Path(__file__).with_name("boilerplate.toml")


@dataclass(frozen=True)
class Patterns:
    lines: tuple[re.Pattern[str], ...]
    tail_markers: tuple[re.Pattern[str], ...]
    author_lines: tuple[re.Pattern[str], ...]
    source_lines: tuple[re.Pattern[str], ...]
    lead_source: re.Pattern[str]
    inline_links: re.Pattern[str]
    attachment_links: re.Pattern[str]


@cache
def patterns() -> Patterns:
    with PATTERNS_FILE.open("rb") as handle:
        data = tomllib.load(handle)

    def compile_all(key: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.IGNORECASE) for p in data[key])

    return Patterns(
        lines=compile_all("lines"),
        tail_markers=compile_all("tail_markers"),
        author_lines=compile_all("author_lines"),
        source_lines=compile_all("source_lines"),
        lead_source=re.compile(data["lead_source"]),
        inline_links=re.compile(data["inline_links"], re.IGNORECASE),
        attachment_links=re.compile(data["attachment_links"], re.IGNORECASE),
    )
