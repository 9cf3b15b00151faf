"""The one way to write to the audit log: ``audit.record(...)``.

Call it inside the same transaction as the act it records, so that the act and its
audit row commit (or roll back) together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied
from django.db import models

from portal.models import AuditEntry

if TYPE_CHECKING:
    from django.http import HttpRequest


class Action(models.TextChoices):
    """Every audited act. Later features add theirs here, so the list stays one."""

    LOGIN = "auth.login"
    LOGIN_FAILED = "auth.login_failed"
    LOGIN_REFUSED = "auth.login_refused"
    LOGIN_THROTTLED = "auth.login_throttled"
    LOGOUT = "auth.logout"
    PASSWORD_CHANGED = "auth.password_changed"  # noqa: S105 (an action name)
    PASSWORD_RESET = "auth.password_reset"  # noqa: S105 (an action name)
    PASSWORD_RESET_SENT = "user.password_reset_sent"  # noqa: S105 (an action name)
    MFA_ENABLED = "mfa.enabled"
    MFA_FAILED = "mfa.failed"
    MFA_DISABLED = "mfa.disabled"
    MFA_RECOVERY_CODES_REGENERATED = "mfa.recovery_codes_regenerated"
    EMAIL_ADDED = "email.added"
    EMAIL_CHANGED = "email.changed"
    EMAIL_CONFIRMED = "email.confirmed"
    INVITATION_SENT = "invitation.sent"
    INVITATION_RESENT = "invitation.resent"
    INVITATION_REVOKED = "invitation.revoked"
    INVITATION_ACCEPTED = "invitation.accepted"
    USER_CREATED = "user.created"
    USER_CHANGED = "user.changed"
    ROLE_CHANGED = "user.role_changed"
    USER_DEACTIVATED = "user.deactivated"
    USER_REACTIVATED = "user.reactivated"
    PROFILE_CHANGED = "user.profile_changed"
    STATE_CREATED = "state.created"
    STATE_CHANGED = "state.changed"
    STATE_SETTINGS_CHANGED = "state.settings_changed"
    NOTICE_DRAFTED = "notice.drafted"
    NOTICE_DRAFT_UPDATED = "notice.draft_updated"
    NOTICE_DRAFT_DELETED = "notice.draft_deleted"
    NOTICE_PUBLISHED = "notice.published"
    NOTICE_AMENDED = "notice.amended"
    NOTICE_WITHDRAWN = "notice.withdrawn"
    NOTICE_ACKNOWLEDGED = "notice.acknowledged"
    NOTICE_COMMENTED = "notice.commented"
    NOTICE_VIEWED = "notice.viewed"
    # Four eyes, for every kind of item (the target names which).
    APPROVAL_SUBMITTED = "approval.submitted"
    APPROVAL_GRANTED = "approval.approved"
    APPROVAL_REFUSED = "approval.rejected"
    APPROVAL_RECALLED = "approval.recalled"
    PRACTICE_DRAFTED = "best_practice.drafted"
    PRACTICE_DRAFT_UPDATED = "best_practice.draft_updated"
    PRACTICE_DRAFT_DELETED = "best_practice.draft_deleted"
    PRACTICE_PUBLISHED = "best_practice.published"
    PRACTICE_AMENDED = "best_practice.amended"
    PRACTICE_ARCHIVED = "best_practice.archived"
    PRACTICE_ENDORSED = "best_practice.endorsed"
    PRACTICE_ENDORSEMENT_WITHDRAWN = "best_practice.endorsement_withdrawn"
    ATTACHMENT_ADDED = "attachment.added"
    ATTACHMENT_REMOVED = "attachment.removed"
    ATTACHMENT_DOWNLOADED = "attachment.downloaded"
    ITEMS_EXPORTED = "items.exported"
    EMAIL_DEFAULT_CHANGED = "notifications.state_default_changed"
    WEBHOOK_CREATED = "webhook.created"
    WEBHOOK_CHANGED = "webhook.changed"
    WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated"  # noqa: S105 (an action name)
    WEBHOOK_DELETED = "webhook.deleted"
    WEBHOOK_RETRIED = "webhook.delivery_retried"
    DENIAL_DRAFTED = "denial.drafted"
    DENIAL_DRAFT_UPDATED = "denial.draft_updated"
    DENIAL_DRAFT_DELETED = "denial.draft_deleted"
    DENIAL_ISSUED = "denial.issued"
    DENIAL_AMENDED = "denial.amended"
    DENIAL_REVOKED = "denial.revoked"
    ADVISORY_DRAFTED = "advisory.drafted"
    ADVISORY_DRAFT_UPDATED = "advisory.draft_updated"
    ADVISORY_DRAFT_DELETED = "advisory.draft_deleted"
    ADVISORY_RELEASED = "advisory.released"
    ADVISORY_AMENDED = "advisory.amended"
    ADVISORY_WITHDRAWN = "advisory.withdrawn"
    COMMENT_WINDOW_OPENED = "comment_window.opened"
    COMMENT_WINDOW_CLOSED = "comment_window.closed"
    COMMENT_REPLIED = "comment_window.replied"
    LIST_CREATED = "dissemination_list.created"
    LIST_DELETED = "dissemination_list.deleted"
    CONTACT_INVITED = "contact.invited"
    CONTACT_REQUESTED = "contact.requested"
    CONTACT_ACCEPTED = "contact.accepted"
    CONTACT_REFUSED = "contact.refused"
    CONTACT_CONFIRMED = "contact.confirmed"
    CONTACT_UNSUBSCRIBED = "contact.unsubscribed"
    CONTACT_UNDELIVERABLE = "contact.undeliverable"
    CONTACT_CHANGED = "contact.changed"
    CONTACT_EXPORTED = "contact.exported"
    CONTACT_ERASED = "contact.erased"
    DENIAL_RENEWED = "denial.renewed"
    DENIAL_EXPIRED = "denial.expired"
    DENIAL_VIEWED = "denial.viewed"
    SCREENING = "denial.screening"
    WATCH_CREATED = "watch.created"
    WATCH_DECIDED = "watch.decided"
    REGISTRY_LINK_CONFIRMED = "registry.link_confirmed"
    REGISTRY_LINK_REJECTED = "registry.link_rejected"
    REGISTRY_RELATION_ADDED = "registry.relation_added"
    REGISTRY_RELATION_REMOVED = "registry.relation_removed"
    QUESTIONNAIRE_SAVED = "questionnaire.saved"
    QUESTIONNAIRE_SUBMITTED = "questionnaire.submitted"
    CONSULTATION_VIEWED = "consultation.viewed"
    CONSULTATION_OPENED = "consultation.opened"
    CONSULTATION_MESSAGE = "consultation.message"
    CONSULTATION_EXTENDED = "consultation.extended"
    CONSULTATION_ANSWERED = "consultation.answered"
    CONSULTATION_OUTCOME = "consultation.outcome"
    API_TOKEN_CREATED = "api_token.created"  # noqa: S105 (an action name)
    API_TOKEN_REVOKED = "api_token.revoked"  # noqa: S105 (an action name)
    API_TOKEN_USED = "api_token.used"  # noqa: S105 (an action name)


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as allauth sees it (ALLAUTH_TRUSTED_PROXY_COUNT applies)."""
    if request is None:
        return None
    try:
        return get_adapter(request).get_client_ip(request)
    except PermissionDenied:
        return None


