"""Text normalisation: what every stored string goes through.

NFC, entities decoded, all kinds of spaces folded to one ASCII space,
zero-width and control characters removed.
"""

from __future__ import annotations

import html
import re
import unicodedata

from pipelines.legacy import fix_legacy_encoding

# Non-breaking, thin, ideographic… spaces; and \s (tabs, newlines).
_SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
# Zero-width characters, soft hyphens, BOMs and C0/C1 controls carry no text.
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# An entity that survived HTML parsing: the page escaped it twice ("&amp;ecirc;").
_LEFTOVER_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,5}|#x[0-9a-fA-F]{2,4});")
_SENTENCE_END = re.compile(r"[.!?…:;\"”»)]$")
# Where a hand-made line break (<br>) really ends a paragraph: after a full sentence.
_PARAGRAPH_END = re.compile(r"[.!?…][\"”»)]*$")


def clean_text(text: str | None) -> str:
    """One line of clean text: NFC, entities decoded, whitespace collapsed."""
    if not text:
        return ""
    if "&" in text and _LEFTOVER_ENTITY.search(text):
        text = html.unescape(text)
    # Before removing invisible characters: TCVN3 writes "ư" as a soft hyphen.
    text = fix_legacy_encoding(text)
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    return unicodedata.normalize("NFC", text).strip()


def clean_multiline(text: str | None) -> str:
    """Like clean_text, but keeps line breaks (each line cleaned, empty lines dropped)."""
    if not text:
        return ""
    lines = (clean_text(line) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def fold(text: str) -> str:
    """Case- and accent-insensitive form for comparisons (đ becomes d)."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.findall(r"\w+", stripped))


def ends_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text.rstrip()))


def ends_paragraph(text: str) -> bool:
    return bool(_PARAGRAPH_END.search(text.rstrip()))


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)
