"""How django-allauth behaves in this portal: no sign-up, suspended states refused at
sign-in, throttled sign-ins audited, mail sent after commit through Celery, and MFA
secrets encrypted at rest."""

import base64
import logging
import secrets

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.shortcuts import render

from portal import audit, crypto, mail

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts come from invitations sent by a state admin, never from sign-up.
        return False

    def pre_authenticate(self, request, **credentials) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            audit.record(
                audit.Action.LOGIN_THROTTLED,
                request=request,
                username=credentials.get("username") or credentials.get("email") or "",
            )
            raise

    def pre_login(self, request, user, **kwargs):
        response = super().pre_login(request, user, **kwargs)
        if response is None and user.state is not None and user.state.is_suspended:
            # The password was right, but the state's access is suspended: say so,
            # rather than leave the official guessing at their password.
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            audit.record(
                audit.Action.LOGIN_REFUSED,
                request=request,
                actor=user,
                details={"reason": "state_suspended"},
            )
            response = render(
                request, "account/state_suspended.html", {"state": user.state}, status=403
            )
        return response

    def get_reauthentication_methods(self, user):
        # Confirming access (before changing MFA, say) takes the password or an
        # authenticator code, never a code e-mailed to the very inbox being protected.
        methods = super().get_reauthentication_methods(user)
        return [method for method in methods if method["id"] != "reauthenticate_by_code"]

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # As allauth's own, but the message leaves through the e-mail queue once the
        # surrounding transaction has committed, instead of over SMTP inside the request.
        request = allauth_context.request
        context = {
            "request": request,
            "email": email,
            # Notifications sent from an on-commit hook may run without a request.
            "current_site": get_current_site(request) if request else mail.SITE,
            **context,
        }
        mail.send_after_commit(self.render_mail(template_prefix, email, context))


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text, purpose="mfa")

    def decrypt(self, encrypted_text: str) -> str:
        try:
            return crypto.decrypt(encrypted_text, purpose="mfa")
        except crypto.InvalidToken:
            # A secret stored under another key cannot be read. Fail closed: an
            # unguessable stand-in secret means no code is ever accepted for it.
            logger.error("An MFA secret could not be decrypted; check ENCRYPTION_KEY.")
            return base64.b32encode(secrets.token_bytes(20)).decode()

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP and authenticator.user.mfa_required:
            return False
        return super().can_delete_authenticator(authenticator)
