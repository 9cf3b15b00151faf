"""Demo users for the embedded mode (``manage.py seed_demo``); never for production."""

from allauth.account.models import EmailAddress

from accounts.choices import ApprovalPolicy, Role
from accounts.models import State, User

ROLES = [(Role.STATE_ADMIN, "admin"), (Role.OFFICER, "officer"), (Role.VIEWER, "viewer")]
# Germany shows four eyes: everything its officers publish, licence denials included,
# waits for a second official.
DEMO_POLICIES = {"DE": ApprovalPolicy.EVERYTHING}
# States whose admins agreed to be named in the implementation reports' comparisons
# (Denmark has not: its admin can agree in the state's settings).
DEMO_NAMED_IN_REPORTS = ("NO", "FR", "DE", "NL", "FI")


def seed_policies() -> None:
    """Give the demo states their approval policies, where a state has the default
    (each setting on its own: a demo seeded before a setting existed gets it too)."""
    for code, policy in DEMO_POLICIES.items():
        State.objects.filter(pk=code, approval_policy=ApprovalPolicy.NOTHING).update(
            approval_policy=policy
        )
        State.objects.filter(pk=code).update(approve_denials=True)
    State.objects.filter(pk__in=DEMO_NAMED_IN_REPORTS).update(named_in_reports=True)


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
                time_zone=state.zone.key,  # local times on pages and in e-mails
            )
            user.set_password(password)
            user.save()
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
            created += 1
    return created, wanted - created
