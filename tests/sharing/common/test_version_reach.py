"""Earlier versions reach only the states they were shared with ("redact, then share
wider"): a reader sees a version, its text, its diff, its change note and its files,
only if that version reached the reader's state, and each version carries its own
marking. Pins finding 1 of the outside security review (issue 17)."""

import pytest
from django.core.exceptions import ValidationError

from portal.models import AuditEntry
from sharing.common.models import Revision
from sharing.denials import services as denials
from sharing.notices import services as notices
from sharing.practices import services as practices
from tests.sharing.conftest import (
    BODY,
    REDACTED,
    denial_content,
    notice_content,
    pdf,
    practice_content,
)

pytestmark = pytest.mark.django_db


# --- Notices: pages -------------------------------------------------------------------------


def test_a_state_added_later_never_sees_the_removed_line(client, redacted_notice, fr_viewer):
    client.force_login(fr_viewer)
    page = client.get(redacted_notice.get_absolute_url()).content.decode()
    assert "KESTREL" not in page
    assert "Version 2" in page
    assert "Version 1" not in page
    assert "Earlier versions were not shared with your state." in page


def test_the_original_reader_still_sees_version_one_under_its_own_marking(
    client, redacted_notice, no_viewer
):
    client.force_login(no_viewer)
    response = client.get(redacted_notice.get_absolute_url())
    page = response.content.decode()
    assert "KESTREL" in page  # the removed line, in the diff of version 2
    versions = {r.version: r for r in response.context["revisions"]}
    assert set(versions) == {1, 2}
    assert (versions[1].tlp, versions[2].tlp) == ("amber+strict", "green")
    # The diff holds text of version 1: it carries the stricter of the two markings.
    assert versions[2].diff_tlp == "amber+strict"
    assert "TLP:AMBER+STRICT" in page


def test_the_author_sees_every_version(client, redacted_notice, dk_viewer):
    client.force_login(dk_viewer)
    response = client.get(redacted_notice.get_absolute_url())
    assert [r.version for r in response.context["revisions"]] == [2, 1]


def test_a_removed_file_is_not_downloadable_by_a_state_it_never_reached(
    client, redacted_notice, fr_viewer, no_viewer, dk_viewer
):
    url = f"/attachments/{redacted_notice.source_file.pk}/"
    client.force_login(fr_viewer)
    assert client.get(url).status_code == 404
    page = client.get(redacted_notice.get_absolute_url()).content.decode()
    assert "Source report" not in page
    for reader in (no_viewer, dk_viewer):  # it reached them with version 1
        client.force_login(reader)
        assert client.get(url).status_code == 200


def test_only_a_draft_lets_its_files_through_without_the_version_rule(
    client, redacted_notice, fr_viewer
):
    # The rule keys on the status, not on a date a data fix or an import could leave out.
    type(redacted_notice).objects.filter(pk=redacted_notice.pk).update(published_at=None)
    client.force_login(fr_viewer)
    assert client.get(f"/attachments/{redacted_notice.source_file.pk}/").status_code == 404


def test_a_file_kept_in_a_wider_version_reaches_the_new_readers(
    client, make_notice, dk_officer, fr_viewer
):
    notice = notices.create(
        by=dk_officer,
        attachments=[pdf("Public annex.pdf")],
        **notice_content(audience="selected", recipient_states=["NO"]),
    )
    notice = notices.publish(notice, by=dk_officer)
    notices.amend(
        notice, by=dk_officer, change_note="Wider.", material=True, audience="subscribing"
    )
    client.force_login(fr_viewer)
    assert client.get(f"/attachments/{notice.attachments.get().pk}/").status_code == 200


def test_lowering_the_marking_alone_keeps_each_version_under_its_own(
    client, make_notice, dk_officer, no_viewer
):
    notice = make_notice(tlp="amber", audience="selected", recipient_states=["NO"], body=BODY)
    notices.amend(
        notice, by=dk_officer, change_note="Cleared.", material=True, tlp="clear", body=REDACTED
    )
    client.force_login(no_viewer)
    response = client.get(notice.get_absolute_url())
    versions = {r.version: r for r in response.context["revisions"]}
    assert (versions[1].tlp, versions[2].tlp, versions[2].diff_tlp) == ("amber", "clear", "amber")


