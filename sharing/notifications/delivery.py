"""From an outbox event to the people and systems that must learn of it.

    record_event (in the act's transaction) ──on commit──▶ tasks.dispatch_event
    dispatch(event): lock it, find the recipients in one query, write their
        Notification rows in bulk, write WebhookDelivery rows, mark it dispatched;
        after commit hand e-mails (in batches) and deliveries to their own tasks
    send_emails(ids): claim each e-mail, re-check that the person may still read the
        item and wants it, send, mark it sent (or refused, or to try again)
    send_digests(now): once a day (or a week) per person, at DIGEST_HOUR local time
    deliver(delivery id): one signed POST; on failure wait longer, finally give up;
        one delivery at a time per endpoint, in order
    sweep(now): anything that should have happened and did not (broker down, worker
        killed), handed to the tasks again

Every step is safe to repeat: rows are unique per event and person (or endpoint), and
each send is claimed by a conditional UPDATE before it happens.
"""

from __future__ import annotations

import datetime
import json
import logging
import random
import smtplib
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.choices import Role, StateStatus
from accounts.models import State, User
from portal import crypto
from portal.queue import enqueue
from sharing.common.choices import (
    FOUR_EYES_KINDS,
    RESCREENING_KINDS,
    RESTRICTED_TLP,
    TLP,
    TLP_DEFINITIONS,
    EventKind,
)
from sharing.common.lifecycle import lifecycle_of
from sharing.common.models import Event
from sharing.common.querysets import as_state, reader_states, recipient_states
from sharing.denials.models import Denial
from sharing.notices.choices import Severity
from sharing.notices.models import Notice
from sharing.notifications import caching, webhooks
from sharing.notifications.choices import DeliveryStatus, EmailMode, EmailStatus
from sharing.notifications.models import (
    DigestSent,
    Notification,
    StateEmailDefault,
    UserEmailPreference,
    WebhookDelivery,
    WebhookEndpoint,
)

logger = logging.getLogger(__name__)

# Events that tell the item's readers of a new or changed item.
ANNOUNCED = {
    EventKind.NOTICE_PUBLISHED,
    EventKind.NOTICE_AMENDED,
    EventKind.PRACTICE_PUBLISHED,
    EventKind.PRACTICE_AMENDED,
    EventKind.DENIAL_ISSUED,
    EventKind.DENIAL_AMENDED,
    EventKind.DENIAL_RENEWED,
}
# Events that take an item out of force: told to everyone told of it before.
TAKEN_BACK = {EventKind.NOTICE_WITHDRAWN, EventKind.DENIAL_REVOKED, EventKind.DENIAL_EXPIRED}
# A consultation's events go to one of its two states, as officials of a state.
TO_DENYING_STATE = {
    EventKind.CONSULTATION_OPENED,
    EventKind.CONSULTATION_REMINDER,
    EventKind.CONSULTATION_OVERDUE,
}
TO_CONSULTING_STATE = {EventKind.CONSULTATION_ANSWERED, EventKind.CONSULTATION_EXTENDED}
CONTRIBUTORS = [Role.STATE_ADMIN, Role.OFFICER]
DIGEST_MODES = {EmailMode.DAILY, EmailMode.WEEKLY}
# What an e-mail and its filters read, fetched once per batch rather than per message.
PREFETCH_FOR_EMAIL = (
    "notice__categories",
    "user__email_preference__categories",
    "user__state__email_default__categories",
)
# A digest goes out at DIGEST_HOUR local time, or up to this many hours later if beat
# was not running then; never before, and never twice for the same period.
DIGEST_CATCH_UP = datetime.timedelta(hours=6)
# Work handed to a task and not done after this long is taken to be lost (a worker
# died, the broker dropped it) and handed out again by the sweeper.
LOST_AFTER = datetime.timedelta(minutes=10)


# --- Who is told ----------------------------------------------------------------------------


def _authors(subject) -> Q:
    """The states that wrote ``subject``."""
    if isinstance(subject, Notice | Denial):
        return Q(pk=subject.author_state_id)
    return Q(pk=subject.lead_state_id) | Q(pk__in=subject.co_authors.values("pk"))


