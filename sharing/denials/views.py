"""Pages for licence denials and the screening of applications against them. Every
denial is fetched through ``Denial.objects.visible_to(request.user)`` (404 when it may
not be seen); every change, and every screening, is a call to ``sharing.denials.services`` (403
when the role may not, errors next to the fields when the input is wrong)."""

import datetime
import functools
import itertools
from dataclasses import dataclass
from urllib.parse import urlencode

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Value, When
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import State
from portal.countries import local_country_names
from portal.forms import LongSelect, apply_errors
from sharing.common import exports as common_exports
from sharing.common import services as common
from sharing.common.filters import StateFilter
from sharing.common.forms import formset_rows
from sharing.common.models import Revision
from sharing.common.pages import (
    Confirmation,
    confirm,
    decide,
    delete_draft,
    earlier_versions_hidden,
    filtered,
    other_params,
    paginate,
    reads,
    review,
    submitted_instead,
)
from sharing.common.querysets import approval_record
from sharing.denials import exports, services, workdays
from sharing.denials.choices import ConsultationStatus, DenialReason, DenialStatus, PartyRole
from sharing.denials.forms import (
    DenialAmendForm,
    DenialForm,
    PartyFormSet,
    RenewDenialForm,
    RevokeDenialForm,
)
from sharing.denials.models import Consultation, Denial, DenialParty

PAGE_SIZE = 25


def page(request, template: str, context: dict, *, status: int = 200):
    """Render a page of this part of the portal (portal.context_processors files it
    under "Denials" in the main navigation)."""
    return render(request, template, context, status=status)


class DenialFilterSet(django_filters.FilterSet):
    """Filters of the denial list, applied on top of ``Denial.objects.visible_to(user)``:
    they narrow what may be seen, never widen it."""

    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Status"),
        choices=DenialStatus.choices,
        empty_label=gettext_lazy("Any status"),
    )
    reason = django_filters.ChoiceFilter(
        label=gettext_lazy("Reason"),
        field_name="reason_category",
        choices=DenialReason.choices,
        empty_label=gettext_lazy("Any reason"),
    )
    state = StateFilter(
        label=gettext_lazy("Notifying state"),
        queryset=State.objects.all(),
        empty_label=gettext_lazy("Any state"),
    )
    destination = django_filters.ChoiceFilter(
        label=gettext_lazy("End-user's country"),
        choices=lambda: list(local_country_names().items()),
        empty_label=gettext_lazy("Any country"),
        widget=LongSelect,
        method="filter_destination",
    )
    control_entry = django_filters.CharFilter(
        label=gettext_lazy("Control-list entry"),
        max_length=40,
        method="filter_control_entry",
        help_text=gettext_lazy("5A001 finds 5A001.j too."),
    )

    class Meta:
        model = Denial
        fields = ["status", "reason", "state", "destination", "control_entry"]

    def filter_destination(self, queryset, name, value):
        end_users = DenialParty.objects.filter(
            denial=OuterRef("pk"), role=PartyRole.END_USER, country=value
        )
        return queryset.filter(Exists(end_users))

    def filter_control_entry(self, queryset, name, value):
        return queryset.filter(control_entry__istartswith=value.strip())


# --- Deadlines of consultations (the denial's page, the board, the dashboard) ---------------


@dataclass(frozen=True)
class Deadline:
    """When a pending consultation's answer is due, in the denying state's terms: the
    day of its own calendar, and how many of its working days are left."""

    due_on: datetime.date
    today: datetime.date  # where the denying state is
    working_days_left: int  # its working days after today, up to the due day
    working_days_late: int  # its working days after the due day, up to today
    ends_at: datetime.datetime  # the moment the due day ends there
    state: State

    @property
    def overdue(self) -> bool:
        return self.today > self.due_on

    @property
    def due_today(self) -> bool:
        return self.today == self.due_on


def deadline(consultation: Consultation, now: datetime.datetime | None = None) -> Deadline:
    state = consultation.denial.state
    today = workdays.local_date(now or timezone.now(), state)
    due_on = consultation.due_on
    after = datetime.datetime.combine(due_on + datetime.timedelta(days=1), datetime.time())
    return Deadline(
        due_on=due_on,
        today=today,
        working_days_left=workdays.working_days_between(today, due_on, state.code),
        working_days_late=workdays.working_days_between(due_on, today, state.code),
        ends_at=after.replace(tzinfo=state.zone),
        state=state,
    )


def with_deadlines(consultations) -> list[Consultation]:
    """The consultations, each pending one with ``.deadline`` (None for the others).
    Fetch them with ``select_related("denial__state")``."""
    now = timezone.now()
    consultations = list(consultations)
    for consultation in consultations:
        consultation.deadline = deadline(consultation, now) if consultation.is_pending else None
    return consultations


