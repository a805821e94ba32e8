"""Finding an article in a page of unknown layout.

Paragraph text scores its container and, half as much, the container's
parent; links, and names like "menu", "footer" or "tin-khac", count against;
names like "content" or "chi-tiet" count for. The best-scoring element is the
article body. Used when no platform profile applies, or its selectors miss.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from pipelines.html import is_hidden
from pipelines.text import clean_text

# Boxes around an article that point to other articles: chrome on an article page, but
# the list itself on a list page (NukeViet prints its category lists as "ul.related").
ARTICLE_CHROME = re.compile(r"(?i)related|lien-?quan|tin-?khac|other")
CHROME = re.compile(
    # An item's own header (Joomla's page-header, WordPress's entry-header) is not chrome.
    r"(?i)menu|\bnav|footer|(?<!page-)(?<!entry-)(?<!post-)(?<!article-)(?<!item-)header|"
    r"sidebar|side-bar|breadcrumb|banner|comment|binh-?luan|related|"
    r"lien-?quan|tin-?khac|other|share|social|widget|module-?(?:left|right)|counter|thong-?ke|"
    r"advert|quang-?cao|\bads?\b|popup|cookie|login|search|tag|copyright|pager|pagination|slide|"
    r"most|popular|xem-?nhieu|doc-?nhieu|rank|trending|hot-?news|tin-?moi|newest|latest|top-?hits|"
    r"hot-?events?|hot-?topics?|marquee|ticker|chay-?chu|"
    r"(?:right|left)-?col(?:umn)?\b|col(?:umn)?-?(?:right|left)\b"
)
# A left or right column is the sidebar unless the layout grid makes it the widest: many
# themes put the main column on the left and call it "col-left col-md-9".
COLUMN = re.compile(r"(?i)(?:right|left)-?col(?:umn)?\b|col(?:umn)?-?(?:right|left)\b")
CONTENT = re.compile(
    r"(?i)content|article|detail|chi-?tiet|noi-?dung|body|post|entry|news-?text|main-?text|"
    r"journal|story|fulltext|bodytext|rte"
)
# Not "form": ASP.NET pages wrap the whole page in one.
SKIP_TAGS = frozenset(
    ("script", "style", "noscript", "nav", "header", "footer", "aside", "marquee")
)
PARAGRAPH_TAGS = ("p", "div", "td", "li", "blockquote", "pre")
# Bare text in these is a paragraph of the element itself, not of its parent.
TEXT_HOLDERS = frozenset(("div", "td"))
MIN_PARAGRAPH_CHARS = 25
INLINE_TAGS = frozenset(("a", "b", "strong", "em", "i", "span", "font", "u", "br", "sup", "sub"))
INVISIBLE = frozenset(("script", "style", "noscript", "template", "head", "title", "meta", "link"))
# A container holding this share of the page's text is the page's main part, never chrome.
MAIN_SHARE = 0.4
CONTAINERS = frozenset(("div", "section", "ul", "table", "td", "aside"))
# An <article>'s own <header> and <footer> hold its title and byline, not page chrome.
ARTICLE_PARTS = frozenset(("header", "footer"))


def _names(element: HtmlElement) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}"


def _link_density(element: HtmlElement, size: int) -> float:
    linked = sum(len(clean_text(a.text_content())) for a in element.iter("a"))
    return min(linked / size, 1.0) if size else 1.0


def _own_text(element: HtmlElement) -> str:
    """Text directly in this element and its inline children, not in nested blocks."""
    if element.tag == "p":
        return clean_text(element.text_content())
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag in INLINE_TAGS:
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return clean_text(" ".join(parts))


class Chrome:
    """Tells whether an element sits in the page's chrome (menus, sidebars, related boxes).

    Names decide ("sidebar", "tin-khac", "xem-nhieu"), except for a container that holds a
    large part of the page's text: that is the page itself, whatever a theme calls its main
    column ("col-left", "widget-area").
    """

    def __init__(self, doc: HtmlElement, *, lists: bool = False) -> None:
        """`lists`: judging a list page, where related-news names are not chrome."""
        self.lists = lists
        self.sizes: dict[HtmlElement, int] = {}
        for _, element in etree.iterwalk(doc, events=("end",)):
            if not isinstance(element.tag, str) or element.tag in INVISIBLE:
                self.sizes[element] = 0  # scripts, styles, JSON-LD: not page text
                continue
            size = len((element.text or "").strip())
            for child in element:
                size += self.sizes.get(child, 0) + len((child.tail or "").strip())
            self.sizes[element] = size
        self.large = MAIN_SHARE * self.sizes.get(doc, 0)
        self.main_columns: dict[HtmlElement, bool] = {}  # _widest, once per column

    def __call__(self, element: HtmlElement) -> bool:
        ancestors = list(element.iterancestors())
        in_article = any(ancestor.tag == "article" for ancestor in ancestors)
        if is_hidden(element) or any(is_hidden(ancestor) for ancestor in ancestors):
            return True  # a hidden print copy of the body, a collapsed tab: not what is read
        for ancestor in ancestors:
            if ancestor.tag in SKIP_TAGS and not (in_article and ancestor.tag in ARTICLE_PARTS):
                return True
            if self.sizes.get(ancestor, 0) >= self.large:
                continue
            names = _names(ancestor)
            if ancestor.tag in CONTAINERS and CHROME.search(names) and not CONTENT.search(names):
                if self.lists and not CHROME.search(ARTICLE_CHROME.sub("", names)):
                    continue
                if not CHROME.search(COLUMN.sub("", names)) and self._main_column(ancestor):
                    continue
                return True
        return False

    def _main_column(self, column: HtmlElement) -> bool:
        # Asked for every link inside the column: the answer scans the column and its siblings.
        if column not in self.main_columns:
            self.main_columns[column] = self._widest(column)
        return self.main_columns[column]

    def _widest(self, column: HtmlElement) -> bool:
        """Whether a column is the page's main one: wider than every sibling column, or,
        with no grid to say so, the only one holding the breadcrumb, the pager or the h1."""
        parent = column.getparent()
        siblings = [] if parent is None else [e for e in parent if e is not column]
        width = grid_width(column)
        # Only the layout's grid says which column is wider; text may lie (a long sidebar).
        if width is not None:
            return all((grid_width(e) or 0) < width for e in siblings)
        if any(grid_width(e) is not None for e in siblings):
            return False
        return _holds_page_marks(column) and not any(_holds_page_marks(e) for e in siblings)


PAGE_MARKS = re.compile(r"(?i)breadcrumb|pag(?:ing|er|ination)|currentpage")


def _holds_page_marks(element: HtmlElement) -> bool:
    """A breadcrumb, a pager or the h1 inside: what a sidebar never carries."""
    for inner in element.iter():
        if not isinstance(inner.tag, str):
            continue
        if inner.tag == "h1" or PAGE_MARKS.search(_names(inner)):
            return True
    return False


def text_weight(element: HtmlElement) -> int:
    """How much text of its own an element holds: all its text, less the text of its links."""
    size = len(clean_text(element.text_content()))
    linked = sum(len(clean_text(a.text_content())) for a in element.iter("a"))
    return size - linked


def find_content(doc: HtmlElement) -> HtmlElement | None:
    """The element holding the article's paragraphs, or None when the page has none."""
    in_chrome = Chrome(doc)
    scores: dict[HtmlElement, float] = {}
    for element in doc.iter(*PARAGRAPH_TAGS):
        text = _own_text(element)
        if len(text) < MIN_PARAGRAPH_CHARS or in_chrome(element):
            continue
        score = 1 + text.count(",") + min(len(text) / 100, 3)
        holder = element if element.tag in TEXT_HOLDERS else element.getparent()
        if holder is None:
            continue
        scores[holder] = scores.get(holder, 0) + score
        grandparent = holder.getparent()
        if grandparent is not None:
            scores[grandparent] = scores.get(grandparent, 0) + score / 2
    best: HtmlElement | None = None
    best_score = 0.0
    for element, score in scores.items():
        if element.tag in ("html", "body"):
            continue
        size = len(clean_text(element.text_content()))
        names = _names(element)
        weight = 1.0 - _link_density(element, size)
        if CONTENT.search(names):
            weight *= 1.5
        if CHROME.search(names) and not CONTENT.search(names):
            weight *= 0.2
        final = score * weight
        if final > best_score:
            best, best_score = element, final
    return best