def audience(event: Event) -> tuple:
    """Who is told of ``event``: the states (whose systems get the webhook), and which
    of their people (a condition on users). Always within the item's readers."""
    subject = event.subject
    readers = reader_states(subject)
    everyone = Q()
    kind = event.kind
    if kind in ANNOUNCED:
        # The audience, less those that wrote it (a public best practice is announced to
        # its audience only, though anyone may read it).
        return recipient_states(subject), everyone
    if kind in TAKEN_BACK:
        # Everyone who was told of the item before: the people notified, and the states
        # whose people or systems were told (a state's system may have been told though
        # none of its people were, when it has no active users).
        field = "notice" if isinstance(subject, Notice) else "denial"
        # Told of the item itself (its own state's four eyes are not a telling of it).
        told = Notification.objects.filter(**{field: subject}).exclude(kind__in=FOUR_EYES_KINDS)
        delivered = WebhookDelivery.objects.filter(**{f"event__{field}": subject})
        states = readers.filter(
            Q(pk__in=told.values("user__state_id"))
            | Q(pk__in=delivered.values("endpoint__state_id"))
        )
        return states, Q(pk__in=told.values("user_id"))
    if kind == EventKind.NOTICE_COMMENTED:
        # The author state, and the states that took part: commented or acknowledged.
        involved = (
            Q(pk=subject.author_state_id)
            | Q(pk__in=subject.comments.values("state_id"))
            | Q(pk__in=subject.acknowledgements.values("state_id"))
        )
        return readers.filter(involved), everyone
    if kind == EventKind.NOTICE_ACKNOWLEDGED:
        return readers.filter(pk=subject.author_state_id), Q(role__in=CONTRIBUTORS)
    if kind == EventKind.PRACTICE_ENDORSED:
        return readers.filter(_authors(subject)), Q(role__in=CONTRIBUTORS)
    if kind == EventKind.APPROVAL_REQUESTED:
        # Four eyes: the officials of the owning state who may decide (the submitter,
        # who acted, is left out by ``recipients``); never another state.
        owner = lifecycle_of(subject).owner_of(subject)
        return readers.filter(pk=owner.pk), Q(role__in=CONTRIBUTORS)
    if kind in {EventKind.APPROVAL_GRANTED, EventKind.APPROVAL_REFUSED}:
        # The submitter alone (of the owning state, or a co-author who amended).
        submitter = event.payload.get("submitter")
        return readers.filter(users__pk=submitter), Q(pk=submitter)
    if kind == EventKind.SCREENING_NEW_MATCH:
        # The watching state's officers and admins (the watch's owner among them while
        # still one: a viewer sees no watch).
        return readers.filter(pk=event.watch.state_id), Q(role__in=CONTRIBUTORS)
    if kind == EventKind.DENIAL_REVIEW_DUE:
        return readers.filter(pk=subject.state_id), Q(role__in=CONTRIBUTORS)
    consultation = event.consultation
    if kind in TO_DENYING_STATE:
        return readers.filter(pk=subject.state_id), Q(role__in=CONTRIBUTORS)
    if kind in TO_CONSULTING_STATE:
        return _reading(consultation.consulting_state_id), everyone
    if kind == EventKind.CONSULTATION_MESSAGE:
        # The other state of the two.
        other = (
            subject.state_id
            if event.state_id == consultation.consulting_state_id
            else consultation.consulting_state_id
        )
        return _reading(other), everyone
    if kind == EventKind.CONSULTATION_OUTCOME:
        # The short summary goes to every state that reads the denial.
        return readers, everyone
    return State.objects.none(), everyone  # SILENT_KINDS: kept in the history, told to nobody


def _reading(state_id):
    """One state, unless it is suspended (it reads nothing)."""
    return State.objects.filter(pk=state_id).exclude(status=StateStatus.SUSPENDED)


def recipients(event: Event):
    """The users to notify of ``event``, as one queryset (one query): active, of the
    states told, never the one who acted."""
    states, who = audience(event)
    return (
        User.objects.filter(is_active=True, state__in=states).filter(who).exclude(pk=event.actor_id)
    )


def _email_status(mode: str | None) -> str:
    return {
        EmailMode.DAILY: EmailStatus.DIGEST,
        EmailMode.WEEKLY: EmailStatus.DIGEST,
        EmailMode.OFF: EmailStatus.SKIPPED,
    }.get(mode, EmailStatus.PENDING)


