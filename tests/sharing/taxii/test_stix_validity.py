"""Everything the TAXII server serves is valid STIX 2.1, by the OASIS validator
(stix2-validator) and the OASIS library (stix2), for readers of every kind, over a
world of every kind of item in every state of its life."""

import re

import pytest
import stix2
import stix2validator

from sharing.denials import services as denials
from sharing.notices import services as notices
from sharing.practices import services as practices
from tests.sharing.advisories.conftest import make_advisory  # noqa: F401 (a fixture)
from tests.sharing.conftest import denial_content, practice_content
from tests.sharing.taxii.conftest import every_object

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_media")]

COLLECTIONS = ["notices", "denials", "best-practices", "advisories"]

# The validator's warnings we accept, each for its reason:
JUSTIFIED = {
    # "ID is not a valid UUIDv4": our ids are UUIDv5 of the portal's own ids, on
    # purpose, so that a consumer merges the versions of one object (issue 22).
    "103",
}


@pytest.fixture
def world(make_notice, make_advisory, dk_officer, no_officer, fi_officer):  # noqa: F811
    """Notices of every marking and audience, amended and withdrawn; denials, one
    revoked and one amended; best practices, public and not, one archived; advisories,
    CLEAR and GREEN."""
    for tlp in ("clear", "green", "amber", "amber+strict", "red"):
        make_notice(tlp=tlp, title=f"A {tlp} notice", audience="selected", recipient_states=["NO"])
    make_notice(audience="selected", recipient_states=["NO"], countries_of_concern=[])
    make_notice(entities=[], countries_of_concern=[], title="Names nothing")
    amended = make_notice(by=no_officer, audience="selected", recipient_states=["DK"])
    notices.amend(
        amended,
        by=no_officer,
        change_note="Wider.",
        material=True,
        audience="community",
        recipient_states=[],
        tlp="green",
    )
    withdrawn = make_notice(title="To withdraw")
    notices.withdraw(withdrawn, by=dk_officer, reason="No longer relevant.")
    denial = denials.publish(by=dk_officer, **denial_content())
    denials.revoke(denial, by=dk_officer, reason="Overturned.")
    other = denials.publish(by=fi_officer, **denial_content(national_reference="FI-1"))
    denials.amend(other, by=fi_officer, change_note="Address.", reason="A longer reason now.")
    practices.publish(practices.create(by=no_officer, **practice_content()), by=no_officer)
    public = practices.publish(
        practices.create(by=no_officer, **practice_content(public=True, title="Open")),
        by=no_officer,
    )
    practices.archive(public, by=no_officer)
    make_advisory()
    make_advisory(tlp="green", title="For our lists only")


@pytest.mark.parametrize("persona", ["dk_viewer", "no_officer", "fr_viewer", "observer_user"])
def test_every_object_served_is_valid_stix(request, world, api_for, persona, settings):
    settings.API_TOKEN_RATE = settings.API_USER_RATE = "10000/min"
    api = api_for(request.getfixturevalue(persona))
    served = {}
    for collection in COLLECTIONS:
        for obj in every_object(api, collection, **{"match[version]": "all"}):
            # Each collection holds the reference objects: once is enough here.
            served[obj["id"], obj.get("modified", obj["created"])] = obj
    objects = list(served.values())
    assert {o["type"] for o in objects} >= {
        "marking-definition",
        "extension-definition",
        "identity",
        "location",
        "report",
    }
    bundle = {
        "type": "bundle",
        "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
        "objects": objects,
    }
    results = stix2validator.validate_instance(
        bundle, stix2validator.ValidationOptions(version="2.1")
    )
    errors = [e.message for e in results.errors]
    assert errors == []
    warnings = [w for w in results.warnings if re.search(r"\{(\d+)\}", w)[1] not in JUSTIFIED]
    assert warnings == []
    for obj in objects:
        # The library's own parser, with no custom content allowed: our properties are
        # declared by the extension, and the rest is standard.
        parsed = stix2.parse(obj, allow_custom=False)
        assert parsed.id == obj["id"]
