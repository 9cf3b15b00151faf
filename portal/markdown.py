"""The portal's one Markdown renderer, used for notices and best practices alike.

Officials write Markdown; readers get HTML sanitised by nh3 against an explicit allowlist.
Python-Markdown does no sanitising of its own (link destinations pass through it untouched),
so nothing it emits is trusted until nh3 has run over it.

Decisions, each pinned by a test in tests/portal/test_markdown.py:

- Raw HTML in the source is escaped, not interpreted: officials quote attack payloads in
  notices, and escaping keeps them readable where stripping would silently lose them.
- Link destinations: http, https and mailto URLs are kept, and so are site paths starting
  with a single ``/``. Document-relative paths, ``?query`` and ``#fragment`` are dropped: a
  notice is shown at several addresses (list, detail, e-mail) where they would point to
  different places, and headings carry no ids to jump to.
- Protocol-relative destinations (``//host``, ``/\\host``) are dropped: they leave the site
  while looking like local paths. Authors write ``https://`` instead.
- A dropped destination leaves the link text inside an ``<a>`` without ``href``, which
  browsers neither follow nor focus.
- Images are not rendered; ``![alt](url)`` stays as literal text. Remote images would tell
  whoever hosts them which officials read a notice, and when.
- Table cells keep ``align`` (only ``left``, ``center`` or ``right``): it is the one way to
  right-align numeric columns without allowing ``style``.
- Headings move one level down (``#`` is ``<h2>``), since the page's ``<h1>`` is the title.

Hostile input must not make rendering crash or hang, so two parser limits apply: containers
(lists, quotes, definition lists) nest at most ``_MAX_NESTING`` deep, deeper text staying a
plain paragraph, and the link parser gives up on a bracket after a bounded scan, leaving it
as text. Ordinary documents never come near either. Python-Markdown still has slow corners
that these do not cover (tens of thousands of headings or abbreviation definitions with no
blank line between them take minutes near ``MAX_SOURCE_LENGTH``), so render when a text is
saved, not on every page view.
"""

import re
import xml.etree.ElementTree as etree

import markdown
import nh3
from django.utils.translation import gettext as _
from markdown.extensions import Extension
from markdown.inlinepatterns import (
    LINK_RE,
    REFERENCE_RE,
    LinkInlineProcessor,
    ReferenceInlineProcessor,
    ShortReferenceInlineProcessor,
)
from markdown.treeprocessors import Treeprocessor

MAX_SOURCE_LENGTH = 200_000
# Python-Markdown's time grows with the square of the number of lines (headings above
# all) and of abbreviation definitions: 4,000 one-line headings take seconds. Real notices
# and guidance stay far below these; anything above is refused before it is rendered.
MAX_LINES = 3_000
MAX_ABBREVIATIONS = 100
_ABBREVIATION_DEFINITION = re.compile(r"^[ ]{0,3}\*\[", re.MULTILINE)


def size_problem(text: str) -> str | None:
    """Why ``text`` is too big to render promptly, in words for its author, or None."""
    if len(text) > MAX_SOURCE_LENGTH:
        return _("The text is longer than %(n)d characters.") % {"n": MAX_SOURCE_LENGTH}
    if text.count("\n") + 1 > MAX_LINES:
        return _("The text has more than %(n)d lines.") % {"n": MAX_LINES}
    if len(_ABBREVIATION_DEFINITION.findall(text)) > MAX_ABBREVIATIONS:
        return _("The text defines more than %(n)d abbreviations.") % {"n": MAX_ABBREVIATIONS}
    return None


_ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
    "h2", "h3", "h4", "h5", "h6", "del", "sup", "sub", "abbr", "dl", "dt", "dd",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}}
_ALIGNMENTS = {"left", "center", "right"}
_ALLOWED_ATTRIBUTE_VALUES = {"th": {"align": _ALIGNMENTS}, "td": {"align": _ALIGNMENTS}}
_SHIFTED_HEADING = {f"h{level}": f"h{min(level + 1, 6)}" for level in range(1, 7)}
_URL_SCHEMES = {"http", "https", "mailto"}
_LINK_REL = "noopener noreferrer nofollow"

