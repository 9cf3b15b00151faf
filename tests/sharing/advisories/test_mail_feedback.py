"""Bounces and complaints that come back by mail (RFC 3464 delivery status, RFC 5965
abuse reports) make the contact undeliverable, when they return a message the portal
sent that contact; anything else (an auto-reply, a delay, a forgery) changes nothing."""

import io
import mailbox

import pytest
from django.core.management import call_command

from portal.models import OutgoingEmail
from sharing.advisories import contacts
from sharing.advisories.models import Contact

pytestmark = pytest.mark.django_db

DSN = """From: MAILER-DAEMON@mx.example
To: bounces@exchange.example
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example

Final-Recipient: rfc822; kari@nordic-radio.example
Action: failed
Status: {status}

--B
Content-Type: text/rfc822-headers

From: portal@exchange.example
To: kari@nordic-radio.example
Message-ID: {message_id}
Subject: Confirm your address

--B--
"""

ARF = """From: feedback@isp.example
To: abuse@exchange.example
Subject: complaint
MIME-Version: 1.0
Content-Type: multipart/report; report-type*=''feedback-report; boundary="A"

--A
Content-Type: text/plain

This is an abuse report.
--A
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeGenerator/1.0
Version: 1

--A
Content-Type: message/rfc822

From: portal@exchange.example
To: Ana Lima <ana@fjord.example>
Message-ID: {message_id}
Subject: An advisory

Text.
--A--
"""


@pytest.fixture
def people(no_officer, dk_officer):
    invited = [
        (no_officer, "kari@nordic-radio.example"),
        (dk_officer, "kari@nordic-radio.example"),
        (no_officer, "ana@fjord.example"),
        (no_officer, "ok@example.org"),
    ]
    return [
        contacts.invite(by=by, email=email, name="N", organisation="O") for by, email in invited
    ]


def message_id(contact) -> str:
    return OutgoingEmail.objects.get(about=f"contact:{contact.pk}").message_id


def test_a_bounce_and_a_complaint_about_our_messages_mark_those_contacts(people, tmp_path):
    norway_kari, denmark_kari, ana, ok = people
    bounce = tmp_path / "bounce.eml"
    bounce.write_text(DSN.format(status="5.1.1", message_id=message_id(norway_kari)))
    out = io.StringIO()
    call_command("process_mail_feedback", str(bounce), stdout=out)
    assert "1 contact(s) marked" in out.getvalue()
    statuses = dict(Contact.objects.values_list("pk", "status"))
    assert statuses[norway_kari.pk] == "undeliverable"
    assert statuses[denmark_kari.pk] == "pending"  # Denmark's message was not returned
    folder = mailbox.Maildir(tmp_path / "Maildir", create=True)
    folder.add(ARF.format(message_id=message_id(ana)))
    folder.add(DSN.format(status="4.2.2", message_id=message_id(ok)))  # full for now
    folder.add(b"From: x@example.org\nSubject: out of office\n\nAway.")
    call_command("process_mail_feedback", str(tmp_path / "Maildir"), stdout=io.StringIO())
    statuses = dict(Contact.objects.values_list("pk", "status"))
    assert statuses[ana.pk] == "undeliverable" and statuses[ok.pk] == "pending"


def test_forged_and_unreadable_reports_change_nothing(people, tmp_path):
    forged = tmp_path / "forged.eml"
    forged.write_text(DSN.format(status="5.1.1", message_id="<made-up@elsewhere.example>"))
    junk = tmp_path / "junk"
    junk.write_bytes(b"\xff\xfe not a message \x00")
    broken = tmp_path / "broken"
    broken.write_bytes(b"Content-Type: multipart/report; report-type=\x00\n\n--")
    call_command("process_mail_feedback", str(forged), str(junk), str(broken), stdout=io.StringIO())
    assert not Contact.objects.filter(status="undeliverable").exists()