def find_heading(doc: HtmlElement, content: HtmlElement | None) -> HtmlElement | None:
    """The headline: the last h1/h2 before the content (or its first), else the page's first h1."""
    headings = doc.xpath("//h1 | //h2")
    if content is not None:
        order = {element: i for i, element in enumerate(doc.iter())}
        start = order.get(content, 0)
        in_chrome = Chrome(doc)
        before = [h for h in headings if order.get(h, 0) < start and clean_text(h.text_content())]
        before = [h for h in before if not in_chrome(h)]
        if before:
            h1s = [h for h in before if h.tag == "h1"]
            return (h1s or before)[-1]
        inside = [h for h in content.iter("h1", "h2") if clean_text(h.text_content())]
        if inside:
            return inside[0]
    h1s = [h for h in doc.iter("h1") if clean_text(h.text_content())]
    return h1s[0] if h1s else None


SUMMARY = re.compile(
    r"(?i)(?:^|[\s_-])(?:sapo|summary|lead|hometext|description|desc|tom-?tat|trich-?yeu|intro|excerpt|"
    r"abstract|chapeau|teaser|brief)(?:$|[\s_-])"
)
SUMMARY_CHARS = (30, 800)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def find_summary(region: HtmlElement, body: HtmlElement) -> HtmlElement | None:
    """A lead (sapo) element near the article, outside its body, marked as such by its name."""
    inside_body = set(body.iter())
    in_chrome = Chrome(region.getroottree().getroot())
    for element in region.iter():
        if element in inside_body or not isinstance(element.tag, str):
            continue
        # camelCase names count word by word: "newsSummary" is a summary.
        names = _CAMEL.sub("-", _names(element))
        if not SUMMARY.search(names) or in_chrome(element):
            continue
        size = len(clean_text(element.text_content()))
        if SUMMARY_CHARS[0] <= size <= SUMMARY_CHARS[1] and not element.xpath(
            ".//a[string-length(normalize-space()) > 30]"
        ):
            return element
    return None


