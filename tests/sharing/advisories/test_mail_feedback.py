"""Bounces and complaints that come back by mail (RFC 3464 delivery status, RFC 5965
abuse reports) make the address undeliverable; anything else changes nothing."""

import io
import mailbox

import pytest
from django.core.management import call_command

from sharing.advisories import contacts
from sharing.advisories.models import Contact

pytestmark = pytest.mark.django_db

DSN = b"""From: MAILER-DAEMON@mx.example
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

Final-Recipient: rfc822; Kari@Nordic-Radio.example
Action: failed
Status: %s

--B--
"""

ARF = b"""From: feedback@isp.example
To: abuse@exchange.example
Subject: complaint
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="A"

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


def status(email):
    return set(Contact.objects.filter(email=email).values_list("status", flat=True))


def test_a_permanent_bounce_and_a_complaint_mark_the_address_everywhere(people, tmp_path):
    bounce = tmp_path / "bounce.eml"
    bounce.write_bytes(DSN % b"5.1.1")
    out = io.StringIO()
    call_command("process_mail_feedback", str(bounce), stdout=out)
    assert status("kari@nordic-radio.example") == {"undeliverable"}  # both states' contacts
    assert "2 contact(s) marked" in out.getvalue()
    folder = mailbox.Maildir(tmp_path / "Maildir", create=True)
    folder.add(ARF)
    folder.add(DSN % b"4.2.2")  # full for now: not a bounce
    folder.add(b"From: x@example.org\nSubject: out of office\n\nAway.")
    call_command("process_mail_feedback", str(tmp_path / "Maildir"), stdout=io.StringIO())
    assert status("ana@fjord.example") == {"undeliverable"}
    assert status("ok@example.org") == {"pending"}


def test_garbage_changes_nothing(people, tmp_path):
    junk = tmp_path / "junk"
    junk.write_bytes(b"\xff\xfe not a message \x00")
    call_command("process_mail_feedback", str(junk), stdout=io.StringIO())
    assert not Contact.objects.filter(status="undeliverable").exists()
