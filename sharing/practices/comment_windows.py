"""Public comment windows on draft best practices: the only place that opens, closes
and answers them, and takes comments (docs/architecture.md, "Public comment windows").

The lead state's officers and admins open a window on a draft (an introduction and a
last day for comments): the draft's text is then public at the window's address until
the window closes. Anyone may comment; a comment counts once its writer has confirmed
their address from a link e-mailed to them, and is shown publicly only if they allowed
it. The lead and co-authoring states read every confirmed comment and may reply
publicly. Publishing the best practice closes the window with what changed after
consultation. Spam is kept down without third parties: a rate per address, the
confirmation step, and size limits.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from portal import audit, mail
from sharing.common.services import (
    MAX_NOTE,
    check_can_author,
    clean_email,
    clean_text,
    signed_data,
)
from sharing.practices import services as practices
from sharing.practices.choices import CommenterKind
from sharing.practices.models import BestPractice, CommentWindow, PublicComment

CONFIRM_SALT = "sharing.practices.comment"
MAX_COMMENT = 5000
MAX_INTRO = 2000
# A window stays open at most this long.
MAX_DAYS = 120
# Unconfirmed comments from one address in a day: beyond, no more requests are sent.
MAX_UNCONFIRMED = 3


def check_can_open(practice: BestPractice, by: User) -> None:
    """The lead state's officers and admins, on a draft."""
    practices.check_can_lead(practice, by)


def can_read_comments(practice: BestPractice, user) -> bool:
    """The lead and co-authoring states' officers and admins read every comment."""
    return user.is_authenticated and practices.can_change(practice, user)


@transaction.atomic
def open_window(
    practice: BestPractice, *, by: User, intro, closes_on, request: HttpRequest | None = None
) -> CommentWindow:
    practice = practices._locked(practice)
    check_can_open(practice, by)
    errors: dict = {}
    intro = clean_text(intro, "intro", MAX_INTRO, required=True, errors=errors)
    today = timezone.localdate()
    if not isinstance(closes_on, datetime.date) or not (
        today <= closes_on <= today + datetime.timedelta(days=MAX_DAYS)
    ):
        errors["closes_on"] = _("Choose a day from today to %(n)d days ahead.") % {"n": MAX_DAYS}
    if not practice.is_draft:
        errors["__all__"] = _("A comment window is opened on a draft.")
    elif CommentWindow.objects.filter(best_practice=practice).exists():
        errors["__all__"] = _("This draft has had its comment window.")
    if errors:
        raise ValidationError(errors)
    window = CommentWindow.objects.create(
        best_practice=practice, intro=intro, closes_on=closes_on, opened_by=by
    )
    audit.record(audit.Action.COMMENT_WINDOW_OPENED, request=request, actor=by, target=window)
    return window


@transaction.atomic
def close_window(window: CommentWindow, *, by: User, request=None) -> None:
    """Close it now: its text is no longer public, no comment is taken."""
    window = CommentWindow.objects.select_for_update().get(pk=window.pk)
    practices.check_can_lead(window.best_practice, by)
    if window.closed_at is None:
        window.closed_at = timezone.now()
    window.save(update_fields=["closed_at"])
    audit.record(audit.Action.COMMENT_WINDOW_CLOSED, request=request, actor=by, target=window)


def publish_after_consultation(
    practice: BestPractice, *, by: User, outcome, request=None, four_eyes=False
):
    """Publish (or, under the state's policy, submit) a draft that had a comment window,
    saying what changed after consultation. Publishing closes the window (the
    lifecycle's ``publishing``); a submission rejected or taken back leaves it as it
    was, and the outcome is said again at the next attempt."""
    errors: dict = {}
    outcome = clean_text(outcome, "outcome", MAX_NOTE, required=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    practices.check_can_lead(practice, by)
    with transaction.atomic():
        CommentWindow.objects.filter(best_practice=practice).update(outcome=outcome)
        act = practices.submit if four_eyes else practices.publish
        return act(practice, by=by, request=request)


# --- Comments from outside government ------------------------------------------------------


def confirmation_link(comment: PublicComment) -> str:
    token = signing.dumps({"p": comment.pk}, salt=CONFIRM_SALT)
    return settings.SITE_URL + reverse("sharing:comment-confirm", args=[token])


@transaction.atomic
def comment(window: CommentWindow, *, request=None, publishable=False, **data) -> PublicComment:
    """A comment, kept unconfirmed; its writer is e-mailed a link to confirm it."""
    errors: dict = {}
    if not window.shows_draft:
        raise ValidationError(_("This comment window is closed."))
    email = clean_email(data.get("email"), errors)
    if "email" not in errors and (
        PublicComment.objects.filter(
            email=email,
            confirmed_at__isnull=True,
            created_at__gte=timezone.now() - datetime.timedelta(days=1),
        ).count()
        >= MAX_UNCONFIRMED
    ):
        # Nobody is sent more than a few confirmation requests a day, whoever asks.
        errors["email"] = _("Confirm the comments already sent from this address first.")
    kind = data.get("kind")
    if kind not in CommenterKind.values:
        errors["kind"] = _("Choose one of the values offered.")
    row = PublicComment(
        window=window,
        name=clean_text(data.get("name"), "name", 200, required=True, errors=errors),
        kind=kind,
        organisation=clean_text(
            data.get("organisation"), "organisation", 200, required=False, errors=errors
        ),
        email=email,
        body=clean_text(data.get("body"), "body", MAX_COMMENT, required=True, errors=errors),
        publishable=publishable is True,
    )
    if errors:
        raise ValidationError(errors)
    row.save()
    message = mail.render(
        "sharing/practices/emails/comment_confirm",
        [email],
        {"comment": row, "practice": window.best_practice, "link": confirmation_link(row)},
    )
    mail.send_after_commit(message, about=f"comment:{row.pk}")
    return row


@transaction.atomic
def confirm(token: str) -> PublicComment | None:
    """The comment the link names, confirmed now (None: a bad or expired link). One
    written while the window was open counts, even if it closed since."""
    data = signed_data(token, salt=CONFIRM_SALT, days=settings.CONTACT_CONFIRM_DAYS)
    if data is None:
        return None
    row = PublicComment.objects.select_for_update().filter(pk=data.get("p")).first()
    if row is None:
        return None
    if row.confirmed_at is None:
        row.confirmed_at = timezone.now()
        row.save(update_fields=["confirmed_at"])
    return row


@transaction.atomic
def reply(row: PublicComment, *, by: User, text, request=None) -> PublicComment:
    """A public reply of the lead or a co-authoring state (shown with the comment, if
    the comment is public)."""
    practices.check_can_change(row.window.best_practice, by)
    state = check_can_author(by)
    if row.confirmed_at is None:
        raise PermissionDenied
    errors: dict = {}
    text = clean_text(text, "reply", MAX_COMMENT, required=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    row.reply, row.replied_by, row.replied_at = text, state, timezone.now()
    row.save(update_fields=["reply", "replied_by", "replied_at"])
    audit.record(audit.Action.COMMENT_REPLIED, request=request, actor=by, target=row)
    return row