# What a browser ignores in a URL: surrounding C0 controls and spaces, and tabs and
# newlines anywhere (so "java\tscript:" is "javascript:"). Destinations are judged after
# the same clean-up, or the check and the browser would disagree about what they see.
_URL_EDGE_JUNK = "".join(map(chr, range(0x21)))
_URL_INNER_JUNK = re.compile(r"[\t\n\r]")
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_QUOTES = re.compile("[\"']")
_BRACKETS = re.compile(r"[\[\]]")
_ORDINAL = re.compile(r"[0-9]{1,9}")

# Python-Markdown keeps lone surrogates, which nh3 (Rust) cannot accept, and uses \x02 and
# \x03 as its own placeholders; no other C0 control is allowed in HTML text either.
_UNENCODABLE = re.compile(r"[\ud800-\udfff]")
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# Each nesting level costs the block parser three or four stack frames. Without a limit,
# 300 nested list items exhaust Python's recursion limit; with it, rendering needs about
# 110 frames whatever the input, so the result does not depend on the caller's depth.
_MAX_NESTING = 32
# The link parser scans forward from every "[" for its "]" and then its ")". Unbounded,
# "[" * 50_000 takes six minutes (and quadruple the length, sixteen times as long); with
# these bounds the worst case stays under a second. The scan for "]" is ours (getText
# below), whatever Python-Markdown's version: 3.11 replaced its own with one pass over the
# whole paragraph, redone after every link it finds, which a paragraph of thousands of
# links makes quadratic again, and which a window would redo at every bracket.
_LINK_WINDOW = 5_000
_LINK_SCAN_BUDGET = 2_000_000


def render_markdown(text: str) -> str:
    """Render Markdown source to sanitised HTML, ready for ``mark_safe``.

    Guarantees: the result only holds the allowlisted tags and attributes, every ``<a>`` has
    ``rel="noopener noreferrer nofollow"``, and every ``href`` is http, https, mailto or a
    site path. The same input always gives the same output. Blank input gives ``""``.
    Raises ``ValueError`` when ``size_problem(text)`` finds it too big (callers validate
    with that first), and nothing else on any ``str``.
    """
    problem = size_problem(text)
    if problem:
        raise ValueError(problem)
    if not text.strip():
        return ""
    text = _CONTROL_CHARACTERS.sub("", _UNENCODABLE.sub("\ufffd", text))
    # A fresh instance per call: Markdown objects hold per-document state (abbreviations,
    # reference links, the link budget) and are not thread-safe.
    converter = markdown.Markdown(
        extensions=[
            "tables",
            "fenced_code",
            "sane_lists",
            "def_list",
            "abbr",
            _PortalExtension(),
        ],
        extension_configs={"tables": {"use_align_attribute": True}},
        output_format="html",
    )
    html = converter.convert(text)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ALLOWED_ATTRIBUTES,
        tag_attribute_values=_ALLOWED_ATTRIBUTE_VALUES,
        attribute_filter=_filter_attribute,
        url_schemes=_URL_SCHEMES,
        link_rel=_LINK_REL,
        strip_comments=True,
    ).strip()


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Return the value to keep for an allowlisted attribute, or ``None`` to drop it."""
    if attribute == "href":
        return _safe_href(value)
    if tag == "ol" and attribute == "start":
        return value if _ORDINAL.fullmatch(value) else None
    return value


def _safe_href(url: str) -> str | None:
    """Return ``url`` as a browser would read it if it is an allowed destination, else None.

    ``url`` arrives with character references already decoded by nh3's HTML parser.
    """
    url = _URL_INNER_JUNK.sub("", url.strip(_URL_EDGE_JUNK))
    scheme = _URL_SCHEME.match(url)
    if scheme:
        return url if scheme.group()[:-1].lower() in _URL_SCHEMES else None
    if url.startswith("/") and not url.startswith(("//", "/\\")):
        return url
    return None


class _PortalExtension(Extension):
    """Escape raw HTML, drop images, shift headings and bound the parser's work."""

    def extendMarkdown(self, md):
        # Without these two, raw HTML passes through; without them it is text, escaped.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        for name in ("image_link", "image_reference", "short_image_ref"):
            md.inlinePatterns.deregister(name)
        budget = _ScanBudget()
        # Same names and priorities as the processors they replace.
        for cls, pattern, name, priority in (
            (_BoundedReference, REFERENCE_RE, "reference", 170),
            (_BoundedLink, LINK_RE, "link", 160),
            (_BoundedShortReference, REFERENCE_RE, "short_reference", 130),
        ):
            processor = cls(pattern, md)
            processor.budget = budget
            md.inlinePatterns.register(processor, name, priority)
        md.treeprocessors.register(_ShiftHeadings(md), "shift_headings", 1)
        _limit_nesting(md.parser)


