"""The best-practice library: browse with facets and search, read, write, publish, amend,
archive and endorse. Public best practices are readable without signing in, on pages
that show nothing else of the portal."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_POST

from accounts.models import State
from portal.forms import apply_errors
from sharing.common import caching, textsearch
from sharing.common import services as common
from sharing.common.pages import (
    Confirmation,
    ItemFormPages,
    confirm,
    decide,
    earlier_versions_hidden,
    other_params,
    paginate,
    public_or_member_page,
    readable_history,
    reads,
    review,
    submitted_instead,
    with_diffs,
)
from sharing.common.querysets import LONG_TEXT_FIELDS, approval_record
from sharing.practices import comment_windows, services
from sharing.practices.choices import DocType, PracticeAudience, PracticeStatus
from sharing.practices.filters import PRACTICE_FACETS, BestPracticeFilterSet
from sharing.practices.forms import EndorseForm, OutcomeForm, PracticeAmendForm, PracticeForm
from sharing.practices.models import BestPractice, CommentWindow, Endorsement

PAGE_SIZE = 20
# What an approver is shown changing in an amendment, besides the text.
AMENDABLE_FIELDS = {
    "doc_type": gettext_lazy("Type of document"),
    "topics": gettext_lazy("Topics"),
    "co_authors": gettext_lazy("Co-authoring states"),
    "audience": gettext_lazy("Audience"),
    "public": gettext_lazy("Public"),
}
# Lazy: read in each request's language, not in whichever was active at import.
SORTS = {
    "": gettext_lazy("Newest"),
    "endorsed": gettext_lazy("Most endorsed"),
    "title": gettext_lazy("Title"),
}
# With a search, the default order is by relevance.
SEARCH_SORTS = {
    "": gettext_lazy("Relevance"),
    "newest": gettext_lazy("Newest"),
    **{k: v for k, v in SORTS.items() if k},
}


def _endorsement_count():
    counts = (
        Endorsement.objects.filter(best_practice=OuterRef("pk"))
        .order_by()
        .values("best_practice")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def _facet_label(key: str, value, label: str) -> str:
    """A facet value's words in the reader's language: a topic's seeded name from the
    catalogue, a state's name as State shows it."""
    if key == "topic":
        return pgettext("taxonomy", label)  # as Term.__str__ says it
    if key in ("lead_state", "endorsed_by"):
        return State(code=value, name=label).local_name
    return label


def _zero_row(in_force, key, selected, value_field, label_field) -> dict:
    """The filter in force as a facet value without results. The page's filter form has
    already checked the value and looked its term up: a value it refused (unknown, or
    not even text the database takes, such as a NUL) is shown as given and never goes
    near the database."""
    row = {value_field: selected, "n": 0}
    if label_field:
        term = getattr(in_force.form, "cleaned_data", {}).get(key)
        row[label_field] = str(term) if term else selected
    return row


def _facets(request, base, in_force) -> list[dict]:
    """For each facet: its values with the number of results each would give, counted
    under every other filter in force (and the search), so the numbers always add up to
    what the reader would see. ``in_force`` is the page's own filterset, validated. The
    counts come from the cache while the library is unchanged (sharing.practices.caching)."""
    wanted = []
    for key, (value_field, label_field) in PRACTICE_FACETS.items():
        data = request.GET.copy()
        selected = data.pop(key, [""])[-1]
        data.pop("page", None)
        filterset = BestPracticeFilterSet(data, queryset=base)
        queryset = filterset.qs if filterset.is_valid() else base.none()
        fields = [value_field] + ([label_field] if label_field else [])
        rows = (
            queryset.order_by()
            # filter(isnull=False), not exclude(isnull=True): across a relation to many
            # rows, exclude() becomes a NOT IN subquery that PostgreSQL ran as a nested
            # loop (three seconds for the endorsements facet at 10,000 best practices);
            # this is the plain join that the grouping below reuses, with the same counts.
            .filter(**{f"{value_field}__isnull": False})
            .values(*fields)
            .annotate(n=Count("pk", distinct=True))
            .order_by("-n", *fields)
        )
        wanted.append((key, value_field, label_field, data, selected, rows))
    counted = caching.cached_rows([rows for *_, rows in wanted])
    labels = dict(DocType.choices)
    facets = []
    for (key, value_field, label_field, data, selected, _rows), rows in zip(
        wanted, counted, strict=True
    ):
        options = []
        if selected and all(str(row[value_field]) != selected for row in rows):
            # The filter in force matches nothing with the others: still show it, so it
            # can be seen and removed.
            rows = [*rows, _zero_row(in_force, key, selected, value_field, label_field)]
        for row in rows:
            value = row[value_field]
            query = data.copy()
            if str(value) != selected:
                query[key] = value
            options.append(
                {
                    "value": value,
                    "label": _facet_label(key, value, row[label_field])
                    if label_field
                    else labels.get(value, value),
                    "count": row["n"],
                    "selected": str(value) == selected,
                    "query": query.urlencode(),
                }
            )
        facets.append(
            {
                "key": key,
                "label": BestPracticeFilterSet.base_filters[key].label,
                "options": options,
            }
        )
    return facets


