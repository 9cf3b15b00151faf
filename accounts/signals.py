"""Audit-log receivers for acts that django.contrib.auth and allauth perform."""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from portal import audit


@receiver(auth_signals.user_logged_in, dispatch_uid="audit_login")
def audit_login(sender, request, user, **kwargs):
    audit.record(audit.Action.LOGIN, request=request, actor=user)


@receiver(auth_signals.user_login_failed, dispatch_uid="audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in ``credentials``.
    username = credentials.get("username") or credentials.get("email") or ""
    audit.record(audit.Action.LOGIN_FAILED, request=request, username=str(username))


@receiver(auth_signals.user_logged_out, dispatch_uid="audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(audit.Action.LOGOUT, request=request, actor=user)


@receiver(account_signals.password_changed, dispatch_uid="audit_password_changed")
def audit_password_changed(sender, request, user, **kwargs):
    audit.record(audit.Action.PASSWORD_CHANGED, request=request, actor=user, target=user)


@receiver(account_signals.password_reset, dispatch_uid="audit_password_reset")
def audit_password_reset(sender, request, user, **kwargs):
    audit.record(audit.Action.PASSWORD_RESET, request=request, actor=user, target=user)


@receiver(mfa_signals.authenticator_added, dispatch_uid="audit_mfa_added")
def audit_mfa_added(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.TOTP:
        audit.record(audit.Action.MFA_ENABLED, request=request, actor=user, target=user)


@receiver(mfa_signals.authenticator_removed, dispatch_uid="audit_mfa_removed")
def audit_mfa_removed(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.TOTP:
        audit.record(audit.Action.MFA_DISABLED, request=request, actor=user, target=user)


@receiver(mfa_signals.authenticator_reset, dispatch_uid="audit_mfa_reset")
def audit_mfa_reset(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        audit.record(
            audit.Action.MFA_RECOVERY_CODES_REGENERATED, request=request, actor=user, target=user
        )


@receiver(mfa_signals.authentication_failed, dispatch_uid="audit_mfa_failed")
def audit_mfa_failed(sender, request, user, authenticator, reauthentication=False, **kwargs):
    audit.record(
        audit.Action.MFA_FAILED,
        request=request,
        actor=user,
        details={"type": authenticator.type, "reauthentication": bool(reauthentication)},
    )


# The e-mail address is both a sign-in name and the password-reset channel.
@receiver(account_signals.email_added, dispatch_uid="audit_email_added")
def audit_email_added(sender, request, user, email_address, **kwargs):
    audit.record(
        audit.Action.EMAIL_ADDED,
        request=request,
        actor=user,
        target=user,
        details={"email": email_address.email},
    )


@receiver(account_signals.email_changed, dispatch_uid="audit_email_changed")
def audit_email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    audit.record(
        audit.Action.EMAIL_CHANGED,
        request=request,
        actor=user,
        target=user,
        details={
            "from": from_email_address.email if from_email_address else "",
            "to": to_email_address.email,
        },
    )


@receiver(account_signals.email_confirmed, dispatch_uid="audit_email_confirmed")
def audit_email_confirmed(sender, request, email_address, **kwargs):
    audit.record(
        audit.Action.EMAIL_CONFIRMED,
        request=request,
        actor=email_address.user,
        target=email_address.user,
        details={"email": email_address.email},
    )
