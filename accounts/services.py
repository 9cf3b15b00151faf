"""The only place that changes states' users and invitations.

Every function takes the acting user as ``by=``, checks that they may act, changes
state in one transaction, writes the audit row in that same transaction, and queues
any e-mail to leave after commit. Input problems raise ``ValidationError`` (keyed by
field where there is one); forbidden acts raise ``PermissionDenied``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role, StateStatus
from accounts.models import ApiToken, Invitation, State, User, managed_state_id
from portal import audit, mail
from portal.inputs import refuse_unknown

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_OPEN_INVITATION = gettext_lazy("An invitation to this address is still open; resend or revoke it.")


def _check_manages_state(by: User | None, state: State | None) -> None:
    """A state admin manages their own state; platform staff may act for any state;
    ``by=None`` is the platform itself (a management command)."""
    if by is None or by.is_platform_staff:
        return
    if not (by.is_active and by.is_state_admin and state and by.state_id == state.pk):
        raise PermissionDenied(_("Only an admin of this state can do that."))


def _locked(*users: User | None) -> dict[int, User]:
    """Re-read ``users`` and lock their rows until the transaction ends, in primary-key
    order so that two admins acting on each other cannot deadlock. The rights checked
    afterwards are then those the users have now, not those loaded at the start of
    the request: two admins cannot demote each other and leave a state without one."""
    pks = {user.pk for user in users if user is not None}
    rows = (
        User.objects.select_for_update(of=("self",))
        .select_related("state")
        .filter(pk__in=pks)
        .order_by("pk")
    )
    return {row.pk: row for row in rows}


# --- What platform staff do to a state's accounts is told ----------------------------------

# What each act is called in the notice, in the recipient's language (acts of platform
# staff, and the one a state admin does to a member's second factor).
STAFF_ACTS = {
    "invited": gettext_lazy("invited %(email)s into %(state)s as %(role)s"),
    "invitation_resent": gettext_lazy("sent the invitation of %(email)s to %(state)s again"),
    "invitation_revoked": gettext_lazy("revoked the invitation of %(email)s to %(state)s"),
    "role_changed": gettext_lazy("changed the role of %(user)s from %(before)s to %(after)s"),
    "deactivated": gettext_lazy("deactivated the account %(user)s"),
    "reactivated": gettext_lazy("reactivated the account %(user)s"),
    "reset_link_sent": gettext_lazy(
        "sent a password reset link for the account %(user)s to its address %(email)s"
    ),
    "changed": gettext_lazy("changed the account %(user)s (%(fields)s)"),
    "second_factor_removed": gettext_lazy(
        "removed the two-factor authentication of the account %(user)s, which sets it up "
        "again at its next sign-in"
    ),
    "suspended": gettext_lazy(
        "suspended the access of %(state)s to the portal: its people cannot sign in, "
        "and their sessions and API tokens have ended"
    ),
    "suspension_lifted": gettext_lazy(
        "lifted the suspension of %(state)s: its people sign in again and make new API tokens"
    ),
}


def _by_platform(by: User | None) -> bool:
    """Platform staff, or the platform itself (``by=None``: a command its operators ran)."""
    return by is None or by.is_platform_staff


def tell_of_staff_act(
    act: str, *, state: State | None, by: User | None, user: User | None = None, **params
) -> None:
    """E-mail the account concerned and its state's active admins that platform staff
    did ``act`` (a key of STAFF_ACTS) to the state's accounts, each in their language,
    after commit. Nothing is sent for what a state's own admin does."""
    if not _by_platform(by):
        return
    # Lazy, like the role labels in ``params``: each recipient reads them in their language.
    who = by.display_name if by is not None else gettext_lazy("the platform's operators")
    _tell(act, state=state, user=user, who=who, template="accounts/emails/staff_act", **params)


def _tell(
    act: str,
    *,
    state: State | None,
    user: User | None,
    who: StrOrPromise,
    template: str,
    **params,
):
    """E-mail ``user`` (if any) and ``state``'s active admins (if it has a state) that
    ``who`` did ``act``."""
    admins = User.objects.filter(state=state, role=Role.STATE_ADMIN, is_active=True).select_related(
        "state"
    )
    recipients = {u.pk: u for u in (admins if state else []) if u.email}
    if user is not None and user.email:
        recipients[user.pk] = user
    for recipient in recipients.values():
        with translation.override(recipient.preferred_language or settings.LANGUAGE_CODE):
            words = {
                "state": str(state) if state else "",
                "user": user.username if user else "",
                **params,
            }
            message = mail.render(
                template,
                [recipient.email],
                {
                    "recipient": recipient,
                    "staff": who,
                    "state": state,
                    "act": STAFF_ACTS[act] % words,
                    "about_you": user is not None and recipient.pk == user.pk,
                    "when": timezone.now(),
                },
            )
        mail.send_after_commit(message)


