"""How django-allauth behaves in this portal: no sign-up, suspended states refused at
sign-in, failed sign-ins limited per account and throttled ones audited, links in
e-mails built from SITE_URL, mail sent after commit through Celery, and MFA secrets
encrypted at rest."""

import base64
import logging
import secrets
import unicodedata
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation

from portal import audit, crypto, mail

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts come from invitations sent by a state admin, never from sign-up.
        return False

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # allauth keys the "5 failures in 15 minutes" limit on the host the request names
        # and on the login as typed, so another port, or the e-mail address instead of
        # the user name, would start a fresh count. Here the key is the account itself;
        # the same key is cleared when its password is reset.
        login = credentials.get("email") or credentials.get("username") or ""
        return login_limit_key(login)

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

    # Links in e-mails: allauth builds them from the request, that is from its Host
    # header (port and all). Every link here starts with SITE_URL instead.

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return settings.SITE_URL + path.replace("UID-KEY", quote(key))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return settings.SITE_URL + reverse("account_confirm_email", args=[emailconfirmation.key])

    def send_account_already_exists_mail(self, email: str) -> None:
        # Only a sign-up attempt leads here, and sign-up is closed: such a mail would
        # point at a sign-up page that does not exist.
        return None

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # As allauth's own, but the message leaves through the e-mail queue once the
        # surrounding transaction has committed, instead of over SMTP inside the request;
        # and "the site" its templates name is SITE_URL's, whatever host was asked for.
        context = {
            "request": allauth_context.request,
            "email": email,
            **context,
            "current_site": mail.SITE,
        }
        # In the account's language when the mail is about one (a password reset asked
        # for while signed out would otherwise follow whatever browser asked).
        user = context.get("user")
        language = getattr(user, "preferred_language", "") or translation.get_language()
        with translation.override(language):
            message = self.render_mail(template_prefix, email, context)
        mail.send_after_commit(message)


def login_limit_key(login: str) -> str:
    """What failed sign-ins with ``login`` count against: the account it names, or else
    the login itself, folded, so that unknown names are limited alike and the limit does
    not tell which exist."""
    login = login.strip()
    accounts = _accounts_named_by(login) if login else []
    if accounts:
        return "account:" + ",".join(str(pk) for pk in accounts)
    return "login:" + _folded(login)


def _folded(text: str) -> str:
    # Unicode's caseless match of identifiers (compatibility forms and case alike), as
    # allauth compares e-mail addresses outside sign-in.
    return unicodedata.normalize("NFKC", text).casefold()


def _accounts_named_by(login: str) -> list[int]:
    """The accounts whose user name, own e-mail address or a confirmed address ``login``
    is, compared as allauth does when it signs people in (Python's lower(), after which
    the Kelvin sign is a "k") or more loosely (Unicode caseless): whatever signs in to an
    account counts against it. The database's case-insensitive match is no guide to
    this, so it only finds the candidates.

    An address someone has added but not confirmed names no one while it is another
    account's: anyone may claim any address. Only an address nobody holds names the
    accounts that claim it, since allauth checks their passwords when it is typed."""
    lowered, folded = login.lower(), _folded(login)

    def same(stored: str) -> bool:
        return bool(stored) and (stored.lower() == lowered or _folded(stored) == folded)

    variants = {login, lowered, folded}
    names = Q()
    addresses = Q()
    for variant in variants:
        names |= Q(username__iexact=variant) | Q(email__iexact=variant)
        addresses |= Q(email__iexact=variant)
    held = {
        pk
        for pk, username, email in get_user_model()
        ._default_manager.filter(names)
        .values_list("pk", "username", "email")
        if same(username) or same(email)
    }
    claims = [
        (user_id, verified)
        for user_id, email, verified in EmailAddress.objects.filter(addresses).values_list(
            "user_id", "email", "verified"
        )
        if same(email)
    ]
    held |= {user_id for user_id, verified in claims if verified}
    if not held:
        held = {user_id for user_id, _verified in claims}
    return sorted(held)


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
