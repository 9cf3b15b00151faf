"""What a signed-out visitor can reach holds nothing restricted, whatever is seeded.

Each run seeds notices, best practices and denials of random audiences, markings and
statuses, each carrying a marker word of its own (and a second word to search for, since
a search page repeats what was asked), and a best practice that became public only with
its second version. It then walks every page, file and API answer a signed-out visitor
can reach from the home page, the best-practice library and the API root (following
links, and searching for every item's second word), and looks for the markers: only
that of the public best practice's current version may appear, and it must, so that the
walk is known to reach what it should. Under four eyes, the names of who submitted and
who approved, what awaits approval and why a submission was rejected stay hidden too.
"""

import os
import random
import re
import secrets

import pytest
from django.test import Client
from django.utils import timezone

from accounts.choices import ApprovalPolicy
from accounts.models import State
from sharing.advisories import contacts, csaf
from sharing.advisories import services as advisories
from sharing.advisories.models import Advisory
from sharing.denials import services as denials
from sharing.notices import services as notices
from sharing.practices import comment_windows
from sharing.practices import services as practices
from tests.crawl import walk
from tests.personas import persona
from tests.sharing.conftest import denial_content, notice_content, pdf, practice_content

pytestmark = pytest.mark.django_db

AUDIENCES = ["selected", "subscribing", "community"]
MARKINGS = ["clear", "green", "amber", "amber+strict", "red"]
# The API answers only signed-in callers; it is walked too, to be sure of that.
START = [
    "/",
    "/best-practices/",
    "/api/v1/best-practices/",
    "/accounts/login/",
    "/advisories/",
    "/advisories/feed/",
    "/.well-known/csaf/provider-metadata.json",
    "/.well-known/csaf/white/",
    "/.well-known/csaf/white/index.txt",
    "/.well-known/csaf/white/changes.csv",
    "/screening/",
    "/industry/sign-up/",
    "/public/v1/list.json",
    "/public/v1/list.json?since=0",
    "/public/v1/list.csv",
    "/public/v1/list.csv?since=0",
    "/public/v1/list.ftm.json",
    "/public/v1/list.ftm.json?since=0",
    "/public/v1/openapi.json",
    # The channels of states' systems take a token: to a visitor, nothing.
    "/taxii2/",
    "/taxii2/echri/collections/notices/objects/",
    "/taxii2/echri/collections/denials/objects/",
    "/api/v1/notices/export.csv",
    "/api/v1/denials/export.ftm.jsonl",
    "/api/v1/entities/export.csv",
    "/notices/export.csv",
    "/denials/export.csv",
]


def word() -> str:
    return "zq" + secrets.token_hex(6)