def dispatch(event_id: int) -> int:
    """Notify the recipients of one event, once. Returns how many were notified.

    Holds the event's row lock while writing, so two workers never dispatch the same
    event; a second run finds it dispatched and does nothing, and a run interrupted
    before commit leaves nothing behind. An event waits while an earlier one about the
    same item is not out yet (the sweeper brings both, in order): a withdrawal is never
    announced before the publication it withdraws. E-mails and webhook deliveries are
    handed to their tasks after commit; the sweeper catches any that never got there.
    """
    with transaction.atomic():
        event = (
            Event.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(
                "notice", "best_practice", "denial", "advisory", "consultation", "watch"
            )
            .filter(pk=event_id, dispatched_at__isnull=True)
            .first()
        )
        if event is None:
            return 0  # already dispatched, or being dispatched by another worker
        # A watch's new match waits for the item's own earlier events, never for
        # another watch's, and holds none of them back.
        earlier = Event.objects.filter(
            notice_id=event.notice_id,
            best_practice_id=event.best_practice_id,
            denial_id=event.denial_id,
            advisory_id=event.advisory_id,
            pk__lt=event.pk,
            dispatched_at__isnull=True,
        ).exclude(kind=EventKind.SCREENING_NEW_MATCH)
        if earlier.exists():
            return 0
        if event.kind == EventKind.SCREENING_NEW_MATCH and not _match_stands(event):
            # Revoked, withdrawn or decided before it went out: nobody is told.
            Event.objects.filter(pk=event.pk).update(dispatched_at=timezone.now())
            return 0
        states, _who = audience(event)
        people = recipients(event).values_list(
            "pk", "email_preference__mode", "state__email_default__mode"
        )
        rows = [
            Notification(
                event=event,
                user_id=user_id,
                kind=event.kind,
                notice_id=event.notice_id,
                best_practice_id=event.best_practice_id,
                denial_id=event.denial_id,
                advisory_id=event.advisory_id,
                consultation_id=event.consultation_id,
                watch_id=event.watch_id,
                created_at=event.created_at,
                email_status=_email_status(own_mode or state_mode),
            )
            for user_id, own_mode, state_mode in people
        ]
        Notification.objects.bulk_create(
            rows, batch_size=settings.NOTIFICATION_BATCH_SIZE, ignore_conflicts=True
        )
        caching.forget_every_unread()
        deliveries = [
            WebhookDelivery(endpoint=endpoint, event=event)
            for endpoint in WebhookEndpoint.objects.filter(state__in=states, active=True)
            if event.kind in endpoint.event_kinds and event.kind not in FOUR_EYES_KINDS
        ]
        WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        Event.objects.filter(pk=event.pk).update(dispatched_at=timezone.now())
        transaction.on_commit(lambda: hand_over(event.pk, event.kind), robust=True)
    return len(rows)


def _match_stands(event: Event) -> bool:
    """Whether a watch's new match is still worth telling: the watch still watched, and
    the item still screened (a denial in force, an alert not withdrawn)."""
    if not event.watch.is_active:
        return False
    if event.denial_id is not None:
        return Denial.objects.in_force().filter(pk=event.denial_id).exists()
    return Notice.objects.screened().filter(pk=event.notice_id).exists()


def hand_over(event_id: int, kind: str = "") -> None:
    """Queue the e-mails and deliveries of a dispatched event, and, once a denial or an
    alert is announced, the linking of its parties to the registry of entities and the
    screening of the watched applications against it (two tasks: one failing never
    holds the other back)."""
    pending = Notification.objects.filter(event_id=event_id, email_status=EmailStatus.PENDING)
    _queue_emails(list(pending.order_by("pk").values_list("pk", flat=True)))
    due = WebhookDelivery.objects.filter(event_id=event_id, status=DeliveryStatus.PENDING)
    _queue_deliveries(list(due.values_list("pk", flat=True)))
    if kind in RESCREENING_KINDS:
        enqueue("sharing.tasks.link_registry_item", event_id)
        enqueue("sharing.tasks.rescreen_watches", event_id)


def _queue_emails(ids: list[int]) -> None:
    Notification.objects.filter(pk__in=ids).update(email_queued_at=timezone.now())
    for batch in _batches(ids, settings.EMAIL_BATCH_SIZE):
        enqueue("sharing.tasks.send_notification_emails", batch)


def _queue_deliveries(ids: list[int]) -> None:
    WebhookDelivery.objects.filter(pk__in=ids).update(queued_at=timezone.now())
    for delivery_id in ids:
        enqueue("sharing.tasks.deliver_webhook", delivery_id)


