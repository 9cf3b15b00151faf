"""Industry contacts and dissemination lists: the only place that changes them
(docs/architecture.md, "Industry contacts").

A contact is a person outside government; they never get an account. They join by a
state's invitation (``invite``) or by asking on the public sign-up page
(``request_to_join``) and being accepted (``accept``); either way their address is
confirmed by double opt-in (``confirm``, from a link in a message), and only then are
they sent anything. Every message to them carries a one-click unsubscribe
(``unsubscribe``); an address the mail server refuses becomes undeliverable. Their data
is their state's alone: its officers and admins see, change, export and erase it.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.choices import StateStatus
from accounts.models import State, User
from portal import audit, mail
from portal.models import OutgoingEmail
from sharing.advisories.choices import ContactStatus
from sharing.advisories.dissemination import UNSUBSCRIBE_SALT
from sharing.advisories.models import Contact, DisseminationList, Sending
from sharing.common.services import check_can_author, clean_email, clean_text, signed_data

CONFIRM_SALT = "sharing.advisories.confirm"
LANGUAGES = [code for code, _name in settings.LANGUAGES]
MAX_NAME = 200


# --- Who may ---------------------------------------------------------------------------------


def check_can_manage(by: User) -> State:
    """Officers and admins of a subscribing state keep its lists and contacts."""
    return check_can_author(by)


# --- Input -----------------------------------------------------------------------------------


def _clean_person(data: dict, errors: dict) -> dict:
    email = clean_email(data.get("email"), errors)
    language = data.get("language") or "en"
    if language not in LANGUAGES:
        errors["language"] = _("Choose one of the languages offered.")
    return {
        "email": email,
        "name": clean_text(data.get("name"), "name", MAX_NAME, required=True, errors=errors),
        "organisation": clean_text(
            data.get("organisation"), "organisation", MAX_NAME, required=True, errors=errors
        ),
        "language": language,
    }


def _clean_lists(values, state: State, errors: dict) -> list[DisseminationList]:
    keys = [v.pk if isinstance(v, DisseminationList) else v for v in values or []]
    found = list(DisseminationList.objects.filter(state=state, pk__in=keys))
    if len(found) != len(set(keys)):
        errors["lists"] = _("Choose among your state's dissemination lists.")
    return found


# --- Messages --------------------------------------------------------------------------------


def confirmation_link(contact: Contact) -> str:
    token = signing.dumps({"c": contact.pk, "e": contact.email}, salt=CONFIRM_SALT)
    return settings.SITE_URL + reverse("sharing:industry-confirm", args=[token])


def _ask_to_confirm(contact: Contact) -> None:
    """The double opt-in's message, in the contact's language, kept to be sent."""
    with translation.override(contact.language):
        message = mail.render(
            "sharing/advisories/emails/confirm",
            [contact.email],
            {
                "contact": contact,
                "state": contact.state.local_name,
                "link": confirmation_link(contact),
                "days": settings.CONTACT_CONFIRM_DAYS,
            },
        )
    mail.send_after_commit(message, about=f"contact:{contact.pk}")


# --- Lists -----------------------------------------------------------------------------------


@transaction.atomic
def create_list(
    *, by: User, name, description="", takes_shared=False, request=None
) -> DisseminationList:
    state = check_can_manage(by)
    errors: dict = {}
    name = clean_text(name, "name", 100, required=True, errors=errors)
    description = clean_text(description, "description", 300, required=False, errors=errors)
    if not errors and DisseminationList.objects.filter(state=state, name__iexact=name).exists():
        errors["name"] = _("Your state already has a list of that name.")
    if errors:
        raise ValidationError(errors)
    row = DisseminationList.objects.create(
        state=state, name=name, description=description, takes_shared=takes_shared is True
    )
    audit.record(audit.Action.LIST_CREATED, request=request, actor=by, target=row)
    return row


@transaction.atomic
def delete_list(row: DisseminationList, *, by: User, request=None) -> None:
    if row.state_id != check_can_manage(by).pk:
        raise PermissionDenied
    audit.record(audit.Action.LIST_DELETED, request=request, actor=by, target=row)
    row.delete()


# --- Joining ---------------------------------------------------------------------------------


@transaction.atomic
def invite(*, by: User, lists=(), request=None, **data) -> Contact:
    """Add a contact to the state's lists and ask them to confirm their address."""
    state = check_can_manage(by)
    errors: dict = {}
    person = _clean_person(data, errors)
    chosen = _clean_lists(lists, state, errors)
    if not errors and Contact.objects.filter(state=state, email=person["email"]).exists():
        errors["email"] = _("This address is already one of your state's contacts.")
    if errors:
        raise ValidationError(errors)
    contact = Contact.objects.create(state=state, status=ContactStatus.PENDING, **person)
    contact.lists.set(chosen)
    audit.record(audit.Action.CONTACT_INVITED, request=request, actor=by, target=contact)
    _ask_to_confirm(contact)
    return contact


