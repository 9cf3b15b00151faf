"""templates/base.html: what every signed-in page carries around its content — the
navigation each kind of user gets, who is signed in for which state, the messages area
and the footer."""

import pytest
from django.test.html import parse_html

pytestmark = pytest.mark.django_db

STATE_USER_NAV = [
    ("Dashboard", "/"),
    ("Notices", "/notices/"),
    ("Denials", "/denials/"),
    ("Best practices", "/best-practices/"),
    ("Advisories", "/advisories/"),
    ("Reports", "/reports/"),
    ("Notifications", "/notifications/"),
    ("Account", "/accounts/"),
]


def walk(node):
    for child in node.children:
        if not isinstance(child, str):
            yield child
            yield from walk(child)


def attrs(element) -> dict:
    return dict(element.attributes)


def classes(element) -> set[str]:
    return set((attrs(element).get("class") or "").split())


def find(node, tag: str, **wanted) -> list:
    """``tag`` elements under ``node`` whose attributes have the values in ``wanted``
    (``aria_label`` for ``aria-label``)."""
    wanted = {key.replace("_", "-"): value for key, value in wanted.items()}
    return [
        element
        for element in walk(node)
        if element.name == tag and all(attrs(element).get(k) == v for k, v in wanted.items())
    ]


def spoken(node) -> str:
    """The text a screen reader reads: without ``hidden`` or ``aria-hidden`` parts."""
    parts = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif "hidden" not in attrs(child) and attrs(child).get("aria-hidden") != "true":
            parts.append(spoken(child))
    return " ".join(part for part in parts if part).strip()


def shown(node) -> str:
    """The text a sighted reader sees: also without visually-hidden parts."""
    parts = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif not (
            "hidden" in attrs(child)
            or attrs(child).get("aria-hidden") == "true"
            or "visually-hidden" in classes(child)
        ):
            parts.append(shown(child))
    return " ".join(part for part in parts if part).strip()


def page_of(client, user, path="/"):
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return parse_html(response.content.decode())


def main_nav(page):
    (nav,) = find(page, "nav", aria_label="Main")
    return [(shown(a), attrs(a)["href"]) for a in find(nav, "a") if "nav-link" in classes(a)]


def identity(page) -> str:
    (header,) = find(page, "header")
    (line,) = [p for p in find(header, "p") if "user-identity" in classes(p)]
    return spoken(line)


@pytest.mark.parametrize("persona", ["dk_officer", "no_viewer"])
def test_a_state_user_has_the_eight_sections(client, request, persona):
    page = page_of(client, request.getfixturevalue(persona))
    assert main_nav(page) == STATE_USER_NAV


def test_a_state_admin_also_has_members(client, dk_admin):
    nav = main_nav(page_of(client, dk_admin))
    assert nav == [*STATE_USER_NAV[:6], ("Members", "/accounts/members/"), *STATE_USER_NAV[6:]]


def test_platform_staff_have_the_administration_and_no_state_sections(client, staff_user):
    nav = main_nav(page_of(client, staff_user))
    assert nav == [
        ("Dashboard", "/"),
        ("Best practices", "/best-practices/"),
        ("Advisories", "/advisories/"),
        ("Reports", "/reports/"),
        ("Account", "/accounts/"),
        ("Administration", "/admin/"),
    ]


def test_the_header_names_the_user_their_state_and_role(client, dk_admin, no_viewer):
    assert identity(page_of(client, dk_admin)) == "Signed in as Test dk-admin Denmark State admin"
    assert identity(page_of(client, no_viewer)) == "Signed in as Ola Nordmann Norway Viewer"


def test_the_header_says_platform_staff_have_no_state(client, staff_user):
    assert identity(page_of(client, staff_user)) == "Signed in as Test secretariat Platform staff"


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("/", "Dashboard"),
        ("/notices/", "Notices"),
        ("/denials/", "Denials"),
        ("/consultations/", "Denials"),
        ("/notifications/", "Notifications"),
        ("/advisories/", "Advisories"),
        ("/reports/2025/", "Reports"),
    ],
)
def test_the_current_section_is_marked_for_assistive_technology(client, dk_officer, path, section):
    page = page_of(client, dk_officer, path)
    (nav,) = find(page, "nav", aria_label="Main")
    assert [shown(a) for a in find(nav, "a", aria_current="page")] == [section]


def test_the_page_starts_with_a_skip_link_to_the_main_content(client, dk_viewer):
    page = page_of(client, dk_viewer)
    (body,) = find(page, "body")
    first_link = find(body, "a")[0]
    assert (shown(first_link), attrs(first_link)["href"]) == ("Skip to main content", "#main")
    (main,) = find(page, "main")
    assert attrs(main)["id"] == "main"


def test_the_footer_says_how_to_handle_what_is_read_here(client, dk_viewer):
    (footer,) = find(page_of(client, dk_viewer), "footer")
    text = spoken(footer)
    assert "Export Controls and Human Rights Initiative Code of Conduct" in text
    assert "Traffic Light Protocol marking" in text
    # Signed-in users choose their language in their account, not in the footer.
    assert not find(footer, "select")


def test_the_footer_offers_visitors_a_choice_of_language(client, seeded_states):
    page = parse_html(client.get("/accounts/login/").content.decode())
    (footer,) = find(page, "footer")
    (select,) = find(footer, "select", name="language")
    assert {attrs(option)["value"] for option in find(select, "option")} >= {"en", "fr"}


def test_messages_are_announced_inside_the_main_content_once(client, dk_officer, password):
    response = client.post(
        "/accounts/login/", {"login": "dk-officer", "password": password}, follow=True
    )
    page = parse_html(response.content.decode())
    (main,) = find(page, "main")
    (area,) = [div for div in find(main, "div") if "messages" in classes(div)]
    assert (attrs(area)["role"], attrs(area)["aria-live"]) == ("status", "polite")
    assert spoken(area) == "Successfully signed in as dk-officer."
    again = parse_html(client.get("/").content.decode())
    assert not [div for div in walk(again) if "messages" in classes(div)]
