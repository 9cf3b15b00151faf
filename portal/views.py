import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from accounts.choices import StateStatus
from accounts.models import Invitation, State, User
from portal.celery import app as celery_app
from portal.tasks import ping
from sharing.choices import NoticeStatus
from sharing.models import Notice
from sharing.querysets import reading_state

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
        visible = Notice.objects.visible_to(user).select_related("author_state")
        context["awaiting"] = list(
            visible.awaiting_acknowledgement(state).order_by("-published_at")[:DASHBOARD_LIST_SIZE]
        )
        context["latest"] = list(
            visible.exclude(status=NoticeStatus.DRAFT).order_by("-published_at")[
                :DASHBOARD_LIST_SIZE
            ]
        )
        context["drafts"] = list(
            visible.filter(status=NoticeStatus.DRAFT, author_state=state).order_by("-updated_at")[
                :DASHBOARD_LIST_SIZE
            ]
        )
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


WORKER_CHECK_CACHE_KEY = "readyz:worker"


def _check_worker() -> str:
    # Asked often by monitors and unauthenticated: answer from a 10-second memory of the
    # last successful ping rather than tie up a web process for every probe.
    if cache.get(WORKER_CHECK_CACHE_KEY):
        return "ok"
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager" if ping.apply().get() == "pong" else "unavailable"
    answer = ping.apply_async(expires=5).get(timeout=3)
    if answer != "pong":
        raise RuntimeError(f"unexpected answer {answer!r}")
    cache.set(WORKER_CHECK_CACHE_KEY, True, timeout=10)
    return "ok"


@never_cache
def readyz(request):
    """Readiness: the database answers and, where a broker is configured, the broker
    does. With ``?worker=1`` a Celery worker must also answer a ping task within 3 s."""
    checks = {"database": _check_database, "broker": _check_broker}
    if request.GET.get("worker") in {"1", "true", "yes"}:
        checks["worker"] = _check_worker
    results, healthy = {}, True
    for name, check in checks.items():
        try:
            results[name] = check()
        except Exception as exc:  # whatever the failure, the dependency is not ready
            logger.warning("readiness check %s failed: %s", name, exc)
            results[name] = "unavailable"
            healthy = False
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results},
        status=200 if healthy else 503,
    )