def sign_up_states():
    """The states a person may ask to join: subscribing ones."""
    return State.objects.filter(status=StateStatus.SUBSCRIBING)


@transaction.atomic
def request_to_join(*, state, note="", request=None, **data) -> None:
    """Someone asks, on the public page, to receive ``state``'s advisories: kept for the
    state's officers to accept or refuse. Whether the address is known already is
    never said (the same answer either way)."""
    errors: dict = {}
    person = _clean_person(data, errors)
    note = clean_text(note, "note", 500, required=False, errors=errors)
    if not isinstance(state, State) or not sign_up_states().filter(pk=state.pk).exists():
        errors["state"] = _("Choose one of the subscribing states.")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():  # the same request twice at once: one row, no error
            contact = Contact.objects.create(
                state=state, status=ContactStatus.REQUESTED, note=note, **person
            )
    except IntegrityError:
        return
    audit.record(
        audit.Action.CONTACT_REQUESTED, request=request, actor=None, state=state, target=contact
    )


def _own(contact: Contact, by: User) -> State:
    state = check_can_manage(by)
    if contact.state_id != state.pk:
        raise PermissionDenied
    return state


@transaction.atomic
def accept(contact: Contact, *, by: User, lists=(), request=None) -> Contact:
    """Accept a request to join: the person is asked to confirm their address."""
    state = _own(contact, by)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.status != ContactStatus.REQUESTED:
        raise ValidationError(_("Only a request to join can be accepted."))
    errors: dict = {}
    chosen = _clean_lists(lists, state, errors)
    if errors:
        raise ValidationError(errors)
    contact.status = ContactStatus.PENDING
    contact.save(update_fields=["status"])
    contact.lists.set(chosen)
    audit.record(audit.Action.CONTACT_ACCEPTED, request=request, actor=by, target=contact)
    _ask_to_confirm(contact)
    return contact


@transaction.atomic
def confirm(token: str) -> Contact | None:
    """The double opt-in: the contact the link names, active from now (None for a link
    that is not valid, has expired, or is for an address changed since)."""
    data = signed_data(token, salt=CONFIRM_SALT, days=settings.CONTACT_CONFIRM_DAYS)
    if data is None:
        return None
    contact = Contact.objects.select_for_update().filter(pk=data.get("c")).first()
    if contact is None or contact.email != data.get("e"):
        return None
    if contact.status == ContactStatus.PENDING:
        contact.status, contact.confirmed_at = ContactStatus.ACTIVE, timezone.now()
        contact.save(update_fields=["status", "confirmed_at"])
        audit.record(
            audit.Action.CONTACT_CONFIRMED, actor=None, state=contact.state, target=contact
        )
    return contact if contact.status == ContactStatus.ACTIVE else None


def contact_of_unsubscribe(token: str) -> Contact | None:
    data = signed_data(token, salt=UNSUBSCRIBE_SALT)
    return Contact.objects.filter(pk=data.get("c")).first() if data else None


@transaction.atomic
def unsubscribe(token: str) -> bool:
    """One click: the contact the link names receives nothing more. True if the link
    was valid (whether or not they had left already)."""
    contact = contact_of_unsubscribe(token)
    if contact is None:
        return False
    if contact.status in (ContactStatus.ACTIVE, ContactStatus.PENDING):
        contact.status, contact.left_at = ContactStatus.UNSUBSCRIBED, timezone.now()
        contact.save(update_fields=["status", "left_at"])
        audit.record(
            audit.Action.CONTACT_UNSUBSCRIBED, actor=None, state=contact.state, target=contact
        )
    return True