def _email_in_use(email: str) -> bool:
    """Whether an account holds ``email``: as its address, or as an address its owner
    proved to be theirs. An address someone merely typed (a change of address not yet
    confirmed) reserves nothing: anyone can type anyone's address."""
    return (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email, verified=True).exists()
    )


def normalize_email(email: str) -> str:
    email = (email or "").strip()
    validate_email(email)
    local, _at, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the roles offered.")})


def invitation_url(invitation: Invitation) -> str:
    """The absolute link that accepts ``invitation`` (e-mails have no request to go by)."""
    return settings.SITE_URL + reverse("accounts:invitation-accept", args=[invitation.token])


def _send_invitation(invitation: Invitation) -> None:
    # The person has no account yet: their state's default language is the best guess,
    # else the language of whoever invites them.
    language = invitation.state.language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        message = mail.render(
            "accounts/emails/invitation",
            [invitation.email],
            {"invitation": invitation, "accept_url": invitation_url(invitation)},
        )
    mail.send_after_commit(message)


def validate_invitation(*, email: str, role: str, state: State | None, by: User | None) -> str:
    """Check that ``by`` may invite ``email`` into ``state`` with ``role``; return the
    normalised address. Raises ValidationError keyed by field, or PermissionDenied."""
    if state is None:
        raise ValidationError({"state": _("Choose the state the new user belongs to.")})
    _check_manages_state(by, state)
    if state.is_suspended:
        raise ValidationError(
            {"state": _("%(state)s is suspended: nobody can be invited.") % {"state": state}}
        )
    try:
        email = normalize_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    _check_role(role)
    if _email_in_use(email):
        raise ValidationError({"email": _("Someone already has an account with this address.")})
    if Invitation.objects.open().filter(email__iexact=email).exists():
        raise ValidationError({"email": _OPEN_INVITATION})
    return email