# Overdue first, then waiting for an answer, then answered, then closed.
PENDING_FIRST = Case(
    When(status=ConsultationStatus.OVERDUE, then=Value(0)),
    When(status=ConsultationStatus.OPEN, then=Value(1)),
    When(status=ConsultationStatus.ANSWERED, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def by_urgency(consultations):
    """Overdue first, then by due date (the primary key keeps the order stable)."""
    return consultations.alias(urgency=PENDING_FIRST).order_by(
        "urgency", "due_on", "opened_at", "pk"
    )


def awaiting_answer(user, limit: int) -> list[Consultation]:
    """The consultations asked of ``user``'s state that wait for its answer, overdue
    first, with their deadlines: one query."""
    state = user.state
    pending = (
        Consultation.objects.visible_to(user)
        .incoming(state.pk)
        .filter(status__in=[ConsultationStatus.OPEN, ConsultationStatus.OVERDUE])
    )
    return with_deadlines(
        by_urgency(pending.select_related("consulting_state", "denial__state"))[:limit]
    )


def _end_users_first(parties) -> list:
    return sorted(parties, key=lambda party: party.role != PartyRole.END_USER)


@login_required
def denial_list(request):
    denials = (
        Denial.objects.visible_to(request.user).select_related("state").prefetch_related("parties")
    )
    filterset = DenialFilterSet(request.GET or None, queryset=denials)
    results, valid = filtered(filterset)
    shown = paginate(request, results, PAGE_SIZE)
    # The list names end-users and consignees: a reading of restricted content.
    common.record_reading(shown.object_list, by=request.user, request=request)
    return page(
        request,
        "sharing/denials/list.html",
        {
            "filter": filterset,
            "page": shown,
            "query": other_params(request),
            "can_create": common.can_author(request.user),
            "can_screen": services.can_screen(request.user),
        },
        status=200 if valid else 400,
    )


@login_required
def denial_export(request):
    """The list, with its filters, as CSV (docs/interfaces.md, "Exports")."""
    denials = Denial.objects.visible_to(request.user).with_content()
    return common_exports.page_export(
        request,
        DenialFilterSet(request.GET or None, queryset=denials),
        list_url=reverse("sharing:denial-list"),
        kind="denials",
        lines=exports.csv_file,
    )


# --- Reading one denial ---------------------------------------------------------------------


def _changed_fields(revisions: list[Revision]) -> None:
    """Give each revision after the first ``.changed``: the names of the fields that
    differ from the version before (a denial has no text to diff line by line)."""
    labels = {
        field.name: field.verbose_name
        for field in Denial._meta.get_fields()
        if hasattr(field, "verbose_name")
    }
    labels["parties"] = _("parties")
    ordered = sorted(revisions, key=lambda revision: revision.version)
    for revision in ordered:
        revision.changed = None
    for before, after in itertools.pairwise(ordered):
        keys = sorted(set(before.snapshot) | set(after.snapshot))
        after.changed = [
            str(labels.get(key, key))
            for key in keys
            if before.snapshot.get(key) != after.snapshot.get(key)
        ]


def _detail_queryset(user):
    return (
        Denial.objects.visible_to(user)
        .with_content()
        .with_figures()
        .prefetch_related(
            "parties__registry_links",  # "In the registry" (sharing_tags.registry_url)
            Prefetch(
                "revisions",
                queryset=Revision.objects.visible_to(user, of="denial").select_related(
                    "created_by", "approved_by"
                ),
            ),
            *approval_record(),
        )
    )


@login_required
@reads(_detail_queryset)
def denial_detail(request, denial):
    user = request.user
    revisions = list(denial.revisions.all())
    common.record_reading([denial], by=user, request=request, history=revisions)
    common.opened(denial, by=user)
    _changed_fields(revisions)
    consultations = with_deadlines(
        Consultation.objects.visible_to(user)
        .filter(denial=denial)
        .select_related("consulting_state", "denial__state")
        .order_by("-opened_at", "pk")
    )
    return page(
        request,
        "sharing/denials/detail.html",
        {
            "denial": denial,
            "parties": _end_users_first(denial.parties.all()),
            "revisions": revisions,
            "earlier_hidden": earlier_versions_hidden(revisions),
            "screened": {
                "screenings": denial.screenings_matched,
                "states": denial.states_screening,
            },
            "consultations": consultations,
            "outcomes": denial.closed_consultations,
            "can_change": denial.in_force and services.can_change(denial, user),
            "can_edit_draft": denial.is_unpublished and services.can_change(denial, user),
            "can_consult": services.can_consult(denial, user),
            "own_state": denial.state_id == user.state_id,
            "review": review(denial, user, services, AMENDABLE_FIELDS),
            "rejection": services.rejection_shown(denial, user),
        },
    )


# What an approver is shown changing in an amendment (a denial has no body: every field).
AMENDABLE_FIELDS = {
    "national_reference": gettext_lazy("National reference"),
    "decided_on": gettext_lazy("Date of decision"),
    "review_on": gettext_lazy("Review date"),
    "control_entry": gettext_lazy("Control-list entry"),
    "catch_all": gettext_lazy("Non-listed (catch-all)"),
    "item_description": gettext_lazy("Item description"),
    "end_use": gettext_lazy("Stated end-use"),
    "reason_category": gettext_lazy("Reason"),
    "reason": gettext_lazy("Reason in words"),
    "parties": gettext_lazy("Parties"),
    "tlp": gettext_lazy("Marking"),
    "audience": gettext_lazy("Audience"),
    "recipient_states": gettext_lazy("Recipient states"),
}


# --- Notifying and changing a denial --------------------------------------------------------


def _denial_form_page(request, *, denial=None, form_class=DenialForm, template, save):
    """The create and amend pages: a denial form, a party formset, and ``save`` (a
    service call) that turns the cleaned values into a denial."""
    state = denial.state if denial else request.user.state
    if request.method == "POST":
        form = form_class(request.POST, state=state)
        formset = PartyFormSet(request.POST, prefix="parties")
        if form.is_valid() and formset.is_valid():
            content = form.content()
            content["parties"] = formset_rows(formset)
            try:
                saved = save(form, content)
            except ValidationError as error:
                parties = getattr(error, "error_dict", {}).pop("parties", None)
                if parties:
                    formset._non_form_errors = formset.error_class(
                        ValidationError(parties).messages
                    )
                apply_errors(form, error)
            else:
                return redirect("sharing:denial-detail", pk=saved.pk)
    else:
        initial = services.content_of(denial) if denial else {}
        form = form_class(initial=initial, state=state)
        formset = PartyFormSet(prefix="parties", initial=initial.get("parties"))
    if denial is not None:  # the form shows the denial's content
        common.record_reading([denial], by=request.user, request=request)
    return page(
        request,
        template,
        {
            "form": form,
            "formset": formset,
            "denial": denial,
            "four_eyes": services.requires_four_eyes(state),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def denial_create(request):
    state = services.check_can_notify(request.user)

    def save(form, content):
        if services.requires_four_eyes(state):
            denial = services.submit_new(by=request.user, request=request, **content)
            messages.success(
                request,
                _("Submitted. Your state's officers and admins have been asked to approve it."),
            )
            return denial
        denial = services.publish(by=request.user, request=request, **content)
        messages.success(
            request, _("The denial has been notified. Its recipient states are being told.")
        )
        return denial

    return _denial_form_page(request, template="sharing/denials/form.html", save=save)


def _draft_of_own_state(view):
    """Decorator of the pages of a denial not notified yet (a draft, or awaiting
    approval): 404 unless the user reads it, 403 unless they may change it, and back to
    its page once it is notified."""

    @login_required
    @reads(Denial.objects.visible_to)
    @functools.wraps(view)
    def drafting(request, denial):
        services.check_can_change(denial, request.user)
        if not denial.is_unpublished:
            return redirect(denial)
        return view(request, denial)

    return drafting


@_draft_of_own_state
def denial_edit(request, denial):
    """Change a draft; one awaiting approval is taken back by saving."""

    def save(form, content):
        saved = services.update(denial, by=request.user, request=request, **content)
        messages.success(request, _("Draft saved."))
        return saved

    return _denial_form_page(
        request, denial=denial, template="sharing/denials/form.html", save=save
    )


@_draft_of_own_state
def denial_notify(request, denial):
    """Notify a draft (or submit it, where the state asks four eyes for denials)."""
    page = Confirmation(
        heading=_("Notify %(title)s?") % {"title": denial.title},
        lead=denial.item_description,
        tlp=denial.tlp,
        explanation=[_("It will be in force, screened against, and its recipient states told.")],
        submit=_("Notify the denial"),
    )
    page, act, done = submitted_instead(
        denial,
        services,
        "publish",
        page,
        services.publish_draft,
        _("The denial has been notified. Its recipient states are being told."),
    )
    return confirm(request, denial, page, act=act, done=done)


@_draft_of_own_state
def denial_delete(request, denial):
    return delete_draft(
        request,
        denial,
        act=services.delete,
        explanation=_("The draft is deleted for good. It was never notified."),
        then=reverse("sharing:denial-list"),
    )


@login_required
@require_POST
@reads(Denial.objects.visible_to)
def denial_approval(request, denial):
    return decide(request, denial, services)


def _changes_denial(view):
    """Decorator of the pages that change a denial (amend, revoke, renew): 404 unless
    the user reads it, 403 unless they may change it, and back to the denial's page,
    which says why, once it is no longer in force."""

    @login_required
    @reads(Denial.objects.visible_to)
    @functools.wraps(view)
    def changing(request, denial):
        services.check_can_change(denial, request.user)
        if not denial.in_force:
            messages.error(request, _("Only a denial in force can be changed."))
            return redirect(denial)
        return view(request, denial)

    return changing


@_changes_denial
def denial_amend(request, denial):
    def save(form, content):
        note = form.cleaned_data["change_note"]
        if services.requires_four_eyes(denial.state):
            services.submit(
                denial, by=request.user, request=request, act="amend", change_note=note, **content
            )
            messages.success(
                request,
                _(
                    "Submitted for approval: version %(v)d is published once another "
                    "official of your state approves it."
                )
                % {"v": denial.version + 1},
            )
            return denial
        saved = services.amend(
            denial, by=request.user, request=request, change_note=note, **content
        )
        messages.success(request, _("Version %(v)d notified.") % {"v": saved.version})
        return saved

    return _denial_form_page(
        request,
        denial=denial,
        form_class=DenialAmendForm,
        template="sharing/denials/amend.html",
        save=save,
    )


def _confirm_change(request, denial: Denial, form_class, *, act, done, four_eyes="", **page):
    """Ask, then ``act`` (a service call) with the values of ``form_class``: the "are
    you sure?" page about a denial, under its marking and in its place in the list,
    saying ``page`` (see ``Confirmation``). ``four_eyes`` names the act when the state's
    setting for denials may ask for it to be submitted instead."""
    confirmation = Confirmation(
        tlp=denial.tlp,
        crumbs=[
            (reverse("sharing:denial-list"), _("Licence denials")),
            (denial.get_absolute_url(), f"{denial.state_id} {denial.national_reference}"),
        ],
        **page,
    )
    if four_eyes:
        confirmation, act, done = submitted_instead(
            denial, services, four_eyes, confirmation, act, done
        )
    form = form_class(request.POST if request.method == "POST" else None)
    return confirm(request, denial, confirmation, act=act, done=done, form=form)


@_changes_denial
def denial_revoke(request, denial):
    return _confirm_change(
        request,
        denial,
        RevokeDenialForm,
        act=services.revoke,
        done=_("The denial has been revoked. Its readers are being told."),
        four_eyes="retire",
        heading=_("Revoke %(title)s?") % {"title": denial.title},
        crumb=_("Revoke"),
        explanation=[
            _(
                "Its readers are told. The denial stays readable, under a banner giving your "
                "reason, drops out of screening, and can no longer be amended or consulted "
                "about."
            )
        ],
        submit=_("Revoke the denial"),
        danger=True,
    )


@_changes_denial
def denial_renew(request, denial):
    return _confirm_change(
        request,
        denial,
        RenewDenialForm,
        act=services.renew,
        done=lambda renewed: (
            _("The denial stays in force. Next review: %(day)s.")
            % {"day": date_format(renewed.review_on, "DATE_FORMAT")}
        ),
        heading=_("Renew %(title)s") % {"title": denial.title},
        crumb=_("Renew"),
        explanation=[
            _(
                "Its review is due on %(day)s. Renewing keeps it in force until the next "
                "review, and its readers are told."
            )
            % {"day": date_format(denial.review_on, "DATE_FORMAT")}
        ],
        submit=_("Keep it in force"),
    )


# --- Screening ------------------------------------------------------------------------------


def _consult_url(denial: Denial, query: dict) -> str:
    """The consultation form about ``denial``, filled in with the screened transaction."""
    url = reverse("sharing:consultation-open", args=[denial.pk])
    filled = {key: value for key, value in query.items() if value}
    return f"{url}?{urlencode(filled)}" if filled else url


def match_rows(found, user, query: dict) -> list[dict]:
    """What the match cards of a screening show (sharing/denials/includes/_match.html):
    each denial matched, why, its end-users, and where to consult its state about the
    transaction ``query`` describes."""
    return [
        {
            "denial": denial,
            "match": match,
            "end_users": [p for p in denial.parties.all() if p.role == PartyRole.END_USER],
            "consult_url": (
                _consult_url(denial, query) if services.can_consult(denial, user) else ""
            ),
        }
        for denial, match in found
    ]
