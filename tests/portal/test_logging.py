"""Structured logs: every request has an id, returned in X-Request-ID, on every log record
made while it is served and on those of the Celery tasks it caused, down to the tasks
those enqueue; JSON lines when LOG_FORMAT=json. Secrets in addresses (invitation and
password-reset links) never reach a log line."""

import io
import json
import logging
import runpy
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import logging as portal_logging
from portal.celery import LOG_CONTEXT_HEADER
from portal.celery import app as celery_app
from sharing.notices import services as notices
from sharing.notifications.models import Notification
from tests.factories import InvitationFactory
from tests.portal.test_settings import PRODUCTION, load_settings, refusal, run_python
from tests.sharing.conftest import notice_content

TO_NORWAY = {"audience": "selected", "recipient_states": ["NO"], "tlp": "green"}


def records_of_task(caplog, task_name):
    return [r for r in caplog.records if getattr(r, "task", None) == task_name]


# --- The request id ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_well_formed_incoming_request_id_is_kept_and_returned(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a:01.abc"})
    assert response["X-Request-ID"] == "lb-7f3a:01.abc"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming",
    ["", "two words", "forged\nline", "x" * 129, "-starts-with-dash", "é-accents"],
    ids=["empty", "space", "newline", "too-long", "leading-dash", "non-ascii"],
)
def test_a_malformed_request_id_is_replaced_by_a_new_one(client, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32
    int(response["X-Request-ID"], 16)


@pytest.mark.django_db
def test_every_request_gets_its_own_id_even_an_error_page(client):
    first = client.get("/healthz")["X-Request-ID"]
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert missing["X-Request-ID"] not in {"", first}


@pytest.mark.django_db
def test_records_made_during_a_request_carry_its_id_the_person_and_their_state(
    client, dk_officer, caplog
):
    client.force_login(dk_officer)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(f"/notices/{uuid.uuid4()}/", headers={"X-Request-ID": "req-42abc"})
    assert response.status_code == 404
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert (record.request_id, record.user_id, record.state) == ("req-42abc", dk_officer.pk, "DK")
    line = json.loads(portal_logging.JsonFormatter().format(record))
    assert line["request_id"] == "req-42abc"
    assert line["user_id"] == dk_officer.pk and line["state"] == "DK"
    assert line["level"] == "WARNING" and line["logger"] == "django.request"


def test_outside_any_request_the_context_is_empty(caplog):
    with caplog.at_level(logging.INFO):
        logging.getLogger("tests.outside").info("nothing to tie it to")
    (record,) = caplog.records
    assert (record.request_id, record.user_id, record.state, record.task_id) == (None,) * 4


# --- Formats --------------------------------------------------------------------------------


def test_the_json_formatter_writes_one_object_per_line_with_the_traceback():
    logger = logging.getLogger("tests.json")
    try:
        raise ValueError("broken\nacross lines")
    except ValueError:
        record = logger.makeRecord(
            "tests.json", logging.ERROR, __file__, 1, "failed %s", ("once",), exc_info=True
        )
        record.exc_info = sys.exc_info()
    text = portal_logging.JsonFormatter().format(record)
    assert "\n" not in text
    line = json.loads(text)
    assert set(line) >= {"time", "level", "logger", "message", "request_id", "user_id", "state"}
    assert line["message"] == "failed once"
    assert line["time"].endswith("+00:00")
    assert "ValueError: broken" in line["exception"]


def test_log_format_json_makes_the_processes_log_json_lines():
    code = "import django, logging; django.setup(); logging.getLogger('probe').warning('hi %s', 1)"
    result = run_python(code, {"LOG_FORMAT": "json"})
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert (line["logger"], line["level"], line["message"]) == ("probe", "WARNING", "hi 1")
    plain = run_python(code, {})
    assert plain.stderr.strip().endswith("WARNING probe: hi 1")


def test_a_bad_log_format_or_level_is_refused():
    assert "LOG_FORMAT" in refusal(**PRODUCTION, LOG_FORMAT="xml")
    assert "LOG_LEVEL" in refusal(**PRODUCTION, LOG_LEVEL="LOUD")
    assert load_settings(**PRODUCTION, LOG_FORMAT="JSON")["DEBUG"] is False


# --- Into the tasks ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_requests_id_reaches_the_tasks_it_caused_and_the_tasks_they_enqueued(
    client, dk_officer, no_viewer, caplog
):
    # Eager mode: the tasks run in the request's thread, after its commit.
    draft = notices.create(by=dk_officer, **notice_content(**TO_NORWAY))
    client.force_login(dk_officer)
    with caplog.at_level(logging.DEBUG, logger="portal.celery"):
        response = client.post(
            reverse("sharing:notice-publish", args=[draft.pk]),
            headers={"X-Request-ID": "req-publish-0001"},
        )
    assert response.status_code == 302
    assert Notification.objects.filter(user=no_viewer).exists()
    dispatched = records_of_task(caplog, "sharing.tasks.dispatch_event")
    emailed = records_of_task(caplog, "sharing.tasks.send_notification_emails")
    assert dispatched and emailed, [r.getMessage() for r in caplog.records]
    for record in dispatched + emailed:
        assert record.request_id == "req-publish-0001"
        assert (record.user_id, record.state) == (dk_officer.pk, "DK")
        assert record.task_id