def _batches(items: Iterable, size: int):
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- E-mail ---------------------------------------------------------------------------------


def preference(user):
    """The e-mail preference in force for ``user``: their own, else their state's, else
    None (everything, at once)."""
    try:
        return user.email_preference
    except UserEmailPreference.DoesNotExist:
        pass
    if user.state_id is not None:
        try:
            return user.state.email_default
        except StateEmailDefault.DoesNotExist:
            pass
    return None


def _mode(pref) -> str:
    return pref.mode if pref is not None else EmailMode.IMMEDIATE


def wanted(notification: Notification, pref) -> bool:
    """Whether the preference's filters let this notification's e-mail through. The
    filters are about notices; best practices always pass, and so does what four eyes
    ask of a person or tell them (it is their work, not news)."""
    notice = notification.notice
    if pref is None or notice is None or notification.kind in FOUR_EYES_KINDS:
        return True
    if pref.min_severity and Severity.values.index(notice.severity) < Severity.values.index(
        pref.min_severity
    ):
        return False
    categories = {c.pk for c in pref.categories.all()}
    if categories and not categories & {c.pk for c in notice.categories.all()}:
        return False
    return not (pref.countries and not set(pref.countries) & set(notice.countries_of_concern))


def can_still_read(notification: Notification, seen: dict | None = None) -> bool:
    """Checked when the e-mail leaves, not when the event happened: a person deactivated
    since, or a state taken out of the audience, is told nothing. ``seen`` remembers the
    answers of one batch (what a user may read depends on their state and role only)."""
    user, subject = notification.user, notification.subject
    if not user.is_active or subject is None:
        return False
    key = (type(subject), subject.pk, user.state_id, user.role)
    if seen is None or key not in seen:
        answer = type(subject).objects.visible_to(user).filter(pk=subject.pk).exists()
        if seen is None:
            return answer
        seen[key] = answer
    return seen[key]


def _context(notification: Notification) -> dict:
    subject = notification.subject
    restricted = getattr(subject, "tlp", "") in RESTRICTED_TLP
    return {
        "notification": notification,
        "subject": subject,
        "is_notice": isinstance(subject, Notice),
        "is_denial": isinstance(subject, Denial),
        "is_advisory": subject._meta.model_name == "advisory",
        "marked": hasattr(subject, "tlp"),
        "restricted": restricted,
        "tlp_definition": TLP_DEFINITIONS.get(getattr(subject, "tlp", ""), ""),
        "url": settings.SITE_URL + notification.get_absolute_url(),
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
    }


def _message(template: str, user, context: dict, connection) -> EmailMultiAlternatives:
    """One e-mail, in the recipient's language and time zone."""
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(user.time_zone)):
        context = {**context, "user": user, "LANGUAGE_CODE": language}
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        message = EmailMultiAlternatives(
            subject=f"[{settings.SITE_NAME}] {subject}",
            body=render_to_string(f"{template}_body.txt", context),
            to=[user.email],
            connection=connection,
        )
        message.attach_alternative(render_to_string(f"{template}_body.html", context), "text/html")
    return message


