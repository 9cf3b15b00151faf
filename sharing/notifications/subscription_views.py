"""How people and states choose to be told: a person's e-mail preference, their state's
defaults and its webhook endpoints (the last two for the state's admins). Every change
is a call to ``sharing.notifications.services``."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal import once
from portal.forms import apply_errors, saved
from sharing.common.pages import other_params, paginate
from sharing.common.querysets import as_state
from sharing.denials.models import Denial
from sharing.notices.models import Notice
from sharing.notifications import services
from sharing.notifications.forms import EmailPreferenceForm, WebhookForm, WebhookRotateForm
from sharing.notifications.models import (
    StateEmailDefault,
    UserEmailPreference,
    WebhookDelivery,
    WebhookEndpoint,
)
from sharing.practices.models import BestPractice

DELIVERIES_PER_PAGE = 25
# The signing secret of a new (or rotated) endpoint waits here for the one page that
# shows it, then is gone: it is never shown again.
SECRET_SESSION_KEY = "webhook-secret"  # noqa: S105 (a session key name)


def _preference_data(form: EmailPreferenceForm) -> dict:
    return dict(form.cleaned_data)


# --- A person's e-mail ----------------------------------------------------------------------


@login_required
def email_preferences(request):
    user = request.user
    own = UserEmailPreference.objects.filter(user=user).first()
    state_default = (
        StateEmailDefault.objects.filter(state_id=user.state_id).first() if user.state_id else None
    )
    if request.method == "POST" and "use_default" in request.POST:
        services.use_state_default(by=user)
        messages.success(request, _("Your state's default applies to you again."))
        return redirect("sharing:email-preferences")
    form = EmailPreferenceForm(
        request.POST if request.method == "POST" else None,
        initial=EmailPreferenceForm.initial_from(own or state_default),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_email_preference(by=user, **_preference_data(form))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Your e-mail choices have been saved."))
            return redirect("sharing:email-preferences")
    return render(
        request,
        "sharing/notifications/email_preferences.html",
        {
            "form": form,
            "own": own,
            "state_default": state_default,
            "digest_hour": settings.DIGEST_HOUR,
        },
        status=400 if form.errors else 200,
    )


# --- A state's defaults ---------------------------------------------------------------------


@login_required
def state_email_default(request):
    services.check_manages_state(request.user)
    current = StateEmailDefault.objects.filter(state_id=request.user.state_id).first()
    form = EmailPreferenceForm(
        request.POST if request.method == "POST" else None,
        initial=EmailPreferenceForm.initial_from(current),
    )
    if request.method == "POST" and form.is_valid():
        done = saved(
            request,
            form,
            lambda: services.set_state_email_default(
                by=request.user, request=request, **_preference_data(form)
            ),
            done=_("Your state's e-mail defaults have been saved."),
            then="sharing:state-email-default",
        )
        if done:
            return done
    return render(
        request,
        "sharing/notifications/state_email_default.html",
        {"form": form, "current": current},
        status=400 if form.errors else 200,
    )


# --- A state's webhooks ---------------------------------------------------------------------


def _own_endpoint(request, pk) -> WebhookEndpoint:
    state = services.check_manages_state(request.user)
    return get_object_or_404(WebhookEndpoint.objects.filter(state=state), pk=pk)


def _webhook_data(form: WebhookForm) -> dict:
    return dict(form.cleaned_data)


@login_required
def webhook_list(request):
    state = services.check_manages_state(request.user)
    endpoints = WebhookEndpoint.objects.filter(state=state).with_delivery_counts()
    return render(request, "sharing/notifications/webhook_list.html", {"endpoints": endpoints})


@login_required
def webhook_create(request):
    services.check_manages_state(request.user)
    form = WebhookForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.create_webhook(
                by=request.user, request=request, **_webhook_data(form)
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            once.keep_for_one_page(request, SECRET_SESSION_KEY, endpoint, secret)
            messages.success(request, _("The endpoint has been registered."))
            return redirect(endpoint)
    return render(
        request,
        "sharing/notifications/webhook_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@never_cache
@login_required
def webhook_detail(request, pk):
    endpoint = _own_endpoint(request, pk)
    secret = once.take(request, SECRET_SESSION_KEY, endpoint)
    form = WebhookForm(
        request.POST if request.method == "POST" else None, initial=_initial(endpoint)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_webhook(
                endpoint, by=request.user, request=request, **_webhook_data(form)
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The endpoint has been saved."))
            return redirect(endpoint)
    return _render_detail(request, endpoint, form=form, secret=secret)


def _render_detail(request, endpoint, *, form, rotate_form=None, secret=None):
    """The endpoint's page: its settings, the making of a new secret, its delivery log;
    400 when one of its forms was sent with errors."""
    rotate_form = rotate_form or WebhookRotateForm()
    deliveries = (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("event__notice", "event__best_practice", "event__denial")
        .order_by("-created_at", "-pk")
    )
    page = paginate(request, deliveries, DELIVERIES_PER_PAGE)
    _mark_readable(page.object_list, endpoint.state)
    return render(
        request,
        "sharing/notifications/webhook_detail.html",
        {
            "endpoint": endpoint,
            "form": form,
            "rotate_form": rotate_form,
            "secret": secret,
            "page": page,
            "query": other_params(request),
            "give_up_hours": round(sum(settings.WEBHOOK_RETRY_DELAYS) / 3600),
        },
        status=400 if form.errors or rotate_form.errors else 200,
    )


def _mark_readable(deliveries, state) -> None:
    """The log names an item only while the state may still read it (an amendment may
    have taken it out of the audience since)."""
    reader = as_state(state)
    events = [d.event for d in deliveries]
    readable = set()
    for model, field in (
        (Notice, "notice_id"),
        (BestPractice, "best_practice_id"),
        (Denial, "denial_id"),
    ):
        ids = [getattr(e, field) for e in events if getattr(e, field)]
        if ids:
            found = model.objects.visible_to(reader).filter(pk__in=ids).values_list("pk", flat=True)
            readable.update((model, pk) for pk in found)
    for delivery in deliveries:
        subject = delivery.event.subject
        delivery.subject = subject if (type(subject), subject.pk) in readable else None


def _initial(endpoint: WebhookEndpoint) -> dict:
    return {
        "url": endpoint.url,
        "description": endpoint.description,
        "event_kinds": endpoint.event_kinds,
        "active": endpoint.active,
    }


@require_POST
@login_required
def webhook_rotate(request, pk):
    endpoint = _own_endpoint(request, pk)
    form = WebhookRotateForm(request.POST)
    if not form.is_valid():
        return _render_detail(
            request, endpoint, form=WebhookForm(initial=_initial(endpoint)), rotate_form=form
        )
    keep_old = form.keep_old()
    secret = services.rotate_webhook_secret(
        endpoint, by=request.user, request=request, keep_old=keep_old
    )
    once.keep_for_one_page(request, SECRET_SESSION_KEY, endpoint, secret)
    hours = settings.WEBHOOK_SECRET_OVERLAP_HOURS
    if keep_old and hours:
        message = ngettext(
            "A new secret has been made. For %(hours)s more hour, deliveries are signed with "
            "the old one too, while the receiving system switches over; then with the new "
            "one only.",
            "A new secret has been made. For %(hours)s more hours, deliveries are signed with "
            "the old one too, while the receiving system switches over; then with the new "
            "one only.",
            hours,
        ) % {"hours": hours}
    else:
        message = _("A new secret has been made. The old one no longer verifies deliveries.")
    messages.success(request, message)
    return redirect(endpoint)


@require_POST
@login_required
def webhook_delete(request, pk):
    endpoint = _own_endpoint(request, pk)
    services.delete_webhook(endpoint, by=request.user, request=request)
    messages.success(request, _("The endpoint has been removed."))
    return redirect("sharing:webhook-list")


@require_POST
@login_required
def delivery_retry(request, pk, delivery_pk):
    endpoint = _own_endpoint(request, pk)
    delivery = get_object_or_404(WebhookDelivery, endpoint=endpoint, pk=delivery_pk)
    try:
        services.retry_delivery(delivery, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The delivery will be tried again now."))
    return redirect(endpoint)