@celery_app.task(name="tests.portal.log_probe", bind=True)
def log_probe(self, hops: int, queue: str) -> None:
    logging.getLogger("tests.probe").info("probe with %s hops to go", hops)
    if hops:
        log_probe.apply_async((hops - 1, queue), queue=queue)


def _next_message(connection, queue_name):
    queue = connection.SimpleQueue(queue_name)
    try:
        message = queue.get(timeout=5)
        message.ack()
        return message
    finally:
        queue.close()


@pytest.fixture
def broker_queue():
    """A queue of the test's own on the configured broker (Redis, or Celery's in-memory
    transport without one), its messages published for real and read back."""
    name = f"test-log-{uuid.uuid4().hex[:8]}"
    celery_app.conf.task_always_eager = False  # _celery_mode puts it back
    connection = celery_app.connection_for_write()
    connection.SimpleQueue(name).close()  # declared before anything is sent to it
    yield connection, name
    try:
        with connection.channel() as channel:
            channel.queue_delete(name)
    finally:
        connection.release()


def test_a_published_message_carries_the_context_and_a_worker_restores_it(broker_queue, caplog):
    from celery.app.trace import trace_task

    connection, name = broker_queue

    # What the middleware holds: a request whose user is loaded.
    user = SimpleNamespace(pk=7, state_id="NO", is_authenticated=True)
    token = portal_logging.enter_request(SimpleNamespace(_cached_user=user), "req-from-web")
    try:
        log_probe.apply_async((1, name), queue=name)
    finally:
        portal_logging.leave(token)

    first = _next_message(connection, name)
    carried = first.headers[LOG_CONTEXT_HEADER]
    assert carried == {"request_id": "req-from-web", "user_id": 7, "state": "NO"}

    # Run it as a worker does: the message's headers become the task's request.
    args, kwargs, _embed = first.decode()
    with caplog.at_level(logging.INFO, logger="tests.probe"):
        trace_task(
            log_probe,
            first.headers["id"],
            args,
            kwargs,
            request=dict(first.headers),
            app=celery_app,
        )
    (record,) = [r for r in caplog.records if r.name == "tests.probe"]
    assert (record.request_id, record.user_id, record.state) == ("req-from-web", 7, "NO")
    assert record.task == "tests.portal.log_probe" and record.task_id == first.headers["id"]
    assert portal_logging.current() is None  # left behind nothing

    # ... and what the task enqueued carries the same request on.
    second = _next_message(connection, name)
    assert second.headers[LOG_CONTEXT_HEADER]["request_id"] == "req-from-web"
    assert second.headers["parent_id"] == first.headers["id"]