@transaction.atomic
def invite_user(
    *,
    email: str,
    role: str,
    by: User | None,
    state: State | None = None,
    request: HttpRequest | None = None,
) -> Invitation:
    """Invite ``email`` to join ``state`` (the admin's own state when not given) with
    ``role``, and e-mail them the link after commit. ``by=None`` is the platform itself
    (a management command)."""
    if by is not None:
        by = _locked(by)[by.pk]
    state = state or (by.state if by is not None else None)
    email = validate_invitation(email=email, role=role, state=state, by=by)
    now = timezone.now()
    # An expired invitation must not block a fresh one: close it.
    Invitation.objects.pending().filter(email__iexact=email, expires_at__lte=now).update(
        revoked_at=now
    )
    invitation = Invitation(
        email=email,
        state=state,
        role=role,
        invited_by=by,
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    try:
        with transaction.atomic():
            invitation.save(force_insert=True)
    except IntegrityError:  # a concurrent invitation to the same address won the race
        raise ValidationError({"email": _OPEN_INVITATION}) from None
    audit.record(
        audit.Action.INVITATION_SENT,
        request=request,
        actor=by,
        state=state,
        target=invitation,
        details={"email": email, "role": role},
    )
    _send_invitation(invitation)
    tell_of_staff_act("invited", state=state, by=by, email=email, role=Role(invitation.role).label)
    return invitation


def _refuse_if_answered(invitation: Invitation) -> None:
    if invitation.accepted_at:
        raise ValidationError(_("This invitation has already been used."), code="used")
    if invitation.revoked_at:
        raise ValidationError(_("This invitation has been revoked."), code="revoked")


def _locked_pending(invitation: Invitation, by: User | None) -> Invitation:
    """Lock the invitation, check it is still pending and that ``by`` manages its state."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("state")
        .get(pk=invitation.pk)
    )
    _refuse_if_answered(invitation)
    _check_manages_state(_locked(by).get(by.pk) if by else None, invitation.state)
    return invitation


@transaction.atomic
def resend_invitation(
    invitation: Invitation, *, by: User | None, request: HttpRequest | None = None
) -> Invitation:
    """Send a new link, valid for a full period from now, and revoke the old one: a
    link that may have leaked (forwarded, logged) never gets a fresh lease of life.
    Returns the new invitation."""
    invitation = _locked_pending(invitation, by)
    if invitation.state.is_suspended:
        raise ValidationError(_("%(state)s is suspended.") % {"state": invitation.state})
    now = timezone.now()
    invitation.revoked_at = now
    invitation.save(update_fields=["revoked_at"])
    fresh = Invitation.objects.create(
        email=invitation.email,
        state=invitation.state,
        role=invitation.role,
        invited_by=invitation.invited_by,
        created_at=now,
        expires_at=now + timedelta(days=settings.INVITATION_TTL_DAYS),
    )
    audit.record(
        audit.Action.INVITATION_RESENT,
        request=request,
        actor=by,
        state=fresh.state,
        target=fresh,
        details={"replaces": str(invitation.pk)},
    )
    _send_invitation(fresh)
    tell_of_staff_act("invitation_resent", state=fresh.state, by=by, email=fresh.email)
    return fresh


@transaction.atomic
def revoke_invitation(
    invitation: Invitation, *, by: User | None, request: HttpRequest | None = None
) -> Invitation:
    invitation = _locked_pending(invitation, by)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(
        audit.Action.INVITATION_REVOKED,
        request=request,
        actor=by,
        state=invitation.state,
        target=invitation,
    )
    tell_of_staff_act("invitation_revoked", state=invitation.state, by=by, email=invitation.email)
    return invitation


def check_invitation_usable(invitation: Invitation) -> None:
    """Raise ValidationError saying why the link cannot be used, if it cannot."""
    _refuse_if_answered(invitation)
    if invitation.is_expired:
        raise ValidationError(
            _("This invitation has expired. Ask your state's admin to send a new one."),
            code="expired",
        )
    if invitation.state.is_suspended:
        raise ValidationError(
            _("%(state)s's access to the portal is suspended.") % {"state": invitation.state},
            code="suspended",
        )


@transaction.atomic
def accept_invitation(
    invitation: Invitation,
    *,
    username: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    request: HttpRequest | None = None,
) -> User:
    """Create the invitee's account and close the invitation, once.

    The invitation row is locked, so two submissions of the same link cannot both
    create an account: the second finds it accepted.
    """
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("state")
        .get(pk=invitation.pk)
    )
    check_invitation_usable(invitation)
    if _email_in_use(invitation.email):  # taken since the invitation was sent
        raise ValidationError(_("Someone already has an account with this address."))
    # User names are compared without case at sign-in, so they are stored in lower case.
    username = (username or "").strip().lower()
    user = User(
        username=username,
        email=invitation.email,
        first_name=first_name,
        last_name=last_name,
        state=invitation.state,
        role=invitation.role,
    )
    errors: dict[str, list] = {}
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if "username" not in errors and User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This user name is taken; choose another.")]
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        errors.setdefault("password", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    # Claims on the address that were never confirmed (another user typed it as their
    # new address) give way to the person who proved it theirs by opening the link.
    EmailAddress.objects.filter(email__iexact=user.email, verified=False).delete()
    try:
        with transaction.atomic():
            user.save(force_insert=True)
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    except IntegrityError:  # the same name or address was taken a moment ago
        raise ValidationError({"username": _("This user name is taken; choose another.")}) from None
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    audit.record(
        audit.Action.INVITATION_ACCEPTED,
        request=request,
        actor=user,
        target=invitation,
        details={"role": user.role},
    )
    return user


def _locked_member(user: User, by: User) -> User:
    """Lock ``user`` and the acting admin, then check that the admin may change the user."""
    rows = _locked(user, by)
    member, actor = rows[user.pk], (rows.get(by.pk) if by else None)
    if member.state_id is None:
        # Platform staff are looked after by other staff, in the administration site.
        if not (actor is None or actor.is_platform_staff):
            raise PermissionDenied(_("Platform staff are managed in the administration site."))
    else:
        _check_manages_state(actor, member.state)
    if by is not None and member.pk == by.pk:
        raise ValidationError(_("You cannot change your own account here; ask another admin."))
    return member


@transaction.atomic
def change_role(user: User, *, role: str, by: User, request: HttpRequest | None = None) -> User:
    _check_role(role)
    user = _locked_member(user, by)
    if user.role == role:
        return user
    previous = user.role
    user.role = role
    user.save(update_fields=["role"])
    audit.record(
        audit.Action.ROLE_CHANGED,
        request=request,
        actor=by,
        state=user.state,
        target=user,
        details={"from": previous, "to": role},
    )
    tell_of_staff_act(
        "role_changed",
        state=user.state,
        by=by,
        user=user,
        before=Role(previous).label,
        after=Role(role).label,
    )
    return user


@transaction.atomic
def set_active(user: User, *, active: bool, by: User, request: HttpRequest | None = None) -> User:
    """Deactivate or reactivate a user. Deactivation ends the user's sessions and API
    tokens for good (end_access): reactivated, they sign in again and make new tokens."""
    user = _locked_member(user, by)
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    action = audit.Action.USER_REACTIVATED if active else audit.Action.USER_DEACTIVATED
    audit.record(action, request=request, actor=by, state=user.state, target=user)
    if not active:
        end_access(User.objects.filter(pk=user.pk), reason="user deactivated", request=request)
    tell_of_staff_act(
        "reactivated" if active else "deactivated", state=user.state, by=by, user=user
    )
    return user


@transaction.atomic
def remove_second_factor(user: User, *, by: User, request: HttpRequest | None = None) -> int:
    """For a member who lost their authenticator and their recovery codes: an admin of
    their own state (never platform staff, never themselves) removes their second
    factor, which they set up again at their next sign-in if their role needs it. The
    member and the state's admins are told. Returns how many authenticators went."""
    if by is None or by.is_platform_staff:
        raise PermissionDenied(_("Only an admin of the person's own state can do that."))
    member = _locked_member(user, by)
    from allauth.mfa.models import Authenticator

    removed = list(Authenticator.objects.filter(user=member))
    audit.record(
        audit.Action.MFA_DISABLED,
        request=request,
        actor=by,
        state=member.state,
        target=member,
        details={"types": sorted(a.type for a in removed), "by_state_admin": True},
    )
    Authenticator.objects.filter(pk__in=[a.pk for a in removed]).delete()
    _tell(
        "second_factor_removed",
        state=member.state,
        user=member,
        who=by.display_name,
        template="accounts/emails/state_admin_act",
    )
    return len(removed)


@transaction.atomic
def send_reset_link(user: User, *, by: User, request: HttpRequest | None = None) -> str:
    """For a user locked out of their account: e-mail a password reset link to their
    verified address (nothing changes until they follow it). Platform staff, or an
    admin of the user's state, may send it; the user and their state's admins are told
    when staff did. Returns the address used."""
    member = _locked_member(user, by)
    if member.state_id is None:
        raise PermissionDenied(_("Platform staff reset their password themselves."))
    if not member.may_sign_in:
        raise ValidationError(
            _("%(user)s is deactivated, or their state suspended: no link is sent.")
            % {"user": member.username}
        )
    address = (
        EmailAddress.objects.filter(user=member, verified=True)
        .order_by("-primary", "pk")
        .values_list("email", flat=True)
        .first()
    )
    if address is None:
        raise ValidationError(
            _("%(user)s has no verified e-mail address: no link can be sent.")
            % {"user": member.username}
        )
    # allauth's own reset flow: its token, its template, our adapter's link and mail.
    from allauth.account.internal.flows.password_reset import request_password_reset

    request_password_reset(request, address, [member], None)
    audit.record(
        audit.Action.PASSWORD_RESET_SENT,
        request=request,
        actor=by,
        state=member.state,
        target=member,
        details={"by_staff": _by_platform(by)},
    )
    tell_of_staff_act("reset_link_sent", state=member.state, by=by, user=member, email=address)
    return address


def end_access(users, *, reason: str, request: HttpRequest | None = None) -> None:
    """End, for good, every session and API token of ``users`` (a queryset): their
    sessions stop at the next request (the access epoch is part of each session's hash)
    and their tokens are revoked, each with an audit row. Call inside the transaction
    of the act that ends access (a deactivation, a state's suspension)."""
    users.update(access_epoch=models.F("access_epoch") + 1)
    now = timezone.now()
    tokens = list(
        ApiToken.objects.filter(user__in=users, revoked_at__isnull=True).select_related(
            "user__state"
        )
    )
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=now)
    for token in tokens:
        audit.record(
            audit.Action.API_TOKEN_REVOKED,
            request=request,
            state=token.user.state,
            target=token,
            details={"user": token.user.username, "reason": reason},
        )


