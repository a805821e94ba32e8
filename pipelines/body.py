"""From blocks to the article's own text: boilerplate, repeats, captions, bylines.

Each step is a pure function over a list of blocks, so each can be tested
alone; `clean_body` runs them in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from archive.records import Image
from pipelines.blocks import Block
from pipelines.bylines import take_bylines, take_lead_source
from pipelines.patterns import patterns
from pipelines.text import ends_sentence, fold, words

# A caption is short: longer text after an image is a paragraph.
CAPTION_MAX_WORDS = 60
# Repeated runs shorter than this (in characters) are legitimate (list items, "- Đạt.").
REPEAT_MIN_CHARS = 120
_FILE_NAME = re.compile(r"^[\w\s().~-]+\.(?:jpe?g|png|gif|bmp|webp|tiff?)$", re.IGNORECASE)


@dataclass
class Body:
    paragraphs: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    author: str | None = None
    source: str | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def is_boilerplate(text: str) -> bool:
    return any(p.search(text) for p in patterns().lines)


def _inline_link_line(block: Block) -> bool:
    rules = patterns()
    if block.link_share >= 0.5 and rules.attachment_links.search(block.text):
        return True
    return block.link_share >= 0.4 and bool(rules.inline_links.match(block.text))


def drop_boilerplate(blocks: list[Block]) -> list[Block]:
    return [b for b in blocks if b.is_image or not (is_boilerplate(b.text) or _inline_link_line(b))]


def _is_marker(block: Block) -> bool:
    return not block.is_image and any(p.search(block.text) for p in patterns().tail_markers)


def cut_tail(blocks: list[Block]) -> tuple[list[Block], list[Block]]:
    """(article, what follows it): split at "Tin khác", "Tệp đính kèm:", "Từ khóa:"…

    A related-news box set inside the article (a marker, a few links, then more
    article text) is removed, and the text after it kept.
    """
    kept: list[Block] = []
    i = 0
    while i < len(blocks):
        if not _is_marker(blocks[i]):
            kept.append(blocks[i])
            i += 1
            continue
        j = i + 1
        while j < len(blocks) and (
            blocks[j].is_links or (blocks[j].is_image and blocks[j - 1].is_links)
        ):
            j += 1
        rest = blocks[j:]
        if j > i + 1 and _substantial(rest):
            i = j  # an inline box: drop the marker and its links, keep reading
            continue
        return kept, blocks[i:]
    return kept, []


def _substantial(blocks: list[Block]) -> bool:
    """Whether article text follows: a long paragraph that is not links and not a byline."""
    return any(
        not b.is_image and not b.is_links and len(words(b.text)) >= 12 and not _is_marker(b)
        for b in blocks
    )


def is_file_name(text: str) -> bool:
    return bool(_FILE_NAME.match(text.strip()))


def _looks_like_caption(block: Block, image: Block) -> bool:
    if block.is_image or block.heading:
        return False
    count = len(words(block.text))
    if count > CAPTION_MAX_WORDS:
        return False
    if image.group is not None and block.group == image.group:
        return True
    if block.caption_like or (image.alt and fold(image.alt) == fold(block.text)):
        return True
    if image.in_figure:
        return False  # a <figure> carries its caption inside; the next paragraph is text
    # Plain <p> captions (Tân Dân, Hải Phòng): short, and not a finished sentence.
    return count <= 40 and not ends_sentence(block.text.rstrip(")").rstrip())


def attach_captions(blocks: list[Block], title: str = "") -> tuple[list[Block], list[Image]]:
    """Move captions out of the text into images; a caption printed twice is read once."""
    kept: list[Block] = []
    images: list[Image] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if not block.is_image:
            kept.append(block)
            i += 1
            continue
        caption: str | None = None
        j = i + 1
        echoes = {fold(title)} if title else set()
        # A caption cell that first repeats the headline, then captions.
        if (
            j + 1 < len(blocks)
            and not blocks[j].is_image
            and fold(blocks[j].text) in echoes
            and _looks_like_caption(blocks[j + 1], block)
            and fold(blocks[j + 1].text) not in echoes
        ):
            j += 1
        if j < len(blocks) and _looks_like_caption(blocks[j], block):
            caption = blocks[j].text
            j += 1
            # The same caption again (printed twice, or alt text rendered as text).
            while (
                j < len(blocks) and not blocks[j].is_image and fold(blocks[j].text) == fold(caption)
            ):
                j += 1
        if caption is not None and is_file_name(caption):
            caption = None
        if caption is None and kept and fold(kept[-1].text) == fold(block.alt) and block.alt:
            # Caption printed above the image, equal to its alt text.
            caption = kept.pop().text
        if block.image_url:  # "" is an inline data: image: its caption goes, it stays unlisted
            images.append(Image(block.image_url, caption))
        i = j
    return kept, images


def drop_leading(blocks: list[Block], *texts: str | None) -> list[Block]:
    """Drop the title or the sapo repeated at the top of the body."""
    targets = {fold(t) for t in texts if t}
    start = 0
    while start < len(blocks) and fold(blocks[start].text) in targets:
        start += 1
    return blocks[start:]


def drop_repeats(blocks: list[Block]) -> list[Block]:
    """Keep a repeated run of paragraphs once (the print copy of a whole body).

    Short repeated runs stay: a list item such as "- Đạt." can really repeat.
    """
    keys = [fold(b.text) for b in blocks]
    keep = [True] * len(blocks)
    first_seen: dict[str, list[int]] = {}
    for j, key in enumerate(keys):
        if not key:
            continue
        for i in first_seen.get(key, []):
            if not keep[i]:
                continue
            length = 0
            while (
                j + length < len(keys) and i + length < j and keys[i + length] == keys[j + length]
            ):
                length += 1
            size = sum(len(keys[j + t]) for t in range(length))
            if size >= REPEAT_MIN_CHARS:
                for t in range(length):
                    keep[j + t] = False
                break
        first_seen.setdefault(key, []).append(j)
    return [block for block, kept in zip(blocks, keep, strict=True) if kept]


def clean_body(
    blocks: list[Block],
    *,
    title: str,
    summary: str | None,
    site_boilerplate: Callable[[str], bool] | None = None,
) -> Body:
    """Run every step: the article's own paragraphs, its images, and its byline.

    `site_boilerplate` tells lines this site repeats on most of its pages (learned).
    """
    blocks = drop_boilerplate(blocks)
    if site_boilerplate is not None:
        blocks = [b for b in blocks if b.is_image or not site_boilerplate(b.text)]
    blocks, tail = cut_tail(blocks)
    blocks = drop_repeats(blocks)
    blocks, images = attach_captions(blocks, title)
    blocks = drop_leading(blocks, title, summary)
    blocks, lead_source = take_lead_source(blocks)
    blocks, author, source = take_bylines(blocks, tail)
    paragraphs = [b.text for b in blocks if b.text]
    return Body(paragraphs, images, author, source or lead_source)