def test_removing_a_file_is_audited_and_kept(redacted_notice):
    source = redacted_notice.source_file
    assert source.removed_in == 2
    assert source.file.storage.exists(source.file.name)
    removal = AuditEntry.objects.get(action="attachment.removed")
    assert removal.details["version"] == 2
    snapshots = {r.version: r.snapshot for r in redacted_notice.revisions.all()}
    assert [a["id"] for a in snapshots[1]["attachments"]] == [str(source.pk)]
    assert snapshots[2]["attachments"] == []


def test_only_files_of_the_current_version_can_be_removed(make_notice, dk_officer):
    notice = make_notice()
    with pytest.raises(ValidationError) as refused:
        notices.amend(
            notice,
            by=dk_officer,
            change_note="Nothing.",
            material=False,
            remove_attachments=["00000000-0000-0000-0000-000000000000"],
        )
    assert "remove_attachments" in refused.value.message_dict


def test_removing_a_file_alone_is_a_change(make_notice, dk_officer):
    notice = notices.create(by=dk_officer, attachments=[pdf()], **notice_content())
    notice = notices.publish(notice, by=dk_officer)
    amended = notices.amend(
        notice,
        by=dk_officer,
        change_note="File withdrawn.",
        material=False,
        remove_attachments=[notice.attachments.get().pk],
    )
    assert amended.version == 2


def test_each_revision_records_whom_it_reached(redacted_notice):
    first, second = sorted(redacted_notice.revisions.all(), key=lambda r: r.version)
    assert (first.tlp, first.audience) == ("amber+strict", "selected")
    assert sorted(s.pk for s in first.reached_states.all()) == ["DK", "NO"]
    assert (second.tlp, second.audience) == ("green", "subscribing")
    assert len(second.reached_states.all()) == 25  # every subscribing state, Denmark too


def test_the_revision_rule_is_the_queryset(redacted_notice, fr_viewer, no_viewer):
    assert [r.version for r in Revision.objects.visible_to(fr_viewer)] == [2]
    assert sorted(r.version for r in Revision.objects.visible_to(no_viewer)) == [1, 2]


def test_the_rule_narrowed_to_one_kind_is_the_rule(
    redacted_notice,
    make_notice,
    dk_officer,
    no_officer,
    fr_viewer,
    no_viewer,
    dk_viewer,
    observer_user,
):
    """A page about one kind of item asks ``visible_to(user, of=kind)``: the same
    versions and files as the whole rule gives of that kind, for every reader."""
    from django.contrib.auth.models import AnonymousUser

    from sharing.common.models import Attachment

    make_notice(attachments=[pdf("Draft.pdf")])  # a draft's files: its state only
    practice = practices.create(
        by=no_officer, attachments=[pdf("Internal.pdf")], **practice_content()
    )
    practice = practices.publish(practice, by=no_officer)
    practices.amend(
        practice,
        by=no_officer,
        change_note="Wider.",
        material=True,
        audience="community",
        remove_attachments=[practice.attachments.get().pk],
    )
    denials.publish(by=dk_officer, **denial_content(audience="selected", recipient_states=["NO"]))
    readers = [fr_viewer, no_viewer, dk_viewer, observer_user, AnonymousUser()]
    seen = set()
    for reader in readers:
        for kind in ("notice", "best_practice", "denial", "advisory"):
            whole = Revision.objects.visible_to(reader).filter(**{f"{kind}__isnull": False})
            narrowed = Revision.objects.visible_to(reader, of=kind)
            assert set(narrowed) == set(whole), (reader, kind)
            seen |= {(kind, r.pk) for r in narrowed}
        for kind in ("notice", "best_practice"):
            whole = Attachment.objects.visible_to(reader).filter(**{f"{kind}__isnull": False})
            narrowed = Attachment.objects.visible_to(reader, of=kind)
            assert set(narrowed) == set(whole), (reader, kind)
            seen |= {(kind, "file", a.pk) for a in narrowed}
    # Not vacuous: readers saw versions of three kinds, and files of both.
    assert {entry[0] for entry in seen} == {"notice", "best_practice", "denial"}
    assert {entry[0] for entry in seen if entry[1] == "file"} == {"notice", "best_practice"}


