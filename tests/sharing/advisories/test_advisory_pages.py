"""The advisory pages: an officer writes one from a notice, a second officer releases
it, anyone reads it (the list, its page, the Atom feed, its CSAF document)."""

import hashlib
import json

import feedparser
import pytest
from django.test import Client

from sharing.advisories import csaf
from sharing.advisories import services as advisories
from sharing.advisories.models import Advisory
from tests.csaf import validate
from tests.sharing.advisories.conftest import SECRET_SENTENCE

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    data = {
        "title": "Intrusion software offered through resellers",
        "summary": "Resellers offer intrusion software to security services abroad.",
        "body": "Ask who operates the system.",
        "red_flags": "The buyer will not name the end-user.\nPayment from a third country.",
        "categories": ["intrusion-software"],
        "tlp": "clear",
    }
    data.update(overrides)
    return data


def test_an_officer_writes_one_from_a_notice_confirming_each_entity(
    client, amber_notice, no_officer
):
    client.force_login(no_officer)
    address = f"/advisories/new/?source={amber_notice.pk}"
    page = client.get(address)
    assert page.status_code == 200
    assert b"Nimbus Intercept Ltd" in page.content
    assert SECRET_SENTENCE.encode() not in page.content  # nothing of the notice's text
    refused = client.post(address, form_data(entities=["Nimbus Intercept Ltd"]))
    assert refused.status_code == 400
    assert b"Confirm each entity you name" in refused.content
    assert not Advisory.objects.exists()
    saved = client.post(
        address, form_data(entities=["Nimbus Intercept Ltd"], confirmed=["Nimbus Intercept Ltd"])
    )
    advisory = Advisory.objects.get()
    assert saved.status_code == 302 and saved["Location"] == advisory.get_absolute_url()
    assert advisory.source == amber_notice
    assert advisory.red_flags == [
        "The buyer will not name the end-user.",
        "Payment from a third country.",
    ]
    assert [e.name for e in advisory.entities.all()] == ["Nimbus Intercept Ltd"]