def _refused(error: Exception) -> bool:
    """Whether the mail server refused this message for good (a bad address), rather
    than failing for now (down, busy, disconnected)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return True
    return (
        isinstance(error, smtplib.SMTPResponseException)
        and not isinstance(error, smtplib.SMTPSenderRefused)
        and 500 <= error.smtp_code < 600
    )


def send_emails(notification_ids: list[int]) -> int:
    """Send the e-mails of these notifications that are still to be sent, over one
    connection. Returns how many left. Each is claimed first (pending → sending), so
    two workers never send the same one. A message the server refuses is marked so and
    the rest go on; when the server fails, the batch stops and what is left waits for
    the sweeper. A message the portal fails to make is left for later and the rest go
    on. Either failure counts as an attempt: EMAIL_MAX_ATTEMPTS of them and the message
    is given up."""
    sent, seen = 0, {}
    rows = (
        Notification.objects.filter(pk__in=notification_ids, email_status=EmailStatus.PENDING)
        .select_related(
            "user__state__email_default",
            "user__email_preference",
            "notice__author_state",
            "best_practice__lead_state",
            "advisory__author_state",
            "watch",
            "event",
        )
        .prefetch_related(*PREFETCH_FOR_EMAIL)
        .order_by("pk")
    )
    try:
        connection = get_connection()
        connection.open()
    except (OSError, smtplib.SMTPException):
        logger.warning("The mail server cannot be reached; e-mails wait.", exc_info=True)
        return 0
    try:
        for notification in rows:
            claimed = Notification.objects.filter(
                pk=notification.pk, email_status=EmailStatus.PENDING
            ).update(email_status=EmailStatus.SENDING, email_claimed_at=timezone.now())
            if not claimed:
                continue
            try:
                message = _prepare(notification, connection, seen)
                if message is None:
                    continue
                message.send()
            except (OSError, smtplib.SMTPException) as error:
                if _refused(error):
                    logger.warning("The mail server refused notification %s.", notification.pk)
                    _set_email_status(notification, EmailStatus.FAILED)
                    continue
                _failed_for_now(notification)
                logger.warning("Sending e-mail failed; the rest waits.", exc_info=True)
                break
            except Exception:
                # Not the mail server but the portal (a template, the database): counted
                # as an attempt, so that a message that cannot be made is given up in the
                # end rather than claimed and freed by the sweeper for ever.
                logger.exception("The e-mail of notification %s failed.", notification.pk)
                _failed_for_now(notification)
                continue
            Notification.objects.filter(pk=notification.pk).update(
                email_status=EmailStatus.SENT, emailed_at=timezone.now()
            )
            sent += 1
    finally:
        connection.close()
    return sent


def _prepare(notification: Notification, connection, seen: dict) -> EmailMultiAlternatives | None:
    """The e-mail of a claimed notification, or None when none is to go now (its status
    then says why: left for the digest, or not sent)."""
    user = notification.user
    pref = preference(user)
    if _mode(pref) in DIGEST_MODES:  # they chose a digest since
        _set_email_status(notification, EmailStatus.DIGEST)
        return None
    if not (
        _mode(pref) != EmailMode.OFF
        and user.email
        and can_still_read(notification, seen)
        and wanted(notification, pref)
    ):
        _set_email_status(notification, EmailStatus.SKIPPED)
        return None
    return _message(
        "sharing/notifications/emails/notification", user, _context(notification), connection
    )


def _failed_for_now(notification: Notification) -> None:
    """Back to pending for a later attempt, unless it has failed too often."""
    attempts = notification.email_attempts + 1
    status = EmailStatus.FAILED if attempts >= settings.EMAIL_MAX_ATTEMPTS else EmailStatus.PENDING
    Notification.objects.filter(pk=notification.pk).update(
        email_status=status, email_attempts=attempts
    )


def _set_email_status(notification: Notification, status: str) -> None:
    Notification.objects.filter(pk=notification.pk).update(email_status=status)


# --- Digests --------------------------------------------------------------------------------

# However the clock or the time zone moves, digests of one kind stay at least this far
# apart (a person who changes time zone in the morning gets no second one that day).
DIGEST_GAP = {
    EmailMode.DAILY: datetime.timedelta(hours=18),
    EmailMode.WEEKLY: datetime.timedelta(days=6),
}


def digest_period(local: datetime.datetime, mode: str) -> datetime.date | None:
    """The day (or the Monday of the week) whose digest is due at local time ``local``,
    or None outside the hours it goes out."""
    start = local.replace(hour=settings.DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if start > local:
        start -= datetime.timedelta(days=1)
    if local - start >= DIGEST_CATCH_UP:
        return None
    if mode == EmailMode.WEEKLY and start.weekday() != 0:
        return None
    return start.date()


def send_digests(now: datetime.datetime | None = None) -> int:
    """Send the digests due now: one e-mail per person per day (or week) holding their
    unread notifications waiting for it. Returns how many went out. One person's
    failure (a refused address, the server down, an error in the portal) never holds
    back the others, and their digest is tried again at the next run."""
    now = now or timezone.now()
    sent = 0
    waiting = Notification.objects.filter(email_status=EmailStatus.DIGEST)
    people = (
        User.objects.filter(pk__in=waiting.values("user_id"))
        .select_related("email_preference", "state__email_default")
        .prefetch_related("email_preference__categories", "state__email_default__categories")
    )
    for user in people:
        try:
            sent += _digest_for(user, waiting, now)
        except (OSError, smtplib.SMTPException):
            logger.warning(
                "The digest of user %s failed; it is tried again.", user.pk, exc_info=True
            )
        except Exception:
            logger.exception(
                "The digest of user %s failed in the portal; it is tried again.", user.pk
            )
    return sent


def _digest_for(user, waiting, now) -> int:
    """Send ``user``'s digest if one is due now."""
    pref = preference(user)
    mode = _mode(pref)
    if mode not in DIGEST_MODES or not user.is_active:
        # They chose otherwise since (or left): what waited stays in the inbox only.
        waiting.filter(user=user).update(email_status=EmailStatus.SKIPPED)
        return 0
    period = digest_period(now.astimezone(zoneinfo.ZoneInfo(user.time_zone)), mode)
    if period is None:
        return 0
    return _send_digest(user, pref, mode, period, now)