def practice_list(request):
    user = request.user
    base = BestPractice.objects.visible_to(user)
    query = textsearch.parse(request.GET.get("q", ""))
    if query:
        base = textsearch.matching(base, query)
    filterset = BestPracticeFilterSet(request.GET or None, queryset=base)
    valid = not filterset.is_bound or filterset.is_valid()
    results = (filterset.qs if valid else base.none()).annotate(
        endorsement_count=_endorsement_count()
    )
    sort = request.GET.get("sort", "")
    if sort == "endorsed":
        results = results.order_by("-endorsement_count", "-published_at", "pk")
    elif sort == "title":
        results = results.order_by("title", "pk")
    elif query and sort != "newest":
        results = results.order_by(*textsearch.BEST_FIRST)
    results = (
        results.select_related("lead_state").prefetch_related("topics").defer(*LONG_TEXT_FIELDS)
    )
    return public_or_member_page(
        request,
        "sharing/practices/list.html",
        {
            "page": paginate(request, results, PAGE_SIZE),
            "query": other_params(request),
            "q": query.text,
            "sort": sort,
            "sorts": SEARCH_SORTS if query else SORTS,
            "facets": _facets(request, base, filterset),
            "filters_invalid": not valid,
            "can_create": common.can_author(user),
        },
    )


def _detail_queryset(user):
    return (
        BestPractice.objects.visible_to(user)
        .with_content()
        .select_related("comment_window")  # in the same query, there or not
        .prefetch_related(*readable_history(user, of="best_practice"))
        # Four eyes: its record for signed-in readers (a visitor is shown none of it).
        .prefetch_related(*(approval_record() if user.is_authenticated else ()))
    )


def _related(practice, user, limit=5):
    """Published best practices on the same topics, most topics in common first."""
    topics = [topic.pk for topic in practice.topics.all()]
    return list(
        BestPractice.objects.visible_to(user)
        .exclude(pk=practice.pk)
        .exclude(status__in=BestPractice.UNPUBLISHED)
        .filter(topics__in=topics)
        .annotate(shared=Count("topics"))
        .select_related("lead_state")
        .order_by("-shared", "-published_at", "pk")[:limit]
    )


def _window_of(practice):
    """Its public comment window, if it had one (read with it: no query of its own)."""
    try:
        return practice.comment_window
    except CommentWindow.DoesNotExist:
        return None


def _render_detail(request, practice, *, endorse_form=None, status=200):
    user = request.user
    endorsements = services.endorsements_shown(practice, user)
    own = (
        next((e for e in endorsements if e.state_id == user.state_id), None)
        if (user.is_authenticated)
        else None
    )
    can_endorse = user.is_authenticated and services.can_endorse(practice, user)
    if endorse_form is None and can_endorse:
        endorse_form = EndorseForm(initial={"kind": own.kind, "note": own.note} if own else None)
    revisions = practice.readable_revisions
    context = {
        "practice": practice,
        # The public sees that there were public versions (number, date), not their
        # text, diffs or change notes: the page for it is the current version alone.
        "revisions": with_diffs(revisions) if user.is_authenticated else list(revisions),
        "earlier_hidden": earlier_versions_hidden(revisions),
        "endorsements": endorsements,
        "adopted": sum(1 for e in endorsements if e.kind == "adopted"),
        "own_endorsement": own,
        "can_endorse": can_endorse,
        "endorse_form": endorse_form,
        "related": _related(practice, user),
        "can_write": user.is_authenticated and services.can_change(practice, user),
        "can_lead": user.is_authenticated and services.can_lead(practice, user),
        # For its own state's officers and admins only (visitors included: nothing).
        "review": review(practice, user, services, AMENDABLE_FIELDS),
        "rejection": services.rejection_shown(practice, user),
        # Its public comment window: for the lead and co-authoring states, and once it
        # is published, for its readers (what changed after consultation).
        "window": _window_of(practice),
        "can_open_window": practice.is_draft
        and user.is_authenticated
        and services.can_lead(practice, user),
    }
    return public_or_member_page(request, "sharing/practices/detail.html", context, status=status)


@reads(_detail_queryset)
def practice_detail(request, practice):
    common.opened(practice, by=request.user)
    return _render_detail(request, practice)


class _PracticeForms(ItemFormPages):
    name, folder, owner = "practice", "practices", "lead_state"
    form_class, amend_form_class = PracticeForm, PracticeAmendForm
    created = gettext_lazy("Draft saved. Only the authoring states see it.")
    amend_refused = gettext_lazy("Only a published best practice can be amended.")


_FORMS = _PracticeForms(services)


