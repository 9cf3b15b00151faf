from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Make an API token for USERNAME and print its value, alone on one line (it is "
        "stored only as a hash: this is the one time it can be read)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="the user the token acts for")
        parser.add_argument("--name", default="command line", help="what the token is for")
        parser.add_argument(
            "--expires-days",
            type=int,
            default=None,
            help=f"days until it expires (1 to {services.API_TOKEN_MAX_DAYS}); never if not given",
        )

    def handle(self, *args, username: str, name: str, expires_days: int | None, **options):
        user = User.objects.select_related("state").filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        try:
            _token, value = services.create_api_token(
                user, name=name, expires_days=expires_days, by=None
            )
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(value)