def _send_digest(user, pref, mode: str, period: datetime.date, now) -> int:
    """Never twice for a period: a DigestSent row is claimed first. Until the e-mail has
    gone, any failure but the server refusing the address drops the claim, so that the
    notifications wait for the next run; once it has gone, the claim stays."""
    if DigestSent.objects.filter(
        user=user, frequency=mode, sent_at__gt=now - DIGEST_GAP[mode]
    ).exists():
        return 0
    try:
        with transaction.atomic():
            claim = DigestSent.objects.create(user=user, frequency=mode, period=period, sent_at=now)
    except IntegrityError:  # this period's digest has already gone
        return 0
    try:
        made = _digest(user, pref, mode, period)
    except Exception:
        claim.delete()
        raise
    if made is None:
        return 0
    message, ids = made
    try:
        message.send()
    except Exception as error:
        if _refused(error):
            Notification.objects.filter(pk__in=ids).update(email_status=EmailStatus.FAILED)
            return 0
        claim.delete()
        raise
    Notification.objects.filter(pk__in=ids).update(
        email_status=EmailStatus.SENT, emailed_at=timezone.now()
    )
    DigestSent.objects.filter(pk=claim.pk).update(notifications=len(ids))
    return 1


def _digest(user, pref, mode: str, period: datetime.date):
    """The digest e-mail of what waits for ``user`` and the ids of the notifications it
    holds, or None if nothing is to go (what may not go is marked not sent)."""
    waiting = list(
        Notification.objects.filter(user=user, email_status=EmailStatus.DIGEST)
        .select_related(
            "notice__author_state",
            "best_practice__lead_state",
            "denial__state",
            "advisory__author_state",
            "consultation",
            "watch",
            "event",
        )
        .prefetch_related("notice__categories")
        .order_by("created_at", "pk")
    )
    seen: dict = {}
    for notification in waiting:
        notification.user = user
    included = [
        n
        for n in waiting
        if user.email and n.read_at is None and can_still_read(n, seen) and wanted(n, pref)
    ]
    Notification.objects.filter(pk__in=[n.pk for n in waiting if n not in included]).update(
        email_status=EmailStatus.SKIPPED
    )
    if not included:
        return None
    markings = [n.subject.tlp for n in included if hasattr(n.subject, "tlp")]
    context = {
        "items": [_context(n) for n in included],
        "highest_tlp": max(markings, key=TLP.values.index) if markings else "",
        "frequency": mode,
        "period": period,
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
    }
    message = _message("sharing/notifications/emails/digest", user, context, connection=None)
    return message, [n.pk for n in included]


# --- Webhooks -------------------------------------------------------------------------------