@transaction.atomic
def state_changed(
    state: State, *, previous_status: str, by: User | None, request: HttpRequest | None = None
) -> None:
    """After platform staff changed ``state``: a suspension ends every session and API
    token of its users for good; lifting it later revives none of them."""
    if previous_status is None or previous_status == state.status:
        return
    if state.is_suspended:
        end_access(User.objects.filter(state=state), reason="state suspended", request=request)
        tell_of_staff_act("suspended", state=state, by=by)
    elif previous_status == StateStatus.SUSPENDED:
        tell_of_staff_act("suspension_lifted", state=state, by=by)


@transaction.atomic
def update_profile(user: User, *, request: HttpRequest | None = None, **fields) -> User:
    """Change one's own name, language or time zone."""
    refuse_unknown(fields, ("first_name", "last_name", "language", "time_zone"))
    changed = [name for name, value in fields.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, fields[name])
    user.full_clean(exclude=["password"])
    if changed:
        user.save(update_fields=changed)
        audit.record(
            audit.Action.PROFILE_CHANGED,
            request=request,
            actor=user,
            target=user,
            details={"fields": sorted(changed)},
        )
    return user


# --- A state's own settings -----------------------------------------------------------------

STATE_SETTINGS = ("language", "approval_policy", "approve_denials", "named_in_reports")


