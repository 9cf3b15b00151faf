"""Fill a database with years of sharing, fast: the data set of the benchmarks (bench/).

    DJANGO_SETTINGS_MODULE=bench.settings manage.py generate_bench_data \
        --notices 100000 --best-practices 10000 --users-per-state 40

A command of the ``bench`` app, which only bench/settings.py installs: the benchmarks
(bench/run.py, bench/loadtest.py) run it so; the tests call it as an object.

Users of every role in every state (and a few observer states), notices of every kind,
marking and audience (selected recipient lists included), drafts, amendments with their
revisions, withdrawals, acknowledgements, comments, the outbox events of all that, the
latest notices' notifications in people's inboxes, e-mail preferences, and best
practices with topics, co-authors and endorsements. Text is made from word lists in
English, French, German, Japanese and Korean (no network, no model).

Rows are written with ``bulk_create`` in batches, inside one transaction (all or
nothing). The search fields are those ``sharing.common.textsearch.index`` writes
(``textsearch.search_fields`` of ``textsearch.document``): the text, folded, and on
PostgreSQL the same weighted vector expression (``textsearch.vector``), computed by the INSERT. The
GIN search indexes are dropped for the load and built again at the end (one build is
far faster than growing them row by row). ``body_html`` is what ``portal.markdown`` renders:
bodies are made of Markdown blocks rendered once each (tests check that the joined
blocks are what the renderer makes of the whole body).

Running it again adds to what is there: users are reused, references continue. The same
``--seed`` and ``--until`` give the same data.
"""

from __future__ import annotations

import base64
import collections
import datetime
import random
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager

from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings

from accounts.choices import Role, StateStatus
from accounts.models import State, User
from bench.management.commands import _benchtext as words
from portal.markdown import render_markdown
from sharing.common import textsearch
from sharing.common.choices import TLP, ApprovalAct, Audience, ChangeKind, EventKind
from sharing.common.models import Approval, Event, Revision
from sharing.notices.choices import AckLevel, NoticeKind, NoticeStatus, Severity
from sharing.notices.models import (
    Acknowledgement,
    Comment,
    CountryOfConcern,
    Notice,
    NoticeEntity,
    ReferenceCounter,
    TechnologyCategory,
)
from sharing.notifications.choices import EmailMode, EmailStatus
from sharing.notifications.models import Notification, StateEmailDefault, UserEmailPreference
from sharing.practices.choices import DocType, EndorsementKind, PracticeAudience, PracticeStatus
from sharing.practices.models import BestPractice, Endorsement, Topic

# Observer states (read what is shared with the community): real countries, invented role.
OBSERVERS = [("CL", "Chile"), ("MX", "Mexico"), ("PH", "Philippines"), ("GH", "Ghana")]
BLOCK_POOL = 600  # distinct Markdown blocks per language, rendered once each
ENTITY_POOL = 4000  # entities recur across notices, as they do in real reporting
PREFIX = "bench-"
# (value, odds) of how many there are, and of severities.
CODE_COUNTS = [(0, 30), (1, 35), (2, 25), (4, 10)]
CO_AUTHOR_COUNTS = [(0, 60), (1, 25), (2, 10), (3, 5)]
SEVERITIES = [
    (Severity.LOW, 20),
    (Severity.MODERATE, 40),
    (Severity.HIGH, 30),
    (Severity.CRITICAL, 10),
]


def seeded(key: str) -> random.Random:
    """A reproducible random stream (for data, never for secrets)."""
    return random.Random(key)  # noqa: S311


def weighted(rng: random.Random, pairs):
    values, odds = zip(*pairs, strict=True)
    return rng.choices(values, weights=odds)[0]


def uid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


@contextmanager
def keeping_timestamps(*models):
    """Let bulk_create keep the ``updated_at`` we give (auto_now would stamp the load
    time on years of history)."""
    fields = [model._meta.get_field("updated_at") for model in models]
    for field in fields:
        field.auto_now = False
    try:
        yield
    finally:
        for field in fields:
            field.auto_now = True


