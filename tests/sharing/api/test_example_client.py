"""examples/state_client.py works as its README says: run as a separate process against
the live portal with a real token, as a state's integrator would run it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from accounts import services as accounts
from sharing.common.choices import EventKind
from sharing.notices import services as notices
from sharing.notices.models import Notice
from sharing.notifications import services as notifications
from sharing.notifications import webhooks
from tests.receiver import Receiver
from tests.sharing.conftest import notice_content

pytestmark = pytest.mark.django_db(transaction=True)

SCRIPT = Path(__file__).resolve().parents[3] / "examples" / "state_client.py"


@pytest.fixture
def run_client(live_server, tmp_path):
    """run_client(*args, token=...) -> the finished process; its folder is tmp_path."""

    def run(*args, token=None):
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("ECHRI_")},
            "ECHRI_URL": live_server.url,
            "NO_PROXY": "localhost,127.0.0.1",
        }
        if token:
            env["ECHRI_TOKEN"] = token
        return subprocess.run(
            [sys.executable, str(SCRIPT), *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    return run


@pytest.fixture
def token_of():
    def make(user):
        return accounts.create_api_token(user, name="example client", by=user)[1]

    return make


def test_me_names_the_tokens_user_and_a_bad_token_is_explained(run_client, token_of, dk_officer):
    ran = run_client("me", token=token_of(dk_officer))
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "dk-officer: officer of Denmark (DK)\n"

    refused = run_client("me", token="echri_revoked-long-ago")
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr.startswith("The token was refused (401): The token is not valid")
    assert "Traceback" not in refused.stderr

    unset = run_client("me")
    assert unset.returncode == 2
    assert "ECHRI_TOKEN" in unset.stderr


def test_post_and_publish_waits_out_the_rate_limit(
    run_client, token_of, dk_officer, settings, live_server
):
    # One request a second: publishing, right after the draft, is refused with a 429
    # and Retry-After: 1, and the script waits and asks again.
    settings.API_TOKEN_RATE = "1/s"
    ran = run_client(
        "post-and-publish", "--title", "Broker of IMSI catchers", token=token_of(dk_officer)
    )
    assert ran.returncode == 0, ran.stderr
    notice = Notice.objects.get()
    assert (notice.status, notice.title, notice.tlp) == (
        "published",
        "Broker of IMSI catchers",
        "green",
    )
    assert ran.stdout.splitlines() == [
        f"Draft created: {notice.pk}",
        f"Published: {notice.reference} (version 1, TLP:GREEN, audience subscribing)",
        f"Page for people: {live_server.url}{notice.get_absolute_url()}",
    ]
    assert "Too many requests; waiting 1 s before trying again." in ran.stderr


def test_bad_input_and_a_forbidden_role_are_printed_plainly(
    run_client, token_of, dk_officer, no_viewer, tmp_path
):
    (tmp_path / "notice.json").write_text(
        json.dumps(
            notice_content(audience="selected", recipient_states=[], countries_of_concern=["ZZZ"])
        )
    )
    refused = run_client("post-and-publish", "--file", "notice.json", token=token_of(dk_officer))
    assert refused.returncode == 1
    lines = refused.stderr.splitlines()
    assert lines[0] == "The portal refused the request (400); nothing was changed:"
    assert any(line.startswith("  countries_of_concern[0]: ") for line in lines), lines
    assert not Notice.objects.exists()

    forbidden = run_client("post-and-publish", token=token_of(no_viewer))
    assert forbidden.returncode == 1
    assert forbidden.stderr.startswith("Not allowed (403): ")
    assert not Notice.objects.exists()


def test_poll_follows_next_and_remembers_the_newest_change(
    run_client, token_of, make_notice, dk_officer, no_viewer, tmp_path
):
    first, second, third = (make_notice(title=f"Alert {n}") for n in range(3))
    token = token_of(no_viewer)

    # Pages of two: the three notices take two pages, joined by `next`.
    ran = run_client("poll", "--page-size", "2", token=token)
    assert ran.returncode == 0, ran.stderr
    *rows, last = ran.stdout.splitlines()
    assert [row.split("  ")[1] for row in rows] == [
        third.reference,
        second.reference,
        first.reference,
    ]
    saved = json.loads((tmp_path / ".echri-poll.json").read_text())
    newest = Notice.objects.get(pk=third.pk).updated_at
    assert saved["since"] == last.removeprefix("Newest change seen: ")
    assert saved["since"].replace("Z", "+00:00") == newest.isoformat()

    # Nothing changed: the notice of the remembered instant is not shown twice.
    again = run_client("poll", "--page-size", "2", token=token)
    assert again.stdout.splitlines() == ["No changes.", last]

    amended = notices.amend(
        first, by=dk_officer, change_note="New alias.", material=True, title="Alert 0, amended"
    )
    latest = run_client("poll", "--page-size", "2", token=token)
    (row, newest_line) = latest.stdout.splitlines()
    assert row.split("  ")[1:] == [amended.reference, "published", "v2", "Alert 0, amended"]
    assert newest_line != last


def test_verify_webhook_accepts_a_real_delivery_and_nothing_else(
    run_client, token_of, dk_officer, no_admin, settings, tmp_path
):
    settings.WEBHOOK_ALLOW_PRIVATE = settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_TIMEOUT = 2
    with Receiver() as receiver:
        _endpoint, secret = notifications.create_webhook(
            by=no_admin, url=receiver.url, event_kinds=[EventKind.NOTICE_PUBLISHED.value]
        )
        published = run_client("post-and-publish", token=token_of(dk_officer))
        assert published.returncode == 0, published.stderr
        (delivery,) = receiver.wait_for(1)
    notice = Notice.objects.get()

    (tmp_path / "body.json").write_bytes(delivery.body.encode())
    headers = [
        f"--header={name}:{delivery.headers[name]}"
        for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
    ]
    checked = run_client("verify-webhook", "--secret", secret, "--body-file", "body.json", *headers)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.splitlines() == [
        f"Signature valid: notice.published {json.loads(delivery.body)['id']}",
        f"About: notice {notice.reference} {settings.SITE_URL}{notice.get_absolute_url()}",
    ]

    (tmp_path / "tampered.json").write_bytes(delivery.body.replace("green", "clear").encode())
    tampered = run_client(
        "verify-webhook", "--secret", secret, "--body-file", "tampered.json", *headers
    )
    assert tampered.returncode == 1
    assert tampered.stdout.startswith("Signature NOT valid (No matching signature found)")

    wrong_secret = run_client(
        "verify-webhook", "--secret", webhooks.new_secret(), "--body-file", "body.json", *headers
    )
    assert wrong_secret.returncode == 1
    assert "Signature NOT valid" in wrong_secret.stdout
