"""The notice lifecycle, through sharing.notices.services: what each act changes, audits and
announces, and the rules it refuses to break."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portal.models import AuditEntry
from sharing.common import services as common
from sharing.common.models import Event, Revision
from sharing.notices import services as notices
from sharing.notices.models import Acknowledgement, Comment, Notice
from tests.sharing.conftest import notice_content, pdf

pytestmark = pytest.mark.django_db


def events(notice):
    return list(Event.objects.filter(notice=notice).values_list("kind", flat=True))


def audits(action):
    return AuditEntry.objects.filter(action=action)


# --- drafts ---------------------------------------------------------------------------------


def test_an_officer_drafts_a_notice_for_their_state(dk_officer):
    notice = notices.create(by=dk_officer, **notice_content())
    assert (notice.status, notice.version, notice.reference) == ("draft", 1, None)
    assert notice.author_state_id == "DK"
    assert notice.created_by == dk_officer
    assert [c.slug for c in notice.categories.all()] == ["intrusion-software"]
    assert notice.countries_of_concern == ["AE"]
    assert notice.entities.get().aliases == ["Nimbus"]
    assert "<h3>Background</h3>" in notice.body_html  # one Markdown renderer, headings shifted
    assert audits("notice.drafted").get().actor == dk_officer
    assert events(notice) == []  # drafts are nobody else's business


@pytest.mark.parametrize("persona", ["dk_viewer", "staff_user", "suspended_user"])
def test_viewers_staff_and_suspended_states_cannot_draft(persona, request):
    with pytest.raises(PermissionDenied):
        notices.create(by=request.getfixturevalue(persona), **notice_content())
    assert not Notice.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"summary": "  "}, "summary"),
        ({"kind": "rumour"}, "kind"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"tlp": "white"}, "tlp"),
        ({"audience": "everyone"}, "audience"),
        ({"categories": []}, "categories"),
        ({"categories": ["no-such-category"]}, "categories"),
        ({"control_codes": ["4A005", "not a code"]}, "control_codes"),
        ({"countries_of_concern": ["AE", "ZZ"]}, "countries_of_concern"),
        ({"entities": [{"name": ""}]}, "entities"),
        ({"entities": [{"name": "X", "country": "QQ"}]}, "entities"),
        ({"audience": "selected", "recipient_states": []}, "recipient_states"),
        ({"audience": "selected", "recipient_states": ["DK"]}, "recipient_states"),
        ({"audience": "selected", "recipient_states": ["QQ"]}, "recipient_states"),
        ({"tlp": "red", "audience": "subscribing"}, "audience"),
        ({"valid_until": "2001-01-01"}, "valid_until"),
        ({"valid_until": "next week"}, "valid_until"),
    ],
)
def test_bad_content_is_refused_field_by_field(dk_officer, overrides, field):
    with pytest.raises(ValidationError) as caught:
        notices.create(by=dk_officer, **notice_content(**overrides))
    assert field in caught.value.message_dict
    assert not Notice.objects.exists()
    assert not AuditEntry.objects.exists()


def test_codes_and_countries_are_normalised(dk_officer):
    notice = notices.create(
        by=dk_officer,
        **notice_content(
            control_codes=["5a001.J", "4A005", "4a005"],
            countries_of_concern=["ae", "XK"],
        ),
    )
    assert notice.control_codes == ["5A001.j", "4A005"]
    assert notice.countries_of_concern == ["AE", "XK"]


def test_a_suspended_recipient_is_refused(dk_officer, suspended_state):
    with pytest.raises(ValidationError) as caught:
        notices.create(
            by=dk_officer, **notice_content(audience="selected", recipient_states=["NO", "PE"])
        )
    assert "PE" in str(caught.value.message_dict["recipient_states"])


def test_only_the_author_states_officers_edit_a_draft(make_notice, dk_admin, no_admin, dk_viewer):
    notice = make_notice(publish=False)
    notices.update(notice, by=dk_admin, title="Renamed by a colleague")
    for outsider in (no_admin, dk_viewer):
        with pytest.raises(PermissionDenied):
            notices.update(notice, by=outsider, title="Hijacked")
    notice.refresh_from_db()
    assert notice.title == "Renamed by a colleague"


def test_a_draft_can_be_deleted_but_a_published_notice_cannot(make_notice, dk_officer):
    draft = make_notice(publish=False)
    notices.delete(draft, by=dk_officer)
    assert not Notice.objects.filter(pk=draft.pk).exists()
    published = make_notice()
    with pytest.raises(ValidationError):
        notices.delete(published, by=dk_officer)


# --- publishing -----------------------------------------------------------------------------


def test_publishing_gives_a_reference_a_revision_an_audit_row_and_an_event(make_notice, dk_officer):
    notice = make_notice()
    year = timezone.now().year
    assert notice.reference == f"DK-{year}-0001"
    assert (notice.status, notice.version, notice.ack_version) == ("published", 1, 1)
    revision = Revision.objects.get(notice=notice)
    assert (revision.version, revision.change_kind) == (1, "initial")
    assert revision.snapshot["title"] == notice.title
    assert revision.snapshot["entities"][0]["name"] == "Nimbus Intercept Ltd"
    assert audits("notice.published").get().details["reference"] == notice.reference
    assert events(notice) == ["notice.published"]
    event = Event.objects.get(notice=notice)
    assert (event.actor, event.state_id, event.dispatched_at) == (dk_officer, "DK", None)


def test_references_count_per_state_and_year(make_notice, no_admin):
    first, second = make_notice(), make_notice()
    norwegian = make_notice(by=no_admin)
    year = timezone.now().year
    assert [first.reference, second.reference] == [f"DK-{year}-0001", f"DK-{year}-0002"]
    assert norwegian.reference == f"NO-{year}-0001"


def test_a_notice_is_published_once(make_notice, dk_officer):
    notice = make_notice()
    with pytest.raises(ValidationError):
        notices.publish(notice, by=dk_officer)
    assert Revision.objects.filter(notice=notice).count() == 1


def test_red_needs_a_selected_audience_even_in_the_database(make_notice):
    notice = make_notice(tlp="red", audience="selected", recipient_states=["NO"])
    assert notice.tlp == "red"
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.filter(pk=notice.pk).update(audience="subscribing")


# --- amending and withdrawing ---------------------------------------------------------------


def test_a_material_amendment_asks_for_acknowledgement_again(make_notice, dk_officer):
    notice = make_notice()
    notice = notices.amend(
        notice,
        by=dk_officer,
        change_note="New alias found.",
        material=True,
        title="Spyware reseller, now trading as Nimbus",
    )
    assert (notice.version, notice.ack_version) == (2, 2)
    revision = Revision.objects.get(notice=notice, version=2)
    assert (revision.change_kind, revision.change_note) == ("material", "New alias found.")
    assert revision.snapshot["title"].endswith("Nimbus")
    assert events(notice) == ["notice.published", "notice.amended"]


def test_a_minor_correction_is_kept_but_not_announced_as_a_change(make_notice, dk_officer):
    notice = make_notice()
    notice = notices.amend(
        notice,
        by=dk_officer,
        change_note="Typo.",
        material=False,
        summary="A reseller of intrusion software seeks licences.",
    )
    assert (notice.version, notice.ack_version) == (2, 1)
    assert Revision.objects.get(notice=notice, version=2).change_kind == "minor"
    assert events(notice) == ["notice.published", "notice.corrected"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"change_note": ""}, "change_note"), ({"material": "yes"}, "material")],
)
def test_an_amendment_needs_a_note_and_a_kind(make_notice, dk_officer, kwargs, field):
    notice = make_notice()
    arguments = {"change_note": "Why", "material": True, "title": "Changed", **kwargs}
    with pytest.raises(ValidationError) as caught:
        notices.amend(notice, by=dk_officer, **arguments)
    assert field in caught.value.message_dict
    notice.refresh_from_db()
    assert notice.version == 1


def test_an_amendment_that_changes_nothing_is_refused(make_notice, dk_officer):
    notice = make_notice()
    with pytest.raises(ValidationError, match="Nothing has changed"):
        notices.amend(notice, by=dk_officer, change_note="No-op", material=True)


def test_an_amendment_can_add_a_file(make_notice, dk_officer):
    notice = make_notice()
    notice = notices.amend(
        notice, by=dk_officer, change_note="Report attached.", material=False, attachments=[pdf()]
    )
    attachment = notice.attachments.get()
    assert attachment.version == 2
    assert (
        Revision.objects.get(notice=notice, version=2).snapshot["attachments"][0]["sha256"]
        == attachment.sha256
    )


def test_withdrawal_keeps_the_notice_and_forbids_amendment(make_notice, dk_officer):
    notice = make_notice()
    with pytest.raises(ValidationError):
        notices.withdraw(notice, by=dk_officer, reason=" ")
    notice = notices.withdraw(notice, by=dk_officer, reason="The reseller was closed.")
    assert (notice.status, notice.withdrawn_reason) == ("withdrawn", "The reseller was closed.")
    with pytest.raises(ValidationError, match="withdrawn notice cannot be amended"):
        notices.amend(notice, by=dk_officer, change_note="x", material=True, title="y")
    assert events(notice) == ["notice.published", "notice.withdrawn"]


@pytest.mark.parametrize("persona", ["no_admin", "dk_viewer"])
def test_only_the_author_states_officers_amend_or_withdraw(make_notice, persona, request):
    notice = make_notice()
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        notices.amend(notice, by=user, change_note="x", material=True, title="y")
    with pytest.raises(PermissionDenied):
        notices.withdraw(notice, by=user, reason="no")
    notice.refresh_from_db()
    assert (notice.status, notice.version) == ("published", 1)


# --- acknowledgements and comments ----------------------------------------------------------


def test_any_user_of_a_recipient_state_acknowledges_once_per_version(
    make_notice, no_viewer, no_admin
):
    notice = make_notice()
    first = notices.acknowledge(notice, by=no_viewer)
    assert (first.created, first.acknowledgement.level, first.acknowledgement.version) == (
        True,
        "received",
        1,
    )
    repeat = notices.acknowledge(notice, by=no_admin)
    assert (repeat.created, repeat.changed) == (False, False)
    raised = notices.acknowledge(notice, by=no_admin, level="assessed", note="Checked licences.")
    assert (raised.created, raised.changed, raised.acknowledgement.level) == (
        False,
        True,
        "assessed",
    )
    with pytest.raises(ValidationError, match="already acknowledged"):
        notices.acknowledge(notice, by=no_viewer, level="received", note="back down")
    assert Acknowledgement.objects.get(notice=notice).level == "assessed"
    assert events(notice).count("notice.acknowledged") == 2


def test_a_material_amendment_reopens_acknowledgement(make_notice, dk_officer, no_viewer):
    notice = make_notice()
    notices.acknowledge(notice, by=no_viewer, level="action_taken")
    notice = notices.amend(
        notice, by=dk_officer, change_note="More", material=True, title="Changed title"
    )
    rows = {row.state.pk: row for row in notices.acknowledgement_overview(notice)}
    assert not rows["NO"].current
    assert rows["NO"].acknowledgement.version == 1
    notices.acknowledge(notice, by=no_viewer)
    assert Acknowledgement.objects.filter(notice=notice, state_id="NO").count() == 2


def test_the_author_state_and_outsiders_cannot_acknowledge(make_notice, dk_viewer, fr_viewer):
    notice = make_notice(audience="selected", recipient_states=["NO"])
    for user in (dk_viewer, fr_viewer):
        with pytest.raises(PermissionDenied):
            notices.acknowledge(notice, by=user)
    assert not Acknowledgement.objects.exists()


def test_a_draft_or_withdrawn_notice_cannot_be_acknowledged(make_notice, dk_officer, no_viewer):
    notice = make_notice()
    notices.withdraw(notice, by=dk_officer, reason="Gone")
    with pytest.raises(PermissionDenied):
        notices.acknowledge(notice, by=no_viewer)


def test_officers_of_reached_states_discuss_a_notice(make_notice, no_admin, no_viewer, dk_officer):
    notice = make_notice()
    comment = notices.comment(notice, by=no_admin, body="  We saw them too.  ")
    notices.comment(notice, by=dk_officer, body="Thanks.")
    assert comment.body == "We saw them too."
    assert comment.state_id == "NO"
    with pytest.raises(PermissionDenied):
        notices.comment(notice, by=no_viewer, body="Viewers only read.")
    with pytest.raises(ValidationError):
        notices.comment(notice, by=no_admin, body="")
    assert Comment.objects.filter(notice=notice).count() == 2
    assert events(notice).count("notice.commented") == 2


def test_acknowledgement_overview_lists_every_recipient(make_notice, no_viewer):
    notice = make_notice(audience="selected", recipient_states=["NO", "FI"])
    notices.acknowledge(notice, by=no_viewer, level="assessed")
    rows = notices.acknowledgement_overview(notice)
    assert [(row.state.pk, row.current) for row in rows] == [("FI", False), ("NO", True)]


def test_valid_until_in_the_future_is_kept(dk_officer):
    day = timezone.localdate() + datetime.timedelta(days=90)
    notice = notices.create(by=dk_officer, **notice_content(valid_until=day.isoformat()))
    assert notice.valid_until == day


def test_a_body_too_heavy_to_render_is_refused(dk_officer):
    with pytest.raises(ValidationError) as caught:
        notices.create(by=dk_officer, **notice_content(body="# heading\n" * 3500))
    assert "lines" in " ".join(caught.value.message_dict["body"])


def test_a_level_never_goes_back_across_a_minor_correction(make_notice, dk_officer, no_viewer):
    notice = make_notice()
    notices.acknowledge(notice, by=no_viewer, level="action_taken")
    notice = notices.amend(
        notice, by=dk_officer, change_note="Typo", material=False, summary="Corrected summary."
    )
    with pytest.raises(ValidationError, match="already acknowledged"):
        notices.acknowledge(notice, by=no_viewer, level="received")
    rows = {row.state.pk: row for row in notices.acknowledgement_overview(notice)}
    assert (rows["NO"].acknowledgement.level, rows["NO"].current) == ("action_taken", True)


def test_observer_states_read_but_do_not_post(observer_state, seeded_states):
    from accounts.models import User

    officer = User.objects.create(username="cl-officer", state=observer_state, role="officer")
    with pytest.raises(PermissionDenied):
        notices.create(by=officer, **notice_content(audience="community"))


@pytest.mark.parametrize(
    "change",
    [
        {"audience": "subscribing", "recipient_states": []},
        {"recipient_states": ["NO", "FR"]},
        {"tlp": "green"},
    ],
)
def test_a_minor_correction_cannot_change_who_reads_it(make_notice, dk_officer, change):
    notice = make_notice(audience="selected", recipient_states=["NO"], tlp="amber")
    with pytest.raises(ValidationError) as caught:
        notices.amend(notice, by=dk_officer, change_note="x", material=False, **change)
    assert "material" in caught.value.message_dict
    notice = notices.amend(notice, by=dk_officer, change_note="x", material=True, **change)
    assert notice.ack_version == 2


# --- the audit log --------------------------------------------------------------------------

SECRET = "NIGHTJAR"  # in every text of the notice below; never in the log


@pytest.fixture
def operation(dk_officer):
    """A RED draft for Norway whose title, texts, entity and file all name an operation
    that platform staff, who read the audit log, must not learn of."""
    return notices.create(
        by=dk_officer,
        attachments=[pdf(f"{SECRET}-sources.pdf")],
        **notice_content(
            title=f"Operation {SECRET}",
            summary=f"{SECRET} is buying interception kits.",
            body=f"## {SECRET}\n\nOrders split across three firms.",
            entities=[{"name": f"{SECRET} Holdings", "notes": f"Front for {SECRET}."}],
            tlp="red",
            audience="selected",
            recipient_states=["NO"],
        ),
    )


def published(notice):
    return notices.publish(notice, by=notice.created_by)


def ref(obj) -> tuple[str, str]:
    """How the log points at ``obj`` (taken before a deletion forgets its key)."""
    return obj._meta.label_lower, str(obj.pk)


def updating_a_draft(draft, who):
    actor = who("dk_admin")
    notices.update(draft, by=actor, title=f"{SECRET}, renamed")
    return actor, ref(draft), {}


def deleting_a_draft(draft, who):
    actor = who("dk_officer")
    target = ref(draft)
    notices.delete(draft, by=actor)
    return actor, target, {}


def amending(draft, who):
    actor = who("dk_admin")
    notice = notices.amend(
        published(draft), by=actor, change_note=f"{SECRET} grew.", material=True, body="Four."
    )
    return actor, ref(notice), {"version": 2, "change": "material"}


def withdrawing(draft, who):
    actor = who("dk_officer")
    notice = notices.withdraw(published(draft), by=actor, reason=f"{SECRET} burned.")
    return actor, ref(notice), {}


def acknowledging(draft, who):
    actor = who("no_viewer")
    notice = published(draft)
    notices.acknowledge(notice, by=actor, level="assessed", note=f"{SECRET} known to us.")
    return actor, ref(notice), {"version": 1, "level": "assessed"}


def commenting(draft, who):
    actor = who("no_admin")
    notice = published(draft)
    comment = notices.comment(notice, by=actor, body=f"We saw {SECRET} too.")
    return actor, ref(notice), {"comment": comment.pk}


def adding_a_file(draft, who):
    actor = who("dk_admin")
    attachment = notices.attach(draft, pdf(f"{SECRET}-annex.pdf"), by=actor)
    details = {"notice": str(draft.pk), "sha256": attachment.sha256, "size": attachment.size}
    return actor, ref(attachment), details


def removing_a_file(draft, who):
    actor = who("dk_admin")
    attachment = draft.attachments.get()
    target = ref(attachment)
    notices.detach(attachment, by=actor)
    return actor, target, {"notice": str(draft.pk)}


def downloading_a_file(draft, who):
    actor = who("no_viewer")
    notice = published(draft)
    attachment = notice.attachments.get()
    common.record_download(attachment, by=actor, request=None)
    return actor, ref(attachment), {"notice": str(notice.pk)}


def reading_a_red_notice(draft, who):
    actor = who("no_viewer")
    notice = published(draft)
    common.record_reading([notice], by=actor, request=None)
    return actor, ref(notice), {"tlp": "red", "version": 1}


AUDITED = [
    ("notice.draft_updated", updating_a_draft),
    ("notice.draft_deleted", deleting_a_draft),
    ("notice.amended", amending),
    ("notice.withdrawn", withdrawing),
    ("notice.acknowledged", acknowledging),
    ("notice.commented", commenting),
    ("attachment.added", adding_a_file),
    ("attachment.removed", removing_a_file),
    ("attachment.downloaded", downloading_a_file),
    ("notice.viewed", reading_a_red_notice),
]


@pytest.mark.parametrize(("action", "act"), AUDITED, ids=[action for action, _ in AUDITED])
def test_every_act_is_audited_by_who_and_what_without_the_content(operation, request, action, act):
    earlier = list(audits(action).values_list("pk", flat=True))  # the draft's first file
    actor, target, details = act(operation, request.getfixturevalue)
    entry = audits(action).exclude(pk__in=earlier).get()
    assert (entry.actor, entry.actor_username, entry.state_id) == (
        actor,
        actor.username,
        actor.state_id,
    )
    assert (entry.object_type, entry.object_id) == target
    assert entry.details == details
    assert SECRET not in f"{entry.object_repr} {entry.details}"


def test_an_amendment_keeps_the_rows_of_the_parties_it_does_not_rename(act, dk_officer):
    """What refers to a party (a link to the registry) survives an amendment that keeps
    its name; a renamed party is a new row."""
    from sharing.denials import services as denials
    from tests.sharing.conftest import denial_content

    denial = act(denials.publish, by=dk_officer, **denial_content())
    before = dict(denial.parties.values_list("name", "pk"))
    parties = [
        {"role": "end_user", "name": "NIMBUS  intercept LTD", "country": "AE", "address": "Dubai"},
        {"role": "consignee", "name": "Osprey Freight FZE", "country": "AE"},
    ]
    denial = act(
        denials.amend,
        denial,
        by=dk_officer,
        change_note="Consignee changed.",
        **denial_content(parties=parties),
    )
    after = dict(denial.parties.values_list("name", "pk"))
    assert after["NIMBUS  intercept LTD"] == before["Nimbus Intercept Ltd"]
    assert after["Osprey Freight FZE"] not in before.values()
    assert denial.parties.get(pk=before["Nimbus Intercept Ltd"]).address == "Dubai"


def test_an_amended_notice_keeps_its_entity_rows_by_name(act, dk_officer, make_notice):
    from sharing.notices import services as notices

    notice = make_notice()
    (kept,) = notice.entities.values_list("pk", flat=True)
    entities = [
        {"name": "Osprey Freight", "aliases": [], "country": "AE", "kind": "company"},
        {"name": "Nimbus Intercept Ltd", "aliases": ["NI"], "country": "CY", "kind": "company"},
    ]
    notice = act(
        notices.amend, notice, by=dk_officer, change_note="More.", material=True, entities=entities
    )
    rows = list(notice.entities.values_list("name", "pk", "position"))
    assert rows[1] == ("Nimbus Intercept Ltd", kept, 1) and rows[0][1] != kept


def test_an_events_kind_reads_in_the_language_of_the_moment():
    """get_kind_display looks the label up once per field, never fixes its language."""
    from django.utils import translation

    from sharing.common.choices import EventKind
    from sharing.common.models import Event

    event = Event(kind="notice.published")
    with translation.override("en"):
        english = event.get_kind_display()
    with translation.override("fr"):
        french = event.get_kind_display()
    assert english != french and english == str(EventKind("notice.published").label)
    assert Event(kind="unknown.kind").get_kind_display() == "unknown.kind"
