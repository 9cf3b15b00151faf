"""Nothing awaiting approval ever reaches another state: randomised over kinds (notices,
best practices, licence denials), acts, markings and audiences, a secret word written
only into what awaits approval (a submitted draft's title or a denial's reason, a
submitted amendment's text, a submitted withdrawal's reason) is looked for in every
place another state reads: lists, pages, search, screening, the API, the inbox, e-mails
and webhooks."""

import secrets

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.choices import ApprovalPolicy
from accounts.models import State
from sharing.common.choices import FOUR_EYES_KINDS, EventKind
from sharing.denials import services as denials
from sharing.notices import services as notices
from sharing.notifications import services as notifications
from sharing.notifications.models import Notification, WebhookDelivery, WebhookEndpoint
from sharing.practices import services as practices
from sharing.screening import services as screening
from tests.personas import persona
from tests.sharing.conftest import denial_content, notice_content, practice_content

pytestmark = pytest.mark.django_db

# Readers outside Denmark (the submitting state), and Denmark's viewer, who reads its
# published notices but nothing unpublished.
READERS = ["no-viewer", "no-officer", "fi-admin", "fr-viewer", "cl-viewer", "dk-viewer"]


@pytest.fixture
def cast(seeded_states):
    people = {name: persona(name) for name in [*READERS, "dk-officer", "dk-officer-2", "dk-admin"]}
    # Every state's system listens to every kind of event, four eyes' included (which
    # no form offers), as if stored by an older version: dispatch itself must refuse.
    for code in ("DK", "NO", "FI"):
        WebhookEndpoint.objects.create(
            state_id=code,
            url="http://127.0.0.1:9/hook",
            event_kinds=list(EventKind.values),
            active=True,  # port 9 (discard): a delivery fails at once, no one is told
            created_by=persona("dk-admin"),
            encrypted_secret="-",
        )
    return people


def ask_four_eyes(state) -> None:
    """The state asks a second official for everything, licence denials included."""
    State.objects.filter(pk=state.pk).update(
        approval_policy=ApprovalPolicy.EVERYTHING, approve_denials=True
    )
    state.approval_policy, state.approve_denials = ApprovalPolicy.EVERYTHING, True


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    kind=st.sampled_from(["notice", "practice", "denial"]),
    act=st.sampled_from(["publish", "amend", "retire"]),
    marking=st.sampled_from(["green", "amber", "red"]),
    audience=st.sampled_from(["subscribing", "community", "selected"]),
    then=st.sampled_from(["pending", "rejected", "recalled"]),
)
def test_nothing_awaiting_approval_reaches_another_state(
    cast, django_capture_on_commit_callbacks, kind, act, marking, audience, then
):
    secret = f"Kestrel{secrets.token_hex(4)}"
    second = cast["dk-officer-2"]
    with transaction.atomic():
        mail.outbox.clear()
        reach = {
            "audience": "selected" if marking == "red" else audience,
            "recipient_states": ["NO", "FR"] if marking == "red" or audience == "selected" else [],
        }
        if kind == "notice":
            service, content = notices, notice_content(tlp=marking, **reach)
        elif kind == "denial":
            service, content = denials, denial_content(tlp=marking, **reach)
        else:
            service = practices
            content = practice_content(audience="community", co_authors=[])
        author = persona("no-officer") if kind == "practice" else cast["dk-officer"]
        approver = persona("no-admin") if kind == "practice" else second
        owner = author.state
        owner.refresh_from_db()  # an earlier example's policy was rolled back
        # The text to amend, and how a new item is first written (a denial has no draft
        # but the one a submission leaves behind).
        text = "reason" if kind == "denial" else "body"
        with django_capture_on_commit_callbacks(execute=True):
            if act == "publish":
                content["title" if kind != "denial" else "reason"] = f"Text {secret}"
                if kind == "denial":
                    ask_four_eyes(owner)
                    item = denials.submit_new(by=author, **content)
                else:
                    item = service.create(by=author, **content)
                    ask_four_eyes(owner)
                    service.submit(item, by=author)
            else:
                if kind == "denial":
                    item = denials.publish(by=author, **content)
                else:
                    item = service.publish(service.create(by=author, **content), by=author)
                ask_four_eyes(owner)
                if act == "amend":
                    service.submit(
                        item, by=author, act="amend", change_note=secret, **{text: f"Now {secret}."}
                    )
                else:
                    extra = {} if kind == "practice" else {"reason": secret}
                    service.submit(item, by=author, act="retire", **extra)
        with django_capture_on_commit_callbacks(execute=True):
            if then == "rejected":
                service.reject(item, by=approver, reason=f"Not yet {secret}")
            elif then == "recalled":
                service.recall(item, by=author)

        readers = [name for name in READERS if not (kind == "practice" and name.startswith("no-"))]
        for name in readers:
            reader = cast[name]
            client = Client()
            client.force_login(reader)
            pages = [
                "/",
                "/notices/",
                "/best-practices/",
                "/denials/",
                "/notifications/",
                item.get_absolute_url(),
            ]
            # Words of the item's ordinary text (the secret would be echoed in the box).
            word = {"notice": "reseller", "practice": "surveillance", "denial": "Nimbus"}[kind]
            pages.append(f"/search/?q={word}")
            for url in pages:
                response = client.get(url)
                assert secret not in response.content.decode(), (name, url)
            api = APIClient()
            api.force_authenticate(reader)
            for url in (
                "/api/v1/notices/",
                "/api/v1/best-practices/",
                "/api/v1/denials/",
                f"/api/v1/search/?q={word}",
            ):
                assert secret not in api.get(url).content.decode(), (name, url)
            if act == "publish":
                unpublished = client.get(item.get_absolute_url())
                assert unpublished.status_code == 404, name
            assert not Notification.objects.filter(user=reader, kind__in=FOUR_EYES_KINDS).exists()
        outsiders = {cast[name].email for name in readers}
        for message in mail.outbox:
            assert not set(message.to) & outsiders or secret not in message.body, message.subject
            assert not (set(message.to) & outsiders and "approval" in message.subject.lower())
        assert not WebhookDelivery.objects.filter(event__kind__in=FOUR_EYES_KINDS).exists()
        if act == "publish":
            assert not WebhookDelivery.objects.filter(event__notice_id=item.pk).exists()
            assert not WebhookDelivery.objects.filter(event__best_practice_id=item.pk).exists()
            assert not WebhookDelivery.objects.filter(event__denial_id=item.pk).exists()
        if kind == "denial" and act == "publish":  # never screened before it is notified
            found = screening.screen(by=cast["no-officer"], end_user="Nimbus", destination="AE")
            assert item.pk not in {d.pk for d, _m in found.matches}
        transaction.set_rollback(True)  # the policies too


def test_the_webhook_form_does_not_offer_four_eyes_events():
    assert not set(notifications.WEBHOOK_KINDS) & FOUR_EYES_KINDS
