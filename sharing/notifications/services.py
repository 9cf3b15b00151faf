"""The only place that changes how people and states are told: reading notifications,
e-mail preferences and state defaults, webhook endpoints and their deliveries."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import State, User
from portal import audit
from sharing.common import validators
from sharing.common.choices import FOUR_EYES_KINDS, SILENT_KINDS, EventKind
from sharing.common.services import (
    as_predicate,
    clean_choice,
    clean_terms,
    clean_text,
    draft_deleting,
    item_opened,
    parent_field,
)
from sharing.notices.choices import Severity
from sharing.notices.models import TechnologyCategory
from sharing.notifications import caching, webhooks
from sharing.notifications import delivery as notifications
from sharing.notifications.choices import DeliveryStatus, EmailMode
from sharing.notifications.models import (
    Notification,
    StateEmailDefault,
    UserEmailPreference,
    WebhookDelivery,
    WebhookEndpoint,
)

# What a state's systems can subscribe to: everything that is announced to someone.
WEBHOOK_KINDS = [kind for kind in EventKind.values if kind not in SILENT_KINDS | FOUR_EYES_KINDS]


# --- The inbox ------------------------------------------------------------------------------


def mark_read(notification: Notification, *, by: User) -> None:
    if notification.user_id != by.pk:
        raise PermissionDenied
    _read(Notification.objects.filter(pk=notification.pk, read_at__isnull=True), by)


# The notification field that names each kind of subject.
_ABOUT = {
    "notice": "notice",
    "bestpractice": "best_practice",
    "denial": "denial",
    "advisory": "advisory",
    "consultation": "consultation",
    "watch": "watch",
}


def mark_read_about(subject, *, by: User) -> int:
    """Opening a notice, best practice, denial, consultation or watched application
    reads every notification that leads to its page: a denial's page does not read those
    of its consultations (they lead to the consultation's page), except the circulated
    outcomes; nor does an item's page read the new matches of watches (they lead to
    the watch's page)."""
    if not by.is_authenticated:
        return 0
    field = _ABOUT[subject._meta.model_name]
    unread = Notification.objects.filter(user=by, read_at__isnull=True, **{field: subject})
    if field != "watch":
        unread = unread.filter(watch__isnull=True)
    if field == "denial":
        unread = unread.filter(
            Q(consultation__isnull=True) | Q(kind=EventKind.CONSULTATION_OUTCOME)
        )
    return _read(unread, by)


@receiver(item_opened)
def _read_on_opening(sender, *, item, by, **kwargs) -> None:
    mark_read_about(item, by=by)


@receiver(draft_deleting)
def _forget_a_deleted_draft(sender, *, item, **kwargs) -> None:
    """A draft deleted for good takes its inbox rows (its four eyes') with it."""
    if Notification.objects.filter(**{parent_field(item): item}).delete()[0]:
        caching.forget_every_unread()


def mark_all_read(*, by: User) -> int:
    return _read(Notification.objects.filter(user=by, read_at__isnull=True), by)


def _read(unread, by: User) -> int:
    count = unread.update(read_at=timezone.now())
    if count:
        caching.forget_unread(by)
    return count


# --- E-mail preferences ---------------------------------------------------------------------


def _clean_preference(data: dict) -> dict:
    errors: dict = {}
    cleaned: dict[str, Any] = {"mode": clean_choice(data.get("mode"), "mode", EmailMode, errors)}
    severity = data.get("min_severity") or ""
    if severity and severity not in Severity.values:
        errors["min_severity"] = _("Choose one of the values offered.")
    cleaned["min_severity"] = severity
    cleaned["categories"] = clean_terms(
        data.get("categories"), TechnologyCategory, "categories", errors, required=False
    )
    try:
        cleaned["countries"] = validators.clean_countries(data.get("countries") or [])
    except ValidationError as error:
        errors["countries"] = error.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _save_preference(preference, cleaned: dict) -> None:
    preference.mode = cleaned["mode"]
    preference.min_severity = cleaned["min_severity"]
    preference.countries = cleaned["countries"]
    preference.save()
    preference.categories.set(cleaned["categories"])


@transaction.atomic
def set_email_preference(*, by: User, **data) -> UserEmailPreference:
    """``by``'s own choice of e-mail, which takes precedence over the state's default."""
    cleaned = _clean_preference(data)
    preference, _created = UserEmailPreference.objects.get_or_create(
        user=by, defaults={"mode": cleaned["mode"]}
    )
    _save_preference(preference, cleaned)
    return preference


@transaction.atomic
def use_state_default(*, by: User) -> None:
    """Drop ``by``'s own choice: their state's default applies again."""
    UserEmailPreference.objects.filter(user=by).delete()


def check_manages_state(by: User) -> State:
    """A state's e-mail defaults and machine endpoints are its admins' to manage
    (docs/architecture.md, "Who uses it"). Returns the state."""
    state = by.state if by.is_authenticated and by.is_active and by.is_state_admin else None
    if state is None:
        raise PermissionDenied(_("Only your state's admins manage this."))
    return state


manages_state = as_predicate(check_manages_state)


@transaction.atomic
def set_state_email_default(*, by: User, request=None, **data) -> StateEmailDefault:
    """What a state's admins choose for its users who have not chosen themselves."""
    check_manages_state(by)
    cleaned = _clean_preference(data)
    default, _created = StateEmailDefault.objects.get_or_create(
        state_id=by.state_id, defaults={"mode": cleaned["mode"]}
    )
    _save_preference(default, cleaned)
    audit.record(
        audit.Action.EMAIL_DEFAULT_CHANGED,
        request=request,
        actor=by,
        details={"mode": default.mode},
    )
    return default


# --- Webhooks -------------------------------------------------------------------------------


def _clean_webhook(data: dict) -> dict:
    errors: dict = {}
    url = clean_text(data.get("url"), "url", 500, required=True, errors=errors)
    if "url" not in errors:
        try:
            webhooks.check_url(url)
        except ValidationError as error:
            errors["url"] = error.messages
    kinds = list(data.get("event_kinds") or [])
    if not kinds:
        errors["event_kinds"] = _("Choose at least one kind of event.")
    elif not set(kinds) <= set(WEBHOOK_KINDS):
        errors["event_kinds"] = _("Choose among the events offered.")
    description = clean_text(
        data.get("description"), "description", 200, required=False, errors=errors
    )
    active = data.get("active", True)
    if not isinstance(active, bool):
        errors["active"] = _("Say yes or no.")
    if errors:
        raise ValidationError(errors)
    return {
        "url": url,
        "event_kinds": sorted(set(kinds)),
        "description": description,
        "active": active,
    }


@transaction.atomic
def create_webhook(*, by: User, request=None, **data) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint for ``by``'s state. Returns it with its signing secret, which
    is shown this once and kept only encrypted."""
    state = check_manages_state(by)
    cleaned = _clean_webhook(data)
    secret = webhooks.new_secret()
    endpoint = WebhookEndpoint(state=state, created_by=by, **cleaned)
    endpoint.secret = secret
    endpoint.save()
    audit.record(
        audit.Action.WEBHOOK_CREATED,
        request=request,
        actor=by,
        target=endpoint,
        details={"host": endpoint.host, "events": endpoint.event_kinds},
    )
    return endpoint, secret


def _own(endpoint: WebhookEndpoint, by: User) -> WebhookEndpoint:
    state = check_manages_state(by)
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if endpoint.state_id != state.pk:
        raise PermissionDenied
    return endpoint


@transaction.atomic
def update_webhook(endpoint: WebhookEndpoint, *, by: User, request=None, **data):
    endpoint = _own(endpoint, by)
    cleaned = _clean_webhook(data)
    for field, value in cleaned.items():
        setattr(endpoint, field, value)
    endpoint.save()
    audit.record(
        audit.Action.WEBHOOK_CHANGED,
        request=request,
        actor=by,
        target=endpoint,
        details={"host": endpoint.host, "events": endpoint.event_kinds, "active": endpoint.active},
    )
    return endpoint


@transaction.atomic
def rotate_webhook_secret(
    endpoint: WebhookEndpoint, *, by: User, request=None, keep_old: bool = True
) -> str:
    """Give the endpoint a new signing secret and return it (shown once). With
    ``keep_old`` (a routine change), deliveries are signed with the old secret too for
    WEBHOOK_SECRET_OVERLAP_HOURS, while the receiving system switches over; without it
    (the old one leaked), the old secret signs nothing more from now on and is not kept."""
    endpoint = _own(endpoint, by)
    if not isinstance(keep_old, bool):
        raise ValidationError({"keep_old": _("Say yes or no.")})
    secret = webhooks.new_secret()
    hours = settings.WEBHOOK_SECRET_OVERLAP_HOURS if keep_old else 0
    if hours:
        endpoint.rotate_secret(secret, overlap=datetime.timedelta(hours=hours))
    else:
        endpoint.secret = secret
        endpoint.encrypted_previous_secret = ""
        endpoint.previous_secret_expires_at = None
    endpoint.save(
        update_fields=[
            "encrypted_secret",
            "encrypted_previous_secret",
            "previous_secret_expires_at",
        ]
    )
    audit.record(
        audit.Action.WEBHOOK_SECRET_ROTATED,
        request=request,
        actor=by,
        target=endpoint,
        details={"old_secret_valid_hours": hours},
    )
    return secret


@transaction.atomic
def delete_webhook(endpoint: WebhookEndpoint, *, by: User, request=None) -> None:
    endpoint = _own(endpoint, by)
    audit.record(
        audit.Action.WEBHOOK_DELETED,
        request=request,
        actor=by,
        target=endpoint,
        details={"host": endpoint.host},
    )
    endpoint.delete()


@transaction.atomic
def retry_delivery(delivery: WebhookDelivery, *, by: User, request=None) -> None:
    """A state admin's "try again" for a delivery that was given up."""
    endpoint = _own(delivery.endpoint, by)
    if delivery.status != DeliveryStatus.DEAD:
        raise ValidationError(_("Only a delivery that was given up can be tried again."))
    notifications.retry_now(delivery)
    audit.record(
        audit.Action.WEBHOOK_RETRIED,
        request=request,
        actor=by,
        target=endpoint,
        details={"delivery": delivery.pk},
    )