BYLINE = re.compile(r"(?i)(?:^|[\s_-])(?:by-?line|author|tac-?gia|nguoi-?viet|writer)(?:$|[\s_-])")
BYLINE_CHARS = (3, 80)


def find_byline(region: HtmlElement) -> HtmlElement | None:
    """An element named as the byline ("by-line", "author", "tac-gia") with a short text."""
    for element in region.iter():
        if not isinstance(element.tag, str):
            continue
        # Named by class or id, or marked up for search engines (Joomla's itemprop="author").
        if not BYLINE.search(f"{_names(element)} {element.get('itemprop') or ''}"):
            continue
        size = len(clean_text(element.text_content()))
        if BYLINE_CHARS[0] <= size <= BYLINE_CHARS[1]:
            return element
    return None


_GRID = re.compile(
    r"(?:^|\s)(?:col-(?P<size>xs|sm|md|lg|xl)-|col-|span|(?:small|medium|large)-)(?P<width>\d{1,2})(?=\s|$)"
)


def column_width(link: HtmlElement) -> int | None:
    """The width of the outermost grid column (Bootstrap col-md-9, span8, large-8) around a
    link: page layouts split into a wide main column and a narrow sidebar."""
    width = None
    for ancestor in link.iterancestors():
        width = grid_width(ancestor) or width
    return width


def grid_width(element: HtmlElement) -> int | None:
    """The grid width a layout class gives an element (col-md-9 → 9), or None."""
    found = {
        m.group("size") or "": int(m.group("width"))
        for m in _GRID.finditer(element.get("class") or "")
    }
    if not found:
        return None
    return found.get("md") or found.get("lg") or found.get("sm") or max(found.values())