def check_can_change_settings(state: State | None, by: User) -> None:
    """Only the state's own active admins change its settings (staff use the admin site)."""
    if state is None or managed_state_id(by) != state.code:
        raise PermissionDenied(_("Only your state's admins change its settings."))


def change_state_settings(
    state: State, *, by: User, request: HttpRequest | None = None, **fields
) -> State:
    """Set what a state's admin decides for its users: the default language of those who
    have not chosen one, and what its officers submit for approval before it leaves the
    state (docs/architecture.md, "Four eyes")."""
    check_can_change_settings(state, by)
    refuse_unknown(fields, STATE_SETTINGS)
    for name, value in fields.items():
        # Each setting on its own: an old value elsewhere on the state (staff's business)
        # never blocks an admin's choice.
        field = State._meta.get_field(name)
        if not isinstance(field, models.Field):  # every setting is a column of the state
            raise TypeError(name)
        try:
            field.clean(value, state)
        except ValidationError as error:
            raise ValidationError({name: error.messages}) from None
    changed = {name: value for name, value in fields.items() if getattr(state, name) != value}
    for name, value in changed.items():
        setattr(state, name, value)
    if changed:
        state.save(update_fields=list(changed))
        audit.record(
            audit.Action.STATE_SETTINGS_CHANGED,
            request=request,
            actor=by,
            state=state,
            target=state,
            details=changed,
        )
    return state


# --- API tokens -----------------------------------------------------------------------------

API_TOKEN_MAX_DAYS = 3650
# How often a token's use moves its "last used" time, and is written to the audit log:
# often enough to tell a live token from a dead one, rarely enough to cost nothing.
TOKEN_TOUCH_SECONDS = 60
TOKEN_AUDIT_SECONDS = 3600
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def hash_token(value: str) -> str:
    """What is stored of a token value. The values are 256 random bits, so a plain
    SHA-256 (no salt, no slow hash) is as safe as it is fast to look up."""
    return hashlib.sha256(value.encode()).hexdigest()


def check_may_hold_token(user: User) -> None:
    """Tokens are for the officials of a state that reads the portal, and only once
    they meet the MFA requirement of their role."""
    if not user.may_sign_in or user.state_id is None:
        raise PermissionDenied(_("API tokens are for the officials of a state."))
    if not user.mfa_satisfied:
        raise PermissionDenied(
            _("Your role requires two-factor authentication: set it up before making a token.")
        )


def _clean_token_request(name, expires_days) -> tuple[str, int | None]:
    errors: dict = {}
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        errors["name"] = _("Give the token a name that says where it is used.")
    elif len(name) > 100 or _CONTROL.search(name):
        errors["name"] = _("At most 100 characters, no control characters.")
    if expires_days is not None and (
        isinstance(expires_days, bool)
        or not isinstance(expires_days, int)
        or not 1 <= expires_days <= API_TOKEN_MAX_DAYS
    ):
        errors["expires_days"] = _("Between 1 and %(max)d days, or none.") % {
            "max": API_TOKEN_MAX_DAYS
        }
    if errors:
        raise ValidationError(errors)
    return name, expires_days


