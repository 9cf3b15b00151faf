"""How long screening the watched applications again takes when one denial arrives.

    DATABASE_URL=postgres://... .venv/bin/python bench/watches.py [--watches 1000] [--runs 5]

Works in a throwaway database of its own (``bench_<name>``, created and dropped here):
the seeded states, an officer in each, ``--watches`` active watches spread over the
states other than Denmark (made-up company names, as bench/screening.py makes them; one
in a hundred a variant of the name the denial will carry), then one denial notified by
Denmark to every subscribing state. Measured: ``sharing.screening.services.rescreen_event``
of its event, which is what the Celery task does, from scratch each run (the matches it
told, and their events, are deleted in between). Reported next to it, in the same run:
the matcher alone on the same transactions (``screening.screen`` against the one
denial), so that the ratio says what the database and the telling add, and the target
of the issue (one second for 1,000 watches).

A benchmark that reports figures; it asserts nothing about time.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.choices import Role, StateStatus  # noqa: E402
from accounts.models import State, User  # noqa: E402
from bench.screening import company, perturb  # noqa: E402
from portal.celery import app as celery_app  # noqa: E402
from sharing.common.choices import EventKind  # noqa: E402
from sharing.common.models import Event  # noqa: E402
from sharing.denials import screening  # noqa: E402
from sharing.denials import services as denials  # noqa: E402
from sharing.screening import services as watches  # noqa: E402
from sharing.screening.models import (  # noqa: E402
    Screening,
    Watch,
    WatchMatch,
)

TARGET_SECONDS_PER_1000 = 1.0
DENIED = "Nimbus Intercept Ltd"
UNUSABLE = make_password(None)


def officers() -> dict[str, User]:
    states = State.objects.filter(status=StateStatus.SUBSCRIBING).order_by("code")
    return {
        state.pk: User.objects.create(
            username=f"bench-{state.pk.lower()}",
            email=f"{state.pk.lower()}@bench.example",
            state=state,
            role=Role.OFFICER,
            password=UNUSABLE,
        )
        for state in states
    }


def make_watches(by_state: dict[str, User], count: int, rng: random.Random) -> list[Watch]:
    watching = [user for code, user in by_state.items() if code != "DK"]
    decide_by = timezone.localdate() + datetime.timedelta(days=90)
    made = []
    for n in range(count):
        owner = watching[n % len(watching)]
        name = perturb(rng, DENIED) if n % 100 == 0 else company(rng)
        query = {"end_user": name, "destination": rng.choice(["AE", "QA", "SG", "RU", ""])}
        record = Screening.objects.create(by=owner, state=owner.state, query=query)
        made.append(
            Watch(
                state=owner.state,
                owner=owner,
                screening=record,
                application_reference=f"APP-{n:05d}",
                decide_by=decide_by,
                **query,
            )
        )
    return Watch.objects.bulk_create(made, batch_size=1000)


def notify(author: User) -> Event:
    denial = denials.publish(
        by=author,
        national_reference="DK-BENCH-1",
        decided_on=timezone.localdate().isoformat(),
        control_entry="5A001.j",
        catch_all=False,
        item_description="IP network surveillance system.",
        end_use="Monitoring.",
        reason_category="human_rights",
        reason="Risk of use against journalists.",
        parties=[{"role": "end_user", "name": DENIED, "country": "AE"}],
    )
    return Event.objects.get(denial=denial, kind=EventKind.DENIAL_ISSUED)


def reset(event: Event) -> None:
    Event.objects.filter(kind=EventKind.SCREENING_NEW_MATCH).delete()
    WatchMatch.objects.filter(denial_id=event.denial_id).delete()


def measure(event: Event, runs: int) -> tuple[float, int, int]:
    times, queries, told = [], 0, 0
    for _ in range(runs):
        reset(event)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            told = watches.rescreen_event(event.pk)
            times.append(time.perf_counter() - started)
        queries = len(captured)
    return statistics.median(times), queries, told


def matcher_alone(event: Event, made: list[Watch], runs: int) -> float:
    denial = denials.Denial.objects.with_content().get(pk=event.denial_id)
    index = screening.prepare([denials.facts_of(denial)])
    transactions = [
        screening.Transaction(end_user=w.end_user, destination=w.destination) for w in made
    ]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        for transaction in transactions:
            screening.screen(transaction, index)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--watches", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--json", type=Path, help="also write the figures there")
    args = parser.parse_args()

    # The events told are queued on an in-memory broker: the screening is measured, not
    # a worker dispatching them.
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "memory://localhost/"

    original = connection.settings_dict["NAME"]
    if connection.vendor != "sqlite":
        connection.settings_dict["TEST"]["NAME"] = f"bench_{original}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        by_state = officers()
        rng = random.Random(args.seed)  # noqa: S311 (made-up names, not secrets)
        made = make_watches(by_state, args.watches, rng)
        event = notify(by_state["DK"])
        seconds, queries, told = measure(event, args.runs)
        alone = matcher_alone(event, made, args.runs)
        target = TARGET_SECONDS_PER_1000 * args.watches / 1000
        print(
            f"database: {connection.vendor}; cpus={os.cpu_count()}; "
            f"{args.watches} watches in {len(by_state) - 1} states; median of {args.runs} runs"
        )
        print(f"{'':<36} {'seconds':>8} {'queries':>8} {'told':>6}")
        print(f"{'rescreen_event (the task)':<36} {seconds:>8.3f} {queries:>8} {told:>6}")
        print(f"{'matcher alone, same transactions':<36} {alone:>8.3f}")
        print(f"task / matcher alone: {seconds / alone:.2f}")
        print(f"task / target ({target:.1f} s): {seconds / target:.2f} (below 1 meets it)")
        if args.json:
            figures = {
                "watches": args.watches,
                "seconds": seconds,
                "queries": queries,
                "told": told,
                "matcher_alone_seconds": alone,
                "target_seconds": target,
            }
            args.json.write_text(json.dumps(figures))
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    main()
