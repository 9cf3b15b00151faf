from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services
from accounts.choices import Role
from accounts.models import State


class Command(BaseCommand):
    help = (
        "Invite a state's first admin: e-mails EMAIL a single-use link to set a password "
        "and join state CODE as its admin, and prints the link."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "code", help="the state's ISO 3166-1 alpha-2 code, e.g. DK (XK: Kosovo)"
        )
        parser.add_argument("email", help="the new admin's e-mail address")

    def handle(self, *args, code: str, email: str, **options):
        code = code.strip().upper()
        state = State.objects.filter(pk=code).first()
        if state is None:
            raise CommandError(
                f"No state has the code {code!r}. Create it in the administration site first."
            )
        try:
            with transaction.atomic():
                invitation = services.invite_user(
                    email=email, role=Role.STATE_ADMIN, state=state, by=None
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        link = services.invitation_url(invitation)
        self.stdout.write(
            f"Invited {invitation.email} as admin of {state.name}; the link works once, "
            f"until {invitation.expires_at:%Y-%m-%d %H:%M} UTC:\n{link}"
        )
