from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model


class PortalAuthenticationBackend(AuthenticationBackend):
    """allauth's backend (user name or e-mail), refusing users who may not sign in.

    Django asks ``get_user`` on every request of a signed-in session, so deactivating a
    user or suspending their state ends the sessions they already have.
    """

    def user_can_authenticate(self, user) -> bool:
        return user.may_sign_in

    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related("state").filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        return user
