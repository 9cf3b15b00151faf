"""Industry advisories: the list and each advisory's page (public for TLP:CLEAR ones,
in a bare layout that shows nothing else of the portal), and the officers' pages that
write, submit for release, amend and withdraw them (docs/architecture.md, "Advisories")."""

import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import State
from sharing.advisories import csaf, public_list, services
from sharing.advisories import public_screening as public_screening_service
from sharing.advisories.choices import AdvisoryStatus
from sharing.advisories.filters import AdvisoryFilterSet
from sharing.advisories.forms import (
    AdvisoryAmendForm,
    AdvisoryForm,
    PublicScreeningForm,
    WithdrawForm,
)
from sharing.advisories.models import Advisory
from sharing.api.throttling import PublicAddressRateThrottle
from sharing.common import services as common
from sharing.common.pages import (
    PUBLIC_CACHE_SECONDS,
    Confirmation,
    ItemFormPages,
    confirm,
    decide,
    delete_draft,
    filtered,
    other_params,
    paginate,
    public_or_member_page,
    reads,
    review,
    submitted_instead,
    with_diffs,
)
from sharing.common.querysets import LONG_TEXT_FIELDS, approval_record
from sharing.notices.models import Notice

PAGE_SIZE = 20
# What an approver is shown changing in an amendment, besides the text.
AMENDABLE_FIELDS = {
    "tlp": gettext_lazy("Marking"),
    "red_flags": gettext_lazy("Red flags"),
    "categories": gettext_lazy("Technology categories"),
    "entities": gettext_lazy("Entities named"),
}

FIELD_LABELS = {
    "title": gettext_lazy("Title"),
    "summary": gettext_lazy("Summary"),
    "body": gettext_lazy("Body"),
    "red_flags": gettext_lazy("Red flags"),
}


def advisory_list(request):
    """Released advisories, newest first, with the reader's own state's drafts first
    for its officers and admins; filtered by state, category and release date."""
    base = Advisory.objects.visible_to(request.user)
    filterset = AdvisoryFilterSet(request.GET or None, queryset=base)
    results, valid = filtered(filterset)
    results = (
        results.select_related("author_state")
        .prefetch_related("categories")
        .defer(*LONG_TEXT_FIELDS)
        .distinct()
    )
    return public_or_member_page(
        request,
        "sharing/advisories/list.html",
        {
            "filter": filterset,
            "filters_invalid": not valid,
            "page": paginate(request, results, PAGE_SIZE),
            "query": other_params(request),
            "can_create": common.can_author(request.user),
        },
    )


def _detail_queryset(user):
    queryset = Advisory.objects.visible_to(user).with_content()
    if user.is_authenticated:  # its four eyes and versions, for members
        queryset = queryset.prefetch_related(*approval_record())
    return queryset


def _source_shown(advisory, user):
    """The source notice, for a reader who may read it; for anyone else, nothing (not
    even that there is one)."""
    if advisory.source_id is None or not user.is_authenticated:
        return None
    return Notice.objects.visible_to(user).filter(pk=advisory.source_id).first()


@reads(_detail_queryset)
def advisory_detail(request, advisory):
    user = request.user
    common.opened(advisory, by=user)
    revisions = advisory.revisions.visible_to(user, of="advisory").select_related(
        "created_by", "approved_by"
    )
    can_change = user.is_authenticated and services.can_change(advisory, user)
    context = {
        "advisory": advisory,
        "revisions": with_diffs(revisions) if user.is_authenticated else list(revisions),
        "source": _source_shown(advisory, user),
        "can_change": can_change,
        "review": review(advisory, user, services, AMENDABLE_FIELDS),
        "rejection": services.rejection_shown(advisory, user),
        # The copy guard's findings, for its officers while it can still be changed.
        "copied": [
            (FIELD_LABELS[passage.field], passage.text)
            for passage in services.copied_passages(services.content_of(advisory))
        ]
        if can_change and not advisory.is_withdrawn
        else [],
    }
    return public_or_member_page(request, "sharing/advisories/detail.html", context)