class _ShiftHeadings(Treeprocessor):
    def run(self, root):
        for element in root.iter():
            if element.tag in _SHIFTED_HEADING:
                element.tag = _SHIFTED_HEADING[element.tag]


def _limit_nesting(parser) -> None:
    """Make ``parser`` keep blocks nested deeper than ``_MAX_NESTING`` as plain paragraphs.

    Every nested container re-enters ``parseBlocks``, so counting its active calls counts
    nesting independently of how deep the caller's own stack already is.
    """
    parse_blocks = parser.parseBlocks
    depth = 0

    def parse_blocks_within_limit(parent: etree.Element, blocks: list[str]) -> None:
        nonlocal depth
        if depth >= _MAX_NESTING:
            etree.SubElement(parent, "p").text = "\n\n".join(blocks)
            blocks.clear()
            return
        depth += 1
        try:
            parse_blocks(parent, blocks)
        finally:
            depth -= 1

    parser.parseBlocks = parse_blocks_within_limit


class _ScanBudget:
    """Characters the link processors of one document may still scan."""

    def __init__(self) -> None:
        self.left = _LINK_SCAN_BUDGET


class _BoundedScan:
    """Link parsing that looks at most ``_LINK_WINDOW`` characters ahead, within a budget.

    Past the window, or once the document's budget is spent, brackets stay literal text.
    """

    budget: _ScanBudget

    def getText(self, data, index):
        """The link text from ``index`` to its closing ``]`` (nested pairs included), the
        index past that ``]``, and whether it was found."""
        if self.budget.left <= 0:
            return "", index, False
        end = min(len(data), index + _LINK_WINDOW)
        depth = 1
        for bracket in _BRACKETS.finditer(data, index, end):
            depth += 1 if bracket.group() == "[" else -1
            if depth == 0:
                self.budget.left -= bracket.end() - index
                return data[index : bracket.start()], bracket.end(), True
        self.budget.left -= end - index
        return data[index:end], end, False

    def getLink(self, data, index):
        if self.budget.left <= 0:
            return "", None, index, False
        window = data[index : index + _LINK_WINDOW]
        href, title, end, handled = super().getLink(window, 0)
        if not handled:
            self.budget.left -= end
            return href, title, index, False
        if end <= 0 or (title is None and _QUOTES.search(window, 0, end)):
            # A title quote that never closed: Python-Markdown scanned the whole window, then
            # backed up to an earlier ")" or, finding none, to -1, which is no link at all.
            self.budget.left -= len(window)
            if end <= 0:
                return "", None, index, False
        else:
            self.budget.left -= end
        return href, title, index + end, True


class _BoundedLink(_BoundedScan, LinkInlineProcessor):
    pass


class _BoundedReference(_BoundedScan, ReferenceInlineProcessor):
    pass


class _BoundedShortReference(_BoundedScan, ShortReferenceInlineProcessor):
    pass
