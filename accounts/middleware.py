import zoneinfo

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _


class UserPreferencesMiddleware:
    """Use the signed-in user's language and time zone for this request, and only for it
    (the thread goes back to what it had, so nothing leaks into whatever runs next on it,
    such as an eager task or the next test)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        language = user.preferred_language or translation.get_language()
        with translation.override(language), timezone.override(zoneinfo.ZoneInfo(user.time_zone)):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
            # LocaleMiddleware, further out, only sets the header when it is missing.
            response.headers.setdefault("Content-Language", language)
        return response


class MFARequiredMiddleware:
    """Send users whose role requires MFA (settings.MFA_REQUIRED_ROLES) to set up an
    authenticator app before they can use anything else."""

    # What such a user can still reach: the MFA set-up itself, signing out, choosing a
    # language, and the health checks.
    ALLOWED = {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_logout",
        "account_reauthenticate",
        "set_language",
        "healthz",
        "readyz",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not (user.is_authenticated and user.mfa_required):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in self.ALLOWED:
            return None
        if user.mfa_satisfied:
            return None
        messages.warning(
            request,
            _(
                "Your role requires two-factor authentication. Set up an authenticator app "
                "to continue."
            ),
        )
        return redirect("mfa_activate_totp")