@pytest.fixture
def seeded(dk_officer, no_officer, rng):
    """Markers that must stay hidden, and markers of what is public now."""
    hidden, public, handles = set(), set(), set()
    for _ in range(rng.randint(3, 6)):
        secret, handle = word(), word()
        handles.add(handle)
        audience = rng.choice(AUDIENCES)
        tlp = "red" if audience == "selected" and rng.random() < 0.3 else rng.choice(MARKINGS)
        if tlp == "red":
            audience = "selected"
        notice = notices.create(
            by=dk_officer,
            attachments=[pdf(f"{secret}.pdf")],
            **notice_content(
                title=f"Notice {secret}",
                body=f"Source: {secret}, {handle}",
                entities=[{"kind": "company", "name": f"{secret} Ltd", "country": "AE"}],
                audience=audience,
                tlp=tlp,
                recipient_states=["NO"] if audience == "selected" else [],
            ),
        )
        if rng.random() < 0.7:
            notices.publish(notice, by=dk_officer)
        hidden.add(secret)
    for _ in range(rng.randint(3, 6)):
        secret, handle = word(), word()
        handles.add(handle)
        practice = practices.create(
            by=no_officer,
            attachments=[pdf(f"{secret}.pdf")],
            **practice_content(
                title=f"Practice {secret}",
                body=f"Internal: {secret}, {handle}",
                audience=rng.choice(["subscribing", "community"]),
                public=False,
            ),
        )
        if rng.random() < 0.7:
            practices.publish(practice, by=no_officer)
        hidden.add(secret)
    for _ in range(rng.randint(1, 3)):
        secret, handle = word(), word()
        handles.add(handle)
        denials.publish(
            by=dk_officer,
            **denial_content(
                national_reference=f"DK-{secret}",
                item_description=f"Probes {secret} {handle}",
                audience=rng.choice(["subscribing", "community"]),
            ),
        )
        hidden.add(secret)
    # Public today, not before: the first version's line and file stay with its readers.
    earlier, current, handle = word(), word(), word()
    handles.add(handle)
    practice = practices.create(
        by=no_officer,
        attachments=[pdf(f"{earlier}.pdf")],
        **practice_content(title=f"Practice {current}", body=f"Internal: {earlier} {handle}"),
    )
    practice = practices.publish(practice, by=no_officer)
    practices.amend(
        practice,
        by=no_officer,
        change_note="Opened to everyone.",
        material=True,
        body=f"Everyone may read this: {handle}.",
        public=True,
        audience="community",
        attachments=[pdf(f"Guide {current}.pdf")],
        remove_attachments=[practice.attachments.get().pk],
    )
    hidden.add(earlier)
    public.add(current)
    _seed_advisories(rng, dk_officer, hidden, public, handles)
    starts = _seed_comment_window(no_officer, hidden, public)
    # Four eyes on public best practices (Norway asks for them): who submitted and who
    # approved (officials' names), what awaits approval (a public draft, an amendment of
    # a public best practice) and a rejection's reason all stay with Norway's officials.
    State.objects.filter(pk="NO").update(approval_policy=ApprovalPolicy.EVERYTHING)
    no_officer.state.refresh_from_db()
    approver = persona("no-admin")
    approver.first_name, approver.last_name = word(), word()
    approver.save()
    hidden |= {approver.first_name, approver.last_name}
    shown, handle = word(), word()
    handles.add(handle)
    approved = practices.create(
        by=no_officer,
        **practice_content(
            title=f"Practice {shown}", body=f"Public: {handle}", public=True, audience="community"
        ),
    )
    practices.submit(approved, by=no_officer)
    practices.approve(approved, by=approver)
    public.add(shown)
    pending, proposed, refused = word(), word(), word()
    hidden |= {pending, proposed, refused}
    draft = practices.create(
        by=no_officer,
        **practice_content(title=f"Practice {pending}", body=f"Soon: {handle}", public=True),
    )
    practices.submit(draft, by=no_officer)
    practices.submit(
        approved, by=no_officer, act="amend", change_note=proposed, body=f"Next: {proposed}"
    )
    practices.reject(approved, by=approver, reason=f"Not {refused}")
    practices.submit(
        approved, by=no_officer, act="amend", change_note="Again.", body=f"Next: {proposed}"
    )
    return hidden, public, handles, starts


def _seed_advisories(rng, officer, hidden, public, handles) -> None:
    """Advisories for industry made from restricted notices: the notice's text, its
    notes and the entities not chosen stay hidden, and so does a GREEN advisory, a draft
    and why a source notice was withdrawn; a released CLEAR advisory's own words and the
    entity it names are public (withdrawn or not)."""
    approver = persona("dk-admin")
    # Denmark's industry contacts: people's names, addresses and organisations are the
    # state's alone (the advisories below go to their list).
    listed, address, firm = word(), word(), word()
    hidden |= {listed, address, firm}
    members = contacts.create_list(by=officer, name="Exporters")
    contacts.invite(
        by=officer,
        email=f"{address}@example.org",
        name=f"Person {listed}",
        organisation=f"Firm {firm}",
        lists=[members],
    )
    # A released CLEAR and a released GREEN one always, then some of any shape.
    shapes = [("clear", True), ("green", True)]
    shapes += [
        (rng.choice(["clear", "green"]), rng.random() < 0.7) for _ in range(rng.randint(0, 3))
    ]
    for tlp, released in shapes:
        secret, kept_back, named, own, handle, why = (word() for _ in range(6))
        handles.add(handle)
        source = notices.create(
            by=officer,
            **notice_content(
                title=f"Notice {secret}",
                body=f"Source: {secret}",
                tlp=rng.choice(["amber", "amber+strict"]),
                entities=[
                    {"kind": "company", "name": f"{named} Ltd", "notes": f"About {secret}"},
                    {"kind": "company", "name": f"{kept_back} Ltd", "country": "AE"},
                ],
            ),
        )
        source = notices.publish(source, by=officer)
        advisory = advisories.create(
            by=officer,
            title=f"Advisory {own}",
            summary=f"In our own words: {handle}.",
            body="Check the end-user.",
            tlp=tlp,
            red_flags=["A reseller asks for the source code."],
            categories=["intrusion-software"],
            source=source,
            entities=[{"name": f"{named} Ltd", "confirmed": True}],
            lists=[members],
        )
        if released:
            advisories.submit(advisory, by=officer)
            advisories.approve(advisory, by=approver)
            if rng.random() < 0.4:
                notices.withdraw(source, by=officer, reason=f"Because {why}")
        hidden |= {secret, kept_back, why}
        (public if released and tlp == "clear" else hidden).update({own, named})


