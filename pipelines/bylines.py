"""Who wrote an article and where it came from: bylines, labelled credits, lead sources.

Bylines sit in the last lines of a body ("Thanh Hà/Báo Tin tức", "PV", "Nguồn: …"), in
labelled lines around it ("Tác giả: …"), or at the start of the lead ("(PLVN) - …").
"""

from __future__ import annotations

import re

from pipelines.blocks import Block
from pipelines.fields import starts_with_label
from pipelines.patterns import patterns
from pipelines.text import ends_sentence

_BARE_LABEL = re.compile(
    r"^(tác giả(?: bài viết)?|người viết|thực hiện|nguồn(?: tin)?|tin, ảnh|bài, ảnh)\s*:?\s*$", re.I
)
_AUTHOR_LABEL = re.compile(
    r"^(?:(?:tác giả(?: bài viết)?|người viết|thực hiện)\s*:?|bt\s*:)\s*", re.I
)
_NAME_WORD = re.compile(r"^[A-ZĐÀ-Ỹ][\wÀ-ỹ]*\.?$")
_AFFILIATION = re.compile(r"^(?P<name>[^()]+?)\s*\((?:theo\s+)?(?P<org>[^()]{2,60})\)$", re.I)
# "Thanh Hà/Báo Tin tức", "Xuân Tiến/TTXVN": no spaces around the slash in a name/newsroom pair.
_SLASHED = re.compile(r"^(?P<name>[^/()]{2,40}?)\s?/\s?(?P<org>[^/()]{2,60})$")
# Offices that sign ward and district news in place of a reporter.
_UNIT = re.compile(
    r"^(?:Phòng|Văn phòng|Ban|Trung tâm|UBND|Ủy ban|Uỷ ban|Đài|Hội|Công an|Đoàn|Mặt trận|Chi cục|"
    r"Cục|Sở|Bộ phận|Tổ|Đảng ủy|Đảng uỷ|Huyện ủy|Quận ủy|Thị ủy|Hội đồng)\s+\S"
)
UNIT_MAX_CHARS = 70
_NAME_JOINERS = frozenset(("-", "–", ",", "và", "&", "/"))


def _is_name(text: str) -> bool:
    """A byline that is only a name ("Hà Vân", "Nguyễn Thị Thanh Thủy", "Minh Anh - Hoàng Long"),
    maybe with its newsroom ("Xuân Tiến (TTXVN)", "Thanh Hà/Báo Tin tức")."""
    core = _split_affiliation(text.strip())[0]
    parts = [p for p in re.split(r"\s*[-–,]\s*|\s+", core) if p]
    if not 2 <= len(parts) <= 8 or len(core) > 60 or any(ch.isdigit() for ch in core):
        return False
    return all(_NAME_WORD.match(part) for part in parts)


def _split_affiliation(byline: str) -> tuple[str, str | None]:
    """ "Thanh Thủy (Trung tâm VH-TT-TT)" → ("Thanh Thủy", "Trung tâm VH-TT-TT");
    "Thanh Hà/Báo Tin tức" → ("Thanh Hà", "Báo Tin tức"); a labelled source in the brackets
    keeps only its name."""
    match = _AFFILIATION.match(byline) or _SLASHED.match(byline)
    if not match:
        return byline, None
    organisation = match.group("org").strip()
    labelled = _labelled_credit(organisation)  # "Hoàng Yến (Nguồn: Trung tâm TT-VH)"
    if labelled is not None and labelled[1]:
        organisation = labelled[1]
    return match.group("name").strip(), organisation


def _is_unit(text: str) -> bool:
    """A byline naming an office ("Phòng Văn hóa và Thông tin quận", "Ban Tuyên giáo Huyện ủy")."""
    return (
        len(text) <= UNIT_MAX_CHARS
        and not ends_sentence(text)
        and not any(ch.isdigit() for ch in text)
        and bool(_UNIT.match(text))
    )


def split_credit(text: str | None) -> tuple[str | None, str | None]:
    """(author, source) from an author element's text.

    "Tác giả: Xuân Tiến (TTXVN)" → ("Xuân Tiến", "TTXVN"); "Theo Báo Nghệ An" → (None, "Báo
    Nghệ An"): a newspaper's author box also carries the source of a reprinted article.
    """
    if not text:
        return None, None
    credit = _labelled_credit(text)
    if credit is not None:
        return credit
    name, organisation = _split_affiliation(_AUTHOR_LABEL.sub("", text).strip())
    return name or None, organisation


