from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from accounts.demo import seed_policies, seed_users
from sharing.demo import (
    seed_advisories,
    seed_comment_window,
    seed_denials,
    seed_history,
    seed_notices,
    seed_practices,
    seed_questionnaire,
    seed_registry,
    seed_watch,
)

QUIET = "django.core.mail.backends.dummy.EmailBackend"


class Command(BaseCommand):
    help = (
        "Fill the embedded mode with demo data: <cc>-admin, <cc>-officer and <cc>-viewer "
        "for every state (e.g. dk-officer), a handful of notices, a dozen best practices, "
        "four licence denials (Germany's awaiting approval), an open consultation and four "
        "advisories for industry (one awaiting approval). "
        "Idempotent: what "
        "exists is left as it is."
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
        # The demo's own publications notify the demo users (their inboxes fill up, as
        # in real use) but send no e-mail: there is nobody at those addresses.
        with override_settings(EMAIL_BACKEND=QUIET), transaction.atomic():
            created, existing = seed_users(password)
            seed_policies()
            notices = seed_notices()
            practices = seed_practices()
            denials, consultations = seed_denials()
            advisories = seed_advisories()
            windows = seed_comment_window()
            watched = seed_watch()
            history = seed_history()
            questionnaires = seed_questionnaire()
        # The registry links what was published once it is committed (and dispatched).
        with override_settings(EMAIL_BACKEND=QUIET), transaction.atomic():
            related = seed_registry()
        self.stdout.write(
            f"Demo data: {created} user(s) created, {existing} already there; "
            f"{notices} demo notice(s) and {practices} best practice(s) added; "
            f"{denials} licence denial(s), {consultations} consultation(s) and "
            f"{advisories} advisory(ies) for industry, {windows} public comment "
            f"window(s), {watched} watched application(s), {history} notice(s) of the past "
            f"year and {questionnaires} questionnaire(s) added.\n"
            f"Every state has <cc>-admin, <cc>-officer and <cc>-viewer (cc = the state's code "
            f"in lower case); new ones have the password {password!r}.\n"
            f"For example: dk-officer / {password}  (Denmark), no-viewer / {password}  (Norway).\n"
            f"Germany asks for four eyes: de-admin / {password} has a notice and a licence "
            f"denial to approve; no-admin / {password} has an advisory for industry to "
            f"approve.\n"
            f"Signed out, anyone reads the public advisories at /advisories/ and screens "
            f"names at /screening/; Norway's industry contacts are under Advisories → "
            f"Industry contacts (one confirmed, one asking to join). A draft best practice "
            f"of Norway's is open for public comment (its page links to it). fi-officer "
            f"watches an application that a later Danish denial matches (Denials → Watched "
            f"applications, and the inbox). Under Reports, dk-admin / {password} sees Denmark's "
            f"figures for the year beside the community's, submits the questionnaire an officer "
            f"drafted, downloads the plenary pack, and can agree in the state's settings to be "
            f"named in the comparisons; Norway shared its answers. Denials → Registry of "
            f"entities shows a broker "
            f"Denmark linked to its denial and recorded as a front ({related} relation(s) "
            f"added)."
        )