def payload(event: Event) -> dict:
    """What a receiving system gets: the event and the item's metadata; the text of a
    notice only up to TLP:GREEN (docs/architecture.md, "Handling markings")."""
    subject = event.subject
    url = settings.SITE_URL + subject.get_absolute_url()
    if isinstance(subject, Denial):
        # Metadata only, whatever the marking: the parties and the reasons are read in
        # the portal (screening is done there too).
        data = {
            "object": "denial",
            "id": str(subject.pk),
            "notifying_state": subject.state_id,
            "national_reference": subject.national_reference,
            "status": subject.status,
            "tlp": subject.tlp,
            "version": subject.version,
            "review_on": subject.review_on.isoformat(),
            "url": url,
        }
        consultation = event.consultation
        if consultation is not None:
            data["consultation"] = {
                "id": str(consultation.pk),
                "consulting_state": consultation.consulting_state_id,
                "status": consultation.status,
                "due_on": consultation.due_on.isoformat(),
                "outcome": consultation.outcome or None,
            }
    elif isinstance(subject, Notice):
        data = {
            "object": "notice",
            "id": str(subject.pk),
            "reference": subject.reference,
            "title": subject.title,
            "kind": subject.kind,
            "severity": subject.severity,
            "tlp": subject.tlp,
            "status": subject.status,
            "version": subject.version,
            "author_state": subject.author_state_id,
            "url": url,
        }
        if subject.tlp not in RESTRICTED_TLP:
            data["summary"] = subject.summary
            data["body"] = subject.body
    else:
        data = {
            "object": "best_practice",
            "id": str(subject.pk),
            "title": subject.title,
            "summary": subject.summary,
            "doc_type": subject.doc_type,
            "status": subject.status,
            "version": subject.version,
            "lead_state": subject.lead_state_id,
            "url": url,
        }
    watch = event.watch
    if watch is not None:
        # The watching state's own application, and why it matched (flags and figures:
        # the names matched are read in the portal).
        data["watch"] = {
            "id": str(watch.pk),
            "application_reference": watch.application_reference,
            "decide_by": watch.decide_by.isoformat(),
            "url": settings.SITE_URL + watch.get_absolute_url(),
        }
        data["match"] = {
            "score": event.payload.get("score"),
            "previous_score": event.payload.get("previous_score"),
            "reasons": event.payload.get("reasons", []),
        }
    return {
        "id": f"evt_{event.pk}",
        "type": event.kind,
        "created": event.created_at.isoformat(),
        "data": data,
    }


def _next_wait(attempts: int, retry_after: float | None) -> float | None:
    """Seconds to wait before the next attempt (with up to 20% jitter, and at least what
    the receiver asked for, within reason), or None when it is time to give up."""
    delays = settings.WEBHOOK_RETRY_DELAYS
    if attempts > len(delays):
        return None
    wait = delays[attempts - 1] * (1 + random.uniform(0, 0.2))  # noqa: S311 (jitter)
    return max(wait, min(retry_after or 0, max(delays)))


def _due(now) -> Q:
    return Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=DeliveryStatus.SENDING, claimed_until__lt=now
    )


