"""Pages of the registry of entities, under Denials: the entities the reader may see
(and, for officers, the suggestions awaiting their state's decision), an entity's page,
and the acts on suggestions and relations. Every entity is fetched through
``Entity.objects.visible_to(request.user)`` (404 for anyone else), and everything a page
shows of it through ``sharing.registry.services.view_of``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.forms import apply_errors
from sharing.common.pages import other_params, paginate, reads
from sharing.common.services import check_can_author
from sharing.registry import services
from sharing.registry.forms import RelationForm
from sharing.registry.models import Entity, EntityLink, Relation

PAGE_SIZE = 50


def _entities(user):
    return Entity.objects.visible_to(user)


@login_required
def entity_list(request):
    """The entities the reader may see, by the name an item they read gives; with the
    suggestions their state is asked to decide first."""
    user = request.user
    query = services.clean_query(request.GET.get("q", ""))
    visible = EntityLink.objects.visible_to(user)
    links = visible.named(query) if query else visible
    page = paginate(request, links.entities_newest_first(), PAGE_SIZE)
    keys = [row["entity_id"] for row in page.object_list]
    seen = services.sightings(user, keys, visible)
    rows = [{"entity": Entity(pk=key), "sightings": seen.get(key, [])} for key in keys]
    suggestions = list(services.awaiting(user)[:PAGE_SIZE])
    suggested_names = services.sightings(user, {link.entity_id for link in suggestions}, visible)
    shown = [s for row in rows for s in row["sightings"]]
    shown += [s for rows in suggested_names.values() for s in rows]
    _record(user, request, shown)
    return render(
        request,
        "sharing/registry/list.html",
        {
            "rows": rows,
            "page": page,
            "query": other_params(request),
            "q": query,
            "suggestions": [
                {"link": link, "known": suggested_names.get(link.entity_id, [])}
                for link in suggestions
            ],
        },
    )


def _record(user, request, sightings) -> None:
    services.record_reading(sightings, by=user, request=request)


def _render_detail(request, entity, *, form=None, status=200):
    user = request.user
    seen = services.view_of(entity, user)
    if seen is None:
        raise Http404
    _record(user, request, seen.shown)
    citable = services.citable(entity, user)
    if citable and form is None:
        form = _relation_form(request, entity, citable)
    return render(
        request,
        "sharing/registry/detail.html",
        {"view": seen, "entity": entity, "relation_form": form if citable else None},
        status=status,
    )


def _relation_form(request, entity, citable, data=None) -> RelationForm:
    """The relation form; its choices name the entities the officer may see, each by a
    row of an item they may read: readings of those items."""
    others = services.sightings(request.user, _entities(request.user).exclude(pk=entity.pk))
    _record(request.user, request, [rows[0] for rows in others.values()])
    choices = sorted(
        ((str(pk), rows[0].row.name) for pk, rows in others.items()),
        key=lambda choice: choice[1].casefold(),
    )
    return RelationForm(
        data,
        others=choices,
        citable=[(services.cited_key(item), services.label_of(item)) for item in citable],
    )


@login_required
@reads(_entities)
def entity_detail(request, entity):
    return _render_detail(request, entity)


@login_required
@require_POST
@reads(_entities)
def relation_create(request, entity):
    user = request.user
    citable = services.citable(entity, user)
    if not citable:
        check_can_author(user)  # 403 for those who may not write at all
        raise Http404  # nothing of their state's names it
    form = _relation_form(request, entity, citable, request.POST)
    if form.is_valid():
        try:
            services.relate(entity, by=user, request=request, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The relation is recorded."))
            return redirect(entity)
    return _render_detail(request, entity, form=form, status=400)


@login_required
@require_POST
def relation_remove(request, pk):
    relation = get_object_or_404(Relation.objects.visible_to(request.user), pk=pk)
    services.unrelate(relation, by=request.user, request=request)
    messages.success(request, _("The relation is removed."))
    back = Entity.objects.visible_to(request.user).filter(pk=relation.subject_id).first()
    return redirect(back or "sharing:entity-list")


def _suggestion(request, pk) -> EntityLink:
    return get_object_or_404(services.awaiting(request.user), pk=pk)


def _decided(request, pk, act, done: str):
    link = _suggestion(request, pk)
    try:
        act(link, by=request.user, request=request)
    except ValidationError as error:  # decided at the same moment by a colleague
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done % {"name": link.row.name})
    return redirect("sharing:entity-list")


@login_required
@require_POST
def link_confirm(request, pk):
    return _decided(request, pk, services.confirm, _("“%(name)s” is linked to the entity."))


@login_required
@require_POST
def link_reject(request, pk):
    return _decided(request, pk, services.reject, _("“%(name)s” is not linked to that entity."))
