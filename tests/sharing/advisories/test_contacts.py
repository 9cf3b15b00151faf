"""Industry contacts and dissemination lists, against a real SMTP server: double
opt-in, one message per contact and version, one-click unsubscribe (RFC 8058), refused
addresses, nothing sent twice, and their data their state's alone."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from portal.models import OutgoingEmail
from sharing.advisories import contacts, dissemination
from sharing.advisories import services as advisories
from sharing.advisories.models import Contact, Dissemination, Sending

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/industry/[a-z-]+/[^/\s]+/)")


def to_contacts(smtp_server) -> list[str]:
    """Who got an advisory (officials get notifications of the four eyes too)."""
    return sorted(m["To"] for m in smtp_server.messages if m["List-Unsubscribe"])


def links(message) -> list[str]:
    return LINK.findall(message.get_body(("plain",)).get_content())


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "http://testserver"


@pytest.fixture
def exporters(no_officer):
    return contacts.create_list(by=no_officer, name="Surveillance exporters")


@pytest.fixture
def make_contact(no_officer, exporters, act, smtp_server):
    """An invited contact who confirmed their address through the link they got."""

    def make(email="compliance@nordic-radio.example", **extra):
        contact = act(
            contacts.invite,
            by=no_officer,
            email=email,
            name=extra.get("name", "Kari Berg"),
            organisation="Nordic Radio AS",
            language=extra.get("language", "en"),
            lists=[exporters],
        )
        (message,) = smtp_server.to(email)
        (confirm,) = links(message)
        Client().post(confirm)
        contact.refresh_from_db()
        return contact

    return make


def test_double_opt_in_a_get_does_not_confirm_and_the_link_expires(
    no_officer, exporters, act, smtp_server
):
    contact = act(
        contacts.invite,
        by=no_officer,
        email="Export@Uni.example",
        name="Ana Lima",
        organisation="University export office",
        language="fr",
        lists=[exporters],
    )
    assert (contact.email, contact.status) == ("export@uni.example", "pending")
    (message,) = smtp_server.messages
    assert message["To"] == "export@uni.example"
    assert "Confirmez" in message["Subject"] or "Confirm" in message["Subject"]
    (confirm,) = links(message)
    visitor = Client()
    assert visitor.get(confirm).status_code == 200  # a mail scanner opening it
    assert Contact.objects.get().status == "pending"
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        assert visitor.post(confirm).status_code == 404
    assert visitor.post(confirm).status_code == 200
    assert Contact.objects.get().status == "active"
    assert visitor.post(confirm.replace("/confirm/", "/confirm/x")).status_code == 404


def test_an_address_is_invited_once(make_contact, no_officer):
    make_contact()
    with pytest.raises(ValidationError, match="already"):
        contacts.invite(
            by=no_officer,
            email="COMPLIANCE@nordic-radio.example",
            name="Again",
            organisation="Nordic Radio AS",
        )


def test_a_request_to_join_is_accepted_then_confirmed(
    no_officer, exporters, smtp_server, django_capture_on_commit_callbacks
):
    visitor = Client()
    form = {
        "state": "NO",
        "name": "Lea Moe",
        "organisation": "Fjord Sensors AS",
        "email": "lea@fjord.example",
        "language": "es",
        "note": "We export radio test equipment.",
    }
    assert b"Thank you" in visitor.post("/industry/sign-up/", form).content
    assert b"Thank you" in visitor.post("/industry/sign-up/", form).content  # the same answer
    contact = Contact.objects.get()
    assert contact.status == "requested" and not smtp_server.messages
    client = Client()
    client.force_login(no_officer)
    page = client.get("/industry/contacts/")
    assert b"Lea Moe" in page.content and b"Asking to join" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/industry/contacts/{contact.pk}/request/",
            {"decision": "accept", f"r{contact.pk}-lists": [exporters.pk]},
        )
    contact.refresh_from_db()
    assert contact.status == "pending" and list(contact.lists.all()) == [exporters]
    (message,) = smtp_server.to("lea@fjord.example")
    assert "Confirme" in message["Subject"]  # in Spanish, as asked
    visitor.post(links(message)[0])
    assert Contact.objects.get().status == "active"
    for bad in ({**form, "state": "XX"}, {**form, "email": "not an address"}, {}):
        assert visitor.post("/industry/sign-up/", bad).status_code == 400


def test_a_refused_request_is_forgotten(no_officer):
    contacts.request_to_join(
        state=no_officer.state, email="a@b.example", name="A", organisation="B"
    )
    contact = Contact.objects.get()
    contacts.refuse(contact, by=no_officer)
    assert not Contact.objects.exists()


def test_a_release_sends_each_active_contact_one_message_with_one_click_unsubscribe(
    make_contact, make_advisory, exporters, no_officer, act, smtp_server
):
    first = make_contact()
    second = make_contact("legal@arctic-signals.example", name="Ola Dahl", language="fr")
    act(contacts.invite, by=no_officer, email="late@x.example", name="L", organisation="X",
        lists=[exporters])  # fmt: skip
    smtp_server.messages.clear()
    advisory = make_advisory(tlp="green", lists=[exporters.pk])
    sent = [m for m in smtp_server.messages if m["List-Unsubscribe"]]
    assert sorted(m["To"] for m in sent) == sorted([first.email, second.email])
    for message in sent:
        assert "TLP:GREEN" in message["Subject"]
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert (
            message["List-Unsubscribe"]
            .strip()
            .startswith("<http://testserver/industry/unsubscribe/")
        )
    french = next(m for m in sent if m["To"] == second.email)
    assert "version 1" in french.get_body(("plain",)).get_content()
    # The reader's own link shows it (a GREEN advisory: on no public page).
    mine = next(m for m in sent if m["To"] == first.email)
    read, unsubscribe = links(mine)
    page = Client().get(read)
    assert page.status_code == 200 and advisory.title.encode() in page.content
    assert "noindex" in page["X-Robots-Tag"]
    assert Client().get(advisory.get_absolute_url()).status_code == 404
    # One click, as a mail program sends it: a bare POST, no cookie, no token.
    header = mine["List-Unsubscribe"].strip().strip("<>").replace("http://testserver", "")
    assert header == unsubscribe
    response = Client(enforce_csrf_checks=True).post(
        header, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    first.refresh_from_db()
    assert first.status == "unsubscribed"
    assert Client().get(read).status_code == 404  # their link stops working too
    smtp_server.messages.clear()
    act(advisories.submit, advisory, by=no_officer, act="amend", change_note="More.", body="More.")
    act(advisories.approve, advisory, by=persona_admin())
    assert to_contacts(smtp_server) == [second.email]


def persona_admin():
    from tests.personas import persona

    return persona("no-admin")


def test_a_refused_address_becomes_undeliverable(
    make_contact, make_advisory, exporters, smtp_server
):
    contact = make_contact()
    smtp_server.handler.refused.add(contact.email)
    make_advisory(lists=[exporters.pk])
    contact.refresh_from_db()
    assert contact.status == "undeliverable"
    assert OutgoingEmail.objects.filter(about=f"contact:{contact.pk}", status="failed").exists()


def test_nothing_is_sent_twice_when_a_worker_dies_half_way(
    make_contact, make_advisory, exporters, monkeypatch, smtp_server, act
):
    contacts_made = [make_contact(f"person{i}@example.org") for i in range(3)]
    smtp_server.messages.clear()
    real = dissemination.mail.send_after_commit
    calls = {"n": 0}

    def dies_on_the_second(message, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the worker died")
        return real(message, **kwargs)

    monkeypatch.setattr(dissemination.mail, "send_after_commit", dies_on_the_second)
    make_advisory(lists=[exporters.pk])  # the task dies after its first contact
    monkeypatch.setattr(dissemination.mail, "send_after_commit", real)
    row = Dissemination.objects.get()
    assert row.done_at is None and Sending.objects.count() == 1
    # The sweeper hands it on again; a task delivered twice adds nothing.
    act(dissemination.send, row.pk)
    act(dissemination.send, row.pk)
    assert dissemination.sweep(timezone.now() + datetime.timedelta(hours=1)) == 0
    assert to_contacts(smtp_server) == sorted(c.email for c in contacts_made)


def test_a_lost_dissemination_is_swept(make_contact, make_advisory, exporters, monkeypatch):
    make_contact()
    monkeypatch.setattr(dissemination, "enqueue_on_commit", lambda *args: None)  # broker down
    make_advisory(lists=[exporters.pk])
    row = Dissemination.objects.get()
    assert row.done_at is None
    assert dissemination.sweep(timezone.now() + datetime.timedelta(minutes=5)) == 1
    row.refresh_from_db()
    assert row.done_at is not None and Sending.objects.count() == 1


def test_contacts_are_their_state_alone(make_contact, client, dk_officer, no_viewer, no_admin):
    contact = make_contact()
    client.force_login(dk_officer)
    assert client.get(f"/industry/contacts/{contact.pk}/").status_code == 404
    assert contact.email.encode() not in client.get("/industry/contacts/").content
    client.force_login(no_viewer)
    assert client.get("/industry/contacts/").status_code == 403
    client.force_login(no_admin)
    assert contact.email.encode() in client.get("/industry/contacts/").content


def test_export_and_erase(make_contact, make_advisory, exporters, client, no_admin):
    contact = make_contact()
    advisory = make_advisory(lists=[exporters.pk])
    client.force_login(no_admin)
    data = client.get(f"/industry/contacts/{contact.pk}/export/").json()
    assert data["email"] == contact.email and data["lists"] == ["Surveillance exporters"]
    assert data["sent"][0]["advisory"] == advisory.reference
    client.post(f"/industry/contacts/{contact.pk}/erase/")
    assert not Contact.objects.exists()
    assert Sending.objects.get().contact is None  # the count stays, without them


def test_a_link_reads_only_a_version_sent_to_them(
    make_contact, make_advisory, exporters, no_officer, no_admin, act, smtp_server
):
    contact = make_contact()
    others = contacts.create_list(by=no_officer, name="Universities")
    advisory = make_advisory(tlp="green", lists=[exporters.pk])
    (message,) = [m for m in smtp_server.messages if m["List-Unsubscribe"]]
    read = links(message)[0]
    assert Client().get(read).status_code == 200
    # Version 2 goes to another list only: version 1's link does not show it.
    act(advisories.submit, advisory, by=no_officer, act="amend", change_note="Other list.",
        body="Only for universities.", lists=[others.pk])  # fmt: skip
    act(advisories.approve, advisory, by=no_admin)
    assert contact.sendings.count() == 1
    assert Client().get(read).status_code == 404


def test_a_withdrawn_advisory_or_an_unsubscribed_contact_is_sent_nothing_late(
    make_contact, make_advisory, exporters, no_officer, monkeypatch, act, smtp_server
):
    leaving = make_contact("leaving@example.org")
    staying = make_contact("staying@example.org")
    monkeypatch.setattr(dissemination, "enqueue_on_commit", lambda *args: None)  # broker down
    advisory = make_advisory(lists=[exporters.pk])
    row = Dissemination.objects.get()
    contacts.unsubscribe(dissemination.unsubscribe_link(leaving).rstrip("/").rsplit("/", 1)[1])
    smtp_server.messages.clear()
    act(dissemination.send, row.pk)
    assert to_contacts(smtp_server) == [staying.email]
    # Once withdrawn, what is still due of it goes to nobody.
    later = make_advisory(title="Later", lists=[exporters.pk])
    act(advisories.withdraw, later, by=no_officer, reason="Superseded.")
    smtp_server.messages.clear()
    act(dissemination.send, Dissemination.objects.get(advisory=later).pk)
    assert to_contacts(smtp_server) == []
    assert advisory.is_published


def test_erasure_blanks_every_message_to_them(make_contact, make_advisory, exporters, no_admin):
    contact = make_contact()
    make_advisory(lists=[exporters.pk])
    mine = OutgoingEmail.objects.filter(about=f"contact:{contact.pk}")
    assert mine.count() == 2  # the confirmation and the advisory
    contacts.erase(contact, by=no_admin)
    assert not mine.exclude(to=[]).exists()
    assert not mine.exclude(body="").exists()


def test_those_it_was_sent_to_are_told_of_its_withdrawal_once(
    make_contact, make_advisory, exporters, no_officer, act, smtp_server
):
    reached = make_contact()
    advisory = make_advisory(lists=[exporters.pk])
    late = make_contact("late@example.org")  # joined after it was sent
    smtp_server.messages.clear()
    act(advisories.withdraw, advisory, by=no_officer, reason="Superseded by NO-ADV-2.")
    (message,) = [m for m in smtp_server.messages if m["List-Unsubscribe"]]
    assert message["To"] == reached.email and message["Subject"].startswith("[")
    assert "Withdrawn" in message["Subject"]
    assert "Superseded by NO-ADV-2." in message.get_body(("plain",)).get_content()
    row = Dissemination.objects.get(withdrawal=True)
    act(dissemination.send, row.pk)  # a second run tells nobody again
    assert len([m for m in smtp_server.messages if m["List-Unsubscribe"]]) == 1
    assert late.email not in to_contacts(smtp_server)
    # Their link still opens it, under its withdrawal banner.
    (read,) = [link for link in links(message) if "/read/" in link]
    assert b"Withdrawn on" in Client().get(read).content


def test_an_advisory_shared_with_a_state_reaches_its_lists_that_take_it(
    make_contact, make_advisory, exporters, dk_officer, act, smtp_server
):
    make_contact()
    takes = contacts.create_list(by=dk_officer, name="Danish exporters", takes_shared=True)
    own_only = contacts.create_list(by=dk_officer, name="Danish universities")
    for email, row in (("dk-one@example.org", takes), ("dk-two@example.org", own_only)):
        contact = act(contacts.invite, by=dk_officer, email=email, name="D", organisation="O",
                      lists=[row])  # fmt: skip
        contacts.confirm(contacts.confirmation_link(contact).rstrip("/").rsplit("/", 1)[1])
    smtp_server.messages.clear()
    make_advisory(tlp="green", lists=[exporters.pk], shared_with=["DK"])
    assert to_contacts(smtp_server) == ["compliance@nordic-radio.example", "dk-one@example.org"]
    smtp_server.messages.clear()
    make_advisory(title="Not shared", tlp="green", lists=[exporters.pk])
    assert to_contacts(smtp_server) == ["compliance@nordic-radio.example"]


def test_news_of_a_withdrawal_shows_no_version_they_were_not_sent(
    make_contact, make_advisory, exporters, no_officer, no_admin, act, smtp_server
):
    contact = make_contact()
    others = contacts.create_list(by=no_officer, name="Universities")
    advisory = make_advisory(tlp="green", lists=[exporters.pk])
    act(advisories.submit, advisory, by=no_officer, act="amend", change_note="Elsewhere.",
        title="A new title for universities", lists=[others.pk])  # fmt: skip
    act(advisories.approve, advisory, by=no_admin)
    smtp_server.messages.clear()
    act(advisories.withdraw, advisory, by=no_officer, reason="Superseded.")
    (message,) = [m for m in smtp_server.messages if m["To"] == contact.email]
    text = message.get_body(("plain",)).get_content()
    assert "A new title for universities" not in text and "/industry/read/" not in text
    assert "Superseded." in text and advisory.reference in text