@receiver(mail.refused, sender=OutgoingEmail)
def _address_refused(sender, email: OutgoingEmail, **kwargs) -> None:
    """A bounce at the door: the mail server refused a contact's address for good."""
    kind, _colon, key = email.about.partition(":")
    if kind != "contact" or not key.isdigit():
        return
    mark_undeliverable(int(key), kind="refused")


# --- Changing, exporting, erasing --------------------------------------------------------------


@transaction.atomic
def update(contact: Contact, *, by: User, lists=(), request=None, **data) -> Contact:
    """Change a contact's name, organisation, language or lists (not their address: a
    new address is a new contact, who confirms it)."""
    state = _own(contact, by)
    errors: dict = {}
    person = _clean_person({**data, "email": contact.email}, errors)
    chosen = _clean_lists(lists, state, errors)
    if errors:
        raise ValidationError(errors)
    for field in ("name", "organisation", "language"):
        setattr(contact, field, person[field])
    contact.save()
    contact.lists.set(chosen)
    audit.record(audit.Action.CONTACT_CHANGED, request=request, actor=by, target=contact)
    return contact


def export(contact: Contact, *, by: User, request=None) -> dict:
    """Everything the portal holds about a contact, for them (a request for access)."""
    _own(contact, by)
    sent = Sending.objects.filter(contact=contact).select_related("dissemination__advisory")
    audit.record(audit.Action.CONTACT_EXPORTED, request=request, actor=by, target=contact)
    return {
        "email": contact.email,
        "name": contact.name,
        "organisation": contact.organisation,
        "language": contact.language,
        "status": contact.status,
        "note": contact.note,
        "lists": [row.name for row in contact.lists.all()],
        "added": contact.created_at.isoformat(),
        "confirmed": contact.confirmed_at.isoformat() if contact.confirmed_at else None,
        "left": contact.left_at.isoformat() if contact.left_at else None,
        "sent": [
            {
                "advisory": s.dissemination.advisory.reference,
                "version": s.dissemination.version,
                "at": s.created_at.isoformat(),
            }
            for s in sent.order_by("created_at")
        ],
    }


@transaction.atomic
def erase(contact: Contact, *, by: User, request=None) -> None:
    """Forget a contact (a request for erasure): their row goes, and so do the address
    and text of every message to them; what was sent to them is kept as counts, without
    them; their unsent messages are not sent."""
    _own(contact, by)
    # Every message to them, sent or not: its address and text go, and what was still
    # to be sent is not.
    mine = OutgoingEmail.objects.filter(about=f"contact:{contact.pk}")
    mine.filter(status__in=[OutgoingEmail.Status.PENDING, OutgoingEmail.Status.SENDING]).update(
        status=OutgoingEmail.Status.FAILED
    )
    mine.update(to=[], subject="", body="", html="", headers={})
    audit.record(audit.Action.CONTACT_ERASED, request=request, actor=by, target=contact)
    contact.delete()


@transaction.atomic
def refuse(contact: Contact, *, by: User, request=None) -> None:
    """Refuse a request to join: it is forgotten (nothing was ever sent to them)."""
    _own(contact, by)
    if contact.status != ContactStatus.REQUESTED:
        raise ValidationError(_("Only a request to join can be refused."))
    audit.record(audit.Action.CONTACT_REFUSED, request=request, actor=by, target=contact)
    contact.delete()


@transaction.atomic
def mark_undeliverable(pk: int, *, kind: str) -> int:
    """The contact ``pk`` receives nothing more: its address was refused, bounced later,
    or complained of. 1 if it was not marked so yet."""
    found = Contact.objects.select_for_update().filter(pk=pk)
    marked = 0
    for contact in found.exclude(status=ContactStatus.UNDELIVERABLE):
        contact.status, contact.left_at = ContactStatus.UNDELIVERABLE, timezone.now()
        contact.save(update_fields=["status", "left_at"])
        audit.record(
            audit.Action.CONTACT_UNDELIVERABLE,
            actor=None,
            state=contact.state,
            target=contact,
            details={"reported": kind},
        )
        marked += 1
    return marked