def split_credit_parts(parts: list[str]) -> tuple[str | None, str | None]:
    """split_credit for an author box whose text comes in pieces ("Thu Trang" in a link, "Báo
    Quảng Ninh" in a role span)."""
    author, source = split_credit(" ".join(parts))
    if author is None or len(parts) < 2:
        return author, source
    # Several reporters, each in a link: "Thanh Hương" "-" "Quang Phong".
    names = [part for part in parts if part not in _NAME_JOINERS]
    if len(names) > 1 and len(names) < len(parts) and all(_is_name(n) for n in names):
        return " - ".join(names), source
    # Capitalised words all look alike ("Thu Trang Báo Quảng Ninh"): the box's first piece
    # that is a name is the author, the rest its newsroom.
    for part in parts:
        piece = _AUTHOR_LABEL.sub("", part).strip()
        if _is_name(piece) or _is_unit(piece):
            return _split_affiliation(piece)[0], source
    return author, source


def guess_credit(parts: list[str]) -> tuple[str | None, str | None]:
    """split_credit for an element only guessed to be a byline (named "author", "by-line"):
    kept only when what is left looks like a person's or an office's name, not "bởi admin",
    "Tên *" (a comment form) or a meta line with the date and view count."""
    author, source = split_credit_parts(parts)
    if author is not None and not (_is_name(author) or _is_unit(author)):
        return None, source
    return author, source


def _match_named(text: str, rules: tuple[re.Pattern[str], ...]) -> re.Match[str] | None:
    for rule in rules:
        match = rule.match(text)
        if match:
            return match
    return None


def _labelled_credit(text: str) -> tuple[str | None, str | None] | None:
    """(author, source) of a labelled byline line ("Bài, ảnh: Hoàng Nguyên (TTXVN)",
    "Nguồn: Báo Nghệ An"), or None when the line is no labelled byline."""
    rules = patterns()
    named = _match_named(text, rules.author_lines)
    if named:
        return _split_affiliation(named.group("name").strip())
    sourced = _match_named(text, rules.source_lines)
    if sourced:
        name = sourced.groupdict().get("name")
        return None, name.strip() if name else None
    return None


def take_bylines(
    blocks: list[Block], tail: list[Block]
) -> tuple[list[Block], str | None, str | None]:
    """(blocks without bylines, author, source) from the last lines of the body and its tail."""
    author: str | None = None
    source: str | None = None
    for block in tail:
        credit = None if block.is_image else _labelled_credit(block.text)
        if credit:
            author, source = author or credit[0], source or credit[1]
    kept = list(blocks)
    # Bylines sit in the last lines; look at no more than three of them.
    for _ in range(3):
        if not kept or kept[-1].is_image:
            break
        text = kept[-1].text.strip()
        credit = _labelled_credit(text)
        if credit is not None:
            author, source = author or credit[0], source or credit[1]
        elif author is None and _is_name(text):
            author, affiliation = _split_affiliation(text)
            source = source or affiliation
        elif author is None and kept[-1] is blocks[-1] and _is_unit(text):
            author = text
        else:
            break
        kept.pop()
    return kept, author, source


def split_lead_source(text: str) -> tuple[str, str | None]:
    """ "(PLVN) - Ngày 17/7, …" → ("Ngày 17/7, …", "PLVN")."""
    match = patterns().lead_source.match(text)
    if not match:
        return text, None
    return text[match.end() :].strip(), match.group("name").strip()


def bylines_in(lines: list[str]) -> tuple[str | None, str | None]:
    """(author, source) named by labelled lines ("Tác giả: …", "Nguồn tin: …") anywhere."""
    author = source = None
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        # A label and its value in separate elements ("Tác giả" / "Thu Trang").
        bare = _BARE_LABEL.match(line)
        if bare and following and len(following) <= 80 and not starts_with_label(following):
            line = f"{bare.group(1)}: {following}"
        credit = _labelled_credit(line)
        if credit:
            author, source = author or credit[0], source or credit[1]
    return author, source


def take_lead_source(blocks: list[Block]) -> tuple[list[Block], str | None]:
    """ "(PLVN) - Ngày 17/7, …" → source "PLVN", and the lead without it."""
    for index, block in enumerate(blocks):
        if block.is_image:
            continue
        match = patterns().lead_source.match(block.text)
        if not match:
            return blocks, None
        rest = block.text[match.end() :].strip()
        updated = list(blocks)
        updated[index] = Block(rest, caption_like=block.caption_like, group=block.group)
        return [b for b in updated if b.is_image or b.text], match.group("name").strip()
    return blocks, None