def test_a_task_not_caused_by_a_request_carries_nothing(broker_queue):
    connection, name = broker_queue
    log_probe.apply_async((0, name), queue=name)
    assert LOG_CONTEXT_HEADER not in _next_message(connection, name).headers


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_logs_the_request_id_of_the_publication(
    celery_worker, client, dk_officer, no_viewer
):
    draft = notices.create(by=dk_officer, **notice_content(**TO_NORWAY))
    client.force_login(dk_officer)
    request_id = f"req-worker-{uuid.uuid4().hex[:8]}"
    response = client.post(
        reverse("sharing:notice-publish", args=[draft.pk]), headers={"X-Request-ID": request_id}
    )
    assert response["X-Request-ID"] == request_id

    def logged(task):
        text = celery_worker.log_path.read_text()
        return [
            line
            for line in text.splitlines()
            if f"req={request_id}" in line and f"task={task}[" in line and "succeeded" in line
        ]

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not logged("sharing.tasks.send_notification_emails"):
        time.sleep(0.2)
    dispatched = logged("sharing.tasks.dispatch_event")
    emailed = logged("sharing.tasks.send_notification_emails")
    assert dispatched and emailed, celery_worker.log_path.read_text()[-3000:]
    assert f"user={dk_officer.pk} DK" in dispatched[0]


# --- Secrets in addresses -----------------------------------------------------------------------

GUNICORN_CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"
INVITATION_TOKEN = "ImY1ZDk3YzM0LTFmNzQtNDk0Zi04ZGRmLTYxNDRjNjEzOGQxNyI:1xaDvk:wYLI5IbqwjHhg2Sk"
RESET_KEY = "2-dj67mo-7a5aea1f456e200cd1027c6711616abf"


@pytest.mark.parametrize(
    ("logged", "expected"),
    [
        (
            f"Not Found: /accounts/invitation/{INVITATION_TOKEN}/",
            "Not Found: /accounts/invitation/[redacted]/",
        ),
        (  # the plural, as someone might mistype the link
            f"Not Found: /accounts/invitations/{INVITATION_TOKEN}/",
            "Not Found: /accounts/invitations/[redacted]/",
        ),
        (
            f"GET /accounts/password/reset/key/{RESET_KEY}/ HTTP/1.1",
            "GET /accounts/password/reset/key/[redacted]/ HTTP/1.1",
        ),
        (
            "/accounts/confirm-email/Mg:1xaDvk:wYLI5IbqwjHhg2SskZ5QE8iHoSj-vnCvHo5blhdgrhc/",
            "/accounts/confirm-email/[redacted]/",
        ),
        (  # a whole address, its query string, and no trailing slash
            f"referer https://exchange.example.org/accounts/invitation/{INVITATION_TOKEN}?a=1 x",
            "referer https://exchange.example.org/accounts/invitation/[redacted]?a=1 x",
        ),
        (  # inside another address, percent-encoded
            f"/accounts/login/?next=%2Faccounts%2Finvitation%2F{INVITATION_TOKEN}%2F",
            "/accounts/login/?next=%2Faccounts%2Finvitation%2F[redacted]%2F",
        ),
        (  # as the JSON formatter writes it
            json.dumps({"path": f"/accounts/invitation/{INVITATION_TOKEN}/"}),
            json.dumps({"path": "/accounts/invitation/[redacted]/"}),
        ),
        (  # an industry contact's links: to read an advisory, confirm, unsubscribe
            "GET /industry/read/eyJjIjoxLCJhIjoiMSJ9:1xaO:AbC-d_e/ HTTP/1.1",
            "GET /industry/read/[redacted]/ HTTP/1.1",
        ),
        (
            "Not Found: /industry/unsubscribe/eyJjIjoxfQ:1xaOa7:61avarGdMN0r/",
            "Not Found: /industry/unsubscribe/[redacted]/",
        ),
        (
            "/industry/confirm/eyJjIjoxfQ:1xaOa7:61av/",
            "/industry/confirm/[redacted]/",
        ),
    ],
    ids=[
        "invitation",
        "invitations",
        "reset-key",
        "confirm-email",
        "url",
        "encoded",
        "json",
        "advisory-link",
        "unsubscribe",
        "contact-confirm",
    ],
)
def test_secrets_in_addresses_are_scrubbed(logged, expected):
    assert portal_logging.scrub_secrets(logged) == expected


