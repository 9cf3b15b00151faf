"""What a state types never runs in another state's browser: script and event-handler
payloads in every text of a notice come out of the pages as text, not markup."""

from html.parser import HTMLParser

import pytest

from sharing.notices import services as notices

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("title")</script>'
IMAGE = "<img src=x onerror=alert(1)>"
SVG = '<svg onload="alert(2)">'
PAYLOADS = [SCRIPT, IMAGE, SVG]
BODY = "\n\n".join(
    [
        "## Indicators",
        SCRIPT,
        IMAGE,
        '<a href="javascript:alert(3)">details</a>',
        "[more details](javascript:alert(4))",
        '<div onmouseover="alert(5)">hover</div>',
        f"`{SCRIPT}` in code",
    ]
)


class Markup(HTMLParser):
    """Every tag of a page, to find what a browser would run."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.handlers: list[tuple[str, str]] = []
        self.scripts: list[str | None] = []
        self.script_urls: list[tuple[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append((tag, name))
            if (value or "").strip().lower().startswith(("javascript:", "vbscript:")):
                self.script_urls.append((tag, name))
        if tag == "script":
            self.scripts.append(dict(attrs).get("src"))


def assert_nothing_runs(html: str, where: str) -> None:
    markup = Markup(html)
    assert markup.handlers == [], where
    assert markup.script_urls == [], where
    # The portal's own scripts are files of its own; nothing inline, nothing typed in.
    assert all(src and src.startswith("/static/") for src in markup.scripts), (
        where,
        markup.scripts,
    )
    assert '<script>alert("title")' not in html, where
    assert "<img src=x" not in html, where


@pytest.fixture
def booby_trapped(make_notice, dk_officer, no_admin, no_viewer):
    """A published and amended notice with a payload in every text a reader sees."""
    notice = make_notice(
        title=f"Reseller {SCRIPT}",
        summary=f"Summary {IMAGE}\nsecond line {SVG}",
        body=BODY,
        entities=[
            {
                "name": f"Entity {IMAGE}",
                "aliases": [SCRIPT],
                "identifiers": [SVG],
                "notes": f"Notes {IMAGE}",
            }
        ],
        audience="subscribing",
    )
    notices.comment(notice, by=no_admin, body=f"Comment {SCRIPT} {IMAGE}")
    notices.acknowledge(notice, by=no_viewer, level="assessed", note=f"Note {SVG}")
    return notices.amend(
        notice,
        by=dk_officer,
        change_note=f"Change {IMAGE}",
        material=True,
        title=f"Reseller {SCRIPT} {SVG}",
        body=BODY + f"\n\n{SVG} added",
    )


@pytest.mark.parametrize("persona", ["dk_officer", "no_admin", "no_viewer"])
def test_payloads_come_out_of_every_notice_page_as_text(client, booby_trapped, persona, request):
    client.force_login(request.getfixturevalue(persona))
    pages = {
        "detail": booby_trapped.get_absolute_url(),
        "list": "/notices/",
        "dashboard": "/",
        "search": "/search/?q=Reseller",
    }
    for where, path in pages.items():
        response = client.get(path)
        assert response.status_code == 200, where
        html = response.content.decode()
        assert_nothing_runs(html, where)
        # Shown, escaped: the title is on every page. (Jinja2, which writes the rows of
        # the list, writes a quote as &#34; where Django writes &quot;.)
        html = html.replace("&#34;", "&quot;")
        assert "Reseller &lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;" in html, where


def test_every_text_of_the_notice_is_shown_escaped_on_its_page(client, booby_trapped, dk_officer):
    client.force_login(dk_officer)
    html = client.get(booby_trapped.get_absolute_url()).content.decode()
    escaped_image = "&lt;img src=x onerror=alert(1)&gt;"
    for text in [
        f"Summary {escaped_image}",  # summary
        f"Entity {escaped_image}",  # entity name
        f"Notes {escaped_image}",  # entity notes
        f"Comment &lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; {escaped_image}",
        f"Change {escaped_image}",  # change note
        "Note &lt;svg onload=&quot;alert(2)&quot;&gt;",  # acknowledgement note
        "+ &lt;svg onload=&quot;alert(2)&quot;&gt; added",  # a line of the diff
    ]:
        assert text in html, text
    assert_nothing_runs(html, "detail")


def test_a_withdrawal_reason_is_shown_as_text(client, booby_trapped, dk_officer, no_viewer):
    notices.withdraw(booby_trapped, by=dk_officer, reason=f"Gone {IMAGE}")
    client.force_login(no_viewer)
    html = client.get(booby_trapped.get_absolute_url()).content.decode()
    assert "Gone &lt;img src=x onerror=alert(1)&gt;" in html
    assert_nothing_runs(html, "withdrawn")
