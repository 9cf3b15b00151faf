"""The load test's people (``make loadtest``, run by bench/loadtest.py; not for use alone).

Readers (95 in 100) browse the notice list with the filters officials use, open
notices, search, read their inbox and the library, and acknowledge what waits for their
state; authors (5 in 100) draft and publish notices to selected states, to every
subscribing state or to the community, and read like the others. Everyone is signed in
already: bench/loadtest.py made their sessions and gives them in BENCH_PEOPLE (a JSON
file). A response other than the expected one is a failure.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, task

PEOPLE = json.loads(Path(os.environ["BENCH_PEOPLE"]).read_text())
# Seconds each person waits between two pages ("5,15"), given by bench/loadtest.py:
# reading what the page shows; "0,0" for the steps that look for the machine's capacity.
THINK = between(*(float(s) for s in os.environ.get("BENCH_THINK", "5,15").split(",")))
_next = {
    kind: itertools.cycle([p for p in PEOPLE if p["kind"] == kind]) for kind in ("reader", "author")
}
NOTICE_LINK = re.compile(r'href="/notices/([0-9a-f-]{36})/"')
PRACTICE_LINK = re.compile(r'href="/best-practices/([0-9a-f-]{36})/"')
LISTS = [
    "/notices/",
    "/notices/?severity=high",
    "/notices/?category=intrusion-software",
    "/notices/?country=AE",
    "/notices/?kind=end_user_alert&sort=severity",
    "/notices/?tlp=amber&page=2",
    "/notices/?author_state=FR",
]
LIBRARY = [
    "/best-practices/",
    "/best-practices/?topic=licensing",
    "/best-practices/?doc_type=guidance",
    "/best-practices/?q=end-use",
    "/best-practices/?lead_state=DK&sort=endorsed",
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
    "Nimbus",
    "Myanmar",
    "Überwachung",
    "licence OR licensing",
    "interception",
    "4A005",
]
CATEGORIES = ["intrusion-software", "telecom-interception", "ip-network-surveillance"]
rng = random.Random(7)  # noqa: S311 (which page to open next, not a secret)


class Person(HttpUser):
    abstract = True
    kind = "reader"

    def on_start(self):
        self.me = next(_next[self.kind])
        for name, value in self.me["cookies"].items():
            self.client.cookies.set(name, value, domain="127.0.0.1", path="/")
        self.seen: list[str] = []

    def get(self, path: str, name: str):
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
            return r.text if r.status_code == 200 else ""

    def post(self, path: str, data: dict, name: str) -> str:
        data = {**data, "csrfmiddlewaretoken": self.me["csrf"]}
        with self.client.post(
            path, data, name=name, catch_response=True, allow_redirects=False
        ) as r:
            if r.status_code != 302:
                r.failure(f"{r.status_code}")
                return ""
            return r.headers.get("Location", "")

    @task(6)
    def notice_list(self):
        page = self.get(rng.choice(LISTS), "/notices/?[filters]")
        self.seen = NOTICE_LINK.findall(page)[:25] or self.seen

    @task(6)
    def notice_detail(self):
        if self.seen:
            self.get(f"/notices/{rng.choice(self.seen)}/", "/notices/[id]/")

    @task(3)
    def search(self):
        self.get(f"/search/?q={rng.choice(SEARCHES)}", "/search/?q=[words]")

    @task(3)
    def library(self):
        page = self.get(rng.choice(LIBRARY), "/best-practices/?[facets]")
        found = PRACTICE_LINK.findall(page)
        if found:
            self.get(f"/best-practices/{rng.choice(found)}/", "/best-practices/[id]/")

    @task(2)
    def inbox(self):
        self.get("/notifications/", "/notifications/")

    @task(2)
    def dashboard_and_acknowledge(self):
        page = self.get("/", "/ (dashboard)")
        start, end = page.find('id="awaiting-heading"'), page.find('id="latest-heading"')
        waiting = NOTICE_LINK.findall(page[start:end]) if start != -1 else []
        if waiting:
            # The highest level: never refused as lower than what the state said before.
            notice = rng.choice(waiting)
            self.post(
                f"/notices/{notice}/acknowledge/",
                {"level": "action_taken", "note": ""},
                "/notices/[id]/acknowledge/",
            )


class Reader(Person):
    weight = 95
    wait_time = THINK


class Author(Person):
    weight = 5
    kind = "author"
    wait_time = THINK

    @task(8)
    def draft_and_publish(self):
        self.get("/notices/new/", "/notices/new/")
        audience = rng.choice(["selected", "selected", "subscribing", "community"])
        data = {
            "kind": "end_user_alert",
            "title": f"Load test: reseller seeking {rng.choice(['IMSI catchers', 'spyware'])}",
            "summary": "A reseller refused elsewhere approached our licensing authority.",
            "body": "## What we saw\n\nTwo applications naming **a new subsidiary**.",
            "categories": rng.sample(CATEGORIES, 2),
            "control_codes": "4A005, 5A001.j",
            "countries_of_concern": "AE",
            "severity": "high",
            "tlp": "green",
            "audience": audience,
            "recipient_states": rng.sample(self.me["recipients"], 3)
            if audience == "selected"
            else [],
            "valid_until": "",
            "entities-TOTAL_FORMS": "1",
            "entities-INITIAL_FORMS": "0",
            "entities-MIN_NUM_FORMS": "0",
            "entities-MAX_NUM_FORMS": "50",
            "entities-0-name": "Nimbus Intercept FZE",
            "entities-0-aliases": "Nimbus, NI FZE",
            "entities-0-country": "AE",
            "entities-0-kind": "company",
            "entities-0-identifiers": "",
            "entities-0-notes": "",
        }
        location = self.post("/notices/new/", data, "/notices/new/")
        found = re.search(r"/notices/([0-9a-f-]{36})/", location)
        if found:
            self.post(f"/notices/{found.group(1)}/publish/", {}, "/notices/[id]/publish/")
