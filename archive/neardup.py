"""Near-duplicate detection: the same story republished with another byline, lead or footer.

Pure functions. A body becomes a set of word 3-shingles (NFC, case-folded,
`\\w+` syllables); a MinHash signature of the set, computed by one-permutation
hashing (each shingle hashed once into one of SIGNATURE_SIZE bins) so it costs
one hash per shingle; and LSH band keys: BANDS keys of ROWS values each, which
the archive stores as indexed rows. Two bodies sharing a key are candidates;
a candidate is a duplicate when the exact Jaccard similarity of their shingle
sets reaches JACCARD_MIN and the figures they print (dates, numbers) agree.

Measured in ../shared/research/dates-and-dedup.md: a copy with a new first
line has Jaccard ~0.93, with a new footer and byline ~0.89, with 5% of words
edited ~0.76; templated notices that are NOT duplicates reach ~0.71, which is
why figures must agree too.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
from dataclasses import dataclass

SHINGLE_WORDS = 3
BANDS = 25
ROWS = 5
SIGNATURE_SIZE = BANDS * ROWS
# P(candidate) = 1 - (1 - J^5)^25: 0.99 at J = 0.7, 0.87 at J = 0.6, 0.06 at J = 0.3.
JACCARD_MIN = 0.6
# Bodies shorter than this (in words) are left to the exact-hash check: a two-line notice
# shares most of its shingles with every other notice of its kind.
MIN_WORDS = 40
# Share of the shorter body's figures (numbers, dates as day/month) the other must print too:
# copies keep them all (a corrected figure among seven still passes); notices of two wards
# made from one template differ in address, phone and name numbers.
FIGURES_MIN_OVERLAP = 0.85
FIGURES_MIN_COUNT = 2
_EMPTY = 0xFFFFFFFF
_WORD = re.compile(r"\w+")
_FIGURE = re.compile(r"\d+(?:[.,/:-]\d+)*")
_DAY_MONTH = re.compile(r"^(\d{1,2})/(\d{1,2})/\d{4}$")


@dataclass(frozen=True)
class Features:
    """What near-duplicate checks need of one body."""

    shingles: frozenset[int]
    figures: frozenset[str]
    words: int

    @property
    def indexable(self) -> bool:
        return self.words >= MIN_WORDS


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


def _hash64(value: str) -> int:
    # Stable across processes (Python's hash() is salted per run).
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big")


def figures(body: str) -> frozenset[str]:
    """The numbers and dates a body prints; dates as day/month ("12/5/2025" is "12/5")."""
    return frozenset(_DAY_MONTH.sub(r"\1/\2", f) for f in _FIGURE.findall(body))


def features(body: str) -> Features:
    words = _words(body)
    grams = {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}
    return Features(frozenset(_hash64(gram) for gram in grams), figures(body), len(words))


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _overlap(a: frozenset[str], b: frozenset[str], least: int) -> bool:
    if min(len(a), len(b)) < least:
        return True
    return len(a & b) / min(len(a), len(b)) >= FIGURES_MIN_OVERLAP


def figures_agree(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two bodies print the same figures: a copy keeps its dates and numbers, a
    templated notice for another month or another household does not. Dates ("12/8/2025",
    "8/2025") are checked on their own: a template repeats its phone number and its legal
    references, and only the dates tell one month's notice from the next."""
    dates_a = frozenset(f for f in a if "/" in f)
    dates_b = frozenset(f for f in b if "/" in f)
    return _overlap(dates_a, dates_b, 1) and _overlap(a, b, FIGURES_MIN_COUNT)


def is_duplicate(a: Features, b: Features) -> bool:
    return jaccard(a.shingles, b.shingles) >= JACCARD_MIN and figures_agree(a.figures, b.figures)


def signature(shingles: frozenset[int]) -> tuple[int, ...]:
    """One-permutation MinHash: per bin, the least 32-bit value of the shingles hashed there.

    Empty bins borrow the next non-empty bin's value (rotation densification), so short
    bodies still get comparable signatures.
    """
    bins = [_EMPTY] * SIGNATURE_SIZE
    for value in shingles:
        slot, rest = value % SIGNATURE_SIZE, (value // SIGNATURE_SIZE) & 0xFFFFFFFF
        if rest < bins[slot]:
            bins[slot] = rest
    if all(value == _EMPTY for value in bins):
        return tuple(bins)
    filled = list(bins)
    for slot in range(SIGNATURE_SIZE):
        step = 1
        while filled[slot] == _EMPTY:
            source = bins[(slot + step) % SIGNATURE_SIZE]
            if source != _EMPTY:
                filled[slot] = (source + step * 0x9E3779B1) & 0xFFFFFFFF
            step += 1
    return tuple(filled)


def band_keys(values: tuple[int, ...]) -> list[int]:
    """One signed 64-bit key per band (an SQLite INTEGER), band number mixed in."""
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS]
        digest = hashlib.blake2b(struct.pack(f">H{ROWS}I", band, *chunk), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys
