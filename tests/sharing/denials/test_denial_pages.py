"""The pages of licence denials, screening and consultations: who sees what (404 for
what may not be seen, 403 for what may be seen but not done), forms that show each
mistake next to its field and change nothing, tampered forms, and pages whose query
count does not grow with the data."""

import datetime
import re

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from portal.models import AuditEntry
from sharing.common.models import Event
from sharing.demo import seed_denials
from sharing.denials import services as denials
from sharing.denials.choices import ConsultationStatus, DenialStatus
from sharing.denials.models import Consultation, ConsultationMessage, Denial
from sharing.notifications.models import Notification
from sharing.screening import services as screening
from sharing.screening.models import Screening
from tests.factories import UserFactory
from tests.sharing.conftest import consultation_content, denial_content

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
LIST = reverse("sharing:denial-list")
CREATE = reverse("sharing:denial-create")
SCREEN = reverse("sharing:screening")
BOARD = reverse("sharing:consultation-list")
INBOX = reverse("sharing:inbox")


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def form_data(**overrides) -> dict:
    """What the denial form sends: an end-user and a consignee, the defaults kept."""
    data = {
        "national_reference": "DK-2026/0100",
        "decided_on": days_ago(10).isoformat(),
        "control_entry": "5A001.j",
        "item_description": "Monitoring centre for lawful interception.",
        "end_use": "National police.",
        "reason_category": "human_rights",
        "reason": "No judicial oversight of interception.",
        "review_on": "",
        "tlp": "amber",
        "audience": "subscribing",
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "10",
        "parties-0-role": "end_user",
        "parties-0-name": "Orbis Analytics FZE",
        "parties-0-aliases": "Orbis, OA FZE",
        "parties-0-address": "Free Zone 7",
        "parties-0-country": "AE",
        "parties-1-role": "consignee",
        "parties-1-name": "Stratus Trading LLC",
        "parties-1-aliases": "",
        "parties-1-address": "",
        "parties-1-country": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def everything_stored() -> tuple:
    """What a refused form must leave as it was."""
    return (
        list(
            Denial.objects.order_by("pk").values_list(
                "pk", "version", "status", "end_use", "review_on", "updated_at"
            )
        ),
        list(Consultation.objects.order_by("pk").values_list("pk", "status", "due_on", "answer")),
        ConsultationMessage.objects.count(),
        Screening.objects.count(),
        # Signing in and reading are audited too; they change nothing.
        AuditEntry.objects.exclude(action__in=["auth.login", "denial.viewed"]).count(),
        Event.objects.count(),
    )


@pytest.fixture
def denial(dk_officer):
    return denials.publish(by=dk_officer, **denial_content())


@pytest.fixture
def narrow(dk_officer):
    """A denial shared with Norway only."""
    return denials.publish(
        by=dk_officer,
        **denial_content(
            national_reference="DK-2026/0043", audience="selected", recipient_states=["NO"]
        ),
    )


@pytest.fixture
def consultation(denial, fi_officer):
    return denials.open_consultation(denial, by=fi_officer, **consultation_content())


def signed_in(client, user):
    client.force_login(user)
    return client


def text_of(response) -> str:
    """The page's text without its tags, spaces collapsed."""
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- Notifying a denial ---------------------------------------------------------------------


def test_the_form_starts_from_the_denial_defaults(client, dk_officer):
    page = signed_in(client, dk_officer).get(CREATE)
    assert page.status_code == 200
    form = page.context["form"]
    assert form["tlp"].value() == "amber"
    assert form["audience"].value() == "subscribing"
    html = page.content.decode()
    assert '<option value="amber" selected>' in html
    assert re.search(r'value="subscribing"[^>]*checked', html)
    assert "three years after the date of decision" in html
    # The first party row is for the end-user, the second for the consignee.
    formset = page.context["formset"]
    assert [f["role"].value() for f in formset.forms] == ["end_user", "consignee"]
    for field in form.visible_fields():  # every field has a visible label
        assert f'for="{field.id_for_label}"' in html or field.field.widget.input_type in {
            "radio",
            "checkbox",
        }


def test_an_officer_notifies_a_denial_with_its_parties_and_defaults(client, dk_officer):
    response = signed_in(client, dk_officer).post(CREATE, form_data())
    denial = Denial.objects.get()
    assert response.status_code == 302 and response["Location"] == denial.get_absolute_url()
    assert (denial.tlp, denial.audience, denial.status) == ("amber", "subscribing", "active")
    decided = days_ago(10)
    assert denial.review_on == decided.replace(year=decided.year + 3)
    parties = {p.role: p for p in denial.parties.all()}
    assert parties["end_user"].name == "Orbis Analytics FZE"
    assert parties["end_user"].aliases == ["Orbis", "OA FZE"]
    assert parties["consignee"].name == "Stratus Trading LLC"
    assert Event.objects.filter(kind="denial.issued", denial=denial).exists()

    page = client.get(denial.get_absolute_url())
    text = text_of(page)
    assert "TLP:AMBER" in text and "Orbis Analytics FZE" in text and "Orbis, OA FZE" in text
    assert "Stratus Trading LLC" in text and "5A001.j" in text
    assert denial.review_on.strftime("%Y") in text
    assert "Amend…" in text and "Revoke…" in text and "Renew at review…" in text


def test_a_catch_all_denial_needs_no_control_entry_and_the_consignee_is_optional(
    client, dk_officer
):
    data = form_data(
        control_entry="",
        catch_all="on",
        **{"parties-1-role": "consignee", "parties-1-name": ""},
    )
    assert signed_in(client, dk_officer).post(CREATE, data).status_code == 302
    denial = Denial.objects.get()
    assert denial.catch_all and denial.control_entry == ""
    assert [p.role for p in denial.parties.all()] == ["end_user"]
    assert "non-listed (catch-all)" in text_of(client.get(denial.get_absolute_url()))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"national_reference": ""}, "national_reference"),
        ({"national_reference": "x" * 65}, "national_reference"),
        ({"decided_on": "2999-01-01"}, "decided_on"),
        ({"decided_on": "9999-12-31"}, "decided_on"),  # three years later is no date
        ({"decided_on": "31/02/2026"}, "decided_on"),
        ({"decided_on": ""}, "decided_on"),
        ({"control_entry": "not a code"}, "control_entry"),
        ({"control_entry": ""}, "control_entry"),
        ({"control_entry": "5A001", "catch_all": "on"}, "control_entry"),
        ({"item_description": ""}, "item_description"),
        ({"reason_category": "dislike"}, "reason_category"),
        ({"reason": ""}, "reason"),
        ({"reason": "Bell\x07"}, "reason"),
        ({"review_on": "2001-01-01"}, "review_on"),
        ({"tlp": "purple"}, "tlp"),
        ({"tlp": "red"}, "audience"),
        ({"audience": "everyone"}, "audience"),
        ({"audience": "selected"}, "recipient_states"),
        # A tampered form: the notifying state itself, an unknown state.
        ({"audience": "selected", "recipient_states": ["DK"]}, "recipient_states"),
        ({"audience": "selected", "recipient_states": ["ZZ"]}, "recipient_states"),
        ({"national_reference": "a\x00b"}, "national_reference"),
    ],
)
def test_every_bad_value_gets_a_field_error_and_nothing_is_saved(
    client, dk_officer, overrides, field
):
    signed_in(client, dk_officer)
    before = everything_stored()
    response = client.post(CREATE, form_data(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert everything_stored() == before


@pytest.mark.parametrize(
    ("overrides", "row", "field"),
    [
        ({"parties-0-country": "QQ"}, 0, "country"),
        ({"parties-0-role": "buyer"}, 0, "role"),
        ({"parties-0-aliases": "a\x00b"}, 0, "aliases"),
        ({"parties-1-address": "x" * 1001}, 1, "address"),
        ({"parties-1-name": "", "parties-1-country": "AE"}, 1, "name"),
    ],
)
def test_a_bad_party_gets_an_error_in_its_own_row(client, dk_officer, overrides, row, field):
    signed_in(client, dk_officer)
    before = everything_stored()
    response = client.post(CREATE, form_data(**overrides))
    assert response.status_code == 400
    assert field in response.context["formset"].forms[row].errors
    assert everything_stored() == before


def test_a_denial_without_an_end_user_says_so(client, dk_officer):
    data = form_data(**{"parties-0-role": "consignee"})
    response = signed_in(client, dk_officer).post(CREATE, data)
    assert response.status_code == 400
    assert "Name the end-user." in response.context["formset"].non_form_errors()
    assert "Name the end-user." in text_of(response)
    assert not Denial.objects.exists()


def test_a_tampered_party_count_is_refused_at_once(client, dk_officer):
    response = signed_in(client, dk_officer).post(
        CREATE, form_data(**{"parties-TOTAL_FORMS": "100000"})
    )
    assert response.status_code == 400
    assert "at most 10" in " ".join(response.context["formset"].non_form_errors())
    assert not Denial.objects.exists()


def test_a_reference_already_used_is_an_error_next_to_it(client, denial, dk_officer):
    response = signed_in(client, dk_officer).post(
        CREATE, form_data(national_reference=denial.national_reference)
    )
    assert response.status_code == 400
    assert "national_reference" in response.context["form"].errors
    assert Denial.objects.count() == 1


def test_viewers_observers_and_staff_may_not_notify(
    client, dk_viewer, observer_user, staff_user, seeded_states
):
    observer_officer = UserFactory(username="cl-officer", state_id="CL", role="officer")
    for user in (dk_viewer, observer_user, observer_officer, staff_user):
        signed_in(client, user)
        assert client.get(CREATE).status_code == 403
        assert client.post(CREATE, form_data()).status_code == 403
    assert not Denial.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, denial):
    for path in (LIST, CREATE, SCREEN, BOARD, denial.get_absolute_url()):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- The list -------------------------------------------------------------------------------


def test_the_list_shows_what_the_state_may_read(client, denial, narrow, no_viewer, fr_viewer):
    norway = text_of(signed_in(client, no_viewer).get(LIST))
    assert "2 denials" in norway
    assert denial.title in norway and narrow.title in norway
    assert "TLP:AMBER" in norway and "Nimbus Intercept Ltd" in norway
    france = text_of(signed_in(client, fr_viewer).get(LIST))
    assert "1 denial" in france and denial.title in france and narrow.title not in france
    assert "Notify a denial" not in france  # a viewer


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("", {"DK-2026/0042", "DK-2026/0050", "NO-2026/7"}),
        ("status=revoked", {"DK-2026/0050"}),
        ("status=active", {"DK-2026/0042", "NO-2026/7"}),
        ("reason=diversion", {"NO-2026/7"}),
        ("state=NO", {"NO-2026/7"}),
        ("destination=MM", {"NO-2026/7"}),
        ("destination=AE", {"DK-2026/0042", "DK-2026/0050"}),
        ("control_entry=5A001", {"DK-2026/0042", "NO-2026/7"}),
        ("control_entry=5a001.F", {"NO-2026/7"}),
        ("control_entry=4A005", {"DK-2026/0050"}),
    ],
)
def test_the_list_filters(client, denial, dk_officer, no_officer, fr_viewer, query, shown):
    revoked = denials.publish(
        by=dk_officer,
        **denial_content(national_reference="DK-2026/0050", control_entry="4A005"),
    )
    denials.revoke(revoked, by=dk_officer, reason="Granted after all.")
    denials.publish(
        by=no_officer,
        **denial_content(
            national_reference="NO-2026/7",
            control_entry="5A001.f",
            reason_category="diversion",
            parties=[
                {"role": "end_user", "name": "Someone Else", "country": "MM"},
                # A consignee's country is not the end-user's destination.
                {"role": "consignee", "name": "Forwarder", "country": "AE"},
            ],
        ),
    )
    response = signed_in(client, fr_viewer).get(f"{LIST}?{query}")
    assert response.status_code == 200
    listed = {d.national_reference for d in response.context["page"].object_list}
    assert listed == shown


@pytest.mark.parametrize(
    "query", ["status=lost", "state=ZZ", "destination=QQ", "control_entry=a%00b", "reason=x"]
)
def test_a_bad_filter_says_so_and_shows_nothing(client, denial, no_viewer, query):
    response = signed_in(client, no_viewer).get(f"{LIST}?{query}")
    assert response.status_code == 400
    assert list(response.context["page"].object_list) == []


def test_the_list_is_paginated(client, dk_officer, no_viewer):
    for n in range(27):
        denials.publish(by=dk_officer, **denial_content(national_reference=f"DK-P-{n}"))
    signed_in(client, no_viewer)
    first = client.get(LIST)
    assert len(first.context["page"].object_list) == 25 and "Page 1 of 2" in text_of(first)
    second = client.get(f"{LIST}?page=2")
    assert len(second.context["page"].object_list) == 2
    assert client.get(f"{LIST}?page=banana").status_code == 200


# --- One denial -----------------------------------------------------------------------------


def test_a_denial_the_state_may_not_read_is_404_everywhere(
    client, narrow, fr_viewer, fr_officer, staff_user, observer_user
):
    paths = [
        narrow.get_absolute_url(),
        reverse("sharing:denial-amend", args=[narrow.pk]),
        reverse("sharing:denial-revoke", args=[narrow.pk]),
        reverse("sharing:denial-renew", args=[narrow.pk]),
        reverse("sharing:consultation-open", args=[narrow.pk]),
    ]
    for user in (fr_viewer, fr_officer, staff_user, observer_user):
        signed_in(client, user)
        for path in paths:
            assert client.get(path).status_code == 404, (user, path)
            assert client.post(path, {"reason": "x"}).status_code == 404, (user, path)


def test_reading_an_amber_denial_is_audited_and_a_green_one_is_not(
    client, denial, dk_officer, no_viewer
):
    green = denials.publish(by=dk_officer, **denial_content(national_reference="DK-G", tlp="green"))
    signed_in(client, no_viewer)
    client.get(denial.get_absolute_url())
    client.get(green.get_absolute_url())
    viewed = AuditEntry.objects.filter(action="denial.viewed")
    assert list(viewed.values_list("object_id", flat=True)) == [str(denial.pk)]
    assert viewed.get().details == {"tlp": "amber", "version": 1}  # no content


def test_the_detail_shows_every_field_the_parties_and_the_versions(client, denial, dk_officer):
    denials.amend(
        denial, by=dk_officer, change_note="Second address of the end-user.", end_use="Borders."
    )
    page = signed_in(client, dk_officer).get(denial.get_absolute_url())
    text = text_of(page)
    for expected in (
        "Licence denial DK DK-2026/0042",
        "TLP:AMBER",
        "IP network surveillance system with deep packet inspection.",
        "Borders.",
        "Serious human-rights risk",
        "Risk of use against journalists and human-rights defenders.",
        "Nimbus Intercept Ltd",
        "Nimbus Systems",
        "PO Box 1, Dubai",
        "United Arab Emirates (AE)",
        "Falcon Trading FZE",
        "All subscribing states",
        "Version 2",
        "Version 1",
        "Second address of the end-user.",
        "Changed: stated end-use",
    ):
        assert expected in text, expected
    # The end-user comes before the consignee in the parties table.
    assert text.index("Nimbus Intercept Ltd") < text.index("Falcon Trading FZE")


def test_a_revoked_denial_is_bannered_and_offers_no_changes(client, denial, dk_officer, fi_officer):
    denials.revoke(denial, by=dk_officer, reason="The licence was granted on appeal.")
    text = text_of(signed_in(client, dk_officer).get(denial.get_absolute_url()))
    assert "Revoked" in text and "The licence was granted on appeal." in text
    assert "Amend…" not in text and "Revoke…" not in text
    response = client.get(reverse("sharing:denial-amend", args=[denial.pk]), follow=True)
    assert "Only a denial in force can be changed." in text_of(response)
    assert "Consult" not in text_of(signed_in(client, fi_officer).get(denial.get_absolute_url()))


def test_an_expired_denial_is_bannered(client, denial, no_viewer):
    denials.review_denials(denial.review_on + datetime.timedelta(days=1))
    text = text_of(signed_in(client, no_viewer).get(denial.get_absolute_url()))
    assert "Expired" in text and "did not review it" in text


def test_screening_counts_are_shown_without_naming_the_states(
    client, denial, dk_officer, fi_officer, no_officer
):
    screening.screen(by=fi_officer, end_user="Nimbus Systems")
    screening.screen(by=fi_officer, end_user="Nimbus Intercept")
    screening.screen(by=no_officer, end_user="Nimbus Intercept Ltd")
    screening.screen(by=dk_officer, end_user="Nimbus Intercept Ltd")  # its own: not counted
    screening.screen(by=no_officer, end_user="Something Unrelated")
    for user in (dk_officer, fi_officer, no_officer):
        page = signed_in(client, user).get(denial.get_absolute_url())
        assert page.context["screened"] == {"screenings": 3, "states": 2}
        panel = page.content.decode().split('data-testid="screened"')[1].split("</section>")[0]
        assert "Finland" not in panel and "Norway" not in panel


def test_consultations_on_the_denial_page_are_those_of_the_users_state(
    client, denial, consultation, no_officer, dk_viewer, fi_viewer, no_viewer
):
    denials.open_consultation(
        denial, by=no_officer, **consultation_content(application_reference="NO-1")
    )
    seen = {}
    for user in (dk_viewer, fi_viewer, no_viewer):
        page = signed_in(client, user).get(denial.get_absolute_url())
        seen[user.state_id] = sorted(c.consulting_state_id for c in page.context["consultations"])
    assert seen == {"DK": ["FI", "NO"], "FI": ["FI"], "NO": ["NO"]}


