"""The benchmark suite: ``make bench``. Prints one table, writes bench/results/<date>.json.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/run.py

Each figure of the portal is set against a ceiling measured in the same run on the same
machine, with the ratio and the target (issue 7). In databases of its own (``bench_*``,
dropped at the end), on PostgreSQL only:

1. the data set: ``generate_bench_data`` at a tenth of the size (1x), then the rest
   (10x: 100,000 notices, 10,000 best practices, 40 users per state by default);
2. queries per page at 1x and at 10x, through the test client (they must be equal);
3. search: p50 and p95 of 200 varied queries through ``sharing.search.engine.search`` at 10x,
   against the round trip of a primary-key query;
4. pages: requests per second of ``/healthz``, the dashboard, the notice list (bare and
   filtered), a notice, the best-practice library and a best practice, the search page
   and the inbox under gunicorn (deploy/gunicorn.conf.py, persistent connections),
   signed in, with realistic filters, loaded by wrk on 127.0.0.1, each set against the
   bare ceiling: a one-query view with no middleware (bench/bare_wsgi.py) served by
   the same gunicorn configuration from the same database in the same run; the same
   view through the portal's middleware is reported beside it. In-process, through the
   test client, each page's p50 at 1x and at 10x (none should take more than 1.3 times
   its 1x time at 10x);
5. publish latency (10 vs 10,000 recipients) and fan-out rows per second (bench/writes.py);
6. exporters' self-screening at 10,000 listed entities (bench/public_screening.py);
7. screening 1,000 watched applications again when one denial arrives (bench/watches.py).

A benchmark reports; it asserts nothing about time. Before taking figures it waits (a
while) for the machine to be quiet, and records the load average it ran at.
"""

# ruff: noqa: S603 -- fixed commands of its own (wrk, manage.py, gunicorn); query lists

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import lib, portal_side

DATABASE = "bench_pages"

NOTICE_LISTS = [
    "/notices/?severity=high",
    "/notices/?category=intrusion-software",
    "/notices/?country=AE",
    "/notices/?kind=end_user_alert&sort=severity",
    "/notices/?author_state=FR&status=published",
    "/notices/?tlp=amber&page=3",
    "/notices/?category=telecom-interception&severity=critical",
]
PRACTICE_BROWSES = [
    "/best-practices/",
    "/best-practices/?topic=licensing",
    "/best-practices/?doc_type=guidance&sort=endorsed",
    "/best-practices/?lead_state=DK",
    "/best-practices/?q=end-use",
    "/best-practices/?topic=enforcement&endorsed_by=NO",
    "/best-practices/?topic=end-use-checks&page=2",
]
SEARCHES = [
    "surveillance",
    '"free zone"',
    "5A001.j",
    "IMSI",
    "監視",
    "감시",
    "évaluation",
    "spyware -broker",
    "Überwachungszentrum",
    "licence OR licensing",
]
# Viewers of these states read the pages (signed in); their notices are those subscribing
# audiences reach, so every one of them sees every notice picked for the detail pages.
READERS = ["NO", "FR", "DE", "JP", "KR", "CA", "DK", "NL"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notices", type=int, default=100_000)
    parser.add_argument("--best-practices", type=int, default=10_000)
    parser.add_argument("--users-per-state", type=int, default=40)
    parser.add_argument("--seconds", type=int, default=10, help="wrk time per page")
    parser.add_argument("--fanout", type=int, default=20_000)
    parser.add_argument(
        "--quiet-wait", type=int, default=300, help="max seconds to wait for load < 1"
    )
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results")
    parser.add_argument(
        "--pg-options", default="", help='experiments: libpq options, e.g. "-c jit=off"'
    )
    args = parser.parse_args()
    lib.server_url()
    if args.pg_options:
        os.environ["BENCH_DB_OPTIONS"] = args.pg_options  # this process and the servers
    wrk = lib.ensure_wrk()
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    url = lib.create_database(DATABASE)
    results: dict = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "args": vars(args)}
    try:
        results.update(run(args, url, work, wrk))
    finally:
        from django.db import connections

        connections.close_all()
        lib.drop_database(DATABASE)
    rows = table(results)
    results["table"] = lib.print_table(
        ["benchmark", "portal", "ceiling", "ratio", "target", "met"], rows
    )
    print(
        f"\nmachine: {results['machine']['cores']} cores, {results['machine']['memory_gib']} GiB, "
        f"PostgreSQL {results['machine']['postgresql']}; load average "
        f"{results['load']['before']:.2f} before, {results['load']['after']:.2f} after"
    )
    if not args.no_save:
        print(f"written: {lib.write_results('', results).relative_to(lib.ROOT)}")


