"""Bearer tokens: ``Authorization: Bearer echri_...``, looked up by their hash."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts import services as accounts


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Authenticates a request by a personal API token (``accounts.ApiToken``). The
    request acts with the token's user: their role, their state, their visibility.

    A missing header leaves the request anonymous (the permission check then answers
    401); a header that is malformed, or names a token that is unknown, revoked or
    expired, or belongs to someone who may not sign in, is a 401 at once.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Give the token after 'Bearer' and a space, nothing else.")
            )
        try:
            value = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        token = accounts.authenticate_token(value)
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("The token is not valid: unknown, expired or revoked.")
            )
        accounts.record_token_use(token, request=request)
        # The API answers in its user's language, as the pages do (their own choice or
        # their state's default); without either, Accept-Language has already decided.
        # LocaleMiddleware names it in Content-Language when the response leaves.
        if token.user.preferred_language:
            translation.activate(token.user.preferred_language)
        return token.user, token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (with this challenge) rather than 403 when it is missing.
        return f'{self.keyword} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal API token (made on the portal's API tokens page, or with "
                "`manage.py create_api_token`), sent as `Authorization: Bearer <token>`."
            ),
        }
