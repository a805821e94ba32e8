"""Reading an article element into ordered blocks: paragraphs and images.

A block is one paragraph of text or one image, with the hints later steps
need (is it styled like a caption, does it share a figure or table with an
image). The walk is iterative, so very deep pages cannot overflow the stack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement
from w3lib.url import safe_url_string

from pipelines.html import is_hidden
from pipelines.text import clean_text, ends_paragraph

BLOCK_TAGS = frozenset(
    "address article aside blockquote caption center dd details div dl dt fieldset figcaption"
    " figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary"
    " table tbody td tfoot th thead tr ul".split()
)
SKIP_TAGS = frozenset(
    "script style noscript template iframe object embed svg canvas video audio map button"
    " select input textarea head title meta link".split()
)
_EMBEDS = frozenset(("iframe", "video", "object", "embed"))
HEADING_TAGS = frozenset("h1 h2 h3 h4 h5 h6".split())
GROUP_TAGS = frozenset(("figure", "table"))
ITALIC_TAGS = frozenset(("em", "i"))
LAZY_SRC = ("data-src", "data-original", "data-lazy-src", "data-srcset", "src")
_CAPTION_CLASS = re.compile(r"caption|desc|chu-?thich|chuthich|image_?note|img-?note|legend", re.I)
_CENTERED = re.compile(r"text-align\s*:\s*center", re.I)
_NOT_CONTENT_IMAGE = re.compile(
    r"(?:^|[/_.-])(?:icon|icons|ico|spacer|blank|pixel|transparent|logo|banner|btn|button|print|email|"
    r"mail|share|sharing|social|fb|facebook|zalo|twitter|google|youtube|rss|arrow|bullet|emoticon|"
    r"smiley|loading|captcha|qrcode|qr-code|adobe|pdf|doc|word|excel|avatars?)"
    r"(?:[/_.-]|\d|$)",
    re.I,
)
# Pictures a page names as chrome: an author's avatar, a logo, an icon.
_NOT_CONTENT_NAME = re.compile(r"(?i)avatar|logo|icon|emoji|banner")
LINK_BLOCK_SHARE = 0.6
# A table cell holding at most this much text can be a figure in a row of figures.
DATA_CELL_CHARS = 150
_BYLINE_LABEL = re.compile(
    r"(?i)^(?:nguồn(?: tin)?|tác giả(?: bài viết)?|người viết|tin(?:,| và)? ảnh|bài(?:,| và)? ảnh"
    r"|thực hiện|link (?:bài )?gốc)\s*:"
)
_LIST_MARKER = re.compile(r"^(?:[-–—+•*·]|\d{1,2}[.)]|[a-zđ][.)])\s")


@dataclass
class Block:
    """A paragraph (text) or an image (image_url set) in reading order."""

    text: str = ""
    image_url: str | None = None
    alt: str = ""
    caption_like: bool = False
    heading: bool = False
    group: int | None = None
    link_share: float = 0.0  # how much of the text is link text
    in_figure: bool = False  # an image in a <figure>, whose caption belongs inside it

    @property
    def is_links(self) -> bool:
        """Mostly link text: an item of a related-news list, not a paragraph."""
        return self.link_share >= LINK_BLOCK_SHARE

    @property
    def is_image(self) -> bool:
        """An image, or ("" url) an inline data: image that is not kept but owns a caption."""
        return self.image_url is not None


def image_url(element: HtmlElement, base_url: str) -> str | None:
    """The absolute URL of a content image, or None for icons, spacers and data: URIs."""
    src = ""
    for attribute in LAZY_SRC:
        src = (element.get(attribute) or "").strip()
        if src:
            break
    if attribute == "data-srcset" and src:
        src = src.split(",")[0].split()[0]
    if not src or src.startswith(("data:", "javascript:", "about:")):
        return None
    if _NOT_CONTENT_IMAGE.search(src.rsplit("?", 1)[0]):
        return None
    if _tiny(element) or _NOT_CONTENT_NAME.search(f"{element.get('class')} {element.get('id')}"):
        return None
    return safe_url_string(urljoin(base_url, src))


def _tiny(element: HtmlElement) -> bool:
    """An icon or a spacer pixel: under 40 px wide or high, by attribute or inline style."""
    style = (element.get("style") or "").replace(" ", "").lower()
    for size in ("width", "height"):
        value = (element.get(size) or "").strip().removesuffix("px")
        found = re.search(rf"(?:^|;){size}:(\d+)px", style)
        if (value.isdigit() and int(value) < 40) or (found and int(found.group(1)) < 40):
            return True
    return False


def _named_caption(element: HtmlElement) -> bool:
    """A caption element, or one whose name says it holds one ("photo-gallery__caption")."""
    return element.tag in ("figcaption", "caption") or bool(
        _CAPTION_CLASS.search(element.get("class") or "")
        or _CAPTION_CLASS.search(element.get("id") or "")
    )


def _caption_like(element: HtmlElement) -> bool:
    if _named_caption(element):
        return True
    return bool(_CENTERED.search(element.get("style") or "") or element.get("align") == "center")


def split_lines(raw: str) -> list[str]:
    """Turn text with <br> breaks (\\n) into paragraphs.

    Two breaks end a paragraph. One break ends it only after a sentence, or
    before a list item or a labelled byline ("Nguồn: …"); otherwise it is a line
    wrapped by hand ("Đồng chí … Chủ tịch UBND quận<br>phát biểu …") and the
    lines are joined.
    """
    paragraphs: list[str] = []
    current: list[str] = []
    for chunk in re.split(r"\n\s*\n", raw):
        lines = [clean_text(line) for line in chunk.split("\n")]
        for line in (line for line in lines if line):
            starts = _LIST_MARKER.match(line) or _BYLINE_LABEL.match(line)
            if current and (ends_paragraph(current[-1]) or starts):
                paragraphs.append(" ".join(current))
                current = []
            current.append(line)
        if current:
            paragraphs.append(" ".join(current))
            current = []
    return paragraphs


class _Reader:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.italic_chars = 0
        self.all_chars = 0
        self.italic_depth = 0
        self.link_chars = 0
        self.link_depth = 0
        # Text inside an element named as a caption ("photo-gallery__caption", "chu-thich").
        self.caption_chars = 0
        self.caption_depth = 0
        self.block_stack: list[HtmlElement] = []
        self.groups = 0
        self.group_stack: list[int] = []
        self.figure_groups: set[int] = set()

    def line_break(self) -> None:
        self.buffer.append("\n")

    def text(self, value: str | None) -> None:
        if not value:
            return
        # Newlines in the HTML source are only whitespace; <br> alone breaks lines.
        self.buffer.append(value.replace("\r", " ").replace("\n", " "))
        size = len(value.strip())
        self.all_chars += size
        if self.italic_depth:
            self.italic_chars += size
        if self.link_depth:
            self.link_chars += size
        if self.caption_depth:
            self.caption_chars += size

    def flush(self) -> None:
        raw = "".join(self.buffer)
        self.buffer.clear()
        italic = self.all_chars > 0 and self.italic_chars >= 0.8 * self.all_chars
        italic = italic or (self.all_chars > 0 and self.caption_chars >= 0.8 * self.all_chars)
        link_share = self.link_chars / self.all_chars if self.all_chars else 0.0
        self.italic_chars = self.all_chars = self.link_chars = self.caption_chars = 0
        container = self.block_stack[-1] if self.block_stack else None
        hinted = italic or (container is not None and _caption_like(container))
        heading = container is not None and container.tag in HEADING_TAGS
        group = self.group_stack[-1] if self.group_stack else None
        for paragraph in split_lines(raw):
            self.blocks.append(
                Block(
                    paragraph,
                    caption_like=hinted,
                    heading=heading,
                    group=group,
                    link_share=link_share,
                )
            )

    def placeholder(self) -> None:
        """Media that is not kept (a base64 picture, a video) but owns the caption below it."""
        self.flush()
        group = self.group_stack[-1] if self.group_stack else None
        self.blocks.append(Block(image_url="", group=group))

    def image(self, element: HtmlElement) -> None:
        url = image_url(element, self.base_url)
        if url is None:
            if (element.get("src") or "").strip().startswith("data:image") and not _tiny(element):
                self.placeholder()
            return
        self.flush()
        group = self.group_stack[-1] if self.group_stack else None
        alt = clean_text(element.get("alt") or element.get("title") or "")
        self.blocks.append(
            Block(image_url=url, alt=alt, group=group, in_figure=group in self.figure_groups)
        )


def _data_row(row: HtmlElement) -> list[HtmlElement]:
    """The cells of a table row of figures ("Hộ tịch | 1.126 | 100%"), read as one line; [] for
    a layout row (an image, a long text, nested blocks), whose cells are paragraphs."""
    cells = [cell for cell in row if cell.tag in ("td", "th")]
    if len(cells) < 2:
        return []
    for cell in cells:
        if cell.find(".//img") is not None or cell.find(".//table") is not None:
            return []
        if len(cell.xpath(".//p | .//div | .//li | .//br")) > 1:
            return []
        if len(clean_text(cell.text_content())) > DATA_CELL_CHARS:
            return []
    return cells


def read_blocks(root: HtmlElement, base_url: str) -> list[Block]:
    """The paragraphs and images under `root`, in document order."""
    reader = _Reader(base_url)
    walker = etree.iterwalk(root, events=("start", "end"))
    inline: set[HtmlElement] = set()  # cells of data rows, and the blocks inside them
    for event, element in walker:
        tag = element.tag if isinstance(element.tag, str) else ""
        skipped = tag in SKIP_TAGS or not tag or is_hidden(element)
        if element in inline:
            if event == "start":
                reader.text(" ")
                reader.text(element.text)
            else:
                reader.text(" ")
                reader.text(element.tail)
            continue
        if event == "start":
            if skipped:
                if tag in _EMBEDS:
                    reader.placeholder()  # a video is not kept, but its caption is no text
                walker.skip_subtree()
                continue
            if tag == "tr":
                for cell in _data_row(element):
                    inline.update(e for e in cell.iter() if e.tag in BLOCK_TAGS)
            if tag == "img":
                reader.image(element)
            elif tag == "br":
                reader.line_break()
            elif tag in BLOCK_TAGS:
                reader.flush()
                reader.block_stack.append(element)
                if tag in GROUP_TAGS:
                    reader.groups += 1  # a number, not id(): lxml proxies die and ids are reused
                    reader.group_stack.append(reader.groups)
                    if tag == "figure":
                        reader.figure_groups.add(reader.groups)
                    if (
                        tag == "figure"
                        and element.find(".//img") is None
                        and element.find(".//table") is None  # WordPress wraps tables so
                    ):
                        reader.placeholder()  # a video or embed, maybe removed already
            if tag in ITALIC_TAGS:
                reader.italic_depth += 1
            if tag == "a":
                reader.link_depth += 1
            if _named_caption(element):
                reader.caption_depth += 1
            reader.text(element.text)
            continue
        if skipped:
            if element is not root:
                reader.text(element.tail)
            continue
        if tag in ITALIC_TAGS:
            reader.italic_depth -= 1
        if tag == "a":
            reader.link_depth -= 1
        if _named_caption(element):
            reader.caption_depth -= 1
        if tag in BLOCK_TAGS:
            reader.flush()
            reader.block_stack.pop()
            if tag in GROUP_TAGS:
                reader.group_stack.pop()
        if element is not root:
            reader.text(element.tail)
    reader.flush()
    return reader.blocks