def test_circulated_outcomes_reach_every_reader_of_the_denial(
    client, denial, consultation, dk_officer, fi_officer, fr_viewer
):
    page = signed_in(client, fr_viewer).get(denial.get_absolute_url())
    assert "No consultation about this denial has ended yet." in text_of(page)
    denials.answer_consultation(consultation, by=dk_officer, answer="Same deal.")
    denials.record_outcome(consultation, by=fi_officer, outcome="refused", note="Private note.")
    page = client.get(denial.get_absolute_url())
    outcomes = page.content.decode().split('<section id="outcomes"')[1].split("</section>")[0]
    assert "Licence refused" in outcomes and "consulted by Finland" in outcomes
    # Only the summary: neither the note, the question nor the answer.
    text = text_of(page)
    assert "Private note." not in text and "Same deal." not in text
    assert "Is this the transaction" not in text
    assert list(page.context["consultations"]) == []


# --- Amend, revoke, renew -------------------------------------------------------------------


def amend_data(denial, **overrides) -> dict:
    data = form_data(
        national_reference=denial.national_reference,
        decided_on=denial.decided_on.isoformat(),
        control_entry=denial.control_entry,
        item_description=denial.item_description,
        end_use=denial.end_use,
        reason_category=denial.reason_category,
        reason=denial.reason,
        review_on=denial.review_on.isoformat(),
        change_note="Corrected.",
        **{
            "parties-TOTAL_FORMS": "2",
            "parties-INITIAL_FORMS": "2",
            # As the amend form shows them: in the order the denial keeps them.
            "parties-0-role": "consignee",
            "parties-0-name": "Falcon Trading FZE",
            "parties-0-aliases": "",
            "parties-0-address": "",
            "parties-0-country": "AE",
            "parties-1-role": "end_user",
            "parties-1-name": "Nimbus Intercept Ltd",
            "parties-1-aliases": "Nimbus Systems",
            "parties-1-address": "PO Box 1, Dubai",
            "parties-1-country": "AE",
        },
    )
    data.update(overrides)
    return data


def test_the_amend_form_starts_from_the_current_denial(client, denial, dk_officer):
    page = signed_in(client, dk_officer).get(reverse("sharing:denial-amend", args=[denial.pk]))
    assert page.status_code == 200
    assert page.context["form"]["national_reference"].value() == "DK-2026/0042"
    names = [f["name"].value() for f in page.context["formset"].forms]
    assert set(names[:2]) == {"Nimbus Intercept Ltd", "Falcon Trading FZE"}
    assert "three years after the decision" in text_of(page)


