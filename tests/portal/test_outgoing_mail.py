"""Account e-mail (invitations, password resets, notices of staff acts) is durable: a
row committed with the act, sent after commit to a real SMTP server, retried while the
server fails, swept up when the broker missed it, and never sent twice. Pins item 12 of
issue 17."""

import datetime
import re
import time

import pytest
from django.core import mail as django_mail
from django.db import transaction
from django.utils import timezone

from accounts import services as accounts
from accounts.models import Invitation
from portal import mail
from portal.models import OutgoingEmail

pytestmark = pytest.mark.django_db(transaction=True)  # on_commit hooks must run

LATER = datetime.timedelta(minutes=20)  # past the sweeper's grace and lost-task waits


def test_an_invitation_reaches_a_real_mail_server_once(smtp_server, dk_admin):
    invitation = accounts.invite_user(email="new.officer@um.dk", role="officer", by=dk_admin)
    (message,) = smtp_server.to("new.officer@um.dk")
    body = message.get_body(("plain",)).get_content()
    token = re.search(r"/accounts/invitation/([^/\s]+)/", body).group(1)
    assert Invitation.id_from_token(token) == invitation.pk
    row = OutgoingEmail.objects.get()
    assert (row.status, row.attempts) == ("sent", 0)
    # The link it held is not kept once it has left.
    assert (row.body, row.html) == ("", "") and "/accounts/invitation/" not in str(row.__dict__)
    mail.sweep(now=timezone.now() + LATER)
    mail.send(row.pk)  # a message delivered twice by the broker
    assert len(smtp_server.to("new.officer@um.dk")) == 1


def test_mail_waits_while_the_server_is_down_and_leaves_once_it_is_back(smtp_server, dk_admin):
    smtp_server.stop()
    accounts.invite_user(email="new.viewer@um.dk", role="viewer", by=dk_admin)
    assert Invitation.objects.filter(email="new.viewer@um.dk").exists()
    row = OutgoingEmail.objects.get()
    assert (row.status, row.attempts) == ("pending", 1)
    smtp_server.start()
    mail.sweep(now=timezone.now() + LATER)
    mail.sweep(now=timezone.now() + LATER)  # two beat hosts at once
    assert len(smtp_server.to("new.viewer@um.dk")) == 1
    assert OutgoingEmail.objects.get().status == "sent"


def test_an_address_the_server_refuses_is_given_up_at_once(smtp_server, dk_admin):
    smtp_server.handler.refused.add("nobody@um.dk")
    accounts.invite_user(email="nobody@um.dk", role="viewer", by=dk_admin)
    assert OutgoingEmail.objects.get().status == "failed"


def test_a_message_that_keeps_failing_is_given_up_after_the_last_attempt(
    smtp_server, dk_admin, settings
):
    settings.EMAIL_MAX_ATTEMPTS = 3
    smtp_server.handler.failing = True
    accounts.invite_user(email="busy@um.dk", role="viewer", by=dk_admin)
    for _ in range(3):
        mail.sweep(now=timezone.now() + LATER)
    row = OutgoingEmail.objects.get()
    assert (row.status, row.attempts) == ("failed", 3)
    assert smtp_server.messages == []


def test_an_act_rolled_back_sends_nothing_and_leaves_no_row(dk_admin):
    with pytest.raises(RuntimeError), transaction.atomic():
        accounts.invite_user(email="never@um.dk", role="viewer", by=dk_admin)
        raise RuntimeError("the request failed after the invitation")
    assert not OutgoingEmail.objects.exists()
    assert django_mail.outbox == []


def test_inviting_while_the_broker_is_down_answers_and_the_mail_is_swept_up(
    client, dk_admin, broker_down
):
    client.force_login(dk_admin)
    response = client.post("/accounts/members/invite/", {"email": "late@um.dk", "role": "viewer"})
    assert response.status_code == 302  # not a 500
    assert Invitation.objects.filter(email="late@um.dk").exists()
    assert OutgoingEmail.objects.get().status == "pending"
    assert django_mail.outbox == []
    broker_down()  # the broker is back (and the tasks eager again)
    mail.sweep(now=timezone.now() + LATER)
    assert [m.to for m in django_mail.outbox] == [["late@um.dk"]]


def test_a_real_worker_sends_what_the_broker_missed_once(
    celery_worker, client, dk_admin, broker_down
):
    from portal import tasks

    client.force_login(dk_admin)
    response = client.post("/accounts/members/invite/", {"email": "swept@um.dk", "role": "viewer"})
    assert response.status_code == 302
    broker_down()  # the broker is back; the worker never heard of the invitation
    time.sleep(1.2)  # the worker's grace period (EVENT_SWEEP_GRACE_SECONDS=1)
    tasks.sweep_mail.delay()
    tasks.sweep_mail.delay()  # two beat hosts at once
    deadline = time.monotonic() + 30
    while OutgoingEmail.objects.get().status != "sent" and time.monotonic() < deadline:
        time.sleep(0.2)
    tasks.sweep_mail.delay()
    time.sleep(1)
    sent = [p for p in celery_worker.mail_dir.iterdir() if "swept@um.dk" in p.read_text()]
    assert len(sent) == 1
