"""Exporters' self-screening at 10,000 listed entities: how long the public API takes.

    DATABASE_URL=postgres://... .venv/bin/python bench/public_screening.py [--entities 10000]

In a database of its own (``bench_public``, dropped at the end), the public screening
list is filled with made-up entities (names, legal forms and aliases in other scripts,
as bench/screening.py makes them) as one version, then, through the whole Django stack
(the test client, in this process, DEBUG off):

- the first screening after a new version (it indexes the list);
- ``GET /public/v1/screen`` for 200 names, half a perturbed listed name, half names
  that appear nowhere: p50 and p95;
- ``POST /public/v1/screen`` with 100 names: p50 and p95 of 10 such batches;
- ``GET /public/v1/list.json``, ``list.ftm.json`` and a delta;

each set against the round trip of a primary-key query in the same run. The target
(issue 21): p95 under 200 ms for one name. It reports; it asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import lib, portal_side

DATABASE = "bench_public"


def fill(entities: int, rng: random.Random) -> list[str]:
    """One list version of ``entities`` made-up entities; their names."""
    from bench.screening import COUNTRIES, alias, company
    from sharing.advisories import public_list
    from sharing.advisories.models import PublicListEntry, PublicListVersion

    rows, names = [], []
    for number in range(entities):
        name = company(rng)
        names.append(name)
        key = f"echri-bench-adv-{number // 3:05d}-{number:06x}"
        rows.append(
            {
                "id": key,
                "name": name,
                "aliases": [alias(rng, name) for _ in range(rng.randint(0, 2))],
                "country": rng.choice(COUNTRIES),
                "kind": "company",
                "identifiers": [],
                "advisory": f"NO-ADV-2026-{number // 3:04d}",
                "advisory_url": "https://127.0.0.1/advisories/",
                "state": "NO",
                "released": "2026-12-01",
            }
        )
    PublicListEntry.objects.bulk_create(
        [PublicListEntry(key=row["id"], data=row, added_in=1) for row in rows], batch_size=2000
    )
    PublicListVersion.objects.create(
        number=1,
        count=len(rows),
        sha256=hashlib.sha256(public_list.canonical(rows)).hexdigest(),
    )
    return names


def timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def run(args) -> dict:
    from django.db import connection
    from django.test import Client

    from bench.screening import perturb
    from sharing.advisories.models import PublicListVersion

    rng = random.Random(args.seed)  # noqa: S311 (made-up names, not secrets)
    names = fill(args.entities, rng)
    client = Client()

    def pk_query():
        PublicListVersion.objects.filter(pk=1).first()

    pk = statistics.median(timed(pk_query) for _ in range(200))

    def screen(name):
        response = client.get("/public/v1/screen", {"name": name})
        if response.status_code != 200:
            lib.fail(f"screening answered {response.status_code}: {response.content[:200]!r}")

    first = timed(lambda: screen(perturb(rng, rng.choice(names))))
    queries = [
        perturb(rng, rng.choice(names)) if i % 2 else f"Unlisted {i} Holdings" for i in range(200)
    ]
    singles = [timed(lambda q=q: screen(q)) for q in queries]

    def batch():
        body = {"parties": [{"name": perturb(rng, rng.choice(names))} for _ in range(100)]}
        response = client.post("/public/v1/screen", body, content_type="application/json")
        if response.status_code != 200:
            lib.fail(f"a batch answered {response.status_code}")

    batches = [timed(batch) for _ in range(10)]
    whole = timed(lambda: client.get("/public/v1/list.json"))
    ftm = timed(lambda: client.get("/public/v1/list.ftm.json"))
    delta = timed(lambda: client.get("/public/v1/list.json?since=1"))
    connection.close()
    p95 = lib.percentile(singles, 95)
    return {
        "entities": args.entities,
        "pk_query_ms": ms(pk),
        "first_screening_ms": ms(first),
        "screen_one": {
            "p50_ms": ms(statistics.median(singles)),
            "p95_ms": ms(p95),
            "p95_over_pk_query": round(p95 / pk, 1),
            "target_ms": 200,
            "met": p95 < 0.2,
        },
        "screen_100": {
            "p50_ms": ms(statistics.median(batches)),
            "p95_ms": ms(lib.percentile(batches, 95)),
        },
        "list_json_ms": ms(whole),
        "list_ftm_ms": ms(ftm),
        "delta_ms": ms(delta),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    url = lib.create_database(DATABASE)
    try:
        env = lib.portal_env(url, PUBLIC_RATE="100000/min")
        lib.manage("migrate", "--noinput", "-v0", env=env)
        portal_side.setup(url, PUBLIC_RATE="100000/min")
        result = run(args)
    finally:
        from django.db import connections

        connections.close_all()
        lib.drop_database(DATABASE)
    text = json.dumps(result, indent=2)
    if args.json:
        args.json.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