def test_amending_notifies_a_new_version_with_its_note(client, denial, dk_officer):
    data = amend_data(
        denial,
        change_note="A second alias seen.",
        **{"parties-1-aliases": "Nimbus Systems, NIS"},
    )
    response = signed_in(client, dk_officer).post(
        reverse("sharing:denial-amend", args=[denial.pk]), data
    )
    assert response.status_code == 302
    denial.refresh_from_db()
    assert (denial.version, denial.status) == (2, DenialStatus.AMENDED)
    end_user = denial.parties.get(role="end_user")
    assert end_user.aliases == ["Nimbus Systems", "NIS"]
    text = text_of(client.get(denial.get_absolute_url()))
    assert "A second alias seen." in text and "Changed: parties" in text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"change_note": ""}, "change_note"),
        ({"control_entry": "nope"}, "control_entry"),
        ({"change_note": "Nothing really."}, None),  # nothing changed: said above the form
    ],
)
def test_a_refused_amendment_changes_nothing(client, denial, dk_officer, overrides, field):
    signed_in(client, dk_officer)
    before = everything_stored()
    response = client.post(
        reverse("sharing:denial-amend", args=[denial.pk]), amend_data(denial, **overrides)
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert (field or "__all__") in errors, errors
    assert everything_stored() == before


def test_only_the_notifying_states_officers_change_a_denial(
    client, denial, dk_viewer, no_officer, no_admin
):
    before = everything_stored()
    for user in (dk_viewer, no_officer, no_admin):
        signed_in(client, user)
        for name, data in (
            ("denial-amend", amend_data(denial, end_use="Hijack")),
            ("denial-revoke", {"reason": "Hijack"}),
            ("denial-renew", {"review_on": ""}),
        ):
            path = reverse(f"sharing:{name}", args=[denial.pk])
            assert client.get(path).status_code == 403
            assert client.post(path, data).status_code == 403
    assert everything_stored() == before
    text = text_of(signed_in(client, no_officer).get(denial.get_absolute_url()))
    assert "Amend…" not in text and "Revoke…" not in text


def test_revoking_needs_a_reason(client, denial, dk_officer):
    path = reverse("sharing:denial-revoke", args=[denial.pk])
    signed_in(client, dk_officer)
    response = client.post(path, {"reason": ""})
    assert response.status_code == 400 and "reason" in response.context["form"].errors
    assert client.post(path, {"reason": "Granted on appeal."}).status_code == 302
    denial.refresh_from_db()
    assert denial.status == DenialStatus.REVOKED and denial.revoked_reason == "Granted on appeal."
    assert client.post(path, {"reason": "Again"}).status_code == 302  # back to the page
    assert Event.objects.filter(kind="denial.revoked").count() == 1


def test_renewing_sets_the_next_review(client, denial, dk_officer):
    path = reverse("sharing:denial-renew", args=[denial.pk])
    signed_in(client, dk_officer)
    page = client.get(path)
    today = timezone.localdate()
    assert "Leave empty for three years from today" in text_of(page)
    far = today.replace(year=today.year + 6).isoformat()
    for bad in (far, "yesterday", today.isoformat()):
        response = client.post(path, {"review_on": bad})
        assert response.status_code == 400 and "review_on" in response.context["form"].errors
    assert client.post(path, {"review_on": ""}).status_code == 302
    denial.refresh_from_db()
    assert denial.review_on == today.replace(year=today.year + 3)


# --- Screening ------------------------------------------------------------------------------


def test_viewers_and_staff_may_not_screen(client, denial, fi_viewer, staff_user):
    for user in (fi_viewer, staff_user):
        signed_in(client, user)
        assert client.get(SCREEN).status_code == 403
        assert client.post(SCREEN, {"end_user": "Nimbus"}).status_code == 403
    assert not Screening.objects.exists()
    assert "Screen an application" not in text_of(signed_in(client, fi_viewer).get(LIST))


def test_screening_ranks_the_matches_says_why_and_offers_a_consultation(
    client, denial, dk_officer, fi_officer
):
    denials.publish(
        by=dk_officer,
        **denial_content(
            national_reference="DK-OTHER",
            control_entry="4A005",
            parties=[{"role": "end_user", "name": "Nimbus Intercept Holdings", "country": "CY"}],
        ),
    )
    response = signed_in(client, fi_officer).post(
        SCREEN,
        {
            "end_user": "SYSTEMS NIMBUS",  # an alias, its words the other way round
            "destination": "AE",
            "control_entry": "5a001.J",
            "item_description": "Probes.",
        },
    )
    assert response.status_code == 200
    rows = response.context["rows"]
    assert rows and rows[0]["denial"] == denial
    assert [row["match"].score for row in rows] == sorted(
        (row["match"].score for row in rows), reverse=True
    )
    html = response.content.decode()
    text = text_of(response)
    assert f"Score {rows[0]['match'].score} of 100" in text
    for reason in rows[0]["match"].reasons:
        assert str(reason) in html or str(reason).replace("'", "&#x27;") in html
    assert f'href="{denial.get_absolute_url()}"' in html
    consult = rows[0]["consult_url"]
    assert consult.startswith(reverse("sharing:consultation-open", args=[denial.pk]) + "?")
    assert "end_user=SYSTEMS+NIMBUS" in consult and "destination=AE" in consult
    assert Screening.objects.get().by == fi_officer


def test_no_match_is_said_plainly(client, denial, fi_officer):
    response = signed_in(client, fi_officer).post(SCREEN, {"end_user": "Blue Harbour Shipping"})
    assert response.status_code == 200
    assert "No match." in text_of(response)
    assert Screening.objects.count() == 1  # recorded all the same


def test_the_notifying_state_screens_but_does_not_consult_itself(client, denial, dk_officer):
    response = signed_in(client, dk_officer).post(SCREEN, {"end_user": "Nimbus Intercept Ltd"})
    assert [row["denial"] for row in response.context["rows"]] == [denial]
    assert response.context["rows"][0]["consult_url"] == ""
    assert "Open a consultation" not in text_of(response)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "end_user"),
        ({"end_user": "", "consignee": ""}, "end_user"),
        ({"end_user": "X", "destination": "QQ"}, "destination"),
        ({"end_user": "X", "control_entry": "nope"}, "control_entry"),
        ({"end_user": "a\x00b"}, "end_user"),
        ({"end_user": "x" * 201}, "end_user"),
    ],
)
def test_bad_screening_input_is_an_error_and_records_nothing(client, fi_officer, data, field):
    response = signed_in(client, fi_officer).post(SCREEN, data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Screening.objects.exists()


def test_screening_never_shows_what_the_state_may_not_see(client, narrow, fr_officer):
    response = signed_in(client, fr_officer).post(SCREEN, {"end_user": "Nimbus Intercept Ltd"})
    assert response.context["rows"] == []
    assert narrow.national_reference not in response.content.decode()


# --- Opening a consultation -----------------------------------------------------------------


def test_the_consultation_form_is_filled_in_from_the_screening(client, denial, fi_officer):
    path = reverse("sharing:consultation-open", args=[denial.pk])
    page = signed_in(client, fi_officer).get(
        f"{path}?end_user=Nimbus+Systems&destination=AE&control_entry=5A001.j&junk=1"
        "&consignee=a%00b"
    )
    assert page.status_code == 200
    form = page.context["form"]
    assert form["end_user"].value() == "Nimbus Systems"
    assert form["destination"].value() == "AE"
    assert not form["consignee"].value()
    assert "10 of its working days" in text_of(page)


def test_opening_a_consultation_sets_the_deadline(client, denial, fi_officer):
    path = reverse("sharing:consultation-open", args=[denial.pk])
    moment = datetime.datetime(2026, 12, 18, 9, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        response = signed_in(client, fi_officer).post(path, consultation_content())
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == consultation.get_absolute_url()
    # Ten Danish working days from Friday 18 December 2026: Christmas and New Year skipped.
    assert consultation.due_on == datetime.date(2027, 1, 5)
    assert (consultation.consulting_state_id, consultation.status) == ("FI", "open")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"application_reference": ""}, "application_reference"),
        ({"end_user": ""}, "end_user"),
        ({"destination": "QQ"}, "destination"),
        ({"control_entry": "nope"}, "control_entry"),
        ({"question": ""}, "question"),
        ({"question": "Bell\x07"}, "question"),
    ],
)
def test_a_bad_consultation_is_an_error_next_to_its_field(
    client, denial, fi_officer, overrides, field
):
    signed_in(client, fi_officer)
    before = everything_stored()
    response = client.post(
        reverse("sharing:consultation-open", args=[denial.pk]),
        consultation_content(**overrides),
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert everything_stored() == before


def test_who_may_open_a_consultation(client, denial, dk_officer, fi_viewer, fi_officer):
    path = reverse("sharing:consultation-open", args=[denial.pk])
    for user in (dk_officer, fi_viewer):  # its own state; a viewer
        signed_in(client, user)
        assert client.get(path).status_code == 403
        assert client.post(path, consultation_content()).status_code == 403
    denials.revoke(denial, by=dk_officer, reason="Granted.")
    signed_in(client, fi_officer)
    assert client.get(path).status_code == 403
    assert not Consultation.objects.exists()


# --- The consultation's page ----------------------------------------------------------------


def detail(consultation, action="") -> str:
    name = f"sharing:consultation-{action}" if action else "sharing:consultation-detail"
    return reverse(name, args=[consultation.pk])


def test_only_the_two_states_see_a_consultation(
    client, consultation, no_officer, fr_viewer, staff_user, dk_viewer, fi_viewer
):
    for user in (no_officer, fr_viewer, staff_user):
        signed_in(client, user)
        assert client.get(detail(consultation)).status_code == 404
        for action in ("message", "answer", "extend", "outcome"):
            assert client.post(detail(consultation, action), {"body": "x"}).status_code == 404
    for user in (dk_viewer, fi_viewer):  # their viewers read, and may not act
        page = signed_in(client, user).get(detail(consultation))
        assert page.status_code == 200
        context = page.context
        assert not (context["can_write"] or context["can_answer"] or context["can_record"])
        assert "Send the message" not in text_of(page)


def test_the_page_shows_the_transaction_and_the_deadline_in_the_denying_states_terms(
    client, denial, fi_officer, dk_officer
):
    with time_machine.travel(datetime.datetime(2026, 12, 18, 9, tzinfo=UTC), tick=False):
        consultation = denials.open_consultation(denial, by=fi_officer, **consultation_content())
    with time_machine.travel(datetime.datetime(2026, 12, 28, 9, tzinfo=UTC), tick=False):
        page = signed_in(client, fi_officer).get(detail(consultation))
    text = text_of(page)
    for expected in (
        "Finland consults Denmark",
        "FI-EXP-2026-311",
        "Nimbus Systems",
        "United Arab Emirates (AE)",
        "Is this the transaction you denied?",
        "Tuesday 5 Jan 2027, end of the day in Denmark (Europe/Copenhagen)",
        # After Monday 28 December: the 29th to the 31st, then 4 and 5 January (the 1st
        # is a Danish holiday).
        "5 working days left after today",
        "10 working days of Denmark from the opening",
        "TLP:AMBER",
    ):
        assert expected in text, expected
    assert page.context["deadline"].working_days_left == 5


def test_the_denying_state_answers_and_the_consulting_state_records_the_outcome(
    client, consultation, dk_officer, fi_officer
):
    signed_in(client, fi_officer)
    page = client.get(detail(consultation))
    assert page.context["can_record"] and not page.context["can_answer"]
    refused = client.post(detail(consultation, "outcome"), {"outcome": "granted"})
    assert refused.status_code == 400
    assert "outcome" in refused.context["outcome_form"].errors  # wait for the answer
    assert 'aria-invalid="true"' in refused.content.decode()

    signed_in(client, dk_officer)
    page = client.get(detail(consultation))
    assert page.context["can_answer"] and page.context["can_extend"]
    assert not page.context["can_record"]
    assert client.post(detail(consultation, "answer"), {"answer": ""}).status_code == 400
    response = client.post(detail(consultation, "answer"), {"answer": "Yes, the same deal."})
    assert response.status_code == 302 and response["Location"].endswith("#answer")
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.ANSWERED
    again = client.post(detail(consultation, "answer"), {"answer": "Twice"})
    assert again.status_code == 400 and "This consultation has been answered." in text_of(again)

    signed_in(client, fi_officer)
    response = client.post(
        detail(consultation, "outcome"), {"outcome": "refused", "note": "Refused on 3 Dec."}
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert (consultation.status, consultation.outcome) == ("closed", "refused")
    text = text_of(client.get(detail(consultation)))
    assert "Licence refused" in text and "Refused on 3 Dec." in text
    assert "Record the outcome" not in text


def test_the_thread_is_between_the_two_states(client, consultation, dk_officer, fi_officer):
    signed_in(client, dk_officer)
    assert client.post(detail(consultation, "message"), {"body": ""}).status_code == 400
    response = client.post(detail(consultation, "message"), {"body": "We are checking."})
    assert response.status_code == 302 and response["Location"].endswith("#thread")
    text = text_of(signed_in(client, fi_officer).get(detail(consultation)))
    assert "We are checking." in text and "Denmark" in text


def test_extending_once_within_thirty_working_days(client, consultation, dk_officer):
    signed_in(client, dk_officer)
    path = detail(consultation, "extend")
    refused = [
        {"working_days": "31", "reason": "x"},
        {"working_days": "10", "reason": "x"},
        {"working_days": "twenty", "reason": "x"},
        {"working_days": "20", "reason": ""},
    ]
    for bad in refused:
        response = client.post(path, bad)
        assert response.status_code == 400 and response.context["extend_form"].errors
    before = consultation.due_on
    assert client.post(path, {"working_days": "20", "reason": "Police check."}).status_code == 302
    consultation.refresh_from_db()
    assert consultation.working_days == 20 and consultation.due_on > before
    page = client.get(detail(consultation))
    assert not page.context["can_extend"] and "Police check." in text_of(page)
    again = client.post(path, {"working_days": "25", "reason": "More"})
    assert again.status_code == 400
    assert "once only" in text_of(again)


def test_tampered_acts_of_the_wrong_side_are_refused(
    client, consultation, dk_officer, fi_officer, dk_viewer, fi_viewer
):
    before = everything_stored()
    signed_in(client, fi_officer)
    assert client.post(detail(consultation, "answer"), {"answer": "Self"}).status_code == 403
    assert (
        client.post(detail(consultation, "extend"), {"working_days": "20", "reason": "x"})
    ).status_code == 403
    signed_in(client, dk_officer)
    assert client.post(detail(consultation, "outcome"), {"outcome": "withdrawn"}).status_code == 403
    for viewer in (dk_viewer, fi_viewer):
        signed_in(client, viewer)
        assert client.post(detail(consultation, "message"), {"body": "Hi"}).status_code == 403
    assert client.get(detail(consultation, "answer")).status_code == 405
    assert everything_stored() == before


# --- The board ------------------------------------------------------------------------------


def open_at(moment, denial, by, **overrides):
    with time_machine.travel(moment, tick=False):
        return denials.open_consultation(denial, by=by, **consultation_content(**overrides))


def test_the_board_lists_incoming_and_outgoing_overdue_first(
    client, denial, dk_officer, fi_officer, no_officer, no_viewer
):
    now = timezone.now()
    late = open_at(now - datetime.timedelta(days=30), denial, fi_officer, application_reference="A")
    soon = open_at(now - datetime.timedelta(days=10), denial, no_officer, application_reference="B")
    later = open_at(now - datetime.timedelta(days=2), denial, fi_officer, application_reference="C")
    denials.watch_consultations(now)
    norwegian = denials.publish(by=no_officer, **denial_content(national_reference="NO-9"))
    asked = denials.open_consultation(norwegian, by=dk_officer, **consultation_content())
    late.refresh_from_db()
    assert late.status == ConsultationStatus.OVERDUE

    page = signed_in(client, dk_officer).get(BOARD)
    assert page.status_code == 200
    assert [c.pk for c in page.context["incoming"]] == [late.pk, soon.pk, later.pk]
    assert [c.pk for c in page.context["outgoing"]] == [asked.pk]
    text = text_of(page)
    assert "Overdue" in text and "Finland asks Denmark about DK-2026/0042" in text

    page = signed_in(client, no_viewer).get(BOARD)
    assert [c.pk for c in page.context["incoming"]] == [asked.pk]
    assert [c.pk for c in page.context["outgoing"]] == [soon.pk]


def test_a_closed_consultation_moves_below(client, consultation, dk_officer, fi_officer):
    denials.record_outcome(consultation, by=fi_officer, outcome="withdrawn")
    page = signed_in(client, dk_officer).get(BOARD)
    assert page.context["incoming"] == [] and [c.pk for c in page.context["closed"]] == [
        consultation.pk
    ]
    assert "Application withdrawn" in text_of(page)


# --- Dashboard, navigation, inbox -----------------------------------------------------------


def test_the_dashboard_shows_what_awaits_the_denying_states_answer(
    client, denial, dk_officer, fi_officer, no_officer
):
    now = timezone.now()
    recent = open_at(now - datetime.timedelta(days=1), denial, no_officer)
    late = open_at(now - datetime.timedelta(days=30), denial, fi_officer)
    denials.watch_consultations(now)
    page = signed_in(client, dk_officer).get("/")
    assert [c.pk for c in page.context["consultations_awaiting"]] == [late.pk, recent.pk]
    text = text_of(page)
    assert "Consultations awaiting Denmark's answer" in text
    assert "Finland asks about DK-2026/0042" in text and "Overdue" in text
    denials.answer_consultation(late, by=dk_officer, answer="Yes.")
    page = client.get("/")
    assert [c.pk for c in page.context["consultations_awaiting"]] == [recent.pk]
    # The consulting state waits for nobody's answer of its own.
    page = signed_in(client, fi_officer).get("/")
    assert page.context["consultations_awaiting"] == []
    assert "Consultations awaiting" not in text_of(page)


def test_the_main_navigation_leads_to_the_denials(client, dk_viewer, staff_user, denial):
    page = signed_in(client, dk_viewer).get(denial.get_absolute_url()).content.decode()
    assert re.search(r'class="nav-link active" href="/denials/" aria-current="page">Denials<', page)
    assert 'href="/notices/" aria-current' not in page
    assert 'href="/denials/"' not in signed_in(client, staff_user).get("/").content.decode()


@pytest.fixture
def dispatched(act):
    """Run a service call with its notifications dispatched (tasks run eagerly)."""
    return act


def test_notifications_about_denials_show_in_the_inbox(
    client, dispatched, dk_officer, fi_officer, fr_viewer, dk_admin
):
    denial = dispatched(denials.publish, by=dk_officer, **denial_content())
    consultation = dispatched(
        denials.open_consultation, denial, by=fi_officer, **consultation_content()
    )
    dispatched(denials.answer_consultation, consultation, by=dk_officer, answer="Same.")
    dispatched(denials.record_outcome, consultation, by=fi_officer, outcome="granted")

    page = signed_in(client, fr_viewer).get(INBOX)
    html = page.content.decode()
    text = text_of(page)
    assert "Licence denial notified" in text and "Consultation outcome circulated" in text
    assert "TLP:AMBER" in text and denial.title in text
    assert "Licence granted, consulted by Finland" in text
    assert f'href="{denial.get_absolute_url()}"' in html
    assert f'href="{denial.get_absolute_url()}#outcomes"' in html
    assert consultation.get_absolute_url() not in html  # France is not one of the two
    assert [n.kind for n in page.context["page"].object_list if n.denial_id] == [
        "consultation.outcome",
        "denial.issued",
    ]
    filtered = signed_in(client, fr_viewer).get(f"{INBOX}?about=denials")
    assert len(filtered.context["page"].object_list) == 2
    assert list(client.get(f"{INBOX}?about=notices").context["page"].object_list) == []

    # The Danish admin is asked; the line leads to the consultation's own page.
    html = signed_in(client, dk_admin).get(INBOX).content.decode()
    assert f'href="{consultation.get_absolute_url()}"' in html
    assert "Consultation of Finland about" in html


def test_opening_the_pages_reads_their_notifications(
    client, dispatched, dk_officer, fi_officer, dk_admin, fr_viewer
):
    denial = dispatched(denials.publish, by=dk_officer, **denial_content())
    consultation = dispatched(
        denials.open_consultation, denial, by=fi_officer, **consultation_content()
    )
    dispatched(denials.record_outcome, consultation, by=fi_officer, outcome="withdrawn")

    signed_in(client, fr_viewer).get(denial.get_absolute_url())
    assert not Notification.objects.filter(user=fr_viewer).unread().exists()
    signed_in(client, dk_admin).get(denial.get_absolute_url())
    unread = Notification.objects.filter(user=dk_admin).unread()
    # The denial's page reads the outcome, not the consultation's own notifications.
    assert list(unread.values_list("kind", flat=True)) == ["consultation.opened"]
    client.get(consultation.get_absolute_url())
    assert not unread.exists()


# --- Query budgets --------------------------------------------------------------------------


def busy(dk_officer, fi_officer, no_officer, size: int):
    """``size`` denials of Denmark, each with two parties, and as many consultations about
    the first, asked by Finland and Norway, with messages."""
    notified = [
        denials.publish(by=dk_officer, **denial_content(national_reference=f"DK-Q-{n}"))
        for n in range(size)
    ]
    first = notified[0]
    for n in range(size):
        by = (fi_officer, no_officer)[n % 2]
        consultation = denials.open_consultation(
            first, by=by, **consultation_content(application_reference=f"A-{n}")
        )
        denials.write_in_consultation(consultation, by=dk_officer, body=f"Message {n}")
        screening.screen(by=by, end_user="Nimbus Intercept")
        if n % 3 == 2:
            denials.answer_consultation(consultation, by=dk_officer, answer="Yes.")
            denials.record_outcome(consultation, by=by, outcome="refused")
    denials.amend(first, by=dk_officer, change_note="Changed.", end_use="Other use.")
    return notified


@pytest.mark.parametrize("size", [2, 9])
def test_the_list_keeps_its_query_budget(
    client, dk_officer, fi_officer, no_officer, fr_viewer, size, django_assert_num_queries
):
    busy(dk_officer, fi_officer, no_officer, size)
    signed_in(client, fr_viewer).get(LIST)
    # session, user, count, page, the page's parties, the audit row of the reading, the
    # filter form's states (the unread count is in the cache since the first request)
    with django_assert_num_queries(7):
        page = client.get(f"{LIST}?status=&reason=")
    assert len(page.context["page"].object_list) == size


@pytest.mark.parametrize("size", [2, 9])
def test_the_detail_keeps_its_query_budget(
    client, dk_officer, fi_officer, no_officer, size, django_assert_num_queries
):
    first = busy(dk_officer, fi_officer, no_officer, size)[0]
    signed_in(client, dk_officer).get(first.get_absolute_url())
    # session, user, the denial with its screening counts, parties, their links to the
    # registry, recipient states, outcomes, revisions, the four eyes' versions and
    # submissions, the audit row of an AMBER read, reading its notifications,
    # consultations (the unread count is in the cache since the first request)
    with django_assert_num_queries(13):
        page = client.get(first.get_absolute_url())
    assert len(page.context["consultations"]) == size
    assert len(page.context["outcomes"]) == size // 3
    # Another state's officer: and whether they may consult.
    signed_in(client, fi_officer).get(first.get_absolute_url())
    with django_assert_num_queries(14):
        page = client.get(first.get_absolute_url())
    assert len(page.context["consultations"]) == (size + 1) // 2
    assert page.context["can_consult"]


@pytest.mark.parametrize("size", [2, 9])
def test_the_board_keeps_its_query_budget(
    client, dk_officer, fi_officer, no_officer, size, django_assert_num_queries
):
    busy(dk_officer, fi_officer, no_officer, size)
    signed_in(client, dk_officer).get(BOARD)
    # session, user, incoming, outgoing, closed, the audit row of the reading (unread: in
    # the cache)
    with django_assert_num_queries(6):
        page = client.get(BOARD)
    assert len(page.context["incoming"]) + len(page.context["closed"]) == size


@pytest.mark.parametrize("size", [2, 9])
def test_the_consultation_page_keeps_its_query_budget(
    client, dk_officer, fi_officer, no_officer, size, django_assert_num_queries
):
    first = busy(dk_officer, fi_officer, no_officer, size)[0]
    consultation = first.consultations.filter(consulting_state="FI").first()
    for n in range(size):
        denials.write_in_consultation(consultation, by=fi_officer, body=f"More {n}")
    signed_in(client, dk_officer).get(consultation.get_absolute_url())
    # session, user, consultation, messages, the audit row of the reading, reading its
    # notifications (unread: in the cache)
    with django_assert_num_queries(6):
        page = client.get(consultation.get_absolute_url())
    assert len(page.context["thread"]) == size + 1


@pytest.mark.parametrize("size", [2, 9])
def test_the_dashboard_panel_keeps_its_query_budget(
    client, dk_officer, fi_officer, no_officer, size, django_assert_num_queries
):
    busy(dk_officer, fi_officer, no_officer, size)
    signed_in(client, dk_officer).get("/")
    # session, user, three notice lists, the consultations awaiting an answer, states
    # (unread: in the cache)
    with django_assert_num_queries(8):
        page = client.get("/")
    assert len(page.context["consultations_awaiting"]) == min(size - size // 3, 8)


# --- The demo -------------------------------------------------------------------------------


def test_the_demo_adds_denials_and_an_open_consultation_once(seeded_states, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert set(Denial.objects.values_list("state_id", flat=True)) == {"DK", "NO", "JP", "DE"}
    # Germany asks for four eyes on denials: its denial awaits de-admin's approval.
    assert Denial.objects.get(state_id="DE").status == "pending_approval"
    japanese = Denial.objects.get(state_id="JP").parties.get(role="end_user")
    assert japanese.name == "東亜通信監視システム株式会社"
    consultation = Consultation.objects.get()
    assert (consultation.consulting_state_id, consultation.denial.state_id) == ("FI", "DK")
    assert consultation.status == ConsultationStatus.OPEN
    assert seed_denials() == (0, 0)
    # Four demo denials, and Denmark's that matches Finland's watched application.
    assert Denial.objects.count() == 5 and Consultation.objects.count() == 1


def test_a_form_without_its_management_data_is_refused(client, dk_officer):
    data = {k: v for k, v in form_data().items() if not k.startswith("parties-") or "-0-" in k}
    response = signed_in(client, dk_officer).post(CREATE, data)
    assert response.status_code == 400
    assert response.context["formset"].non_form_errors()
    assert not Denial.objects.exists()