@login_required
def practice_create(request):
    return _FORMS.create(request)


@login_required
@reads(BestPractice.objects.visible_to)
def practice_edit(request, practice):
    return _FORMS.edit(request, practice)


@login_required
@reads(BestPractice.objects.visible_to)
def practice_amend(request, practice):
    return _FORMS.amend(request, practice)


def _lead_action(request, practice, *, page, act, done, allowed_status, then=None, four_eyes=""):
    """A confirmation page, then one of the lead state's acts on the best practice;
    afterwards the reader goes to ``then`` (an address) or back to the best practice.
    ``four_eyes`` names the act when the state's approval policy may apply to it."""
    services.check_can_lead(practice, request.user)
    if practice.status not in allowed_status:
        return redirect("sharing:practice-detail", pk=practice.pk)
    page.lead = practice.title
    if four_eyes:
        page, act, done = submitted_instead(practice, services, four_eyes, page, act, done)
    return confirm(request, practice, page, act=act, done=done, then=then)


def _publish_after_consultation(request, practice, window, reach, public):
    """Publishing a draft that had a comment window: the page also asks what changed
    after consultation (shown on the window's page), and the window closes."""
    services.check_can_lead(practice, request.user)
    if practice.status != PracticeStatus.DRAFT:
        return redirect("sharing:practice-detail", pk=practice.pk)
    four_eyes = services.needs_approval(practice, "publish")
    page = Confirmation(
        heading=_("Publish this best practice?"),
        lead=practice.title,
        explanation=[
            reach,
            _(
                "Its draft was open for public comment: say what changed after "
                "consultation. It is shown on the comment window's page."
            ),
        ],
        warning=public if practice.public else "",
        submit=_("Submit for approval") if four_eyes else _("Publish"),
    )
    act = functools.partial(comment_windows.publish_after_consultation, four_eyes=four_eyes)
    done = (
        _("Submitted. Your state's officers and admins have been asked to approve it.")
        if four_eyes
        else _("Published.")
    )
    form = OutcomeForm(request.POST or None)
    return confirm(request, practice, page, act=act, done=done, form=form)


@login_required
@reads(BestPractice.objects.visible_to)
def practice_publish(request, practice):
    reach = (
        _("It will be readable by every subscribing and observer state.")
        if practice.audience == PracticeAudience.COMMUNITY
        else _("It will be readable by every subscribing state.")
    )
    public = _("It is also public: anyone can read it without signing in.")
    window = _window_of(practice)
    if window is not None:
        return _publish_after_consultation(request, practice, window, reach, public)
    return _lead_action(
        request,
        practice,
        page=Confirmation(
            heading=_("Publish this best practice?"),
            explanation=[reach],
            warning=public if practice.public else "",
            submit=_("Publish"),
        ),
        act=services.publish,
        done=_("Published."),
        allowed_status=[PracticeStatus.DRAFT],
        four_eyes="publish",
    )


@login_required
@reads(BestPractice.objects.visible_to)
def practice_archive(request, practice):
    return _lead_action(
        request,
        practice,
        page=Confirmation(
            heading=_("Archive this best practice?"),
            explanation=[
                _(
                    "It stays readable, marked as archived, but can no longer be amended or "
                    "endorsed."
                )
            ],
            submit=_("Archive"),
            danger=True,
        ),
        act=services.archive,
        done=_("Archived. It stays readable, marked as archived."),
        allowed_status=[PracticeStatus.PUBLISHED],
        four_eyes="retire",
    )


@login_required
@require_POST
@reads(BestPractice.objects.visible_to)
def practice_approval(request, practice):
    return decide(request, practice, services)


@login_required
@reads(BestPractice.objects.visible_to)
def practice_delete(request, practice):
    return _lead_action(
        request,
        practice,
        page=Confirmation(
            heading=_("Delete this draft?"),
            explanation=[
                _("The draft and its files are deleted for good. Nothing was shared yet.")
            ],
            submit=_("Delete the draft"),
            danger=True,
        ),
        act=services.delete,
        done=_("The draft has been deleted."),
        allowed_status=BestPractice.UNPUBLISHED,
        then=reverse("sharing:practice-list"),
    )


@login_required
@require_POST
@reads(_detail_queryset)
def practice_endorse(request, practice):
    if request.POST.get("action") == "withdraw":
        if services.withdraw_endorsement(practice, by=request.user, request=request):
            messages.success(request, _("Your state's endorsement has been withdrawn."))
        return redirect(f"{practice.get_absolute_url()}#endorsements")
    services.check_can_endorse(practice, request.user)
    form = EndorseForm(request.POST)
    if form.is_valid():
        try:
            services.endorse(
                practice,
                by=request.user,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved for %(state)s.") % {"state": request.user.state})
            return redirect(f"{practice.get_absolute_url()}#endorsements")
    return _render_detail(request, practice, endorse_form=form, status=400)