# --- Best practices -------------------------------------------------------------------------


def test_a_practice_widened_to_the_community_hides_its_earlier_text_from_observers(
    client, make_practice, no_officer, observer_user
):
    practice = make_practice(body=BODY, audience="subscribing")
    practices.amend(
        practice,
        by=no_officer,
        change_note="Shared with observers.",
        material=True,
        body=REDACTED,
        audience="community",
    )
    client.force_login(observer_user)
    response = client.get(practice.get_absolute_url())
    assert response.status_code == 200
    assert "KESTREL" not in response.content.decode()
    assert [r.version for r in response.context["revisions"]] == [2]


def test_a_practice_file_removed_when_widening_stays_with_the_first_readers(
    client, no_officer, fr_viewer, observer_user
):

    practice = practices.create(
        by=no_officer, attachments=[pdf("Internal.pdf")], **practice_content()
    )
    practice = practices.publish(practice, by=no_officer)
    attachment = practice.attachments.get()
    practices.amend(
        practice,
        by=no_officer,
        change_note="Shared with observers.",
        material=True,
        audience="community",
        remove_attachments=[attachment.pk],
    )
    client.force_login(observer_user)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404
    client.force_login(fr_viewer)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 200


# --- Denials --------------------------------------------------------------------------------


def test_a_denial_widened_later_hides_earlier_change_notes(
    client, dk_officer, fr_viewer, no_viewer
):

    denial = denials.publish(
        by=dk_officer, **denial_content(audience="selected", recipient_states=["NO"])
    )
    denial = denials.amend(
        denial,
        by=dk_officer,
        change_note="Removed the name of the informant KESTREL from the reason.",
        reason="Risk of use against journalists.",
    )
    denials.amend(denial, by=dk_officer, change_note="Shared with all.", audience="subscribing")
    client.force_login(fr_viewer)
    response = client.get(denial.get_absolute_url())
    assert response.status_code == 200
    assert "KESTREL" not in response.content.decode()
    assert [r.version for r in response.context["revisions"]] == [3]
    client.force_login(no_viewer)
    assert "KESTREL" in client.get(denial.get_absolute_url()).content.decode()


def test_the_migration_gives_existing_revisions_the_reach_their_content_recorded(
    redacted_notice, make_practice, no_officer
):
    import importlib

    from django.apps import apps

    from sharing.notices.models import Comment

    migration = importlib.import_module("sharing.migrations.0013_version_reach")
    practice = make_practice(co_authors=["FR"], audience="subscribing")
    public = make_practice(title="Public", public=True, audience="community")
    comment = notices.comment(redacted_notice, by=no_officer, body="Noted.")
    Revision.objects.update(audience="", tlp="", public=False)
    Revision.reached_states.through.objects.all().delete()
    Comment.objects.update(version=1)
    migration.backfill(apps, None)
    first, second = sorted(redacted_notice.revisions.all(), key=lambda r: r.version)
    assert (first.audience, first.tlp) == ("selected", "amber+strict")
    assert sorted(s.pk for s in first.reached_states.all()) == ["DK", "NO"]
    assert (second.audience, second.tlp) == ("subscribing", "green")
    assert len(second.reached_states.all()) == 25
    only = practice.revisions.get()
    assert (only.audience, only.public, only.tlp) == ("subscribing", False, "")
    assert {"NO", "FR"} <= {s.pk for s in only.reached_states.all()}
    assert public.revisions.get().public
    comment.refresh_from_db()
    assert comment.version == 2


