import uuid
import zoneinfo
from functools import cache

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core import signing, validators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.choices import ApprovalPolicy, Role, StateStatus
from portal.countries import active_language, local_country_names, validate_country_code

# Where the authorities of the seeded states sit (the capital's zone).
CAPITAL_TIME_ZONES = {
    "US": "America/New_York",
    "AU": "Australia/Sydney",
    "DK": "Europe/Copenhagen",
    "NO": "Europe/Oslo",
    "AL": "Europe/Tirane",
    "BG": "Europe/Sofia",
    "CA": "America/Toronto",
    "HR": "Europe/Zagreb",
    "CZ": "Europe/Prague",
    "EC": "America/Guayaquil",
    "EE": "Europe/Tallinn",
    "FI": "Europe/Helsinki",
    "FR": "Europe/Paris",
    "DE": "Europe/Berlin",
    "JP": "Asia/Tokyo",
    "XK": "Europe/Belgrade",
    "LV": "Europe/Riga",
    "NL": "Europe/Amsterdam",
    "NZ": "Pacific/Auckland",
    "MK": "Europe/Skopje",
    "KR": "Asia/Seoul",
    "SK": "Europe/Bratislava",
    "ES": "Europe/Madrid",
    "GB": "Europe/London",
    "CR": "America/Costa_Rica",
}


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class State(models.Model):
    """A government taking part in the exchange: a subscribing state of the Code of
    Conduct, an observer state that reads what is shared with the wider community, or a
    state whose access is suspended (its users cannot sign in and see nothing).

    Identified by its ISO 3166-1 alpha-2 code (``XK`` for Kosovo), which is also the
    prefix of the references of the notices it publishes.
    """

    code = models.CharField(
        _("code"),
        primary_key=True,
        max_length=2,
        validators=[validate_country_code],
        help_text=_("ISO 3166-1 alpha-2 code, upper case (XK for Kosovo)."),
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=StateStatus.choices, default=StateStatus.SUBSCRIBING
    )
    founding = models.BooleanField(
        _("founding member"),
        default=False,
        help_text=_("One of the four states that launched the initiative in December 2021."),
    )
    joined = models.DateField(_("joined"), null=True, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_(
            "Where the state's authority works: its working days are counted there. Empty: "
            "the capital's."
        ),
    )
    language = models.CharField(
        _("default language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_(
            "The language of the pages and e-mails of its users who have not chosen one. "
            "Empty: each user's browser language."
        ),
    )
    # Four eyes (docs/architecture.md, "Four eyes"): what its officers submit for a
    # second official's approval before it leaves the state. Its admins decide.
    approval_policy = models.CharField(
        _("approval before publishing"),
        max_length=12,
        choices=ApprovalPolicy.choices,
        default=ApprovalPolicy.NOTHING,
    )
    approve_denials = models.BooleanField(
        _("approval before notifying licence denials"),
        default=False,
        help_text=_(
            "A second official approves every licence denial the state notifies, amends "
            "or revokes, whatever its marking."
        ),
    )
    # Implementation reports (docs/architecture.md, "Implementation reports"): whether
    # the state appears by name in their cross-state comparisons. Its admins decide.
    named_in_reports = models.BooleanField(
        _("named in the reports' comparisons"),
        default=False,
        help_text=_(
            "Other states see the state's figures by name in the implementation reports' "
            "comparisons across states. Otherwise they count only in the community's totals."
        ),
    )

    class Meta:
        verbose_name = _("state")
        verbose_name_plural = _("states")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.local_name

    def audit_label(self) -> str:
        # The log keeps one name per state, whatever language the actor reads.
        return self.name

    @property
    def local_name(self) -> str:
        """The state's name in the active language: its own name (as staff keep it) in
        English, and the ISO 3166 translation of its country in the others. Pages and
        e-mails show this; search and sorting use ``name``."""
        if active_language() == "en":
            return self.name
        return local_country_names().get(self.code, self.name)

    @property
    def is_suspended(self) -> bool:
        return self.status == StateStatus.SUSPENDED

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The time zone the state's authority works in: its own setting, else its
        capital's, else UTC."""
        return zoneinfo.ZoneInfo(self.time_zone or CAPITAL_TIME_ZONES.get(self.code, "UTC"))


def managed_state_id(admin) -> str | None:
    """The state whose users and invitations ``admin`` manages on the portal's pages:
    their own, if they are an active state admin; otherwise none. (Platform staff
    manage accounts in the Django admin.)"""
    if admin.is_authenticated and admin.is_active and admin.is_state_admin:
        return admin.state_id
    return None


class UserQuerySet(models.QuerySet):
    def manageable_by(self, admin: "User") -> "UserQuerySet":
        """The users of the admin's state, the admin included (the services refuse changes
        to oneself)."""
        state_id = managed_state_id(admin)
        return self.filter(state_id=state_id) if state_id else self.none()


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


@deconstructible
class UsernameValidator(validators.RegexValidator):
    # No "@": a user name must never pass for someone's e-mail address (sign-in accepts
    # either, and the audit log shows user names).
    regex = r"^[\w.+-]+\Z"
    message = _("Enter a user name of letters, digits and . + - _ only.")
    flags = 0