class _AdvisoryForms(ItemFormPages):
    name, folder, owner = "advisory", "advisories", "author_state"
    form_class, amend_form_class = AdvisoryForm, AdvisoryAmendForm
    created = gettext_lazy(
        "Draft saved. Only your state's officers and admins see it until another officer "
        "approves its release."
    )
    amend_refused = gettext_lazy("Only a released advisory can be amended.")

    def form_kwargs(self, request, item):
        if item is not None:
            return {"source": item.source}
        key = request.GET.get("source")
        if not key:
            return {"source": None}
        try:
            key = uuid.UUID(key)
        except ValueError as error:
            raise Http404 from error
        # Only a published notice of the officer's own state: anything else is not found.
        choices = services.source_choices(request.user.state).prefetch_related("entities")
        return {"source": get_object_or_404(choices, pk=key)}


_FORMS = _AdvisoryForms(services)


@login_required
def advisory_create(request):
    return _FORMS.create(request)


@login_required
@reads(Advisory.objects.visible_to)
def advisory_edit(request, advisory):
    return _FORMS.edit(request, advisory)


@login_required
@reads(Advisory.objects.visible_to)
def advisory_amend(request, advisory):
    return _FORMS.amend(request, advisory)


def _reach(advisory) -> str:
    if advisory.public:
        return _(
            "TLP:CLEAR: once approved it is public, on its page, in the feed, as a CSAF "
            "document and in the public screening list."
        )
    return _("TLP:GREEN: once approved it goes to your state's industry contacts only.")


@login_required
@reads(Advisory.objects.visible_to)
def advisory_release(request, advisory):
    services.check_can_change(advisory, request.user)
    if not advisory.is_draft:
        return redirect(advisory)
    page = Confirmation(
        heading=_("Submit this advisory for release?"),
        lead=advisory.title,
        tlp=advisory.tlp,
        explanation=[_reach(advisory)],
        submit=_("Submit for release"),
    )
    named = [entity.name for entity in advisory.entities.all()]
    if named:
        page.explanation.append(
            _("It names these entities: %(names)s.") % {"names": ", ".join(named)}
        )
    page, act, done = submitted_instead(
        advisory, services, "publish", page, services.submit, _("Submitted.")
    )
    return confirm(request, advisory, page, act=act, done=done)


@login_required
@reads(Advisory.objects.visible_to)
def advisory_withdraw(request, advisory):
    services.check_can_change(advisory, request.user)
    if not advisory.is_published:
        return redirect(advisory)
    page = Confirmation(
        heading=_("Withdraw %(ref)s?") % {"ref": advisory.reference},
        lead=advisory.title,
        tlp=advisory.tlp,
        explanation=[
            _(
                "It is withdrawn at once, without waiting for another officer: its page "
                "stays up under a banner with your reason, the feed and its CSAF document "
                "say it is withdrawn, and its entities leave the public screening list."
            )
        ],
        submit=_("Withdraw the advisory"),
        danger=True,
    )
    form = WithdrawForm(request.POST or None)
    done = _("The advisory has been withdrawn.")
    return confirm(request, advisory, page, act=services.withdraw, done=done, form=form)


@login_required
@require_POST
@reads(Advisory.objects.visible_to)
def advisory_approval(request, advisory):
    return decide(request, advisory, services)


@login_required
@reads(Advisory.objects.visible_to)
def advisory_delete(request, advisory):
    services.check_can_change(advisory, request.user)
    if advisory.status not in (AdvisoryStatus.DRAFT, AdvisoryStatus.PENDING):
        if request.method == "POST":
            messages.error(request, services.AdvisoryLifecycle.refusals["delete_published"])
        return redirect(advisory)
    return delete_draft(
        request,
        advisory,
        act=services.delete,
        explanation=_("The draft is deleted for good. Nothing left government."),
        then=reverse("sharing:advisory-list"),
    )


# --- CSAF: the provider metadata, the directory and its documents ----------------------------