def deliver(delivery_id: int) -> str | None:
    """Make one attempt at a due delivery; returns its new status, or None if it was not
    due, its endpoint is paused, or the endpoint is busy with another delivery (then the
    one in flight hands on to it when done, so each endpoint gets its events one at a
    time and in order). No lock is held during the HTTP request: the row is claimed by
    a conditional UPDATE for longer than any task may run, and only the claim's holder
    writes the outcome."""
    now = timezone.now()
    lease = now + datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 30)
    busy = WebhookDelivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"),
        status=DeliveryStatus.SENDING,
        claimed_until__gte=now,
    ).exclude(pk=OuterRef("pk"))
    claimed = (
        WebhookDelivery.objects.filter(_due(now), pk=delivery_id, endpoint__active=True)
        .exclude(Exists(busy))
        .update(status=DeliveryStatus.SENDING, claimed_until=lease, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    mine = WebhookDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.SENDING, claimed_until=lease
    )
    delivery = WebhookDelivery.objects.select_related(
        "endpoint__state",
        "event__notice__author_state",
        "event__best_practice__lead_state",
        "event__denial__state",
        "event__consultation",
        "event__watch",
    ).get(pk=delivery_id)
    try:
        status = _attempt(delivery, mine)
    except Exception as error:  # whatever happens, the delivery is never left claimed
        logger.exception("Webhook delivery %s failed inside the portal.", delivery_id)
        status = _failed(
            mine, delivery.attempts, None, None, f"portal error: {type(error).__name__}"
        )
    _hand_on(delivery.endpoint_id)
    return status


def _attempt(delivery: WebhookDelivery, mine) -> str:
    endpoint, event = delivery.endpoint, delivery.event
    subject = event.subject
    if event.kind not in endpoint.event_kinds:
        return _finish(mine, DeliveryStatus.DEAD, None, "the endpoint no longer takes this event")
    readable = type(subject).objects.visible_to(as_state(endpoint.state)).filter(pk=subject.pk)
    if not readable.exists():
        return _finish(mine, DeliveryStatus.DEAD, None, "your state can no longer read this item")
    try:
        signing = endpoint.signing_secrets()
    except crypto.InvalidToken:
        return _finish(mine, DeliveryStatus.DEAD, None, "the secret cannot be read: make a new one")
    body = json.dumps(payload(event), separators=(",", ":"), sort_keys=True)
    outcome = webhooks.send(endpoint.url, signing, delivery.message_id, body)
    if outcome.delivered:
        return _finish(mine, DeliveryStatus.SUCCEEDED, outcome.status_code, "")
    if not outcome.retryable:
        return _finish(mine, DeliveryStatus.DEAD, outcome.status_code, outcome.error)
    return _failed(mine, delivery.attempts, outcome.retry_after, outcome.status_code, outcome.error)


def _failed(mine, attempts: int, retry_after, code, error: str) -> str:
    """Wait longer before the next attempt, or give up."""
    wait = _next_wait(attempts, retry_after)
    if wait is None:
        return _finish(mine, DeliveryStatus.DEAD, code, error)
    mine.update(
        status=DeliveryStatus.PENDING,
        next_attempt_at=timezone.now() + datetime.timedelta(seconds=wait),
        claimed_until=None,
        last_status_code=code,
        last_error=error[:300],
    )
    return DeliveryStatus.PENDING


def _finish(mine, status, code, error) -> str:
    mine.update(
        status=status,
        claimed_until=None,
        last_status_code=code,
        last_error=error[:300],
        delivered_at=timezone.now() if status == DeliveryStatus.SUCCEEDED else None,
    )
    return status


def _hand_on(endpoint_id) -> None:
    """Queue the endpoint's next due delivery, oldest first."""
    following = (
        WebhookDelivery.objects.filter(
            _due(timezone.now()), endpoint_id=endpoint_id, endpoint__active=True
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:1]
    )
    _queue_deliveries(list(following))


def retry_now(delivery: WebhookDelivery) -> None:
    """A state admin's "try again": a dead delivery becomes due now, with a fresh
    schedule of attempts."""
    WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.DEAD).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    transaction.on_commit(lambda: _queue_deliveries([delivery.pk]), robust=True)


# --- The sweeper ----------------------------------------------------------------------------


def sweep(now: datetime.datetime | None = None) -> dict:
    """Hand to the tasks again whatever should have moved and has not: events not
    dispatched after the grace period (the broker was down when they committed),
    e-mails never queued or lost with a worker, deliveries that are due. Oldest first.
    Safe to run on several hosts at once: the tasks claim their rows, so a duplicate
    is a no-op."""
    now = now or timezone.now()
    grace = datetime.timedelta(seconds=settings.EVENT_SWEEP_GRACE_SECONDS)
    events = list(
        Event.objects.filter(dispatched_at__isnull=True, created_at__lte=now - grace)
        .order_by("id")
        .values_list("pk", flat=True)[:1000]
    )
    for event_id in events:
        enqueue("sharing.tasks.dispatch_event", event_id)
    # An e-mail lost with its worker counts as an attempt too: one whose making kills the
    # worker every time (a hard time limit) is given up in the end.
    lost = Notification.objects.filter(
        email_status=EmailStatus.SENDING, email_claimed_at__lte=now - LOST_AFTER
    )
    lost.filter(email_attempts__gte=settings.EMAIL_MAX_ATTEMPTS - 1).update(
        email_status=EmailStatus.FAILED, email_attempts=F("email_attempts") + 1
    )
    lost.update(email_status=EmailStatus.PENDING, email_attempts=F("email_attempts") + 1)
    emails = list(
        Notification.objects.filter(email_status=EmailStatus.PENDING, created_at__lte=now - grace)
        .filter(Q(email_queued_at__isnull=True) | Q(email_queued_at__lte=now - LOST_AFTER))
        .order_by("pk")
        .values_list("pk", flat=True)[:10_000]
    )
    _queue_emails(emails)
    deliveries = list(
        WebhookDelivery.objects.filter(_due(now), endpoint__active=True)
        .filter(
            Q(queued_at__isnull=True)
            | Q(queued_at__lt=F("next_attempt_at"))  # a retry that has come due
            | Q(queued_at__lte=now - LOST_AFTER)
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:1000]
    )
    _queue_deliveries(deliveries)
    return {"events": len(events), "emails": len(emails), "deliveries": len(deliveries)}
