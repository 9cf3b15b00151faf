"""The inbox, the unread count, e-mail preferences and the webhook pages."""

import re
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import AuditEntry
from sharing.notices import services as notices
from sharing.notifications import services as notifications
from sharing.notifications.choices import EmailMode
from sharing.notifications.models import (
    Notification,
    StateEmailDefault,
    UserEmailPreference,
    WebhookEndpoint,
)
from tests.sharing.conftest import notice_content

pytestmark = pytest.mark.django_db

INBOX = reverse("sharing:inbox")
COUNT = reverse("sharing:unread-count")
PREFERENCES = reverse("sharing:email-preferences")
DEFAULTS = reverse("sharing:state-email-default")
WEBHOOKS = reverse("sharing:webhook-list")
NEW_WEBHOOK = reverse("sharing:webhook-create")


@pytest.fixture
def publish(django_capture_on_commit_callbacks, dk_officer):
    def run(**overrides):
        content = notice_content(**{"audience": "subscribing", **overrides})
        with django_capture_on_commit_callbacks(execute=True):
            draft = notices.create(by=dk_officer, **content)
            return notices.publish(draft, by=dk_officer)

    return run


# --- The inbox ----------------------------------------------------------------------------


def test_the_inbox_lists_ones_own_notifications_unread_first(client, publish, no_viewer, fr_viewer):
    first = publish(title="The first notice")
    second = publish(title="The second notice")
    notifications.mark_read_about(second, by=no_viewer)
    client.force_login(no_viewer)

    page = client.get(INBOX)

    assert page.status_code == 200
    text = page.text
    assert text.index("The first notice") < text.index("The second notice")
    assert text.count("Mark as read") == 1
    assert f'href="{first.get_absolute_url()}"' in text
    # France's own inbox holds its own lines, not Norway's.
    assert Notification.objects.filter(user=fr_viewer).count() == 2
    client.force_login(fr_viewer)
    assert client.get(INBOX).text.count("Mark as read") == 2


def test_inbox_lines_tell_the_time_in_the_readers_zone_with_one_csrf_token(
    client, publish, no_viewer
):
    # The lines are Jinja2 (templates/jinja2/): its date filter converts to the reader's
    # zone as the Django template language does, and the CSRF field is read once.
    publish(title="One")
    publish(title="Two")
    no_viewer.time_zone = "Asia/Tokyo"
    no_viewer.save(update_fields=["time_zone"])
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    expected = {
        n.created_at.astimezone(tokyo).isoformat()
        for n in Notification.objects.filter(user=no_viewer)
    }
    client.force_login(no_viewer)

    text = client.get(INBOX).text

    assert set(re.findall(r'<time datetime="([^"]+)"', text)) == expected
    lines = text[text.index('class="list-unstyled notification-list"') :]
    fields = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', lines)
    assert len(fields) == 2  # a "Mark as read" form per unread line
    assert len(set(fields)) == 1


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("read=unread", ["The first notice"]),
        ("read=read", ["The second notice"]),
        ("kind=notice.published", ["The first notice", "The second notice"]),
        ("kind=notice.commented", []),
        ("about=practices", []),
    ],
)
def test_the_inbox_filters(client, publish, no_viewer, query, shown):
    publish(title="The first notice")
    second = publish(title="The second notice")
    notifications.mark_read_about(second, by=no_viewer)
    client.force_login(no_viewer)
    text = client.get(f"{INBOX}?{query}").text
    assert [t for t in ("The first notice", "The second notice") if t in text] == shown


def test_a_bad_filter_says_so_and_shows_nothing(client, publish, no_viewer):
    publish()
    client.force_login(no_viewer)
    page = client.get(f"{INBOX}?kind=<script>")
    assert page.status_code == 400
    assert "Select a valid choice" in page.text
    assert "<script>" not in page.text


def test_opening_the_item_reads_its_notifications(client, publish, no_viewer):
    notice = publish()
    client.force_login(no_viewer)
    assert client.get(COUNT).json()["unread"] == 1
    client.get(notice.get_absolute_url())
    assert client.get(COUNT).json() == {"unread": 0, "label": "0 unread notifications"}