class Command(BaseCommand):
    help = (
        "Generate a large, realistic data set for the benchmarks (bench/): users, notices, "
        "best practices, acknowledgements, comments, notifications. Adds to what exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--notices", type=int, default=1000)
        parser.add_argument("--best-practices", type=int, default=100)
        parser.add_argument("--users-per-state", type=int, default=40)
        parser.add_argument("--observer-states", type=int, default=2, choices=range(5))
        parser.add_argument(
            "--inbox-notices",
            type=int,
            default=300,
            help="the latest notices whose notifications are written to inboxes",
        )
        parser.add_argument("--years", type=int, default=5, help="how far back sharing goes")
        parser.add_argument(
            "--until",
            type=datetime.date.fromisoformat,
            default=None,
            help="the day the history ends (default: today)",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--password", default="bench", help="password of new users")
        parser.add_argument(
            "--mfa",
            action="store_true",
            help="give admins and officers a TOTP authenticator (as production requires)",
        )
        parser.add_argument("--force", action="store_true", help="run even though DEBUG is off")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off: this looks like a real deployment, where invented notices and "
                "accounts with known passwords must not exist. Use --force if you really mean it."
            )
        for name in ("notices", "best_practices", "users_per_state", "inbox_notices", "years"):
            if options[name] < 0:
                raise CommandError(f"--{name.replace('_', '-')} cannot be negative.")
        if options["batch_size"] < 1 or not options["password"]:
            raise CommandError("--batch-size must be positive and --password not empty.")
        started = time.perf_counter()
        generator = Generator(options, self.stdout if options["verbosity"] else None)
        # With DEBUG on, Django would keep (and format) the SQL of every bulk INSERT.
        with override_settings(DEBUG=False):
            counts = generator.run()
        seconds = time.perf_counter() - started
        if options["verbosity"]:
            summary = ", ".join(f"{n:,} {what}" for what, n in counts.items())
            self.stdout.write(f"Generated in {seconds:.1f}s: {summary}.")