# A link mangled on its way (a mail client, a copy into a ticket, a hand-edited address)
# is not found, and the warning about it names the path: the secret in it is as live as
# in the link itself.
MANGLED = [
    (
        f"Not Found: /accounts/invitation//{INVITATION_TOKEN}/",
        "Not Found: /accounts/invitation//[redacted]/",
    ),
    (
        f"Not Found: /accounts//invitation/{INVITATION_TOKEN}/",
        "Not Found: /accounts//invitation/[redacted]/",
    ),
    (
        f"Not Found: /accounts/password//reset/key/{RESET_KEY}/",
        "Not Found: /accounts/password//reset/key/[redacted]/",
    ),
    (
        f"GET ///accounts///password/reset//key///{RESET_KEY}// HTTP/1.1",
        "GET ///accounts///password/reset//key///[redacted]// HTTP/1.1",
    ),
    (
        f"Not Found: /accounts/./invitation/.././{INVITATION_TOKEN}/",
        "Not Found: /accounts/./invitation/.././[redacted]/",
    ),
    (  # the secret's own segment is hidden; what follows it is no secret
        f"Not Found: /accounts/invitation/{INVITATION_TOKEN}/accept/",
        "Not Found: /accounts/invitation/[redacted]/accept/",
    ),
    (
        f"/accounts/login/?next=%2Faccounts%2F%2Finvitation%2f%2F{INVITATION_TOKEN}%2F",
        "/accounts/login/?next=%2Faccounts%2F%2Finvitation%2f%2F[redacted]%2F",
    ),
    (
        "/accounts/login/?next=/accounts%2Fconfirm-email/%2FMg:1xaDvk:wYLI5IbqwjHhg2Ssk/",
        "/accounts/login/?next=/accounts%2Fconfirm-email/%2F[redacted]/",
    ),
    (  # encoded twice: an address in the query string of one in a query string
        f"/accounts/login/?next=/x%3Fnext%3D%252Faccounts%252Finvitation%252F{INVITATION_TOKEN}",
        "/accounts/login/?next=/x%3Fnext%3D%252Faccounts%252Finvitation%252F[redacted]",
    ),
]


@pytest.mark.parametrize(
    ("logged", "expected"),
    MANGLED,
    ids=[
        "doubled-after-invitation",
        "doubled-before-invitation",
        "doubled-in-reset-key",
        "many-repeated",
        "dot-segments",
        "trailing-segment",
        "encoded-doubled",
        "encoded-mixed",
        "encoded-twice",
    ],
)
def test_secrets_in_mangled_addresses_are_scrubbed(logged, expected):
    assert portal_logging.scrub_secrets(logged) == expected


@pytest.mark.parametrize(
    "logged",
    [
        f"Not Found: /notices/{uuid.UUID(int=7)}/",
        "POST /accounts/password/reset/ HTTP/1.1",
        "GET /accounts/members/12/ 200",
        "GET /accounts/tokens/3/revoke/ 302",
        "GET /accounts/invitation/ 404",
        "GET /healthz 200",
        "",
    ],
)
def test_addresses_without_secrets_are_left_alone(logged):
    assert portal_logging.scrub_secrets(logged) == logged


def test_the_filter_scrubs_a_records_arguments_but_not_the_callers_objects():
    from gunicorn.glogging import SafeAtoms

    path = f"/accounts/invitation/{INVITATION_TOKEN}/"
    atoms = SafeAtoms({"U": path, "s": "404", "D": 1500})
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, "", 0, "%(U)s %(s)s", (atoms,), None
    )
    assert portal_logging.ScrubSecrets().filter(record) is True
    assert type(record.args) is SafeAtoms and record.args is not atoms
    assert record.getMessage() == "/accounts/invitation/[redacted]/ 404"
    assert record.args["D"] == 1500 and record.args["{missing}i"] == "-"
    assert atoms["U"] == path  # gunicorn's own object is untouched

    record = logging.LogRecord(
        "django.request", logging.WARNING, "", 0, "Not Found: %s", (path,), None
    )
    portal_logging.ScrubSecrets().filter(record)
    assert record.getMessage() == "Not Found: /accounts/invitation/[redacted]/"


@pytest.fixture(params=["plain", "json"])
def console(request):
    """What the configured console handler writes, in each format."""
    (handler,) = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h.formatter, portal_logging.PlainFormatter | portal_logging.JsonFormatter)
    ]
    formatter = handler.formatter
    if request.param == "json":
        handler.setFormatter(portal_logging.JsonFormatter())
    buffer = io.StringIO()
    stream = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(stream)
        handler.setFormatter(formatter)