def test_the_amend_page_offers_the_current_files_for_removal(client, dk_officer, fr_viewer):
    from tests.sharing.notices.test_notice_pages import form_data

    notice = notices.create(
        by=dk_officer,
        attachments=[pdf("Source report.pdf")],
        **notice_content(audience="selected", recipient_states=["NO"]),
    )
    notice = notices.publish(notice, by=dk_officer)
    source = notice.attachments.get()
    client.force_login(dk_officer)
    page = client.get(f"/notices/{notice.pk}/amend/").content.decode()
    assert "Remove from the new version" in page and "Source report.pdf" in page
    data = form_data(
        change_note="Source report withdrawn; shared with all.",
        material="true",
        audience="subscribing",
        recipient_states=[],
        remove_attachments=[str(source.pk)],
    )
    assert client.post(f"/notices/{notice.pk}/amend/", data).status_code == 302
    source.refresh_from_db()
    assert source.removed_in == 2
    client.force_login(fr_viewer)
    assert client.get(f"/attachments/{source.pk}/").status_code == 404
    # A file of another item is not a choice: the form refuses it, nothing changes.
    client.force_login(dk_officer)
    other = notices.create(by=dk_officer, attachments=[pdf()], **notice_content())
    tampered = form_data(
        change_note="x", material="true", remove_attachments=[str(other.attachments.get().pk)]
    )
    response = client.post(f"/notices/{notice.pk}/amend/", tampered)
    assert response.status_code == 400
    assert "remove_attachments" in response.context["form"].errors


# --- Reach is whom a version reached when it was published (the outside re-review) ---------


def test_a_co_author_added_later_does_not_read_the_versions_before(
    client, no_officer, observer_user
):
    practice = practices.create(
        by=no_officer, attachments=[pdf("Internal.pdf")], **practice_content(body=BODY)
    )
    practice = practices.publish(practice, by=no_officer)
    memo = practice.attachments.get()
    practices.amend(
        practice,
        by=no_officer,
        change_note="Chile joins as co-author.",
        material=True,
        body=REDACTED,
        co_authors=["CL"],
        remove_attachments=[memo.pk],
    )
    client.force_login(observer_user)
    response = client.get(practice.get_absolute_url())
    assert [r.version for r in response.context["revisions"]] == [2]
    assert "KESTREL" not in response.content.decode()
    assert client.get(f"/attachments/{memo.pk}/").status_code == 404


def test_a_state_that_subscribes_later_reads_the_current_version_only(
    client, make_practice, no_officer, observer_user
):
    practice = make_practice(body=BODY, audience="subscribing")
    practices.amend(practice, by=no_officer, change_note="Redacted.", material=True, body=REDACTED)
    observer_user.state.status = "subscribing"
    observer_user.state.save()
    client.force_login(observer_user)
    response = client.get(practice.get_absolute_url())
    assert [r.version for r in response.context["revisions"]] == [2]
    assert "KESTREL" not in response.content.decode()


def test_comments_stay_with_the_readers_of_the_version_they_were_written_under(
    client, dk_officer, no_officer, fr_viewer, no_viewer
):
    notice = notices.create(
        by=dk_officer, **notice_content(tlp="red", audience="selected", recipient_states=["NO"])
    )
    notice = notices.publish(notice, by=dk_officer)
    notices.comment(notice, by=no_officer, body="We know KESTREL from an earlier case.")
    notice = notices.amend(
        notice,
        by=dk_officer,
        change_note="Shared with all.",
        material=True,
        tlp="green",
        audience="subscribing",
        recipient_states=[],
    )
    notices.comment(notice, by=no_officer, body="Nothing to add for now.")
    client.force_login(fr_viewer)
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "KESTREL" not in page and "Nothing to add for now." in page
    client.force_login(no_viewer)
    assert "KESTREL" in client.get(notice.get_absolute_url()).content.decode()
