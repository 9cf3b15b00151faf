"""The best-practice library: browse with facets and search, read, write, publish, amend,
archive and endorse. Public best practices are readable without signing in, on pages
that show nothing else of the portal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.forms import apply_errors
from sharing.common import caching
from sharing.common import services as common
from sharing.common.pages import (
    earlier_versions_hidden,
    other_params,
    paginate,
    readable_history,
    with_diffs,
)
from sharing.common.querysets import LONG_TEXT_FIELDS
from sharing.notifications import services as notifications
from sharing.practices import services
from sharing.practices.choices import DocType, PracticeStatus
from sharing.practices.filters import PRACTICE_FACETS, BestPracticeFilterSet
from sharing.practices.forms import EndorseForm, PracticeAmendForm, PracticeForm
from sharing.practices.models import BestPractice, Endorsement
from sharing.search import engine as search

PAGE_SIZE = 20
SORTS = {
    "": _("Newest"),
    "endorsed": _("Most endorsed"),
    "title": _("Title"),
}
# With a search, the default order is by relevance.
SEARCH_SORTS = {"": _("Relevance"), "newest": _("Newest"), **{k: v for k, v in SORTS.items() if k}}
PUBLIC_CACHE_SECONDS = 300


def _page(request, template, context, *, status=200):
    """Render for the signed-in portal or, for anonymous visitors, the bare public
    layout, which search engines may index and shared caches may keep a while."""
    public = not request.user.is_authenticated
    context["base_template"] = "public_base.html" if public else "base.html"
    context["public_page"] = public
    response = render(request, template, context, status=status)
    if public:
        # Anyone's page: proxies may keep it a while. A member's page is private and never
        # stored (portal.middleware.PrivateByDefaultMiddleware).
        patch_cache_control(response, public=True, max_age=PUBLIC_CACHE_SECONDS)
    patch_vary_headers(response, ["Cookie"])
    return response


def _endorsement_count():
    counts = (
        Endorsement.objects.filter(best_practice=OuterRef("pk"))
        .order_by()
        .values("best_practice")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


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
    counts come from the cache while the library is unchanged (sharing.caching)."""
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
                    "label": row[label_field] if label_field else labels.get(value, value),
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
    query = search.parse(request.GET.get("q", ""))
    if query:
        base = search.matching(base, query)
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
        results = results.order_by(*search.BEST_FIRST)
    results = (
        results.select_related("lead_state").prefetch_related("topics").defer(*LONG_TEXT_FIELDS)
    )
    return _page(
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
        .prefetch_related(*readable_history(user))
    )


def _related(practice, user, limit=5):
    """Published best practices on the same topics, most topics in common first."""
    topics = [topic.pk for topic in practice.topics.all()]
    return list(
        BestPractice.objects.visible_to(user)
        .exclude(pk=practice.pk)
        .exclude(status=PracticeStatus.DRAFT)
        .filter(topics__in=topics)
        .annotate(shared=Count("topics"))
        .select_related("lead_state")
        .order_by("-shared", "-published_at", "pk")[:limit]
    )


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
    }
    return _page(request, "sharing/practices/detail.html", context, status=status)


def practice_detail(request, pk):
    practice = get_object_or_404(_detail_queryset(request.user), pk=pk)
    notifications.mark_read_about(practice, by=request.user)
    return _render_detail(request, practice)


def _practice_form_page(
    request, *, practice=None, form_class=PracticeForm, template, save, form_kwargs=None
):
    lead_state = practice.lead_state if practice else request.user.state
    form_kwargs = {"lead_state": lead_state, **(form_kwargs or {})}
    if request.method == "POST":
        form = form_class(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            try:
                saved = save(form, form.content())
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return redirect("sharing:practice-detail", pk=saved.pk)
    else:
        initial = services.content_of(practice) if practice else {}
        form = form_class(initial=initial, **form_kwargs)
    return render(
        request,
        template,
        {"form": form, "practice": practice},
        status=400 if request.method == "POST" else 200,
    )


def _visible(request, pk) -> BestPractice:
    return get_object_or_404(BestPractice.objects.visible_to(request.user), pk=pk)


@login_required
def practice_create(request):
    common.check_can_author(request.user)

    def save(form, content):
        practice = services.create(
            by=request.user,
            request=request,
            attachments=form.cleaned_data["attachments"],
            **content,
        )
        messages.success(request, _("Draft saved. Only the authoring states see it."))
        return practice

    return _practice_form_page(request, template="sharing/practices/form.html", save=save)


@login_required
def practice_edit(request, pk):
    practice = _visible(request, pk)
    services.check_can_change(practice, request.user)
    if not practice.is_draft:
        return redirect("sharing:practice-amend", pk=practice.pk)

    def save(form, content):
        saved = services.update(
            practice,
            by=request.user,
            request=request,
            attachments=form.cleaned_data["attachments"],
            **content,
        )
        messages.success(request, _("Draft saved."))
        return saved

    return _practice_form_page(
        request, practice=practice, template="sharing/practices/form.html", save=save
    )


@login_required
def practice_amend(request, pk):
    practice = _visible(request, pk)
    services.check_can_change(practice, request.user)
    if not practice.is_published:
        messages.error(request, _("Only a published best practice can be amended."))
        return redirect("sharing:practice-detail", pk=practice.pk)

    def save(form, content):
        saved = services.amend(
            practice, by=request.user, request=request, **form.amendment(), **content
        )
        messages.success(request, _("Version %(v)d published.") % {"v": saved.version})
        return saved

    return _practice_form_page(
        request,
        practice=practice,
        form_class=PracticeAmendForm,
        template="sharing/practices/amend.html",
        save=save,
        form_kwargs={"current_files": practice.attachments.current()},
    )


def _lead_action(request, pk, *, template, act, done, allowed_status, then=None):
    """A confirmation page, then one of the lead state's acts on the best practice;
    afterwards the reader goes to ``then`` (a URL name) or back to the best practice."""
    practice = _visible(request, pk)
    services.check_can_lead(practice, request.user)
    if practice.status != allowed_status:
        return redirect("sharing:practice-detail", pk=practice.pk)
    problems = []
    if request.method == "POST":
        try:
            act(practice, by=request.user, request=request)
        except ValidationError as error:
            problems = error.messages
        else:
            messages.success(request, done)
            if then:
                return redirect(then)
            return redirect("sharing:practice-detail", pk=practice.pk)
    return render(
        request,
        template,
        {"practice": practice, "problems": problems},
        status=400 if problems else 200,
    )


@login_required
def practice_publish(request, pk):
    return _lead_action(
        request,
        pk,
        template="sharing/practices/publish.html",
        act=services.publish,
        done=_("Published."),
        allowed_status=PracticeStatus.DRAFT,
    )


@login_required
def practice_archive(request, pk):
    return _lead_action(
        request,
        pk,
        template="sharing/practices/archive.html",
        act=services.archive,
        done=_("Archived. It stays readable, marked as archived."),
        allowed_status=PracticeStatus.PUBLISHED,
    )


@login_required
def practice_delete(request, pk):
    return _lead_action(
        request,
        pk,
        template="sharing/practices/delete.html",
        act=services.delete,
        done=_("The draft has been deleted."),
        allowed_status=PracticeStatus.DRAFT,
        then="sharing:practice-list",
    )


@login_required
@require_POST
def practice_endorse(request, pk):
    practice = get_object_or_404(_detail_queryset(request.user), pk=pk)
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