@pytest.mark.django_db
def test_invitation_tokens_stay_out_of_the_4xx_warnings(client, seeded_states, console):
    deleted = InvitationFactory()
    deleted_token = deleted.token
    deleted.delete()
    expired_token = InvitationFactory(expires_at=timezone.now() - timedelta(days=1)).token
    forged_token = deleted_token[:-4] + "AAAA"

    assert client.get(f"/accounts/invitation/{deleted_token}/").status_code == 404
    assert client.get(f"/accounts/invitation/{expired_token}/").status_code == 410
    assert client.get(f"/accounts/invitation/{forged_token}/").status_code == 404
    assert client.get(f"/accounts/invitations/{forged_token}/").status_code == 404

    written = console.getvalue()
    for token in (deleted_token, expired_token, forged_token):
        assert token not in written
        assert token.split(":")[0] not in written
    lines = [line for line in written.splitlines() if "/accounts/invitation" in line]
    assert len(lines) == 4, written
    assert all("/[redacted]/" in line for line in lines), lines


@pytest.mark.django_db
def test_secrets_in_mangled_links_stay_out_of_the_4xx_warnings(client, seeded_states, console):
    token = InvitationFactory().token
    paths = [
        f"/accounts/invitation//{token}/",
        f"/accounts//invitation/{token}/",
        f"/accounts/password//reset/key/{RESET_KEY}/",
    ]
    for path in paths:
        assert client.get(path).status_code == 404, path

    written = console.getvalue()
    for secret in (token, token.split(":")[0], RESET_KEY):
        assert secret not in written
    lines = [line for line in written.splitlines() if "Not Found" in line]
    assert len(lines) == len(paths), written
    assert all("/[redacted]/" in line for line in lines), lines


def test_a_crash_on_a_secret_address_keeps_the_secret_out_of_the_traceback(console):
    logger = logging.getLogger("django.request")
    path = f"/accounts/invitation/{INVITATION_TOKEN}/"
    try:
        raise ValueError(f"could not handle {path}")
    except ValueError:
        logger.error("Internal Server Error: %s", path, exc_info=True)
    written = console.getvalue()
    assert "ValueError: could not handle" in written
    assert INVITATION_TOKEN not in written


@pytest.mark.parametrize("log_format", ["plain", "json"])
def test_gunicorns_access_log_as_configured_scrubs_secret_paths(monkeypatch, log_format):
    from gunicorn.config import Config

    monkeypatch.setenv("LOG_FORMAT", log_format)
    deployed = runpy.run_path(str(GUNICORN_CONF))
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", deployed["access_log_format"])
    gunicorn_log = deployed["logger_class"](config)
    logs = (gunicorn_log.access_log, gunicorn_log.error_log)
    own = {log: [h for h in log.handlers if getattr(h, "_gunicorn", False)] for log in logs}
    buffer = io.StringIO()
    for handler in own[gunicorn_log.access_log]:
        handler.setStream(buffer)
    try:
        for path in (f"/accounts/invitation/{INVITATION_TOKEN}/", f"/notices/{uuid.UUID(int=7)}/"):
            environ = {
                "REQUEST_METHOD": "GET",
                "RAW_URI": f"{path}?from=mail",
                "PATH_INFO": path,
                "QUERY_STRING": "from=mail",
                "SERVER_PROTOCOL": "HTTP/1.1",
                "REMOTE_ADDR": "203.0.113.9",
                "HTTP_REFERER": f"https://exchange.example.org{path}",
                "HTTP_USER_AGENT": "probe",
            }
            response = SimpleNamespace(
                status="404 Not Found", sent=12, headers=[("X-Request-ID", "req-gunicorn-1")]
            )
            request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
            gunicorn_log.access(response, request, environ, timedelta(microseconds=1500))
    finally:
        for log, handlers in own.items():
            for handler in handlers:
                log.removeHandler(handler)
            log.propagate = True

    secret_line, plain_line = buffer.getvalue().splitlines()
    assert INVITATION_TOKEN not in buffer.getvalue()
    assert "/accounts/invitation/[redacted]/" in secret_line
    assert f"/notices/{uuid.UUID(int=7)}/" in plain_line  # an unrelated path is kept
    if log_format == "json":
        entry = json.loads(secret_line)
        assert entry["http"]["path"] == "/accounts/invitation/[redacted]/"
        assert entry["http"]["status"] == 404 and entry["request_id"] == "req-gunicorn-1"
        assert json.loads(plain_line)["http"]["path"] == f"/notices/{uuid.UUID(int=7)}/"