def test_marking_one_or_all_as_read(client, publish, no_viewer, no_officer):
    publish()
    publish()
    mine = Notification.objects.filter(user=no_viewer).first()
    theirs = Notification.objects.filter(user=no_officer).first()
    client.force_login(no_viewer)

    assert client.get(reverse("sharing:notification-read", args=[mine.pk])).status_code == 405
    response = client.post(
        reverse("sharing:notification-read", args=[mine.pk]), {"next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.url == INBOX
    assert client.post(reverse("sharing:notification-read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(COUNT).json()["unread"] == 1

    response = client.post(reverse("sharing:read-all"), {"next": f"{INBOX}?read=unread"})
    assert response.url == f"{INBOX}?read=unread"
    assert client.get(COUNT).json()["unread"] == 0
    assert Notification.objects.filter(user=no_officer, read_at__isnull=True).count() == 2


def test_the_unread_count_is_json_for_the_signed_in_only(client, publish, no_viewer):
    publish()
    response = client.get(COUNT)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    client.force_login(no_viewer)
    response = client.get(COUNT)
    assert response.json() == {"unread": 1, "label": "1 unread notification"}
    assert "no-store" in response["Cache-Control"]


def test_the_count_and_inbox_leave_out_what_can_no_longer_be_read(
    client, publish, dk_officer, no_viewer, django_capture_on_commit_callbacks
):
    notice = publish()
    client.force_login(no_viewer)
    assert client.get(COUNT).json()["unread"] == 1  # and the count is in the cache
    with django_capture_on_commit_callbacks(execute=True):
        notices.amend(
            notice,
            by=dk_officer,
            change_note="Finland only.",
            material=True,
            **notice_content(audience="selected", recipient_states=["FI"]),
        )
    assert client.get(COUNT).json()["unread"] == 0
    assert notice.title not in client.get(INBOX).text


def test_the_navigation_badge_shows_the_unread_count(client, publish, no_viewer):
    client.force_login(no_viewer)
    assert "data-unread-badge hidden>0<" in client.get(INBOX).text
    publish()
    text = client.get(reverse("portal:dashboard")).text
    assert "data-unread-badge>1<" in text
    assert "1 unread notification" in text


@pytest.mark.parametrize("size", [2, 30])
def test_the_inbox_runs_a_fixed_number_of_queries(
    client, publish, no_viewer, size, django_assert_num_queries, make_practice, no_officer
):
    for n in range(size // 2):
        publish(title=f"Notice {n}")
        make_practice(by=no_officer, title=f"Practice {n}")
    client.force_login(no_viewer)
    client.get(INBOX)
    # session, user, count, page (the badge's count is in the cache since the first);
    # on PostgreSQL the last two run with the planner's settings (portal.db.planner):
    # inside the test's transaction, a savepoint, the settings, set back, released.
    planner = 4 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(4 + planner):
        assert client.get(INBOX).status_code == 200


def test_the_inbox_reads_no_long_text_of_what_it_lists(
    client,
    publish,
    make_practice,
    dk_officer,
    no_officer,
    no_admin,
    act,
    django_assert_num_queries,
):
    """The rows show a title, a reference and a few labels: the bodies and the search
    fields of the notices, practices and advisories they name stay in the database
    (they are read from TOAST and parsed for nothing: docs/architecture.md,
    "Performance"), and no row asks for them afterwards."""
    from sharing.advisories import services as advisories
    from tests.sharing.advisories.conftest import advisory_content

    publish(title="A notice")
    act(make_practice, by=dk_officer, title="A practice", audience="subscribing")
    advisory = advisories.create(by=no_officer, **advisory_content(title="An advisory"))
    act(advisories.submit, advisory, by=no_officer)  # the admin is asked to approve it
    client.force_login(no_admin)
    client.get(INBOX)  # the badge's count is in the cache from now on
    with CaptureQueriesContext(connection) as queries:
        page = client.get(INBOX).text
    assert all(title in page for title in ("A notice", "A practice", "An advisory"))
    assert long_texts_read(queries) == []
    # session, user, count, page, and the planner's settings around the last two
    planner = 4 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(4 + planner):
        client.get(INBOX)


def long_texts_read(queries) -> list[str]:
    """The long text fields (``LONG_TEXT_FIELDS``) that the query of a page of
    notifications, among ``queries``, selects."""
    from sharing.common.querysets import LONG_TEXT_FIELDS

    [rows] = [q["sql"] for q in queries if '"sharing_notification"."event_id"' in q["sql"]]
    selected = rows.split(" FROM ")[0]
    return [field for field in LONG_TEXT_FIELDS if f'."{field}"' in selected]


# --- E-mail preferences -------------------------------------------------------------------


def test_a_person_chooses_their_e_mail(client, no_viewer):
    client.force_login(no_viewer)
    assert "You follow the portal's default" in client.get(PREFERENCES).text

    response = client.post(
        PREFERENCES,
        {
            "mode": "daily",
            "min_severity": "high",
            "categories": ["intrusion-software"],
            "countries": "AE, mm",
        },
    )

    assert response.status_code == 302
    preference = UserEmailPreference.objects.get(user=no_viewer)
    assert (preference.mode, preference.min_severity, preference.countries) == (
        EmailMode.DAILY,
        "high",
        ["AE", "MM"],
    )
    assert [c.slug for c in preference.categories.all()] == ["intrusion-software"]
    page = client.get(PREFERENCES).text
    assert "You have made your own choice" in page
    assert re.search(r'<input[^>]*value="daily"[^>]*checked', page)
    assert not re.search(r'<input[^>]*value="immediate"[^>]*checked', page)


@pytest.mark.parametrize(
    "data",
    [
        {"mode": "hourly"},
        {"mode": "daily", "min_severity": "apocalyptic"},
        {"mode": "daily", "categories": ["no-such-category"]},
        {"mode": "daily", "countries": "ZZ"},
        {},
    ],
)
def test_bad_e_mail_choices_are_refused_and_change_nothing(client, no_viewer, data):
    client.force_login(no_viewer)
    response = client.post(PREFERENCES, data)
    assert response.status_code == 400
    assert "invalid-feedback" in response.text
    assert not UserEmailPreference.objects.exists()


def test_back_to_the_state_default(client, no_viewer, no_admin):
    notifications.set_state_email_default(by=no_admin, mode="weekly")
    notifications.set_email_preference(by=no_viewer, mode="off")
    client.force_login(no_viewer)

    response = client.post(PREFERENCES, {"use_default": "1"})

    assert response.status_code == 302
    assert not UserEmailPreference.objects.exists()
    assert "You follow your state's default: A weekly digest" in client.get(PREFERENCES).text


def test_state_admins_set_their_states_defaults_and_only_theirs(client, no_admin, no_officer):
    client.force_login(no_officer)
    assert client.get(DEFAULTS).status_code == 403
    assert client.post(DEFAULTS, {"mode": "off"}).status_code == 403
    assert not StateEmailDefault.objects.exists()

    client.force_login(no_admin)
    assert client.get(DEFAULTS).status_code == 200
    assert client.post(DEFAULTS, {"mode": "daily", "countries": ""}).status_code == 302
    assert StateEmailDefault.objects.get().state_id == "NO"
    entry = AuditEntry.objects.get(action="notifications.state_default_changed")
    assert entry.details == {"mode": "daily"}


def test_platform_staff_without_a_state_get_pages_not_errors(client, staff_user):
    client.force_login(staff_user)
    assert client.get(PREFERENCES).status_code == 200
    assert client.get(DEFAULTS).status_code == 403
    assert client.get(WEBHOOKS).status_code == 403
    assert client.get(COUNT).json()["unread"] == 0


# --- Webhook pages --------------------------------------------------------------------------


def test_an_admin_registers_an_endpoint_and_sees_the_secret_once(client, no_admin):
    client.force_login(no_admin)
    response = client.post(
        NEW_WEBHOOK,
        {
            "url": "https://hooks.example.org/echri",
            "description": "Licensing system",
            "event_kinds": ["notice.published", "notice.amended"],
            "active": "on",
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response.url == endpoint.get_absolute_url()

    first = client.get(endpoint.get_absolute_url())
    assert endpoint.secret in first.text
    assert "no-store" in first["Cache-Control"]
    again = client.get(endpoint.get_absolute_url())
    assert endpoint.secret not in again.text
    assert "hooks.example.org" in client.get(WEBHOOKS).text

    client.post(reverse("sharing:webhook-rotate", args=[endpoint.pk]), {"old_secret": "keep"})
    endpoint.refresh_from_db()
    assert endpoint.secret in client.get(endpoint.get_absolute_url()).text

    response = client.post(
        endpoint.get_absolute_url(),
        {"url": "https://hooks.example.org/v2", "event_kinds": ["notice.withdrawn"]},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.event_kinds, endpoint.active) == (
        "https://hooks.example.org/v2",
        ["notice.withdrawn"],
        False,
    )

    client.post(reverse("sharing:webhook-delete", args=[endpoint.pk]))
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("choice", "said", "kept_hours"),
    [
        ("keep", "For 24 more hours, deliveries are signed with the old one too", 24),
        ("stop", "The old one no longer verifies deliveries.", 0),
    ],
)
def test_a_new_secret_keeps_the_old_one_for_a_while_or_stops_it_at_once(
    client, no_admin, settings, choice, said, kept_hours
):
    settings.WEBHOOK_SECRET_OVERLAP_HOURS = 24
    endpoint, old = notifications.create_webhook(
        by=no_admin, url="https://hooks.example.org/echri", event_kinds=["notice.published"]
    )
    client.force_login(no_admin)
    page = client.get(endpoint.get_absolute_url()).text
    assert "Keep it valid for 24 more hours" in page and "Stop it at once" in page

    response = client.post(
        reverse("sharing:webhook-rotate", args=[endpoint.pk]), {"old_secret": choice}, follow=True
    )

    endpoint.refresh_from_db()
    new = endpoint.secret
    assert new != old and new in response.text  # the new one, shown this once
    assert said in response.text
    if choice == "keep":
        assert endpoint.signing_secrets() == [new, old]
    else:  # after a leak: the old one signs nothing more, and is not kept
        assert endpoint.signing_secrets() == [new]
        assert endpoint.encrypted_previous_secret == ""
    rotated = AuditEntry.objects.get(action="webhook.secret_rotated")
    assert rotated.details == {"old_secret_valid_hours": kept_hours}


@pytest.mark.parametrize(
    ("overlap_hours", "data", "error"),
    [
        (24, {}, "This field is required."),
        (24, {"old_secret": "maybe"}, "Select a valid choice."),
        (0, {"old_secret": "keep"}, "Select a valid choice."),  # no overlap to keep it for
    ],
)
def test_a_new_secret_needs_a_choice_offered_and_otherwise_changes_nothing(
    client, no_admin, settings, overlap_hours, data, error
):
    settings.WEBHOOK_SECRET_OVERLAP_HOURS = overlap_hours
    endpoint, old = notifications.create_webhook(
        by=no_admin, url="https://hooks.example.org/echri", event_kinds=["notice.published"]
    )
    client.force_login(no_admin)

    response = client.post(reverse("sharing:webhook-rotate", args=[endpoint.pk]), data)

    assert response.status_code == 400
    assert error in response.text
    assert ("Keep it valid" in response.text) is bool(overlap_hours)
    endpoint.refresh_from_db()
    assert endpoint.secret == old
    assert not AuditEntry.objects.filter(action="webhook.secret_rotated").exists()


def test_a_private_address_is_refused_on_the_form(client, no_admin, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    client.force_login(no_admin)
    response = client.post(
        NEW_WEBHOOK, {"url": "https://169.254.169.254/", "event_kinds": ["notice.published"]}
    )
    assert response.status_code == 400
    assert "loopback, private or link-local" in response.text
    assert not WebhookEndpoint.objects.exists()


def test_webhook_pages_are_for_the_states_own_admins(client, no_admin, no_officer, dk_admin):
    endpoint, _ = notifications.create_webhook(
        by=no_admin, url="https://hooks.example.org/", event_kinds=["notice.published"]
    )
    urls = [
        WEBHOOKS,
        NEW_WEBHOOK,
        endpoint.get_absolute_url(),
    ]
    client.force_login(no_officer)
    for url in urls:
        assert client.get(url).status_code == 403, url
    client.force_login(dk_admin)
    assert client.get(endpoint.get_absolute_url()).status_code == 404
    assert client.post(reverse("sharing:webhook-delete", args=[endpoint.pk])).status_code == 404
    assert client.post(reverse("sharing:webhook-rotate", args=[endpoint.pk])).status_code == 404
    assert "hooks.example.org" not in client.get(WEBHOOKS).text
    assert WebhookEndpoint.objects.exists()