def _json(content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="application/json")
    patch_cache_control(response, public=True, max_age=PUBLIC_CACHE_SECONDS)
    return response


def _text(content: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=PUBLIC_CACHE_SECONDS)
    return response


def csaf_provider_metadata(request):
    with translation.override("en"):
        body = json.dumps(csaf.provider_metadata(), indent=2, sort_keys=True).encode()
    return _json(body)


def _check_folder(folder: str) -> None:
    if folder != csaf.FOLDER:
        raise Http404


def csaf_index(request, folder):
    """``index.txt``: each document's path in the directory, one per line."""
    _check_folder(folder)
    return _text("".join(f"{csaf.document_path(a)}\n" for a in csaf.published()))


def csaf_changes(request, folder):
    """``changes.csv``: each document's path and when it last changed, newest first."""
    _check_folder(folder)
    with translation.override("en"):
        rows = sorted(
            (
                (csaf.document(a)["document"]["tracking"]["current_release_date"], a)
                for a in csaf.published()
            ),
            key=lambda row: row[0],
            reverse=True,
        )
    return _text("".join(f'"{csaf.document_path(a)}","{date}"\n' for date, a in rows))


def csaf_directory(request, folder):
    """The directory's own address: what it holds, as links (for people and crawlers)."""
    _check_folder(folder)
    return public_or_member_page(
        request,
        "sharing/advisories/csaf_directory.html",
        {
            "documents": [
                (csaf.document_path(a), csaf.document_url(a), a) for a in csaf.published()
            ],
            "folder": folder,
            "indexes": [
                (reverse("sharing:csaf-provider-metadata"), "provider-metadata.json"),
                (reverse("sharing:csaf-index", args=[folder]), "index.txt"),
                (reverse("sharing:csaf-changes", args=[folder]), "changes.csv"),
            ],
        },
    )


def _csaf_advisory(folder: str, year: int, name: str) -> Advisory:
    _check_folder(folder)
    if not 1 <= year <= 9999:  # no date has such a year (and the database cannot ask)
        raise Http404
    for advisory in csaf.published().filter(published_at__year=year):
        if csaf.file_name(advisory) == name:
            return advisory
    raise Http404


def csaf_document(request, folder, year, name):
    with translation.override("en"):
        return _json(csaf.serialised(_csaf_advisory(folder, year, name)))


def csaf_hash(request, folder, year, name):
    """``<file>.json.sha256``: the document's SHA-256 and its file name, as sha256sum
    writes them."""
    with translation.override("en"):
        advisory = _csaf_advisory(folder, year, name)
        digest = csaf.sha256(csaf.serialised(advisory))
    return _text(f"{digest}  {name}\n")


# --- Exporters' self-screening -----------------------------------------------------------------


def public_screening(request):
    """Screen one name against the entities of public advisories: anyone, within the
    public rate per address; what was screened is kept nowhere."""
    form = PublicScreeningForm(request.POST or None)
    context = {"form": form, "results": None, "limited": False}
    status = 200
    if request.method == "POST":
        if not PublicAddressRateThrottle().allow_request(request, None):
            context["limited"] = True
            status = 429
        elif form.is_valid():
            party = public_screening_service.Party(
                form.cleaned_data["name"], form.cleaned_data["country"]
            )
            version, (matches,) = public_screening_service.screen([party])
            states = {
                s.pk: s for s in State.objects.filter(pk__in={m.entity["state"] for m in matches})
            }
            context["results"] = [(match, states.get(match.entity["state"])) for match in matches]
            context["version"] = version
        else:
            status = 400
    context["list_version"] = public_list.current()
    context["downloads"] = [
        (reverse("public-api:list-json"), "JSON"),
        (reverse("public-api:list-csv"), "CSV"),
        (reverse("public-api:list-ftm"), "FollowTheMoney"),
    ]
    context["api_format"] = "OpenAPI"
    return public_or_member_page(
        request, "sharing/advisories/screening.html", context, status=status, shared=False
    )
