from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.choices import Role
from accounts.models import State, User

# Where each seeded state's demo users live, so pages and e-mails show local times.
TIME_ZONES = {
    "AL": "Europe/Tirane",
    "AU": "Australia/Canberra",
    "BG": "Europe/Sofia",
    "CA": "America/Toronto",
    "CZ": "Europe/Prague",
    "DE": "Europe/Berlin",
    "DK": "Europe/Copenhagen",
    "EC": "America/Guayaquil",
    "EE": "Europe/Tallinn",
    "ES": "Europe/Madrid",
    "FI": "Europe/Helsinki",
    "FR": "Europe/Paris",
    "GB": "Europe/London",
    "HR": "Europe/Zagreb",
    "JP": "Asia/Tokyo",
    "KR": "Asia/Seoul",
    "LV": "Europe/Riga",
    "MK": "Europe/Skopje",
    "NL": "Europe/Amsterdam",
    "NO": "Europe/Oslo",
    "NZ": "Pacific/Auckland",
    "SK": "Europe/Bratislava",
    "US": "America/New_York",
    "XK": "Europe/Belgrade",
}
ROLES = [(Role.STATE_ADMIN, "admin"), (Role.OFFICER, "officer"), (Role.VIEWER, "viewer")]


class Command(BaseCommand):
    help = (
        "Create demo users for every state: <cc>-admin, <cc>-officer and <cc>-viewer "
        "(e.g. dk-officer). Idempotent: existing users are left as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", default="demo", help="password of new demo users")
        parser.add_argument("--force", action="store_true", help="run even though DEBUG is off")

    def handle(self, *args, password: str, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like a real deployment, where demo accounts with "
                "known passwords must not exist. Use --force if you really mean it."
            )
        if not password:
            raise CommandError("--password must not be empty.")
        created = wanted = 0
        with transaction.atomic():
            for state in State.objects.all():
                for role, suffix in ROLES:
                    created += self._ensure_user(state, role, suffix, password)
                    wanted += 1
        existing = wanted - created
        self.stdout.write(
            f"Demo data: {created} user(s) created, {existing} already there.\n"
            f"Every state has <cc>-admin, <cc>-officer and <cc>-viewer (cc = the state's code "
            f"in lower case); new ones have the password {password!r}.\n"
            f"For example: dk-officer / {password}  (Denmark), no-viewer / {password}  (Norway)."
        )

    def _ensure_user(self, state: State, role: str, suffix: str, password: str) -> int:
        username = f"{state.code.lower()}-{suffix}"
        if User.objects.filter(username=username).exists():
            return 0
        user = User(
            username=username,
            email=f"{username}@demo.example.org",
            first_name=state.name,
            last_name=suffix.capitalize(),
            state=state,
            role=role,
            time_zone=TIME_ZONES.get(state.code, "UTC"),
        )
        user.set_password(password)
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        return 1