class User(AbstractUser):
    """A person who signs in: an official of one state with one role in it, or a member of
    the secretariat (platform staff), who has no state and sees no restricted content.

    Accounts exist only through invitations (or, for a state's first admin, through the
    platform staff). Users are deactivated, never deleted, so the audit log keeps its
    references.
    """

    username = models.CharField(
        _("user name"),
        max_length=150,
        unique=True,
        validators=[UsernameValidator()],
        error_messages={"unique": _("This user name is taken; choose another.")},
    )
    state = models.ForeignKey(
        State,
        verbose_name=_("state"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_(
            "Leave empty to follow your state's default language, or your browser's if it has none."
        ),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        choices=time_zone_choices,
        validators=[validate_time_zone],
    )
    # Raised when the user is deactivated or their state suspended: every session made
    # before then stops working for good (see _get_session_auth_hash), reactivation or
    # not. Coming back means signing in again.
    access_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Platform staff have no state; everyone with a state is a state's official.
            models.CheckConstraint(
                condition=models.Q(state__isnull=True, is_staff=True)
                | models.Q(state__isnull=False, is_staff=False),
                name="user_state_xor_staff",
                violation_error_message=_(
                    "A user belongs to a state, or is platform staff without a state."
                ),
            ),
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="user_email_unique_ci",
                violation_error_message=_("Another user already has this e-mail address."),
            ),
        ]

    @property
    def is_platform_staff(self) -> bool:
        return self.is_staff and self.state_id is None

    @property
    def is_state_admin(self) -> bool:
        return self.state_id is not None and self.role == Role.STATE_ADMIN

    @property
    def may_sign_in(self) -> bool:
        """Active, and not of a suspended state. Checked on every request by the
        authentication backend, so a suspension ends existing sessions too."""
        return self.is_active and (self.state is None or not self.state.is_suspended)

    @property
    def mfa_required(self) -> bool:
        """Whether settings.MFA_REQUIRED_ROLES covers this user ("staff" names platform staff)."""
        if self.is_staff:
            return "staff" in settings.MFA_REQUIRED_ROLES
        return self.state_id is not None and self.role in settings.MFA_REQUIRED_ROLES

    @property
    def mfa_satisfied(self) -> bool:
        """Whether the user may act: MFA is not required of them, or they have an
        authenticator app. Pages (MFARequiredMiddleware) and API tokens ask the same."""
        if not self.mfa_required:
            return True
        from allauth.mfa.models import Authenticator

        return Authenticator.objects.filter(user=self, type=Authenticator.Type.TOTP).exists()

    @property
    def preferred_language(self) -> str:
        """The language this user reads the portal in: their own choice, else their
        state's default; "" when neither is set (pages then follow the browser, e-mails
        the site's default)."""
        if self.language:
            return self.language
        return self.state.language if self.state is not None else ""

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def _get_session_auth_hash(self, secret=None):
        # Django signs each session with a hash of the password, and ends the session
        # when the hash no longer matches. The access epoch is part of it too (once it
        # has moved, so that sessions of users never deactivated keep their hash).
        if not self.access_epoch:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "accounts.User.session_auth_hash",
            f"{self.password}:{self.access_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> "InvitationQuerySet":
        """Neither accepted nor revoked: open, or expired and waiting to be resent."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def open(self) -> "InvitationQuerySet":
        """Pending and not expired: the link works."""
        return self.pending().filter(expires_at__gt=timezone.now())

    def manageable_by(self, admin: User) -> "InvitationQuerySet":
        state_id = managed_state_id(admin)
        return self.filter(state_id=state_id) if state_id else self.none()


class Invitation(models.Model):
    """An offer, sent by e-mail, to join the portal as a user of one state with one role.

    The link carries a signed token naming the invitation; it works once, until
    ``expires_at``, and not after the invitation is revoked or the state suspended.
    """

    TOKEN_SALT = "accounts.invitation"  # noqa: S105 (a salt, not a secret)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("e-mail address"))
    state = models.ForeignKey(
        State, verbose_name=_("state"), on_delete=models.PROTECT, related_name="invitations"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account created"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invitation",
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            # At most one open invitation per address, whichever state sent it.
            models.UniqueConstraint(
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.state_id}, {self.get_role_display()})"

    @cached_property
    def token(self) -> str:
        # Signed with the time: made once per loaded invitation, so that the link in the
        # e-mail and the one a command prints are the same.
        return signing.dumps(str(self.pk), salt=self.TOKEN_SALT)

    @classmethod
    def id_from_token(cls, token: str) -> uuid.UUID | None:
        """The invitation id a token names, or None if it was not signed by us."""
        try:
            return uuid.UUID(signing.loads(token, salt=cls.TOKEN_SALT))
        except (signing.BadSignature, ValueError, TypeError):
            return None

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def status(self) -> str:
        """accepted, revoked, expired or open: the one reading of the three dates."""
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.is_expired:
            return "expired"
        return "open"


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> "ApiTokenQuerySet":
        """Neither revoked nor expired."""
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal key with which a state's own systems (licensing, case management) use
    the REST API on behalf of one user, with that user's role and state.

    Only a SHA-256 hash of the value is stored: the value is shown once, when the token
    is made, and cannot be read back. A token can expire and can be revoked; it stops
    working at once when its user is deactivated or their state suspended.
    """

    # What every token value starts with, so that a leaked one is easy to recognise
    # (secret scanners, logs) and to tell from other credentials.
    VALUE_PREFIX = "echri_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the value, shown in lists so people can tell tokens apart.
    hint = models.CharField(_("starts with"), max_length=16, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    # When a use of the token was last written to the audit log (at most hourly).
    last_audited_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    def audit_label(self) -> str:
        return f"API token {self.pk} ({self.hint}…)"

    @property
    def status(self) -> str:
        """revoked, expired or active: the one reading of the dates."""
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= timezone.now():
            return "expired"
        return "active"