def _entry(action, *, request, actor, state, target, username, details) -> AuditEntry:
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    if state is None and actor is not None:
        state = getattr(actor, "state", None)
    entry = AuditEntry(
        action=str(action),
        actor=actor,
        actor_username=(actor.get_username() if actor is not None else username)[:150],
        state=state,
        ip_address=client_ip(request),
        details=details or {},
    )
    if target is not None:
        entry.object_type = target._meta.label_lower
        entry.object_id = str(target.pk)
        # Objects that carry shared content say what the log may show of them (a
        # reference, never a title): platform staff read the log, not the content.
        describe = getattr(target, "audit_label", None)
        entry.object_repr = (describe() if describe else str(target))[:200]
    return entry


def record(
    action: Action | str,
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
    state: Any = None,
    target: models.Model | None = None,
    username: str = "",
    details: dict | None = None,
) -> AuditEntry:
    """Append one row to the audit log and return it.

    ``actor`` defaults to the request's user when signed in; ``state`` defaults to the
    actor's state; ``username`` names the actor when there is no user (a failed login
    for an unknown name). ``target`` is the object acted on. ``details`` must not hold
    shared content (titles, texts, reasons): the log is read by platform staff.
    """
    entry = _entry(
        action,
        request=request,
        actor=actor,
        state=state,
        target=target,
        username=username,
        details=details,
    )
    entry.save()
    return entry


def record_many(
    action: Action | str,
    targets,
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
    details=None,
) -> list[AuditEntry]:
    """One row per target, as ``record`` writes them, in a single INSERT (a list of the
    API that shows many restricted items at once). ``details(target)`` gives each row's
    details."""
    entries = [
        _entry(
            action,
            request=request,
            actor=actor,
            state=None,
            target=target,
            username="",
            details=details(target) if details else None,
        )
        for target in targets
    ]
    return AuditEntry.objects.bulk_create(entries) if entries else []