class Generator:
    def __init__(self, options: dict, out=None):
        self.o = options
        self.out = out
        self.postgres = connection.vendor == "postgresql"
        until = options["until"] or datetime.date.today()
        self.until = datetime.datetime.combine(until, datetime.time(), tzinfo=datetime.UTC)
        self.start = self.until - datetime.timedelta(days=365 * max(options["years"], 1))
        self.counts: dict[str, int] = defaultdict(int)
        self.timings: dict[str, float] = {}

    def log(self, message: str) -> None:
        if self.out is not None:
            self.out.write(message)

    @contextmanager
    def phase(self, name: str):
        began = time.perf_counter()
        yield
        self.timings[name] = time.perf_counter() - began
        self.log(f"  {name}: {self.timings[name]:.1f}s")

    # --- the run --------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        # A seed of its own for each run on the same database, so that a second run adds
        # new rows rather than the same ones again.
        existing = Notice.objects.count(), BestPractice.objects.count()
        self.rng = seeded(f"{self.o['seed']}:{existing}")
        with transaction.atomic():
            if self.postgres:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
                    cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            with self.phase("states and users"):
                self.load_states()
                self.load_users()
            with self.phase("text"):
                self.prepare_text()
            dropped = self.drop_search_indexes()
            with self.phase("notices"):
                self.load_notices()
            with self.phase("best practices"):
                self.load_practices()
            with self.phase("inboxes"):
                self.load_notifications()
            with self.phase("search indexes"):
                self.create_indexes(dropped)
        if self.postgres:
            # Fresh statistics for the planner, and the visibility map of every table, as
            # autovacuum leaves a database in service: without it PostgreSQL reads the
            # table behind each index entry (the rule's many-to-many tables, the inbox),
            # and a page measured here would cost more than it does in production.
            # VACUUM cannot run inside a transaction (a test's); ANALYZE can.
            with self.phase("vacuum analyze"), connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        return dict(self.counts)

    # --- states and users -----------------------------------------------------------------

    def load_states(self) -> None:
        for code, name in OBSERVERS[: self.o["observer_states"]]:
            State.objects.get_or_create(
                code=code, defaults={"name": name, "status": StateStatus.OBSERVER}
            )
        self.states = list(State.objects.exclude(status=StateStatus.SUSPENDED).order_by("code"))
        self.subscribing = [s for s in self.states if s.status == StateStatus.SUBSCRIBING]
        if not self.subscribing:
            raise CommandError("No subscribing state: run the migrations first (they seed them).")
        self.categories = list(TechnologyCategory.objects.order_by("position", "slug"))
        self.topics = list(Topic.objects.order_by("position", "slug"))
        if not self.categories or not self.topics:
            raise CommandError("No technology categories or topics: run the migrations first.")

    def _roles(self, n: int) -> list[str]:
        admins = max(1, n // 20) if n >= 3 else 0
        officers = max(1, n // 4) if n >= 2 else n
        return (
            [Role.STATE_ADMIN] * admins
            + [Role.OFFICER] * officers
            + [Role.VIEWER] * (n - admins - officers)
        )

    def load_users(self) -> None:
        rng = seeded(f"{self.o['seed']}:users")
        password = make_password(self.o["password"], salt=f"bench{self.o['seed']}")
        short = {Role.STATE_ADMIN: "admin", Role.OFFICER: "officer", Role.VIEWER: "viewer"}
        existing = set(
            User.objects.filter(username__startswith=PREFIX).values_list("username", flat=True)
        )
        new_users = []
        for state in self.states:
            numbers = defaultdict(int)
            for role in self._roles(self.o["users_per_state"]):
                numbers[role] += 1
                username = f"{PREFIX}{state.code.lower()}-{short[role]}-{numbers[role]:02d}"
                if username in existing:
                    continue
                new_users.append(
                    User(
                        username=username,
                        email=f"{username}@bench.example.org",
                        first_name=rng.choice(words.GIVEN),
                        last_name=f"{short[role].capitalize()} {numbers[role]:02d}",
                        state=state,
                        role=role,
                        password=password,
                        # A few have left: they keep their account, deactivated.
                        is_active=not (role == Role.VIEWER and rng.random() < 0.04),
                        language="fr" if state.code == "FR" else "",
                        time_zone=state.zone.key,
                        date_joined=self.start,
                    )
                )
        User.objects.bulk_create(new_users, batch_size=self.o["batch_size"])
        self.counts["users"] += len(new_users)
        created = list(User.objects.filter(username__in=[u.username for u in new_users]))
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in created],
            batch_size=self.o["batch_size"],
        )
        self._preferences(rng, created)
        if self.o["mfa"]:
            adapter = get_mfa_adapter()
            Authenticator.objects.bulk_create(
                [
                    Authenticator(
                        user=u,
                        type=Authenticator.Type.TOTP,
                        data={"secret": adapter.encrypt(self._totp_secret(u))},
                    )
                    for u in created
                    if u.role in {Role.STATE_ADMIN, Role.OFFICER}
                ],
                batch_size=self.o["batch_size"],
                ignore_conflicts=True,
            )
        self.users = defaultdict(list)  # state code -> active users
        self.contributors = defaultdict(list)  # state code -> active officers and admins
        for user in User.objects.filter(username__startswith=PREFIX, is_active=True).order_by(
            "username"
        ):
            self.users[user.state_id].append(user)
            if user.role in {Role.STATE_ADMIN, Role.OFFICER}:
                self.contributors[user.state_id].append(user)
        self.subscribing = [s for s in self.subscribing if self.contributors[s.code]]
        if (self.o["notices"] or self.o["best_practices"]) and not self.subscribing:
            raise CommandError("Nobody can author: give --users-per-state 2 or more.")
        self.modes = self._email_modes()

    def _totp_secret(self, user) -> str:
        """A base32 TOTP seed derived from the seed and user name (reproducible)."""
        digest = seeded(f"{self.o['seed']}:{user.username}").randbytes(20)
        return base64.b32encode(digest).decode()

    def _preferences(self, rng: random.Random, users: list) -> None:
        modes = [
            (EmailMode.IMMEDIATE, 30),
            (EmailMode.DAILY, 35),
            (EmailMode.WEEKLY, 15),
            (EmailMode.OFF, 20),
        ]
        preferences = [
            UserEmailPreference(
                user=u,
                mode=weighted(rng, modes),
                min_severity=Severity.HIGH if rng.random() < 0.3 else "",
            )
            for u in users
            if rng.random() < 0.3
        ]
        UserEmailPreference.objects.bulk_create(preferences, ignore_conflicts=True)
        defaults = [
            StateEmailDefault(state=state, mode=EmailMode.DAILY)
            for index, state in enumerate(self.states)
            if index % 3 == 0
        ]
        StateEmailDefault.objects.bulk_create(defaults, ignore_conflicts=True)

    def _email_modes(self) -> dict[int, str]:
        """user id -> the e-mail mode in force (own, else the state's, else immediate)."""
        own = dict(UserEmailPreference.objects.values_list("user_id", "mode"))
        state = dict(StateEmailDefault.objects.values_list("state_id", "mode"))
        return {
            u.pk: own.get(u.pk) or state.get(u.state_id) or EmailMode.IMMEDIATE
            for users in self.users.values()
            for u in users
        }

    # --- text -----------------------------------------------------------------------------

    def prepare_text(self) -> None:
        rng = seeded(f"{self.o['seed']}:text")
        self.texts = {code: words.Text(self.rng, lang) for code, lang in words.LANGUAGES.items()}
        self.blocks, self.headings = {}, {}
        for code, lang in words.LANGUAGES.items():
            text = words.Text(rng, lang)
            sources = sorted({text.block() for _ in range(BLOCK_POOL)})
            rendered = [(md, render_markdown(md)) for md in sources]
            self.blocks[code] = (
                [(md, html) for md, html in rendered if html.startswith("<p>")],
                [(md, html) for md, html in rendered if not html.startswith("<p>")],
            )
            heads = sorted({f"## {h}" for h in lang.headings + lang.practice_headings})
            self.headings[code] = {md: render_markdown(md) for md in heads}
        self.entity_pool = [
            words.entity(rng, rng.choice(words.COUNTRIES_OF_CONCERN + words.HUBS))
            for _ in range(ENTITY_POOL)
        ]

    def language_of(self, state_code: str) -> str:
        return weighted(self.rng, words.STATE_LANGUAGES.get(state_code, [("en", 1)]))

    def body(self, language: str, *, practice: bool = False) -> tuple[str, str]:
        """(Markdown, its HTML): sections of a heading and blocks from the language's
        pool. A paragraph always stands between two other blocks: two lists in a row
        would be one list to Markdown, and the joined HTML would no longer be what the
        renderer makes of the whole."""
        rng = self.rng
        paragraphs, others = self.blocks[language]
        text = self.texts[language]
        parts = []
        for _section in range(rng.randint(1, 3)):
            heading = text.heading(practice)
            parts.append((heading, self.headings[language][heading]))
            for _turn in range(rng.randint(1, 2)):
                parts.append(rng.choice(paragraphs))
                if rng.random() < 0.6:
                    parts.append(rng.choice(others))
        return "\n\n".join(md for md, _ in parts), "\n".join(html for _, html in parts)

    # --- notices --------------------------------------------------------------------------

    def drop_search_indexes(self) -> list[str]:
        """Drop the GIN indexes of the searchable tables (inside the load's transaction:
        if anything fails they come back with the rollback); returns their definitions."""
        if not self.postgres:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename IN ('sharing_notice', 'sharing_bestpractice') "
                "AND indexdef ILIKE '%% USING gin %%' ORDER BY indexname"
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        return [definition for _name, definition in indexes]

    def create_indexes(self, definitions: list[str]) -> None:
        if not definitions:
            return
        with connection.cursor() as cursor:
            # The foreign keys are checked at commit; an index cannot be built on a table
            # with checks pending, so run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for definition in definitions:
                cursor.execute(definition)

    def timeline(self, n: int) -> list[datetime.datetime]:
        """n moments between the start and the end of the history, oldest first."""
        span = (self.until - self.start).total_seconds() - 3600
        return [
            self.start + datetime.timedelta(seconds=s)
            for s in sorted(self.rng.uniform(0, span) for _ in range(n))
        ]

    def reached(self, author: State, audience: str, recipients: list[State]) -> list[State]:
        """The states a notice's audience reaches, its author's excepted (what
        sharing.common.querysets.recipient_states answers)."""
        if audience == Audience.SELECTED:
            return recipients
        statuses = {StateStatus.SUBSCRIBING}
        if audience == Audience.COMMUNITY:
            statuses.add(StateStatus.OBSERVER)
        return [s for s in self.states if s.status in statuses and s.pk != author.pk]

    def load_notices(self) -> None:
        total = self.o["notices"]
        if not total:
            return
        # Notices' counters (series ""; advisories have their own series).
        self.counters = {
            (c.state_id, c.year): c.last for c in ReferenceCounter.objects.filter(series="")
        }
        # (event, notice, states reached) of the newest publications, for the inboxes.
        self.latest: collections.deque = collections.deque(maxlen=self.o["inbox_notices"] or 1)
        moments = self.timeline(total)
        size = self.o["batch_size"]
        for offset in range(0, total, size):
            batch = Batch()
            for moment in moments[offset : offset + size]:
                self.make_notice(batch, moment)
            self.write_notices(batch)
            self.log(f"    notices {min(offset + size, total):,}/{total:,}")
        ReferenceCounter.objects.bulk_create(
            [ReferenceCounter(state_id=s, year=y, last=n) for (s, y), n in self.counters.items()],
            update_conflicts=True,
            unique_fields=["state", "series", "year"],
            update_fields=["last"],
        )

    def _reference(self, state: State, moment: datetime.datetime) -> str:
        key = (state.pk, moment.year)
        self.counters[key] = self.counters.get(key, 0) + 1
        return f"{state.pk}-{moment.year}-{self.counters[key]:04d}"

    def make_notice(self, batch: Batch, moment: datetime.datetime) -> None:
        rng = self.rng
        author = rng.choice(self.subscribing)
        creator = rng.choice(self.contributors[author.code])
        language = self.language_of(author.code)
        text = self.texts[language]
        status = weighted(
            rng,
            [(NoticeStatus.PUBLISHED, 92), (NoticeStatus.WITHDRAWN, 4), (NoticeStatus.DRAFT, 4)],
        )
        tlp = weighted(
            rng,
            [
                (TLP.CLEAR, 10),
                (TLP.GREEN, 35),
                (TLP.AMBER, 35),
                (TLP.AMBER_STRICT, 12),
                (TLP.RED, 8),
            ],
        )
        audience = (
            Audience.SELECTED
            if tlp == TLP.RED
            else weighted(
                rng,
                [(Audience.SELECTED, 30), (Audience.SUBSCRIBING, 50), (Audience.COMMUNITY, 20)],
            )
        )
        others = [s for s in self.states if s.pk != author.pk]
        recipients = (
            sorted(rng.sample(others, rng.randint(1, min(6, len(others)))), key=lambda s: s.pk)
            if audience == Audience.SELECTED and others
            else []
        )
        if audience == Audience.SELECTED and not recipients:
            audience, tlp = Audience.SUBSCRIBING, TLP.AMBER
        entities = [
            dict(e)
            for e in rng.sample(
                self.entity_pool, weighted(rng, [(0, 35), (1, 35), (2, 20), (3, 10)])
            )
        ]
        body, body_html = self.body(language)
        published = status != NoticeStatus.DRAFT
        versions = weighted(rng, [(1, 78), (2, 15), (3, 5), (4, 2)]) if published else 1
        notice = Notice(
            id=uid(rng),
            kind=rng.choice(NoticeKind.values),
            title=text.title(entity=entities[0]["name"] if entities else None),
            summary=text.summary(),
            body=body,
            body_html=body_html,
            control_codes=rng.sample(
                words.CONTROL_CODES, weighted(rng, [(0, 30), (1, 35), (2, 25), (4, 10)])
            ),
            severity=weighted(
                rng,
                [
                    (Severity.LOW, 20),
                    (Severity.MODERATE, 40),
                    (Severity.HIGH, 30),
                    (Severity.CRITICAL, 10),
                ],
            ),
            tlp=tlp,
            audience=audience,
            valid_until=(
                (self.until + datetime.timedelta(days=rng.randint(30, 730))).date()
                if rng.random() < 0.3
                else None
            ),
            status=status,
            version=versions,
            author_state=author,
            created_by=creator,
            created_at=moment - datetime.timedelta(minutes=rng.randint(5, 60 * 24 * 7)),
        )
        countries = rng.sample(
            words.COUNTRIES_OF_CONCERN, weighted(rng, [(0, 40), (1, 35), (2, 15), (3, 10)])
        )
        notice._prefetched_objects_cache = {
            "entities": [
                NoticeEntity(notice=notice, position=p, **e) for p, e in enumerate(entities)
            ],
            "concern_countries": [
                CountryOfConcern(notice=notice, position=p, code=c) for p, c in enumerate(countries)
            ],
        }
        categories = rng.sample(self.categories, weighted(rng, [(1, 60), (2, 30), (3, 10)]))
        if status == NoticeStatus.DRAFT and notice.id.int % 4 == 0:
            # A quarter of the drafts were submitted for approval (four eyes); decided
            # by the id, so that the random sequence, and the rest of the data, is the
            # same as without them.
            notice.status = NoticeStatus.PENDING
            batch.approvals.append(
                Approval(
                    notice=notice,
                    act=ApprovalAct.PUBLISH,
                    version=1,
                    tlp=notice.tlp,
                    submitted_by=creator,
                    submitted_at=notice.created_at,
                )
            )
        batch.notices.append(notice)
        batch.entities.extend(notice._prefetched_objects_cache["entities"])
        batch.countries.extend(notice._prefetched_objects_cache["concern_countries"])
        batch.categories.extend(
            Notice.categories.through(notice_id=notice.pk, term_id=c.pk) for c in categories
        )
        batch.recipients.extend(
            Notice.recipient_states.through(notice_id=notice.pk, state_id=s.pk) for s in recipients
        )
        batch.search.append((notice, *textsearch.document(notice)))
        notice.updated_at = notice.created_at
        if not published:
            return
        notice.reference = self._reference(author, moment)
        notice.published_at = moment
        snapshot = {
            "kind": notice.kind,
            "title": notice.title,
            "summary": notice.summary,
            "body": notice.body,
            "categories": sorted(c.slug for c in categories),
            "control_codes": notice.control_codes,
            "countries_of_concern": countries,
            "entities": entities,
            "severity": notice.severity,
            "tlp": notice.tlp,
            "audience": notice.audience,
            "recipient_states": [s.pk for s in recipients],
            "valid_until": notice.valid_until.isoformat() if notice.valid_until else None,
            "attachments": [],
        }
        when = moment
        first_summary = text.summary()
        # Every version of a generated notice reaches the same states: its author's and
        # those its audience reaches.
        reached_codes = [author.pk, *(s.pk for s in self.reached(author, audience, recipients))]
        for version in range(1, versions + 1):
            material = version > 1 and rng.random() < 0.6
            if material:
                notice.ack_version = version
            kind = (
                ChangeKind.INITIAL
                if version == 1
                else (ChangeKind.MATERIAL if material else ChangeKind.MINOR)
            )
            content = snapshot if version == versions else {**snapshot, "summary": first_summary}
            revision = Revision(
                notice=notice,
                version=version,
                change_kind=kind,
                change_note="" if version == 1 else rng.choice(text.lang.change_notes),
                snapshot=content,
                audience=notice.audience,
                tlp=notice.tlp,
                created_by=creator,
                created_at=when,
            )
            batch.revisions.append(revision)
            batch.revision_reach += [(revision, code) for code in reached_codes]
            event_kind = {
                ChangeKind.INITIAL: EventKind.NOTICE_PUBLISHED,
                ChangeKind.MATERIAL: EventKind.NOTICE_AMENDED,
                ChangeKind.MINOR: EventKind.NOTICE_CORRECTED,
            }[kind]
            payload = (
                {"version": version} if version == 1 else {"version": version, "material": material}
            )
            event = self._event(event_kind, notice, creator, when, payload)
            batch.events.append(event)
            if version == 1:
                publication = event
            notice.updated_at = when
            when = min(self.until, when + datetime.timedelta(days=rng.randint(1, 60)))
        if status == NoticeStatus.WITHDRAWN:
            notice.withdrawn_at = when
            notice.withdrawn_reason = rng.choice(
                ["Superseded by a newer notice.", "The end-user was cleared after checks."]
            )
            notice.updated_at = when
            batch.events.append(
                self._event(
                    EventKind.NOTICE_WITHDRAWN, notice, creator, when, {"version": versions}
                )
            )
        reached = self.reached(author, audience, recipients)
        self._acknowledgements(batch, notice, reached)
        self._comments(batch, notice, reached)
        if status == NoticeStatus.PUBLISHED and self.o["inbox_notices"]:
            self.latest.append((publication, notice, reached))

    def _event(self, kind, subject, actor, when, payload) -> Event:
        field = "notice" if isinstance(subject, Notice) else "best_practice"
        return Event(
            kind=kind,
            actor=actor,
            state_id=actor.state_id,
            payload=payload,
            created_at=when,
            dispatched_at=when + datetime.timedelta(seconds=2),
            **{field: subject},
        )

    def _later(self, moment, *, hours: int) -> datetime.datetime:
        return min(
            self.until, moment + datetime.timedelta(minutes=self.rng.randint(30, hours * 60))
        )

    def _acknowledgements(self, batch: Batch, notice: Notice, reached: list[State]) -> None:
        rng = self.rng
        odds = 0.6 if notice.audience == Audience.SELECTED else 0.2
        levels = [(AckLevel.RECEIVED, 50), (AckLevel.ASSESSED, 35), (AckLevel.ACTION_TAKEN, 15)]
        for state in reached:
            people = self.users[state.pk]
            if not people or rng.random() >= odds:
                continue
            version = (
                notice.ack_version if rng.random() < 0.8 else rng.randint(1, notice.ack_version)
            )
            batch.acks.append(
                Acknowledgement(
                    notice=notice,
                    state=state,
                    version=version,
                    level=weighted(rng, levels),
                    by=rng.choice(people),
                    acknowledged_at=self._later(notice.published_at, hours=24 * 20),
                )
            )

    def _comments(self, batch: Batch, notice: Notice, reached: list[State]) -> None:
        rng = self.rng
        count = weighted(rng, [(0, 75), (1, 15), (2, 6), (3, 3), (5, 1)])
        talkers = [s for s in [notice.author_state, *reached] if self.contributors[s.pk]]
        for _ in range(count if talkers else 0):
            state = rng.choice(talkers)
            language = self.language_of(state.pk)
            batch.comments.append(
                Comment(
                    notice=notice,
                    author=rng.choice(self.contributors[state.pk]),
                    state=state,
                    body=rng.choice(self.texts[language].lang.comments),
                    created_at=self._later(notice.published_at, hours=24 * 30),
                )
            )

    def write_notices(self, batch: Batch) -> None:
        size = self.o["batch_size"]
        with keeping_timestamps(Notice):
            self.set_search_fields(batch.search)
            Notice.objects.bulk_create(batch.notices, batch_size=size)
        for model, rows in (
            (NoticeEntity, batch.entities),
            (CountryOfConcern, batch.countries),
            (Notice.categories.through, batch.categories),
            (Notice.recipient_states.through, batch.recipients),
            (Revision, batch.revisions),
            (Event, batch.events),
            (Acknowledgement, batch.acks),
            (Comment, batch.comments),
            (Approval, batch.approvals),
        ):
            model.objects.bulk_create(rows, batch_size=size)
            self.counts[model._meta.verbose_name_plural] += len(rows)
        self.write_revision_reach(batch)
        self.counts["notices"] += len(batch.notices)

    def write_revision_reach(self, batch: Batch) -> None:
        """Whom each version reached, once the revisions have their ids."""
        Reached = Revision.reached_states.through
        rows = [Reached(revision_id=r.pk, state_id=code) for r, code in batch.revision_reach]
        Reached.objects.bulk_create(rows, batch_size=self.o["batch_size"])
        self.counts["states reached by versions"] += len(rows)

    def set_search_fields(self, rows: list[tuple]) -> None:
        """What sharing.common.textsearch.index writes, set before the INSERT (the vector is an
        expression the INSERT computes; an UPDATE afterwards would leave a dead copy of
        every row behind)."""
        for obj, title, middle, body in rows:
            for field, value in textsearch.search_fields(title, middle, body).items():
                setattr(obj, field, value)

    # --- best practices -------------------------------------------------------------------

    def load_practices(self) -> None:
        total = self.o["best_practices"]
        if not total:
            return
        moments = self.timeline(total)
        size = self.o["batch_size"]
        for offset in range(0, total, size):
            batch = Batch()
            for moment in moments[offset : offset + size]:
                self.make_practice(batch, moment)
            with keeping_timestamps(BestPractice):
                self.set_search_fields(batch.search)
                BestPractice.objects.bulk_create(batch.practices, batch_size=size)
            for model, rows in (
                (BestPractice.topics.through, batch.topics),
                (BestPractice.co_authors.through, batch.co_authors),
                (Revision, batch.revisions),
                (Event, batch.events),
                (Endorsement, batch.endorsements),
            ):
                model.objects.bulk_create(rows, batch_size=size)
                self.counts[model._meta.verbose_name_plural] += len(rows)
            self.write_revision_reach(batch)
            self.counts["best practices"] += len(batch.practices)

    def make_practice(self, batch: Batch, moment: datetime.datetime) -> None:
        rng = self.rng
        lead = rng.choice(self.subscribing)
        creator = rng.choice(self.contributors[lead.code])
        language = self.language_of(lead.code)
        text = self.texts[language]
        topics = rng.sample(self.topics, weighted(rng, [(1, 50), (2, 35), (3, 15)]))
        others = [s for s in self.subscribing if s.pk != lead.pk]
        co_authors = sorted(
            rng.sample(
                others, min(len(others), weighted(rng, [(0, 60), (1, 25), (2, 10), (3, 5)]))
            ),
            key=lambda s: s.pk,
        )
        status = weighted(
            rng,
            [
                (PracticeStatus.PUBLISHED, 88),
                (PracticeStatus.ARCHIVED, 6),
                (PracticeStatus.DRAFT, 6),
            ],
        )
        audience = weighted(
            rng, [(PracticeAudience.SUBSCRIBING, 60), (PracticeAudience.COMMUNITY, 40)]
        )
        published = status != PracticeStatus.DRAFT
        body, body_html = self.body(language, practice=True)
        versions = weighted(rng, [(1, 80), (2, 15), (3, 5)]) if published else 1
        practice = BestPractice(
            id=uid(rng),
            title=text.title(entity=None, practice=True, topic=topics[0].name),
            summary=text.summary(),
            body=body,
            body_html=body_html,
            doc_type=rng.choice(DocType.values),
            lead_state=lead,
            audience=audience,
            public=audience == PracticeAudience.COMMUNITY and rng.random() < 0.35,
            status=status,
            version=versions,
            created_by=creator,
            created_at=moment - datetime.timedelta(days=rng.randint(1, 30)),
        )
        # In the order the relations read them (their models' ordering), as index() would.
        practice._prefetched_objects_cache = {
            "topics": sorted(topics, key=lambda t: (t.position, t.name)),
            "co_authors": sorted(co_authors, key=lambda s: s.name),
        }
        batch.practices.append(practice)
        batch.search.append((practice, *textsearch.document(practice)))
        batch.topics.extend(
            BestPractice.topics.through(bestpractice_id=practice.pk, term_id=t.pk) for t in topics
        )
        batch.co_authors.extend(
            BestPractice.co_authors.through(bestpractice_id=practice.pk, state_id=s.pk)
            for s in co_authors
        )
        practice.updated_at = practice.created_at
        if not published:
            return
        practice.published_at = moment
        snapshot = {
            "title": practice.title,
            "summary": practice.summary,
            "body": practice.body,
            "doc_type": practice.doc_type,
            "topics": sorted(t.slug for t in topics),
            "co_authors": [s.pk for s in co_authors],
            "audience": practice.audience,
            "public": practice.public,
            "attachments": [],
        }
        when = moment
        statuses = {StateStatus.SUBSCRIBING} | (
            {StateStatus.OBSERVER} if audience == PracticeAudience.COMMUNITY else set()
        )
        reached_codes = {lead.pk, *(s.pk for s in co_authors)} | {
            s.pk for s in self.states if s.status in statuses or practice.public
        }
        for version in range(1, versions + 1):
            kind = ChangeKind.INITIAL if version == 1 else ChangeKind.MATERIAL
            revision = Revision(
                best_practice=practice,
                version=version,
                change_kind=kind,
                change_note="" if version == 1 else rng.choice(text.lang.change_notes),
                snapshot=snapshot,
                audience=practice.audience,
                public=practice.public,
                created_by=creator,
                created_at=when,
            )
            batch.revisions.append(revision)
            batch.revision_reach += [(revision, code) for code in reached_codes]
            kind = EventKind.PRACTICE_PUBLISHED if version == 1 else EventKind.PRACTICE_AMENDED
            batch.events.append(self._event(kind, practice, creator, when, {"version": version}))
            practice.updated_at = when
            when = min(self.until, when + datetime.timedelta(days=rng.randint(7, 200)))
        if status == PracticeStatus.ARCHIVED:
            practice.archived_at = when
            practice.updated_at = when
        authors = {lead.pk, *(s.pk for s in co_authors)}
        statuses = {StateStatus.SUBSCRIBING} | (
            {StateStatus.OBSERVER} if audience == PracticeAudience.COMMUNITY else set()
        )
        readers = [
            s
            for s in self.states
            if s.status in statuses and s.pk not in authors and self.contributors[s.pk]
        ]
        for state in rng.sample(
            readers, min(len(readers), weighted(rng, [(0, 50), (1, 25), (3, 15), (6, 10)]))
        ):
            batch.endorsements.append(
                Endorsement(
                    best_practice=practice,
                    state=state,
                    kind=rng.choice(EndorsementKind.values),
                    by=rng.choice(self.contributors[state.pk]),
                    created_at=self._later(moment, hours=24 * 90),
                )
            )

    # --- inboxes --------------------------------------------------------------------------

    def load_notifications(self) -> None:
        """What dispatch wrote for the newest publications: one row per active user of
        the states reached, the actor excepted; e-mails long gone (or skipped)."""
        rng, rows = self.rng, []
        sent = {EmailMode.IMMEDIATE, EmailMode.DAILY, EmailMode.WEEKLY}
        week_ago = self.until - datetime.timedelta(days=7)
        for event, notice, reached in getattr(self, "latest", []):
            for state in reached:
                for user in self.users[state.pk]:
                    if user.pk == event.actor.pk:
                        continue
                    emailed = self.modes.get(user.pk) in sent
                    rows.append(
                        Notification(
                            event=event,
                            user=user,
                            kind=event.kind,
                            notice=notice,
                            created_at=event.created_at,
                            read_at=(
                                self._later(event.created_at, hours=24 * 3)
                                if event.created_at < week_ago and rng.random() < 0.7
                                else None
                            ),
                            email_status=EmailStatus.SENT if emailed else EmailStatus.SKIPPED,
                            emailed_at=event.created_at if emailed else None,
                        )
                    )
        Notification.objects.bulk_create(rows, batch_size=self.o["batch_size"])
        self.counts["notifications"] += len(rows)


class Batch:
    """The rows of one batch, written model by model."""

    def __init__(self):
        self.notices, self.practices, self.search = [], [], []
        self.entities, self.countries, self.categories, self.recipients = [], [], [], []
        self.topics, self.co_authors, self.endorsements = [], [], []
        self.revisions, self.events, self.acks, self.comments = [], [], [], []
        self.approvals = []
        self.revision_reach = []  # (revision, state code): whom each version reached
