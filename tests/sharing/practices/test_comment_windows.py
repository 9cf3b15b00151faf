"""Public comment windows on draft best practices: opened by the lead state, the draft
public while open, comments confirmed by e-mail (a real SMTP server), shown publicly
only if allowed, replied to, and closed by publishing with what changed."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from sharing.practices import comment_windows
from sharing.practices import services as practices
from sharing.practices.models import PublicComment
from tests.sharing.conftest import practice_content

pytestmark = pytest.mark.django_db

CONFIRM = re.compile(r"http://testserver(/comment-windows/confirm/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def draft(no_officer, dk_officer):
    return practices.create(
        by=no_officer,
        **practice_content(title="Draft guidance on cloud interception", co_authors=["DK"]),
    )


@pytest.fixture
def window(draft, no_officer):
    return comment_windows.open_window(
        draft,
        by=no_officer,
        intro="Tell us whether these checks work for exporters.",
        closes_on=timezone.localdate() + datetime.timedelta(days=14),
    )


def comment_form(**overrides) -> dict:
    data = {
        "name": "Ana Lima",
        "kind": "academia",
        "organisation": "Fjord University",
        "email": "ana@fjord.example",
        "body": "Add a check on remote maintenance access.",
        "publishable": "on",
    }
    data.update(overrides)
    return data


def test_only_the_lead_state_opens_one_on_a_draft(draft, dk_officer, no_officer):
    closes = timezone.localdate() + datetime.timedelta(days=7)
    with pytest.raises(PermissionDenied):  # a co-author
        comment_windows.open_window(draft, by=dk_officer, intro="x", closes_on=closes)
    for bad in (
        timezone.localdate() - datetime.timedelta(days=1),
        closes + datetime.timedelta(days=400),
    ):
        with pytest.raises(ValidationError):
            comment_windows.open_window(draft, by=no_officer, intro="x", closes_on=bad)
    comment_windows.open_window(draft, by=no_officer, intro="x", closes_on=closes)
    with pytest.raises(ValidationError, match="has had its comment window"):
        comment_windows.open_window(draft, by=no_officer, intro="y", closes_on=closes)


def test_the_draft_is_public_while_open_and_only_there(window, draft, no_officer):
    visitor = Client()
    page = visitor.get(window.get_absolute_url()).content.decode()
    assert "network diagram" in page and window.intro in page
    assert visitor.get(draft.get_absolute_url()).status_code == 404  # still a draft
    assert draft.title not in visitor.get("/best-practices/").content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=15)):
        assert "network diagram" not in visitor.get(window.get_absolute_url()).content.decode()
    comment_windows.close_window(window, by=no_officer)
    assert "network diagram" not in visitor.get(window.get_absolute_url()).content.decode()


def test_a_comment_counts_once_confirmed_and_shows_if_allowed(
    window, no_officer, dk_officer, smtp_server, django_capture_on_commit_callbacks
):
    visitor = Client()
    with django_capture_on_commit_callbacks(execute=True):
        sent = visitor.post(window.get_absolute_url(), comment_form())
        visitor.post(
            window.get_absolute_url(),
            comment_form(
                name="Private Person", email="p@x.example", body="Off the record.", publishable=""
            ),
        )
    assert b"We sent you an e-mail" in sent.content
    assert "Add a check" not in visitor.get(window.get_absolute_url()).content.decode()
    confirmed = PublicComment.objects.filter(confirmed_at__isnull=False)
    for number, message in enumerate(smtp_server.messages):
        (link,) = CONFIRM.findall(message.get_body(("plain",)).get_content())
        assert visitor.get(link).status_code == 200  # a scanner: nothing confirmed
        assert confirmed.count() == number
        visitor.post(link)
    public = visitor.get(window.get_absolute_url()).content.decode()
    assert "Add a check on remote maintenance access." in public and "Fjord University" in public
    assert "Off the record." not in public and "Private Person" not in public
    assert "ana@fjord.example" not in public
    # The co-authoring state reads both, and replies publicly.
    client = Client()
    client.force_login(dk_officer)
    both = client.get(window.get_absolute_url()).content.decode()
    assert "Off the record." in both
    shared = PublicComment.objects.get(publishable=True)
    client.post(f"/comment-windows/comments/{shared.pk}/reply/", {"reply": "Added as item 4."})
    assert "Added as item 4." in visitor.get(window.get_absolute_url()).content.decode()


def test_bad_comments_are_refused_and_addresses_limited(window, settings):
    visitor = Client()
    for bad in (
        comment_form(email="nope"),
        comment_form(body="x" * 5001),
        comment_form(kind="government"),
        comment_form(name=""),
    ):
        assert visitor.post(window.get_absolute_url(), bad).status_code == 400
    assert not PublicComment.objects.exists()
    settings.PUBLIC_COMMENT_RATE = "1/min"
    visitor.post(window.get_absolute_url(), comment_form())
    assert visitor.post(window.get_absolute_url(), comment_form()).status_code == 429
    assert visitor.post("/comment-windows/confirm/garbage/").status_code == 404


def test_publishing_says_what_changed_and_closes_it(window, draft, no_officer, client, no_viewer):
    client.force_login(no_officer)
    page = client.get(f"/best-practices/{draft.pk}/publish/")
    assert b"What changed after consultation" in page.content
    assert client.post(f"/best-practices/{draft.pk}/publish/", {"outcome": ""}).status_code == 400
    client.post(f"/best-practices/{draft.pk}/publish/", {"outcome": "Item 4 added."})
    draft.refresh_from_db()
    window.refresh_from_db()
    assert draft.is_published and window.closed_at and window.outcome == "Item 4 added."
    reader = Client()
    reader.force_login(no_viewer)
    assert b"Item 4 added." in reader.get(draft.get_absolute_url()).content
    # Not a public best practice: its window's page no longer shows its text.
    public = Client().get(window.get_absolute_url()).content.decode()
    assert "Item 4 added." in public and "network diagram" not in public


def test_an_address_is_sent_few_confirmation_requests(window):
    for _ in range(3):
        comment_windows.comment(window, **{**comment_form(), "publishable": True})
    with pytest.raises(ValidationError, match="Confirm the comments already sent"):
        comment_windows.comment(window, **{**comment_form(), "publishable": True})


def test_a_comment_written_while_open_is_confirmed_after_it_closes(window, no_officer):
    row = comment_windows.comment(window, **{**comment_form(), "publishable": True})
    comment_windows.close_window(window, by=no_officer)
    token = comment_windows.confirmation_link(row).rstrip("/").rsplit("/", 1)[1]
    assert comment_windows.confirm(token).confirmed_at is not None
    window.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        comment_windows.comment(window, **{**comment_form(), "publishable": True})


def test_it_is_not_published_past_its_window_whichever_way(window, draft, no_officer, no_admin):
    from accounts.choices import ApprovalPolicy

    with pytest.raises(ValidationError, match="what changed after consultation"):
        practices.publish(draft, by=no_officer)  # as the API would
    no_officer.state.approval_policy = ApprovalPolicy.EVERYTHING
    no_officer.state.save()
    comment_windows.publish_after_consultation(
        draft, by=no_officer, outcome="Item 4 added.", four_eyes=True
    )
    practices.reject(draft, by=no_admin, reason="Not yet.")
    window.refresh_from_db()
    assert window.is_open  # a rejected submission leaves the window as it was
    comment_windows.publish_after_consultation(
        draft, by=no_officer, outcome="Item 4 added.", four_eyes=True
    )
    practices.approve(draft, by=no_admin)
    window.refresh_from_db()
    assert window.closed_at is not None and window.outcome == "Item 4 added."
