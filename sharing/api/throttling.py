"""Request limits per token and per user (a person with several tokens gets no more).

The rates are read from the settings on every request rather than once at import, as
DRF's own classes do, so that a deployment (or a test) can change them."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from portal.audit import client_ip


class _SettingRateThrottle(SimpleRateThrottle):
    setting = ""

    def get_rate(self):
        return getattr(settings, self.setting)


class TokenRateThrottle(_SettingRateThrottle):
    scope = "api_token"
    setting = "API_TOKEN_RATE"

    def get_cache_key(self, request, view):
        token = request.auth
        if token is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": token.pk}


class UserRateThrottle(_SettingRateThrottle):
    scope = "api_user"
    setting = "API_USER_RATE"

    def get_cache_key(self, request, view):
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class PublicAddressRateThrottle(_SettingRateThrottle):
    """The public API and screening page, per client address (as allauth reads it, with
    the trusted proxies of the deployment)."""

    scope = "public"
    setting = "PUBLIC_RATE"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "unknown"}


class SignUpRateThrottle(PublicAddressRateThrottle):
    """The public sign-up form of industry contacts: a bucket of its own, so that
    screening does not block it, nor it screening."""

    scope = "public_sign_up"


class CommentRateThrottle(PublicAddressRateThrottle):
    """Comments in public comment windows: a bucket of their own, and a lower rate
    (each sends an e-mail to the address given)."""

    scope = "public_comment"
    setting = "PUBLIC_COMMENT_RATE"