@pytest.mark.parametrize("source", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_source_is_not_found(client, no_officer, source):
    client.force_login(no_officer)
    assert client.get(f"/advisories/new/?source={source}").status_code == 404


def test_a_notice_of_another_state_is_not_a_source(client, make_notice, dk_officer, no_officer):
    client.force_login(no_officer)
    danish = make_notice(by=dk_officer, tlp="green")
    assert client.get(f"/advisories/new/?source={danish.pk}").status_code == 404


def test_the_guard_shows_the_copied_passage_and_refuses_release(client, amber_notice, no_officer):
    client.force_login(no_officer)
    client.post(
        f"/advisories/new/?source={amber_notice.pk}", form_data(body=f"We know: {SECRET_SENTENCE}")
    )
    advisory = Advisory.objects.get()
    page = client.get(advisory.get_absolute_url())
    assert b"Copied from a restricted source" in page.content
    refused = client.post(f"/advisories/{advisory.pk}/release/")
    assert refused.status_code == 400
    assert amber_notice.reference.encode() in refused.content
    advisory.refresh_from_db()
    assert advisory.status == "draft"


def test_released_by_a_second_officer_and_read_by_anyone(client, no_officer, no_admin):
    client.force_login(no_officer)
    client.post("/advisories/new/", form_data())
    advisory = Advisory.objects.get()
    confirm = client.get(f"/advisories/{advisory.pk}/release/")
    assert b"Submit this advisory for release?" in confirm.content
    client.post(f"/advisories/{advisory.pk}/release/")
    assert Advisory.objects.get().status == "pending_approval"
    # Its author cannot approve it: the page refuses and nothing changes.
    client.post(f"/advisories/{advisory.pk}/approval/", {"decision": "approve"})
    assert Advisory.objects.get().status == "pending_approval"
    client.force_login(no_admin)
    approval = advisory.approvals.get()
    client.post(
        f"/advisories/{advisory.pk}/approval/",
        {"decision": "approve", "approval": approval.pk},
    )
    advisory.refresh_from_db()
    assert advisory.status == "released"

    visitor = Client()
    listing = visitor.get("/advisories/")
    assert advisory.title.encode() in listing.content
    assert "public" in listing["Cache-Control"]
    page = visitor.get(advisory.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert advisory.reference in text and "Payment from a third country." in text
    # The bare public layout: nothing else of the portal, and no officials' names.
    assert "Sign out" not in text and "/notices/" not in text
    assert no_officer.last_name not in text and no_admin.last_name not in text


def test_a_green_advisory_and_a_draft_are_not_public(make_advisory):
    green = make_advisory(tlp="green")
    draft = make_advisory(title="Not yet", release=False)
    visitor = Client()
    for advisory in (green, draft):
        assert visitor.get(advisory.get_absolute_url()).status_code == 404
    listing = visitor.get("/advisories/").content.decode()
    assert green.title not in listing and draft.title not in listing


def test_the_list_filters_by_state_category_and_date(client, make_advisory):
    advisory = make_advisory()
    today = advisory.published_at.date().isoformat()
    visitor = Client()
    for query in (
        "state=NO",
        "category=intrusion-software",
        f"released_after={today}",
        f"released_before={today}",
    ):
        assert advisory.title.encode() in visitor.get(f"/advisories/?{query}").content
    for query in ("state=DK", "category=ip-network-surveillance", "released_after=2999-01-01"):
        assert advisory.title.encode() not in visitor.get(f"/advisories/?{query}").content
    for query in ("state=XX", "released_after=yesterday", "category=%00", "page=-1"):
        response = visitor.get(f"/advisories/?{query}")
        assert response.status_code == 200
    assert b"not valid" in visitor.get("/advisories/?released_after=yesterday").content


def test_the_feed_parses_and_says_what_was_withdrawn(make_advisory, no_officer, act):
    kept = make_advisory(title="Kept")
    gone = act(
        advisories.withdraw, make_advisory(title="Gone"), by=no_officer, reason="Superseded."
    )
    make_advisory(title="Green", tlp="green")
    response = Client().get("/advisories/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    titles = {entry.title for entry in feed.entries}
    assert titles == {f"{kept.reference} Kept", f"Withdrawn: {gone.reference} Gone"}
    (withdrawn,) = [e for e in feed.entries if e.title.startswith("Withdrawn")]
    assert "Superseded." in withdrawn.summary


def test_csaf_documents_pass_the_validator_released_amended_and_withdrawn(
    amber_notice, make_advisory, no_officer, no_admin, act
):
    plain = make_advisory(title="Plain")
    named = make_advisory(
        title="Named",
        source=amber_notice,
        entities=[{"name": "Nimbus Intercept Ltd", "confirmed": True}],
    )
    act(advisories.submit, named, by=no_officer, act="amend", change_note="More.", body="More.")
    act(advisories.approve, named, by=no_admin)
    act(advisories.withdraw, plain, by=no_officer, reason="Superseded.")
    documents = [csaf.document(a) for a in csaf.published()]
    assert len(documents) == 2
    for result in validate(*documents):
        assert result["isValid"], result["errors"]
    by_id = {d["document"]["tracking"]["id"]: d["document"] for d in documents}
    withdrawn = by_id[plain.reference]["tracking"]["revision_history"]
    assert [r["number"] for r in withdrawn] == ["1", "2"]
    assert withdrawn[-1]["summary"] == "Withdrawn: Superseded."
    amended = by_id[Advisory.objects.get(title="Named").reference]
    assert amended["tracking"]["version"] == "2"
    assert amended["distribution"]["tlp"]["label"] == "WHITE"
    assert "Nimbus Intercept Ltd" in json.dumps(amended)
    assert SECRET_SENTENCE not in json.dumps(documents)


def test_a_document_that_breaks_csaf_is_refused_by_the_validator(make_advisory):
    """The validator is real: a document without its external reference fails."""
    document = csaf.document(make_advisory())
    document["document"]["references"] = document["document"]["references"][:1]
    (result,) = validate(document)
    assert not result["isValid"]
    assert any("external" in error for error in result["errors"])


def test_the_csaf_provider_conventions(make_advisory):
    advisory = make_advisory()
    make_advisory(title="Green", tlp="green")
    visitor = Client()
    metadata = visitor.get("/.well-known/csaf/provider-metadata.json").json()
    assert metadata["role"] == "csaf_publisher" and metadata["metadata_version"] == "2.0"
    (distribution,) = metadata["distributions"]
    assert distribution["directory_url"].endswith("/.well-known/csaf/white/")
    path = csaf.document_path(advisory)
    index = visitor.get("/.well-known/csaf/white/index.txt")
    assert index.content.decode().splitlines() == [path]
    changes = visitor.get("/.well-known/csaf/white/changes.csv").content.decode()
    assert changes.startswith(f'"{path}","')
    document = visitor.get(f"/.well-known/csaf/{path}")
    assert document.json()["document"]["tracking"]["id"] == advisory.reference
    digest = visitor.get(f"/.well-known/csaf/{path}.sha256").content.decode()
    assert digest.split() == [hashlib.sha256(document.content).hexdigest(), path.rsplit("/")[-1]]
    for missing in (
        f"/.well-known/csaf/green/{path.split('/', 1)[1]}",
        f"/.well-known/csaf/white/1999/{path.rsplit('/')[-1]}",
        "/.well-known/csaf/white/2026/nothing.json",
        "/.well-known/csaf/amber/index.txt",
        f"/.well-known/csaf/white/0/{path.rsplit('/')[-1]}",
        f"/.well-known/csaf/white/10000/{path.rsplit('/')[-1]}",
        f"/.well-known/csaf/white/99999999999999999999/{path.rsplit('/')[-1]}.sha256",
    ):
        assert visitor.get(missing).status_code == 404, missing


def test_withdrawing_the_notice_says_its_advisories_go_with_it(
    client, amber_notice, make_advisory, no_officer
):
    advisory = make_advisory(source=amber_notice)
    client.force_login(no_officer)
    page = client.get(f"/notices/{amber_notice.pk}/withdraw/")
    assert advisory.reference.encode() in page.content
    client.post(f"/notices/{amber_notice.pk}/withdraw/", {"reason": "Cleared."})
    advisory.refresh_from_db()
    assert advisory.is_withdrawn
    public = Client().get(advisory.get_absolute_url()).content.decode()
    assert "Withdrawn on" in public and "Cleared." not in public