def run(args, url: str, work: Path, wrk: str) -> dict:
    static = work / "static"
    env = lib.portal_env(url, STATIC_ROOT=str(static))
    out: dict = {"machine": lib.machine()}
    lib.manage("migrate", "--noinput", "-v0", env=env)
    lib.manage("collectstatic", "--noinput", "-v0", env=env)
    sizes = {
        "1x": (args.notices // 10, args.best_practices // 10),
        "10x": (args.notices - args.notices // 10, args.best_practices - args.best_practices // 10),
    }
    generate = ["generate_bench_data", "--force", "--users-per-state", str(args.users_per_state)]
    seconds = lib.manage(
        *generate,
        "--notices",
        str(sizes["1x"][0]),
        "--best-practices",
        str(sizes["1x"][1]),
        env=env,
    )
    portal_side.setup(url, STATIC_ROOT=str(static))
    from django.db import connection

    subjects = pick_subjects()
    out["queries_1x"] = page_queries(subjects)
    connection.close()
    seconds += lib.manage(
        *generate,
        "--notices",
        str(sizes["10x"][0]),
        "--best-practices",
        str(sizes["10x"][1]),
        env=env,
    )
    out["generation"] = {"seconds": seconds, "notices": args.notices}
    out["queries_10x"] = page_queries(subjects)
    out["counts"] = counts()
    out["load"] = {"before": lib.wait_until_quiet(1.0, args.quiet_wait)}
    out["search"] = search_latency()
    out["pages"] = pages(args, url, work, wrk, static, subjects)
    connection.close()
    out["writes"] = figures_of(work, "writes", "--fanout", str(args.fanout))
    out["public_screening"] = figures_of(work, "public_screening")
    out["watches"] = figures_of(work, "watches")
    out["load"]["after"] = lib.load_average()
    return out


def figures_of(work: Path, name: str, *args: str) -> dict:
    """Run bench/<name>.py in a process of its own and read the figures it writes."""
    result = work / f"{name}.json"
    subprocess.run(
        [lib.PYTHON, f"bench/{name}.py", *args, "--json", str(result)],
        cwd=lib.ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return json.loads(result.read_text())


# --- What the pages are asked for ----------------------------------------------------------


def pick_subjects() -> dict:
    """The people and items the pages show, chosen once at 1x and kept for 10x."""
    from accounts.models import User
    from sharing.notices.models import Notice

    # (Some viewers are deactivated in the data set, as people leave: take active ones.)
    active = User.objects.filter(is_active=True, role="viewer").order_by("username")
    readers = [active.filter(username__startswith=f"bench-{c.lower()}-viewer-")[0] for c in READERS]
    # Published to every subscribing state, with the most a page shows: entities,
    # acknowledgements, comments, several versions.
    shown = list(
        Notice.objects.filter(status="published", audience="subscribing", version__gt=1)
        .filter(entities__isnull=False, comments__isnull=False, acknowledgements__isnull=False)
        .distinct()
        .order_by("-published_at")
        .values_list("pk", flat=True)[:60]
    )
    from sharing.practices.models import BestPractice

    published = BestPractice.objects.filter(status="published", audience="subscribing")
    # With endorsements, the most a page shows, where the data set has them.
    endorsed = published.filter(endorsements__isnull=False).distinct()
    practices = list(
        (endorsed if endorsed.exists() else published)
        .order_by("-published_at")
        .values_list("pk", flat=True)[:30]
    )
    return {
        "readers": readers,
        "notices": [str(pk) for pk in shown],
        "practices": [str(pk) for pk in practices],
    }


IN_PROCESS_RUNS = 15


def page_queries(subjects: dict) -> dict:
    """SQL queries each page runs, for the first reader (the same pages at 1x and 10x),
    and its p50 in-process time over IN_PROCESS_RUNS requests through Django's WSGI
    handler, as gunicorn calls it. Not through the test client: it records every
    template rendered with a copy of its context, which slowed the pages in the Django
    template language and not the rest (README "Performance", 2026-12-07)."""
    import statistics

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    get = portal_side.wsgi_client(subjects["readers"][0])
    pages = {
        "notice list": "/notices/?severity=high&category=intrusion-software",
        "notice detail": f"/notices/{subjects['notices'][0]}/",
        "best-practice browse": "/best-practices/?topic=licensing&doc_type=guidance",
        "best-practice detail": f"/best-practices/{subjects['practices'][0]}/",
        "search page": "/search/?q=surveillance",
        "inbox": "/notifications/",
        "dashboard": "/",
    }
    counts, times = {}, {}
    for name, path in pages.items():
        get(path)  # once before: what is cached per process is cached
        with CaptureQueriesContext(connection) as captured:
            status = get(path)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        counts[name] = len(captured)
        spent = []
        for _ in range(IN_PROCESS_RUNS):
            started = time.perf_counter()
            get(path)
            spent.append((time.perf_counter() - started) * 1000)
        times[name] = statistics.median(spent)
    return {"queries": counts, "ms_p50": times}


def counts() -> dict:
    from accounts.models import User
    from sharing.notices.models import Acknowledgement, Comment, Notice
    from sharing.notifications.models import Notification
    from sharing.practices.models import BestPractice

    return {
        "notices": Notice.objects.count(),
        "best_practices": BestPractice.objects.count(),
        "users": User.objects.count(),
        "acknowledgements": Acknowledgement.objects.count(),
        "comments": Comment.objects.count(),
        "notifications": Notification.objects.count(),
    }


# --- Search ----------------------------------------------------------------------------------


def search_queries() -> list[str]:
    """200 queries of every kind people type: words (in five languages), phrases, entity
    names, control codes, countries, Japanese and Korean, operators, partial words."""
    from bench.management.commands import _benchtext as words
    from sharing.notices.models import NoticeEntity

    queries = [
        "surveillance",
        "interception",
        "spyware",
        "intrusion",
        "licence",
        "broker",
        "subsidiary",
        "biometric",
        "analytics",
        "forensic",
        "diversion",
        "reseller",
        "monitoring",
        "operator",
        "shipment",
        "refusal",
        "catch-all",
        "end-user",
        "évaluation",
        "réseau",
        "filiale",
        "courtier",
        "intercepteurs",
        "logiciels",
        "Überwachung",
        "Zwischenhändler",
        "Endverwender",
        "Prüfung",
        "Handelsgesellschaft",
        "Gesichtserkennungskameras",
        "Spähsoftware",
        "Ortungsdienste",
        "Tochtergesellschaft",
        "evaluation",
        "prufung",
        "ueberwachung",
        "reseau",
        "interce",
        "surveil",
        "biometr",
    ]
    phrases = [
        '"free zone"',
        '"end-user statement"',
        '"network test equipment"',
        '"trade fair"',
        '"third country"',
        '"monitoring centre"',
        '"post-shipment verification"',
        '"facial recognition"',
        '"deep packet inspection"',
        '"legal mandate"',
        '"zone franche"',
        '"centre de surveillance"',
        '"über einen Zwischenhändler"',
        '"prison service"',
        '"police intelligence unit"',
        '"shell company"',
        '"remote access software"',
        '"lawful-interception equipment"',
        '"cloud downloads"',
        '"human-rights reports"',
        "spyware -broker",
        "IMSI OR biometric",
        "licence -refusal",
        "surveillance OR interception",
        "reseller subsidiary",
        "broker payment third",
        "intrusion software licence",
        "analytics platform police",
        "camera prison",
        "end-use checks",
    ]
    cjk = [
        "監視",
        "輸出許可",
        "顔認識カメラ",
        "スパイウェア",
        "仲介業者",
        "最終需要者",
        "監視センター",
        "位置追跡サービス",
        "子会社",
        "再輸出",
        "フォレンジック",
        "試験装置",
        "第三国",
        "販売代理店",
        "감시",
        "수출 허가",
        "얼굴 인식",
        "스파이웨어",
        "중개업체",
        "최종 사용자",
        "감시 센터",
        "위치 추적",
        "자회사",
        "재수출",
        "포렌식",
        "시험 장비",
        "제3국",
        "유통업체",
        "株式会社",
        "(주)",
    ]
    countries = [
        "Myanmar",
        "Belarus",
        "Iran",
        "Syria",
        "Venezuela",
        "Nicaragua",
        "Ethiopia",
        "Uzbekistan",
        "Azerbaijan",
        "Bahrain",
        "United Arab Emirates",
        "Egypt",
        "Rwanda",
        "Kazakhstan",
        "Türkiye",
    ]
    codes = [c for c in words.CONTROL_CODES] + [
        "5A001",
        "4A00",
        "ML21",
        "4E001",
        "5D00",
        "5A001.f OR 5A001.j",
        "4A005 4D004",
        "6A003",
        "5E002",
        "3A001",
    ]
    entities = list(
        NoticeEntity.objects.order_by("name").values_list("name", flat=True).distinct()[:400:8]
    )
    entity_queries = [n if i % 2 else f'"{n}"' for i, n in enumerate(entities[:45])]
    entity_queries += [n.split(" ")[0] for n in entities[45:50]]
    picked = queries + phrases + cjk + countries + codes + entity_queries
    return (picked * 2)[:200] if len(picked) < 200 else picked[:200]


def search_latency() -> dict:
    from accounts.models import User
    from sharing.notices.models import Notice
    from sharing.search import engine as search

    active = User.objects.filter(is_active=True).order_by("username")
    users = [
        active.filter(username__startswith=prefix)[0]
        for prefix in (
            "bench-no-viewer-",
            "bench-fr-officer-",
            "bench-jp-viewer-",
            "bench-de-admin-",
        )
    ]
    queries = search_queries()
    for query in queries[:20]:  # warm the caches the first queries would otherwise pay for
        search.search(users[0], query)
    times, slowest = [], []
    for n, query in enumerate(queries):
        user = users[n % len(users)]
        started = time.perf_counter()
        results = search.search(user, query)
        elapsed = (time.perf_counter() - started) * 1000
        times.append(elapsed)
        slowest.append((elapsed, query, results.total))
    some = list(Notice.objects.values_list("pk", flat=True)[:200])
    floor = []
    for pk in some:
        started = time.perf_counter()
        Notice.objects.filter(pk=pk).first()
        floor.append((time.perf_counter() - started) * 1000)
    slowest.sort(reverse=True)
    return {
        "queries": len(times),
        "ms_p50": lib.percentile(times, 50),
        "ms_p95": lib.percentile(times, 95),
        "ms_max": max(times),
        "found_nothing": sum(1 for _t, _q, total in slowest if total == 0),
        "slowest": [{"ms": round(t, 1), "query": q, "hits": n} for t, q, n in slowest[:10]],
        "ceiling_ms_p50": lib.percentile(floor, 50),
        "ceiling_ms_p95": lib.percentile(floor, 95),
    }


# --- Pages under gunicorn and wrk -----------------------------------------------------------

LUA = """
local entries = {
%s
}
local n = 0
request = function()
  n = n + 1
  local e = entries[(n %% #entries) + 1]
  return wrk.format("GET", e[1], {["Cookie"] = e[2]})
end
"""


def pages(args, url: str, work: Path, wrk: str, static: Path, subjects: dict) -> dict:
    """Requests per second of each page, and of the ceiling, under the same gunicorn."""
    cookies = [portal_side.cookie_header(reader) for reader in subjects["readers"]]
    notices = subjects["notices"]

    def each(paths):
        return [(path, cookies[i % len(cookies)]) for i, path in enumerate(paths)]

    targets = {
        BARE: [("/bench/ceiling/", "")],
        THROUGH_MIDDLEWARE: [("/bench/ceiling/", "")],
        "/healthz": [("/healthz", "")],
        "dashboard": each(["/"] * len(cookies)),
        "notice list": each(["/notices/"] * len(cookies)),
        "notice list, filtered": each(NOTICE_LISTS),
        "notice detail": each(f"/notices/{pk}/" for pk in notices),
        "best-practice browse": each(PRACTICE_BROWSES),
        "best-practice detail": each(f"/best-practices/{pk}/" for pk in subjects["practices"]),
        "search page": each(f"/search/?q={quote(q)}" for q in SEARCHES),
        "inbox": each(["/notifications/"] * len(cookies)),
    }
    port, bare_port = lib.free_port(), lib.free_port()
    env = lib.portal_env(url, STATIC_ROOT=str(static), **lib.gunicorn_env())
    results = {}
    with lib.Processes(work) as processes:
        processes.start("gunicorn", lib.gunicorn_command(port), env)
        bare = [*lib.gunicorn_command(bare_port), "bench.bare_wsgi:application"]
        processes.start("gunicorn-bare", bare, env)
        base = f"http://127.0.0.1:{port}"
        lib.wait_for_http(f"{base}/healthz", processes)
        lib.wait_for_http(f"http://127.0.0.1:{bare_port}/bench/ceiling/", processes)
        for name, entries in targets.items():
            base = f"http://127.0.0.1:{bare_port if name == BARE else port}"
            check_entries(base, entries)
            slug = re.sub(r"\W+", "-", name)
            script = work / f"{slug}.lua"
            script.write_text(
                LUA % ",\n".join(f"  {{{lua(path)}, {lua(cookie)}}}" for path, cookie in entries)
            )
            command = [wrk, "-t2", "-c8", "--latency", "--timeout", "10s", "-s", str(script)]
            subprocess.run([*command, "-d3s", base], capture_output=True, check=True)  # warm-up
            output = subprocess.run(
                [*command, f"-d{args.seconds}s", base], capture_output=True, text=True, check=True
            ).stdout
            results[name] = parse_wrk(output)
            results[name]["urls"] = len(entries)
            processes.check()
        results["gunicorn"] = {"command": lib.gunicorn_command(port)[3:], "env": lib.gunicorn_env()}
    return results


BARE = "bare one-query view (no middleware)"
THROUGH_MIDDLEWARE = "one-query view through the middleware"
# What each page must reach, as a share of the bare view's requests per second.
PAGE_TARGETS = {"/healthz": 0.5, "search page": 0.05}
PAGE_TARGET = 0.1


def lua(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string for these characters


def check_entries(base: str, entries: list[tuple[str, str]]) -> None:
    """Every address answers 200 with a page for a signed-in reader (not a redirect to
    the sign-in page, which wrk would count as a success)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(base)
    for path, cookie in entries:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        body = response.read().decode(errors="replace")
        connection.close()
        if response.status != 200 or (cookie and "/accounts/logout/" not in body):
            raise SystemExit(f"{path} answered {response.status} (signed in: {bool(cookie)})")


def parse_wrk(output: str) -> dict:
    def number(pattern: str, default: float = 0.0) -> float:
        found = re.search(pattern, output)
        return float(found.group(1)) if found else default

    def ms(label: str) -> float:
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        if not found:
            return float("nan")
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "requests_per_second": number(r"Requests/sec:\s+([\d.]+)"),
        "requests": int(number(r"(\d+) requests in")),
        "ms_p50": ms("50"),
        "ms_p99": ms("99"),
        "non_2xx_3xx": int(number(r"Non-2xx or 3xx responses: (\d+)")),
        "socket_errors": sum(int(g) for g in errors.groups()) if errors else 0,
    }


# --- The table -------------------------------------------------------------------------------


def table(r: dict) -> list[list]:
    rows = []

    def add(name, portal, ceiling, ratio, target, met):
        rows.append([name, portal, ceiling, ratio, target, "yes" if met else "NO"])

    gen = r["generation"]
    add(
        f"generate {gen['notices']:,} notices (+ the rest)",
        f"{gen['seconds']:.0f} s",
        "—",
        "—",
        "minutes",
        gen["seconds"] < 900,
    )
    pub = r["writes"]["publish"]
    small, large = pub["ms_p50"]["small"], pub["ms_p50"]["large"]
    n_small, n_large = pub["recipients"]["small"], pub["recipients"]["large"]
    add(
        f"publish p50, {n_large:,} vs {n_small} recipients",
        f"{large:.1f} ms",
        f"{small:.1f} ms",
        f"{large / small:.2f}",
        "≤ 1.5",
        large / small <= 1.5,
    )
    fan = r["writes"]["fanout"]
    rate = fan["rows_per_second"]
    add(
        f"fan-out rows/s, dispatch vs bulk_create ({fan['rows']:,} rows)",
        f"{rate['dispatch']:,.0f}",
        f"{rate['bulk_create']:,.0f}",
        f"{rate['dispatch'] / rate['bulk_create']:.2f}",
        "≥ 0.5",
        rate["dispatch"] / rate["bulk_create"] >= 0.5,
    )
    add(
        "  (COPY writer, prototype in bench/writes.py)",
        f"{rate['copy']:,.0f}",
        f"{rate['bulk_create']:,.0f}",
        f"{rate['copy'] / rate['bulk_create']:.2f}",
        "> 1 welcome",
        rate["copy"] > rate["bulk_create"],
    )
    pages = r["pages"]
    ceiling = pages[BARE]["requests_per_second"]
    for name, page in pages.items():
        if name in (BARE, "gunicorn"):
            continue
        rps = page["requests_per_second"]
        bad = page["non_2xx_3xx"] + page["socket_errors"]
        target = PAGE_TARGETS.get(name, PAGE_TARGET) if name != THROUGH_MIDDLEWARE else None
        add(
            f"{name} req/s (p50 {page['ms_p50']:.0f} ms){f', {bad} errors' if bad else ''}",
            f"{rps:,.0f}",
            f"{ceiling:,.0f}",
            f"{rps / ceiling:.3f}",
            "—" if target is None else f"≥ {target}",
            target is None or (rps / ceiling >= target and not bad),
        )
    for name, at_1x in r["queries_1x"]["ms_p50"].items():
        at_10x = r["queries_10x"]["ms_p50"][name]
        add(
            f"in-process p50: {name} (ms)",
            f"{at_10x:.1f} at 10x",
            f"{at_1x:.1f} at 1x",
            f"{at_10x / at_1x:.2f}",
            "≤ 1.3" + (", < 20 ms" if name == "inbox" else ""),
            at_10x <= 1.3 * at_1x and (name != "inbox" or at_10x < 20),
        )
    if "public_screening" in r:
        screened = r["public_screening"]
        one = screened["screen_one"]
        add(
            f"public screening p50 / p95, {screened['entities']:,} entities (ms)",
            f"{one['p50_ms']:.1f} / {one['p95_ms']:.1f}",
            f"{screened['pk_query_ms']:.2f}",
            f"{one['p95_over_pk_query']:.0f}",
            "p95 < 200 ms",
            one["met"],
        )
    if "watches" in r:
        w = r["watches"]
        add(
            f"re-screen {w['watches']:,} watches, one new denial (s)",
            f"{w['seconds']:.3f}",
            f"{w['matcher_alone_seconds']:.3f}",
            f"{w['seconds'] / w['matcher_alone_seconds']:.1f}",
            f"< {w['target_seconds']:.0f} s",
            w["seconds"] < w["target_seconds"],
        )
    s = r["search"]
    add(
        f"search p50 / p95, {s['queries']} queries (ms)",
        f"{s['ms_p50']:.1f} / {s['ms_p95']:.1f}",
        f"{s['ceiling_ms_p50']:.2f} / {s['ceiling_ms_p95']:.2f}",
        f"{s['ms_p95'] / s['ceiling_ms_p95']:.0f}",
        "p95 < 50 ms",
        s["ms_p95"] < 50,
    )
    for name, at_1x in r["queries_1x"]["queries"].items():
        at_10x = r["queries_10x"]["queries"][name]
        add(
            f"queries per page: {name}",
            f"{at_10x} at 10x",
            f"{at_1x} at 1x",
            "—",
            "equal",
            at_1x == at_10x,
        )
    return rows


if __name__ == "__main__":
    main()
