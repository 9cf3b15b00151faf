import hmac
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts.choices import StateStatus
from accounts.models import Invitation, State, User
from portal import status
from portal.celery import app as celery_app
from portal.tasks import ping
from sharing.common.models import Approval
from sharing.common.querysets import LONG_TEXT_FIELDS, reading_state
from sharing.common.services import can_author
from sharing.denials.views import awaiting_answer
from sharing.notices.models import Notice

logger = logging.getLogger(__name__)


DASHBOARD_LIST_SIZE = 8


@login_required
def dashboard(request):
    user = request.user
    context = {
        "states": State.objects.exclude(status=StateStatus.SUSPENDED),
    }
    state = reading_state(user)
    if state is not None:
        visible = (
            Notice.objects.visible_to(user)
            .select_related("author_state")
            .defer(*LONG_TEXT_FIELDS)  # lists never show them
        )
        # Published notices only, the newest first: published_at IS NOT NULL lets the
        # list index skip the drafts, whose empty dates it keeps first.
        published = visible.exclude(status__in=Notice.UNPUBLISHED).filter(
            published_at__isnull=False
        )
        context["awaiting"] = list(
            published.awaiting_acknowledgement(state).order_by("-published_at")[
                :DASHBOARD_LIST_SIZE
            ]
        )
        context["latest"] = list(published.order_by("-published_at")[:DASHBOARD_LIST_SIZE])
        # Drafts are for those who write them. A viewer's query would ask for what the
        # rule never lets them read, which PostgreSQL cannot see: with some statistics
        # it walks every notice in the order of their last change to find none.
        context["drafts"] = (
            list(
                visible.filter(status__in=Notice.UNPUBLISHED, author_state=state).order_by(
                    "-updated_at"
                )[:DASHBOARD_LIST_SIZE]
            )
            if can_author(user)
            else []
        )
        context["to_approve"] = list(
            Approval.objects.awaiting_decision_by(user)
            .select_related("notice", "best_practice", "denial__state", "advisory", "submitted_by")
            .order_by("submitted_at")[:DASHBOARD_LIST_SIZE]
        )
        context["consultations_awaiting"] = awaiting_answer(user, DASHBOARD_LIST_SIZE)
    if user.is_state_admin:
        context["member_count"] = User.objects.manageable_by(user).filter(is_active=True).count()
        context["open_invitations"] = Invitation.objects.manageable_by(user).open().count()
    return render(request, "portal/dashboard.html", context)


@never_cache
def healthz(request):
    """Liveness: the process answers. Touches nothing else."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"  # the embedded mode: no broker to reach
    with celery_app.connection_for_write(connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    return "ok"


# /readyz?worker=1 needs no login, and a ping nobody answers holds a web process for
# WORKER_PING_TIMEOUT seconds. So that probing it costs nothing, the answer is remembered
# (a success for longer than a failure), at most one request at a time pings (a lock in
# the shared cache), and the others answer with the last result instead of waiting.
WORKER_CHECK_CACHE_KEY = "readyz:worker"
WORKER_LAST_CACHE_KEY = "readyz:worker:last"
WORKER_LOCK_CACHE_KEY = "readyz:worker:lock"
WORKER_PING_TIMEOUT = 3
WORKER_OK_SECONDS = 10
WORKER_FAILED_SECONDS = 5
WORKER_LAST_SECONDS = 60
READY = {"ok", "eager"}


def _ping_worker() -> str:
    """Send one ping and remember the answer, whatever it is."""
    try:
        reply = ping.apply_async(expires=5).get(timeout=WORKER_PING_TIMEOUT)
        answer = "ok" if reply == "pong" else "unavailable"
        if answer != "ok":
            logger.warning("readiness check worker: unexpected answer %r", reply)
    except Exception as exc:  # no worker answered in time, or the result never arrived
        logger.warning("readiness check worker failed: %s", exc)
        answer = "unavailable"
    fresh_for = WORKER_OK_SECONDS if answer == "ok" else WORKER_FAILED_SECONDS
    cache.set(WORKER_CHECK_CACHE_KEY, answer, timeout=fresh_for)
    cache.set(WORKER_LAST_CACHE_KEY, answer, timeout=WORKER_LAST_SECONDS)
    return answer


def _check_worker() -> str:
    """ "ok" when a worker answered a ping recently. Never waits on a ping that another
    request is already making."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # .result, not .get(): Celery's "never join inside a task" guard is one flag for
        # the whole process, and an eager task running in another request's thread can
        # leave it raised.
        return "eager" if ping.apply().result == "pong" else "unavailable"
    answer = cache.get(WORKER_CHECK_CACHE_KEY)
    if answer is not None:
        return answer
    # The lock outlives any ping, so that a process killed mid-ping cannot keep it.
    if not cache.add(WORKER_LOCK_CACHE_KEY, True, timeout=WORKER_PING_TIMEOUT + 7):
        return cache.get(WORKER_LAST_CACHE_KEY, "unavailable")
    try:
        return _ping_worker()
    finally:
        cache.delete(WORKER_LOCK_CACHE_KEY)


def _run_check(name: str, check) -> str:
    try:
        return check()
    except Exception as exc:  # whatever the failure, the dependency is not ready
        logger.warning("readiness check %s failed: %s", name, exc)
        return "unavailable"


@never_cache
def readyz(request):
    """Readiness: the database answers and, where a broker is configured, the broker
    does. With ``?worker=1`` a Celery worker must also have answered a ping task (within
    WORKER_PING_TIMEOUT seconds) in the last few seconds."""
    results = {
        "database": _run_check("database", _check_database),
        "broker": _run_check("broker", _check_broker),
    }
    if request.GET.get("worker") in {"1", "true", "yes"}:
        # No worker can answer through a broker that is down: do not wait to learn it.
        if results["broker"] in READY:
            results["worker"] = _run_check("worker", _check_worker)
        else:
            results["worker"] = "unavailable"
    healthy = all(result in READY for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results},
        status=200 if healthy else 503,
    )


# --- Status page -----------------------------------------------------------------------------


def _is_platform_staff(request) -> bool:
    return request.user.is_authenticated and request.user.is_platform_staff


def _has_status_token(request) -> bool:
    """``Authorization: Bearer <STATUS_TOKEN>``, for monitoring systems."""
    expected = settings.STATUS_TOKEN
    scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
    return bool(
        expected
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.strip().encode(), expected.encode())
    )


@never_cache
def status_page(request):
    """Counts that show whether work flows (queues, the outbox, e-mail, webhooks, the
    sweeper), for platform staff only: anyone else gets 404, as for a page that does not
    exist. Never a title or a text of anything shared."""
    if not _is_platform_staff(request):
        raise Http404
    report = status.report()
    return render(
        request,
        "portal/status.html",
        {"report": report, "problems": set(report["problems"])},
    )


@never_cache
def status_json(request):
    """The same counts as JSON, for platform staff signed in or a monitoring system with
    the STATUS_TOKEN (which needs no database to be let in, so it can tell that the
    database is down)."""
    if not (_has_status_token(request) or _is_platform_staff(request)):
        raise Http404
    return JsonResponse(status.report())
