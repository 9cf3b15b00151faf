"""Industry contacts: the pages where a state's officers keep their lists and contacts,
and the pages people outside government reach from the portal's messages or the public
sign-up form (confirm, unsubscribe, read an advisory sent to them). Those have no
account: a signed link is all they hold (docs/architecture.md, "Industry contacts")."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.forms import apply_errors, saved
from sharing.advisories import contacts
from sharing.advisories.choices import ContactStatus
from sharing.advisories.dissemination import READ_SALT
from sharing.advisories.forms import AcceptForm, ContactForm, ListForm, SignUpForm
from sharing.advisories.models import Advisory, Contact, DisseminationList, Sending
from sharing.api.throttling import SignUpRateThrottle
from sharing.common.pages import Confirmation, confirm, paginate, public_or_member_page
from sharing.common.services import signed_data

PAGE_SIZE = 50


@login_required
def contact_list(request):
    state = contacts.check_can_manage(request.user)
    own = Contact.objects.visible_to(request.user)
    visible = own.prefetch_related("lists")
    status = request.GET.get("status", "")
    if status in ContactStatus.values:
        visible = visible.filter(status=status)
    return render(
        request,
        "sharing/advisories/contacts.html",
        {
            "page": paginate(request, visible.exclude(status=ContactStatus.REQUESTED), PAGE_SIZE),
            "requests": [
                (row, AcceptForm(state=state, prefix=f"r{row.pk}"))
                for row in own.filter(status=ContactStatus.REQUESTED)
            ],
            "lists": DisseminationList.objects.visible_to(request.user),
            "list_form": ListForm(),
            "statuses": ContactStatus.choices,
            "status": status,
        },
    )


@login_required
def contact_invite(request):
    state = contacts.check_can_manage(request.user)
    form = ContactForm(request.POST or None, state=state)
    if request.method == "POST" and form.is_valid():
        done = saved(
            request,
            form,
            lambda: contacts.invite(
                by=request.user,
                request=request,
                **{**form.cleaned_data, "lists": list(form.cleaned_data["lists"])},
            ),
            done=_("Invited: they are sent nothing until they confirm their address."),
            then=reverse("sharing:contact-list"),
        )
        if done:
            return done
    return render(
        request,
        "sharing/advisories/contact_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _own_contact(request, pk) -> Contact:
    return get_object_or_404(Contact.objects.visible_to(request.user), pk=pk)


@login_required
def contact_detail(request, pk):
    contact = _own_contact(request, pk)
    form = ContactForm(
        request.POST or None,
        state=contact.state,
        with_email=False,
        initial={
            "name": contact.name,
            "organisation": contact.organisation,
            "language": contact.language,
            "lists": list(contact.lists.all()),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "lists": list(form.cleaned_data["lists"])}
        done = saved(
            request,
            form,
            lambda: contacts.update(contact, by=request.user, request=request, **data),
            done=_("Saved."),
            then=reverse("sharing:contact-detail", args=[contact.pk]),
        )
        if done:
            return done
    sent = Sending.objects.filter(contact=contact).select_related("dissemination__advisory")
    return render(
        request,
        "sharing/advisories/contact_detail.html",
        {"contact": contact, "form": form, "sent": sent.order_by("-created_at")[:50]},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def contact_export(request, pk):
    contact = _own_contact(request, pk)
    data = contacts.export(contact, by=request.user, request=request)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.json"'
    return response


@login_required
def contact_erase(request, pk):
    contact = _own_contact(request, pk)
    page = Confirmation(
        heading=_("Erase this contact?"),
        lead=str(contact),
        explanation=[
            _(
                "Their name, address and organisation are deleted for good; what was sent "
                "to them is kept as counts only. Export their data first if they asked for it."
            )
        ],
        submit=_("Erase"),
        danger=True,
    )
    return confirm(
        request,
        contact,
        page,
        act=contacts.erase,
        done=_("The contact has been erased."),
        then=reverse("sharing:contact-list"),
    )


@login_required
@require_POST
def contact_request(request, pk):
    """Accept a request to join (with the lists chosen) or refuse it."""
    contact = _own_contact(request, pk)
    try:
        if request.POST.get("decision") == "refuse":
            contacts.refuse(contact, by=request.user, request=request)
            messages.success(request, _("Refused: the request is forgotten."))
        else:
            form = AcceptForm(request.POST, state=contact.state, prefix=f"r{contact.pk}")
            lists = list(form.cleaned_data["lists"]) if form.is_valid() else []
            contacts.accept(contact, by=request.user, request=request, lists=lists)
            messages.success(request, _("Accepted: they have been asked to confirm their address."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("sharing:contact-list")


@login_required
@require_POST
def list_create(request):
    form = ListForm(request.POST)
    if form.is_valid():
        try:
            contacts.create_list(by=request.user, request=request, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("List created."))
    else:
        messages.error(request, _("Give the list a name."))
    return redirect("sharing:contact-list")


@login_required
def list_delete(request, pk):
    row = get_object_or_404(DisseminationList.objects.visible_to(request.user), pk=pk)
    page = Confirmation(
        heading=_("Delete this list?"),
        lead=row.name,
        explanation=[_("Its contacts stay your state's contacts, on their other lists.")],
        submit=_("Delete the list"),
        danger=True,
    )
    return confirm(
        request,
        row,
        page,
        act=contacts.delete_list,
        done=_("The list has been deleted."),
        then=reverse("sharing:contact-list"),
    )


# --- The pages of people outside government ---------------------------------------------------


def _outside(request, template, context, status=200):
    response = public_or_member_page(request, template, context, status=status, shared=False)
    response["X-Robots-Tag"] = "noindex"
    return response


def sign_up(request):
    form = SignUpForm(request.POST or None, states=contacts.sign_up_states())
    context = {"form": form, "done": False, "limited": False}
    status = 200
    if request.method == "POST":
        if not SignUpRateThrottle().allow_request(request, None):
            context["limited"], status = True, 429
        elif form.is_valid():
            try:
                contacts.request_to_join(request=request, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
                status = 400
            else:
                context["done"] = True
        else:
            status = 400
    return _outside(request, "sharing/advisories/sign_up.html", context, status)


def confirm_address(request, token):
    """The double opt-in: a GET shows the button (mail scanners open links), a POST
    confirms."""
    done = None
    if request.method == "POST":
        done = contacts.confirm(token)
        if done is None:
            return _outside(request, "sharing/advisories/link_invalid.html", {}, 404)
    return _outside(request, "sharing/advisories/confirm.html", {"done": done})


@csrf_exempt
def unsubscribe(request, token):
    """One click (RFC 8058): a POST to the address in the List-Unsubscribe header, as
    mail programs send it without a page or a cookie, unsubscribes; a GET shows the
    button. The signed link is the proof."""
    contact = contacts.contact_of_unsubscribe(token)
    if contact is None:
        return _outside(request, "sharing/advisories/link_invalid.html", {}, 404)
    done = request.method == "POST" and contacts.unsubscribe(token)
    return _outside(
        request, "sharing/advisories/unsubscribe.html", {"done": done, "contact": contact}
    )


def read(request, token):
    """An advisory sent to a contact, read through their own link: while the link is
    valid, they are active, and its current version was sent to them."""
    data = signed_data(token, salt=READ_SALT, days=settings.ADVISORY_LINK_DAYS)
    if data is None:
        return _outside(request, "sharing/advisories/link_invalid.html", {}, 404)
    contact = Contact.objects.filter(pk=data.get("c")).first()
    advisory = (
        Advisory.objects.sent_to(contact)
        .filter(pk=data.get("a"))
        .select_related("author_state")
        .prefetch_related("entities", "categories")
        .first()
    )
    if advisory is None:
        return _outside(request, "sharing/advisories/link_invalid.html", {}, 404)
    return _outside(request, "sharing/advisories/read.html", {"advisory": advisory})
