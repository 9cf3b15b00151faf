"""The account e-mails allauth sends: every link in them is built from SITE_URL, never
from the Host header of the request that caused them; and a password reset goes only to
a confirmed address of an account that may sign in, as that address is stored: asked for
any other address, it sends nothing at all."""

import re

import pytest
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django.conf import settings
from django.core import mail
from django.test import RequestFactory

from accounts.choices import StateStatus
from accounts.models import State

pytestmark = pytest.mark.django_db

# An allowed host name, but not the address people use: what a request with a forged or
# unusual Host header (another port, say) looks like by the time it reaches a view.
OTHER_HOST = "localhost:9999"
NEW_PASSWORD = "a different and long passphrase"
URL = re.compile(r"https?://[^\s\"'<>]+")


def texts_of(message) -> list[str]:
    """The subject, the plain body and every alternative (the HTML part)."""
    return [
        message.subject,
        message.body,
        *(content for content, _mime in getattr(message, "alternatives", [])),
    ]


def assert_only_site_url(message):
    for text in texts_of(message):
        for url in URL.findall(text):
            assert url.startswith(settings.SITE_URL + "/"), url
        assert "localhost" not in text and "9999" not in text
        assert "testserver" not in text


def request_reset(client, email, host=OTHER_HOST):
    return client.post("/accounts/password/reset/", {"email": email}, HTTP_HOST=host)


def test_the_password_reset_link_comes_from_site_url_not_the_host_header(
    client, dk_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = request_reset(client, dk_officer.email)
    assert response.status_code == 302
    (message,) = mail.outbox
    links = URL.findall(message.body)
    assert links and links[0].startswith(f"{settings.SITE_URL}/accounts/password/reset/key/")
    assert_only_site_url(message)


def test_the_password_changed_notice_names_no_host_but_the_sites(
    client, dk_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_reset(client, dk_officer.email)
    link = URL.search(mail.outbox[0].body).group(0).removeprefix(settings.SITE_URL)
    page = client.get(link, follow=True, HTTP_HOST=OTHER_HOST)
    action = page.redirect_chain[-1][0] if page.redirect_chain else link
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, HTTP_HOST=OTHER_HOST
        )
    assert done.status_code == 302
    dk_officer.refresh_from_db()
    assert dk_officer.check_password(NEW_PASSWORD)
    notice = mail.outbox[-1]
    assert notice is not mail.outbox[0]
    assert settings.SITE_NAME in notice.body
    assert_only_site_url(notice)


def test_the_email_confirmation_link_comes_from_site_url(
    client, dk_officer, django_capture_on_commit_callbacks
):
    client.force_login(dk_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/email/", {"action_add": "", "email": "mette@um.dk"}, HTTP_HOST=OTHER_HOST
        )
    message = mail.outbox[-1]
    assert message.to == ["mette@um.dk"]
    assert f"{settings.SITE_URL}/accounts/confirm-email/" in message.body
    assert_only_site_url(message)


def test_no_account_exists_mail_is_sent(dk_officer, django_capture_on_commit_callbacks):
    # Sign-up is closed, so allauth has no reason to send it; were it ever to, it would
    # point at a sign-up page that does not exist.
    request = RequestFactory().get("/", HTTP_HOST=OTHER_HOST)
    with allauth_context.request_context(request), django_capture_on_commit_callbacks(execute=True):
        get_adapter(request).send_account_already_exists_mail(dk_officer.email)
    assert mail.outbox == []


# --- No account, no mail ----------------------------------------------------------------------


def claim_address(client, user, email):
    """``user`` adds ``email`` to their account; it stays unconfirmed."""
    client.force_login(user)
    client.post("/accounts/email/", {"email": email, "action_add": ""})
    client.logout()
    assert EmailAddress.objects.filter(user=user, email=email, verified=False).exists()


@pytest.mark.parametrize("who", ["deactivated", "unknown", "unconfirmed", "suspended"])
def test_a_reset_for_an_address_without_a_usable_account_sends_nothing(
    client, dk_officer, dk_viewer, django_capture_on_commit_callbacks, who
):
    # The answer is exactly the one a real account gets; only the mail differs.
    with django_capture_on_commit_callbacks(execute=True):
        known = request_reset(client, dk_viewer.email)
    assert len(mail.outbox) == 1

    if who == "deactivated":
        dk_officer.is_active = False
        dk_officer.save()
        email = dk_officer.email
    elif who == "unconfirmed":
        # dk-viewer mistyped their new address; whoever holds the mistyped one must not
        # get a link into dk-viewer's account.
        email = "dk-vewer@example.org"
        claim_address(client, dk_viewer, email)
    elif who == "suspended":
        State.objects.filter(pk=dk_officer.state_id).update(status=StateStatus.SUSPENDED)
        dk_officer.refresh_from_db()
        assert not dk_officer.may_sign_in
        email = dk_officer.email
    else:
        email = "nobody@example.org"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = request_reset(client, email)
    assert (response.status_code, response["Location"]) == (known.status_code, known["Location"])
    assert mail.outbox == []
    done, done_known = client.get(response["Location"]), client.get(known["Location"])
    assert done.status_code == done_known.status_code == 200


def test_anothers_unconfirmed_claim_does_not_take_the_reset_from_the_owner(
    client, dk_officer, dk_viewer, django_capture_on_commit_callbacks
):
    claim_address(client, dk_viewer, dk_officer.email)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request_reset(client, dk_officer.email)
    (message,) = mail.outbox
    assert message.to == [dk_officer.email]
    assert "dk-officer" in message.body and "dk-viewer" not in message.body


def test_a_reset_asked_for_a_unicode_look_alike_goes_to_the_address_as_stored(
    client, dk_officer, django_capture_on_commit_callbacks
):
    # allauth lowercases the address typed to find the account, and the Kelvin sign
    # ("\u212a") lowercases to "k"; but the look-alike itself is someone else's mailbox,
    # or nobody's.
    with django_capture_on_commit_callbacks(execute=True):
        request_reset(client, "d\u212a-officer@example.org")
    (message,) = mail.outbox
    assert message.to == [dk_officer.email]
