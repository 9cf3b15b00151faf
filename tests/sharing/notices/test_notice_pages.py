"""The notice pages: forms that show every mistake next to its field, tampered input
that changes nothing, and pages whose query count does not grow with the data."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.models import AuditEntry
from sharing.common.models import Attachment, Event
from sharing.notices import services as notices
from sharing.notices.models import Notice, NoticeEntity
from tests.sharing.conftest import PDF_BYTES, pdf

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "kind": "end_user_alert",
        "title": "Surveillance integrator seeks licences",
        "summary": "An integrator of IP surveillance systems is applying in several states.",
        "body": "Details in the attached assessment.",
        "categories": ["ip-network-surveillance", "data-analytics"],
        "control_codes": "5A001.j, 5D001.e",
        "countries_of_concern": "MM, AE",
        "severity": "high",
        "tlp": "amber",
        "audience": "selected",
        "recipient_states": ["NO", "FI"],
        "valid_until": "",
        "entities-TOTAL_FORMS": "2",
        "entities-INITIAL_FORMS": "0",
        "entities-MIN_NUM_FORMS": "0",
        "entities-MAX_NUM_FORMS": "50",
        "entities-0-name": "Orbis Analytics FZE",
        "entities-0-aliases": "Orbis, OA FZE",
        "entities-0-country": "AE",
        "entities-0-kind": "company",
        "entities-0-identifiers": "Licence 7781",
        "entities-0-notes": "",
        "entities-1-name": "K. Ruslanov",
        "entities-1-aliases": "",
        "entities-1-country": "",
        "entities-1-kind": "individual",
        "entities-1-identifiers": "",
        "entities-1-notes": "Broker.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def officer_client(client, dk_officer):
    client.force_login(dk_officer)
    return client


def test_an_officer_drafts_a_notice_with_entities_and_a_file(officer_client):
    data = form_data(attachments=pdf("Orbis assessment.pdf"))
    response = officer_client.post("/notices/new/", data)
    notice = Notice.objects.get()
    assert response["Location"] == notice.get_absolute_url()
    assert notice.status == "draft"
    assert [e.name for e in notice.entities.all()] == ["Orbis Analytics FZE", "K. Ruslanov"]
    assert notice.entities.first().aliases == ["Orbis", "OA FZE"]
    assert sorted(s.pk for s in notice.recipient_states.all()) == ["FI", "NO"]
    assert notice.control_codes == ["5A001.j", "5D001.e"]
    assert notice.countries_of_concern == ["MM", "AE"]
    attachment = notice.attachments.get()
    assert (attachment.filename, attachment.content_type) == (
        "Orbis assessment.pdf",
        "application/pdf",
    )
    page = officer_client.get(notice.get_absolute_url()).content.decode()
    assert "Orbis Analytics FZE" in page and "TLP:AMBER" in page and "Publish…" in page


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"kind": "gossip"}, "kind"),
        ({"categories": []}, "categories"),
        ({"categories": ["invented"]}, "categories"),
        ({"control_codes": "4A005, bogus"}, "control_codes"),
        ({"countries_of_concern": "AE, Atlantis"}, "countries_of_concern"),
        ({"severity": ""}, "severity"),
        ({"tlp": "purple"}, "tlp"),
        ({"audience": "selected", "recipient_states": []}, "recipient_states"),
        ({"tlp": "red", "audience": "community", "recipient_states": []}, "audience"),
        ({"valid_until": "31/02/2027"}, "valid_until"),
        ({"valid_until": "2001-01-01"}, "valid_until"),
        # A tampered form: another state's own list, the author's own state, a suspended one.
        ({"recipient_states": ["DK"]}, "recipient_states"),
        ({"recipient_states": ["ZZ"]}, "recipient_states"),
    ],
)
def test_every_bad_value_gets_a_field_error_and_nothing_is_saved(officer_client, overrides, field):
    response = officer_client.post("/notices/new/", form_data(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Notice.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"entities-0-name": ""}, "name"),
        ({"entities-0-country": "QQ"}, "country"),
        ({"entities-0-kind": "alien"}, "kind"),
    ],
)
def test_a_bad_entity_gets_an_error_in_its_own_row(officer_client, overrides, field):
    response = officer_client.post("/notices/new/", form_data(**overrides))
    assert response.status_code == 400
    assert field in response.context["formset"].forms[0].errors
    assert not Notice.objects.exists()


def everything_stored() -> tuple:
    """What a refused form must leave as it was: the notices, their entities, the audit
    log (but for the reading of a restricted notice the page shows again, which is
    audited whatever was sent) and the outbox."""
    return (
        list(
            Notice.objects.order_by("pk").values_list(
                "pk", "version", "status", "title", "summary", "body", "audience", "updated_at"
            )
        ),
        list(NoticeEntity.objects.order_by("pk").values_list("pk", "name", "notes")),
        AuditEntry.objects.exclude(action="notice.viewed").count(),
        Event.objects.count(),
    )


def page_for(kind, make_notice) -> tuple[str, dict]:
    """The address of the create, edit or amend page, and what it needs besides."""
    if kind == "create":
        return "/notices/new/", {}
    if kind == "edit":
        return f"/notices/{make_notice(publish=False).pk}/edit/", {}
    notice = make_notice()
    return f"/notices/{notice.pk}/amend/", {"change_note": "Corrected.", "material": "true"}


def field_errors(response, field) -> list:
    if field.startswith("entities-"):  # entities-<row>-<field>
        _, row, name = field.split("-")
        return response.context["formset"].forms[int(row)].errors.get(name, [])
    return response.context["form"].errors.get(field, [])


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"summary": "x" * 1001}, "summary"),
        ({"body": "Ring the bell\x07 twice."}, "body"),
        ({"body": "Escape \x1b[31m sequences"}, "body"),
        ({"audience": "everyone"}, "audience"),
        ({"entities-0-notes": "x" * 2001}, "entities-0-notes"),
    ],
    ids=["long-summary", "bell-in-body", "escape-in-body", "unknown-audience", "long-notes"],
)
@pytest.mark.parametrize("kind", ["create", "edit", "amend"])
def test_bad_input_on_every_form_shows_its_error_and_changes_nothing(
    officer_client, make_notice, kind, overrides, field
):
    path, extra = page_for(kind, make_notice)
    before = everything_stored()
    response = officer_client.post(path, form_data(**extra, **overrides))
    assert response.status_code == 400
    assert field_errors(response, field), (
        response.context["form"].errors,
        response.context["formset"].errors,
    )
    assert 'aria-invalid="true"' in response.content.decode()
    assert everything_stored() == before


def test_a_disguised_executable_is_refused(officer_client):
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    response = officer_client.post("/notices/new/", form_data(attachments=fake))
    assert response.status_code == 400
    assert "attachments" in response.context["form"].errors
    assert not Notice.objects.exists()
    assert not Attachment.objects.exists()


def test_another_states_notice_cannot_be_edited_by_tampering_with_the_url(
    client, make_notice, no_admin
):
    notice = make_notice(publish=False)
    client.force_login(no_admin)
    assert client.post(f"/notices/{notice.pk}/edit/", form_data(title="Hijack")).status_code == 404
    published = make_notice(audience="subscribing")
    response = client.post(
        f"/notices/{published.pk}/amend/",
        form_data(
            title="Hijack",
            change_note="x",
            material="true",
            audience="subscribing",
            recipient_states=[],
        ),
    )
    assert response.status_code == 403
    notice.refresh_from_db()
    published.refresh_from_db()
    assert "Hijack" not in (notice.title + published.title)


def test_publish_asks_for_confirmation_then_publishes(officer_client, make_notice):
    notice = make_notice(publish=False, audience="selected", recipient_states=["NO", "FI"])
    page = officer_client.get(f"/notices/{notice.pk}/publish/").content.decode()
    assert "Finland" in page and "Norway" in page
    notice.refresh_from_db()
    assert notice.is_draft
    officer_client.post(f"/notices/{notice.pk}/publish/")
    notice.refresh_from_db()
    assert notice.is_published and notice.reference


def test_amend_page_publishes_a_new_version_with_its_note(officer_client, make_notice):
    notice = make_notice()
    data = form_data(
        title="Updated title",
        change_note="Second broker identified.",
        material="true",
        audience="subscribing",
        recipient_states=[],
    )
    response = officer_client.post(f"/notices/{notice.pk}/amend/", data)
    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.version, notice.title) == (2, "Updated title")
    page = officer_client.get(notice.get_absolute_url()).content.decode()
    assert "Second broker identified." in page
    assert "Version 2" in page and "Version 1" in page
    assert "Updated title" in page and "<del>" in page  # the diff between versions


def test_amend_without_a_note_shows_the_error(officer_client, make_notice):
    notice = make_notice()
    data = form_data(
        title="Changed",
        change_note="",
        material="true",
        audience="subscribing",
        recipient_states=[],
    )
    response = officer_client.post(f"/notices/{notice.pk}/amend/", data)
    assert response.status_code == 400
    assert "change_note" in response.context["form"].errors


def test_withdraw_needs_a_reason_and_leaves_a_banner(officer_client, make_notice):
    notice = make_notice()
    assert officer_client.post(f"/notices/{notice.pk}/withdraw/", {"reason": ""}).status_code == 400
    officer_client.post(f"/notices/{notice.pk}/withdraw/", {"reason": "Company dissolved."})
    page = officer_client.get(notice.get_absolute_url()).content.decode()
    assert "Withdrawn" in page and "Company dissolved." in page
    assert "Amend…" not in page


@pytest.mark.parametrize(
    ("tlp", "audited"),
    [("clear", False), ("green", False), ("amber", True), ("amber+strict", True), ("red", True)],
)
def test_reading_an_amber_or_red_notice_is_audited_without_its_content(
    client, make_notice, no_viewer, tlp, audited
):
    notice = make_notice(
        title="Operation NIGHTJAR", tlp=tlp, audience="selected", recipient_states=["NO"]
    )
    client.force_login(no_viewer)
    assert "Operation NIGHTJAR" in client.get(notice.get_absolute_url()).content.decode()
    viewed = list(AuditEntry.objects.filter(action="notice.viewed"))
    if not audited:
        assert viewed == []
        return
    [entry] = viewed
    assert (entry.actor, entry.state_id) == (no_viewer, "NO")
    assert (entry.object_type, entry.object_id) == ("sharing.notice", str(notice.pk))
    assert entry.details == {"tlp": tlp, "version": 1}
    assert "NIGHTJAR" not in entry.object_repr


def test_the_recipient_state_sees_its_own_acknowledgement_and_the_author_sees_all(
    client, make_notice, no_viewer, dk_officer
):
    notice = make_notice(audience="selected", recipient_states=["NO", "FI"])
    notices.acknowledge(notice, by=no_viewer, level="assessed", note="Licences held back.")
    client.force_login(dk_officer)
    author_page = client.get(notice.get_absolute_url())
    rows = {row.state.pk: row for row in author_page.context["ack"].rows}
    assert rows["NO"].acknowledgement.level == "assessed" and rows["FI"].acknowledgement is None
    assert "No response" in author_page.content.decode()
    assert "Licences held back." in author_page.content.decode()
    client.force_login(no_viewer)
    reader_page = client.get(notice.get_absolute_url())
    assert reader_page.context["ack"].rows == []  # other states' answers are the author's
    assert "Norway: Assessed" in reader_page.content.decode()


def test_download_is_an_audited_attachment_with_nosniff(client, make_notice, no_viewer):
    notice = make_notice(publish=False)
    notices.attach(notice, pdf("Report.docx"), by=notice.created_by)
    notice = notices.publish(notice, by=notice.created_by)
    attachment = notice.attachments.get()
    client.force_login(no_viewer)
    response = client.get(f"/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Report.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    entry = AuditEntry.objects.get(action="attachment.downloaded")
    assert (entry.actor, entry.state_id) == (no_viewer, "NO")
    assert (entry.object_type, entry.object_id) == ("sharing.attachment", str(attachment.pk))
    assert entry.details == {"notice": str(notice.pk)}
    assert "Report" not in entry.object_repr  # the file's name may say too much


def test_attachments_have_no_public_url(make_notice):
    notice = make_notice(publish=False)
    attachment = notices.attach(notice, pdf(), by=notice.created_by)
    with pytest.raises(ValueError):
        attachment.file.url  # noqa: B018


def test_blank_entity_rows_are_ignored(officer_client):
    data = form_data(
        **{
            "entities-TOTAL_FORMS": "3",
            "entities-2-name": "",
            "entities-2-aliases": "",
            "entities-2-country": "",
            "entities-2-kind": "company",
            "entities-2-identifiers": "",
            "entities-2-notes": "",
        }
    )
    response = officer_client.post("/notices/new/", data)
    assert response.status_code == 302, response.context["formset"].errors
    assert Notice.objects.get().entities.count() == 2


def test_editing_a_draft_keeps_and_changes_its_entities(officer_client, make_notice):
    notice = make_notice(publish=False)
    page = officer_client.get(f"/notices/{notice.pk}/edit/")
    assert page.context["formset"].forms[0]["name"].value() == "Nimbus Intercept Ltd"
    data = form_data(
        **{
            "entities-TOTAL_FORMS": "2",
            "entities-INITIAL_FORMS": "1",
            "entities-0-name": "Nimbus Intercept Ltd",
            "entities-0-aliases": "Nimbus",
            "entities-0-DELETE": "on",
            "entities-1-name": "Cirrus Holdings",
            "entities-1-aliases": "",
            "entities-1-kind": "company",
        }
    )
    response = officer_client.post(f"/notices/{notice.pk}/edit/", data)
    assert response.status_code == 302
    assert [e.name for e in notice.entities.all()] == ["Cirrus Holdings"]


def test_files_come_off_a_draft_but_stay_on_a_published_notice(
    officer_client, make_notice, dk_officer
):
    draft = make_notice(publish=False)
    notices.attach(draft, pdf(), by=dk_officer)
    attachment = draft.attachments.get()
    officer_client.post(f"/attachments/{attachment.pk}/remove/")
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert AuditEntry.objects.filter(action="attachment.removed").exists()

    notices.attach(draft, pdf("kept.pdf"), by=dk_officer)
    published = notices.publish(draft, by=dk_officer)
    kept = published.attachments.get()
    response = officer_client.post(f"/attachments/{kept.pk}/remove/", follow=True)
    assert "kept with its versions" in response.content.decode()
    assert Attachment.objects.filter(pk=kept.pk).exists()


def test_notice_pages_speak_french_to_a_french_user(client, make_notice, fr_viewer):
    notice = make_notice(tlp="red", audience="selected", recipient_states=["FR"])
    fr_viewer.language = "fr"
    fr_viewer.save()
    client.force_login(fr_viewer)
    listing = client.get("/notices/").content.decode()
    assert "Avis de menace et de risque" in listing
    page = client.get(notice.get_absolute_url()).content.decode()
    assert "Pour les yeux et les oreilles des destinataires individuels uniquement" in page


def test_a_tampered_entity_count_is_refused_at_once(officer_client):
    import time

    started = time.monotonic()
    response = officer_client.post("/notices/new/", form_data(**{"entities-TOTAL_FORMS": "10000"}))
    assert time.monotonic() - started < 5
    assert response.status_code == 400
    assert "at most 50" in " ".join(response.context["formset"].non_form_errors())
    assert not Notice.objects.exists()


@pytest.mark.parametrize("field", ["entities-0-aliases", "entities-0-identifiers", "title"])
def test_null_characters_are_refused(officer_client, field):
    response = officer_client.post("/notices/new/", form_data(**{field: "a\x00b"}))
    assert response.status_code == 400
    assert not Notice.objects.exists()


def test_a_refused_upload_leaves_no_file_behind(officer_client, settings):
    bad = SimpleUploadedFile("tool.pdf", b"MZ" + b"\x00" * 100)
    response = officer_client.post("/notices/new/", form_data(attachments=[pdf(), bad]))
    assert response.status_code == 400
    stored = [p for p in settings.PRIVATE_MEDIA_ROOT.rglob("*") if p.is_file()]
    assert stored == []


def test_a_bad_comment_comes_back_with_its_error_next_to_it(client, make_notice, no_admin):
    notice = make_notice()
    client.force_login(no_admin)
    response = client.post(f"/notices/{notice.pk}/comments/", {"body": "x" * 6000})
    assert response.status_code == 400
    assert "body" in response.context["comment_form"].errors
    assert 'aria-invalid="true"' in response.content.decode()


def test_the_withdraw_page_is_for_published_notices_only(officer_client, make_notice):
    draft = make_notice(publish=False)
    response = officer_client.get(f"/notices/{draft.pk}/withdraw/")
    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()


def test_the_audit_log_names_notices_and_files_without_their_content(
    officer_client, make_notice, dk_officer, no_viewer, client
):
    notice = make_notice(
        publish=False,
        title="Operation NIGHTJAR",
        tlp="red",
        audience="selected",
        recipient_states=["NO"],
    )
    notices.attach(notice, pdf("NIGHTJAR-sources.pdf"), by=dk_officer)
    notice = notices.publish(notice, by=dk_officer)
    client.force_login(no_viewer)
    client.get(notice.get_absolute_url())
    client.get(f"/attachments/{notice.attachments.get().pk}/")
    notices.withdraw(notice, by=dk_officer, reason="Source NIGHTJAR burned")
    draft = make_notice(publish=False, title="NIGHTJAR follow-up")
    notices.delete(draft, by=dk_officer)
    for entry in AuditEntry.objects.all():
        text = f"{entry.object_repr} {entry.details}"
        assert "NIGHTJAR" not in text, entry.action


def test_deleting_a_published_notice_is_refused_with_the_reason(client, make_notice, dk_officer):
    notice = make_notice()
    client.force_login(dk_officer)
    # The page is offered for drafts only...
    assert client.get(f"/notices/{notice.pk}/delete/")["Location"] == notice.get_absolute_url()
    # ...and a request sent anyway is sent back to the notice, told why nothing happened.
    response = client.post(f"/notices/{notice.pk}/delete/", follow=True)
    assert response.redirect_chain == [(notice.get_absolute_url(), 302)]
    assert "A published notice is never deleted; withdraw it instead." in response.content.decode()
    assert Notice.objects.filter(pk=notice.pk, status="published").exists()