def _seed_comment_window(officer, hidden, public) -> list[str]:
    """A draft open for public comment: its text is public while open (and its window
    is linked from nowhere but walked from START); a comment its writer kept private,
    an unconfirmed one and every writer's address stay hidden; a draft whose window was
    closed is hidden again."""
    text, shared, private, unconfirmed, address, closed = (word() for _ in range(6))
    draft = practices.create(
        by=officer, **practice_content(title=f"Practice {text}", body=f"Draft: {text}")
    )
    window = comment_windows.open_window(
        draft, by=officer, intro="Comment, please.", closes_on=timezone.localdate()
    )
    for body, publishable, confirm in ((shared, True, True), (private, False, True),
                                       (unconfirmed, True, False)):  # fmt: skip
        row = comment_windows.comment(
            window,
            name=f"Writer {body}",
            kind="industry",
            email=f"{address}{body}@example.org",
            body=f"Comment {body}",
            publishable=publishable,
        )
        if confirm:
            comment_windows.confirm(
                comment_windows.confirmation_link(row).rstrip("/").rsplit("/", 1)[1]
            )
    public |= {text, shared}
    hidden |= {private, unconfirmed, address}
    other = practices.create(by=officer, **practice_content(title=f"Practice {closed}"))
    gone = comment_windows.open_window(
        other, by=officer, intro="Closed early.", closes_on=timezone.localdate()
    )
    comment_windows.close_window(gone, by=officer)
    hidden.add(closed)
    return [window.get_absolute_url(), gone.get_absolute_url()]


def _csaf_paths() -> list[str]:
    """The CSAF documents and their hashes (the directory lists them by full address)."""
    paths = []
    for advisory in Advisory.objects.public():
        path = "/.well-known/csaf/" + csaf.document_path(advisory)
        paths += [path, f"{path}.sha256"]
    return paths


@pytest.fixture
def rng(request):
    seed = int(os.environ.get("PUBLIC_SURFACE_SEED") or secrets.randbits(32))
    # Shown when the test fails: PUBLIC_SURFACE_SEED=<seed> seeds the same shapes again.
    request.node.user_properties.append(("seed", seed))
    print(f"public-surface seed: {seed}")
    return random.Random(seed)


def test_nothing_restricted_reaches_a_signed_out_visitor(seeded, settings):
    settings.PUBLIC_RATE = "10000/min"
    hidden, public, handles, starts = seeded
    searches = [f"/best-practices/?q={handle}" for handle in handles]
    searches += [f"/api/v1/best-practices/?search={handle}" for handle in handles]
    # Screened in capitals (the matcher folds case; the markers are in lower case), so
    # that the answer's echo of the name asked is not taken for a leak.
    searches += [f"/public/v1/screen?name={marker.upper()}+LTD&threshold=0" for marker in hidden]
    found_public, statuses = set(), {}
    for path, response, text in walk(Client(), START + starts + _csaf_paths() + searches):
        status = response.status_code
        statuses[path] = status
        assert status < 500, path
        leaked = {marker for marker in hidden if marker in text}
        assert not leaked, f"{path} shows {leaked}"
        found_public |= {marker for marker in public if marker in text}
    assert found_public == public, "the walk did not reach the public best practice"
    # TAXII and the exports answer a visitor with a refusal, never a file.
    for path in START:
        if path.startswith("/taxii2/") or (path.startswith("/api/v1/") and "export" in path):
            assert statuses[path] == 401, path
        if path in ("/notices/export.csv", "/denials/export.csv"):
            assert statuses[path] == 302, path  # to the sign-in page
    # The screening page answers a POST: every hidden name screened there too.
    visitor = Client()
    for marker in hidden:
        text = visitor.post("/screening/", {"name": f"{marker.upper()} LTD"}).content.decode()
        leaked = {other for other in hidden if other in text}
        assert not leaked, f"screening {marker} shows {leaked}"
    # The walk went past the entry pages: into the public best practice and its file.
    reached = [path for path, status in statuses.items() if status == 200]
    assert any(re.fullmatch(r"/best-practices/[0-9a-f-]{36}/", path) for path in reached)
    assert any(re.fullmatch(r"/attachments/[0-9a-f-]{36}/", path) for path in reached)