@transaction.atomic
def create_api_token(
    user: User,
    *,
    name: str,
    expires_days: int | None = None,
    by: User | None,
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """A new token for ``user``, made by that user (or by the platform, ``by=None``:
    the management command). Returns the token and its value, which is not stored
    and cannot be shown again."""
    if by is not None and by.pk != user.pk:
        raise PermissionDenied(_("People make their own tokens."))
    check_may_hold_token(user)
    name, expires_days = _clean_token_request(name, expires_days)
    value = ApiToken.VALUE_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_hash=hash_token(value),
        hint=value[: len(ApiToken.VALUE_PREFIX) + 6],
        expires_at=timezone.now() + timedelta(days=expires_days) if expires_days else None,
    )
    audit.record(
        audit.Action.API_TOKEN_CREATED,
        request=request,
        actor=by,
        state=user.state,
        target=token,
        details={"user": user.username, "expires_days": expires_days},
    )
    return token, value


def tokens_manageable_by(user: User):
    """The tokens ``user`` may see and revoke: their own, and, for an active state admin,
    those of their state's users (docs/architecture.md, "Who uses it": admins look after
    their state's machine access). Unrevoked first, newest first, on every database
    (PostgreSQL sorts NULLs last, SQLite first)."""
    if user.is_active and user.is_state_admin:
        tokens = ApiToken.objects.filter(user__state_id=user.state_id)
    else:
        tokens = ApiToken.objects.filter(user=user)
    return tokens.order_by(models.F("revoked_at").asc(nulls_first=True), "-created_at")


@transaction.atomic
def revoke_api_token(token: ApiToken, *, by: User, request: HttpRequest | None = None) -> bool:
    """Revoke ``token`` at once; returns whether it was still unrevoked."""
    if not tokens_manageable_by(by).filter(pk=token.pk).exists():
        raise PermissionDenied(_("You cannot revoke this token."))
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        audit.record(
            audit.Action.API_TOKEN_REVOKED,
            request=request,
            actor=by,
            state=token.user.state,
            target=token,
            details={"user": token.user.username},
        )
    return bool(revoked)


def authenticate_token(value: str) -> ApiToken | None:
    """The usable token ``value`` names, with its user and state loaded, or None: an
    unknown, revoked or expired token, or a user who may no longer hold one
    (``check_may_hold_token``: deactivated, of a suspended state, made platform staff, or
    of a role that requires MFA they do not have)."""
    if not value.startswith(ApiToken.VALUE_PREFIX) or len(value) > 200:
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("user__state")
        .filter(key_hash=hash_token(value))
        .first()
    )
    if token is None:
        return None
    try:
        check_may_hold_token(token.user)
    except PermissionDenied:
        return None
    return token


def record_token_use(token: ApiToken, *, request: HttpRequest | None = None) -> None:
    """Note that ``token`` was used: its last-used time moves at most once a minute
    (nothing at all when the loaded time is recent), and the use is audited at most once
    an hour per token. Both are conditional UPDATEs, so that concurrent requests on
    several web hosts move the time once and write one audit row."""
    now = timezone.now()
    touched_before = now - timedelta(seconds=TOKEN_TOUCH_SECONDS)
    if token.last_used_at and token.last_used_at > touched_before:
        return
    ApiToken.objects.filter(pk=token.pk).filter(
        models.Q(last_used_at__isnull=True) | models.Q(last_used_at__lte=touched_before)
    ).update(last_used_at=now)
    token.last_used_at = now
    audited_before = now - timedelta(seconds=TOKEN_AUDIT_SECONDS)
    if token.last_audited_at and token.last_audited_at > audited_before:
        return
    claimed = (
        ApiToken.objects.filter(pk=token.pk)
        .filter(
            models.Q(last_audited_at__isnull=True) | models.Q(last_audited_at__lte=audited_before)
        )
        .update(last_audited_at=now)
    )
    if claimed:
        token.last_audited_at = now
        audit.record(
            audit.Action.API_TOKEN_USED,
            request=request,
            actor=token.user,
            target=token,
            details={"method": request.method, "path": request.path[:200]} if request else {},
        )
