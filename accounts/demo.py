"""Demo users for the embedded mode (``manage.py seed_demo``); never for production."""

from allauth.account.models import EmailAddress

from accounts.choices import Role
from accounts.models import State, User

# Where each seeded state's demo users live, so pages and e-mails show local times.
TIME_ZONES = {
    "AL": "Europe/Tirane", "AU": "Australia/Canberra", "BG": "Europe/Sofia",
    "CA": "America/Toronto", "CZ": "Europe/Prague", "DE": "Europe/Berlin",
    "DK": "Europe/Copenhagen", "EC": "America/Guayaquil", "EE": "Europe/Tallinn",
    "ES": "Europe/Madrid", "FI": "Europe/Helsinki", "FR": "Europe/Paris",
    "GB": "Europe/London", "HR": "Europe/Zagreb", "JP": "Asia/Tokyo", "KR": "Asia/Seoul",
    "LV": "Europe/Riga", "MK": "Europe/Skopje", "NL": "Europe/Amsterdam",
    "NO": "Europe/Oslo", "NZ": "Pacific/Auckland", "SK": "Europe/Bratislava",
    "US": "America/New_York", "XK": "Europe/Belgrade",
}  # fmt: skip
ROLES = [(Role.STATE_ADMIN, "admin"), (Role.OFFICER, "officer"), (Role.VIEWER, "viewer")]


def seed_users(password: str) -> tuple[int, int]:
    """Create <cc>-admin, <cc>-officer and <cc>-viewer for every state that lacks them.
    Returns (created, already there); existing users are left as they are."""
    created = wanted = 0
    for state in State.objects.all():
        for role, suffix in ROLES:
            wanted += 1
            username = f"{state.code.lower()}-{suffix}"
            if User.objects.filter(username=username).exists():
                continue
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
            created += 1
    return created, wanted - created
