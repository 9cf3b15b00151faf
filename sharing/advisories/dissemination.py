"""Advisories e-mailed to the dissemination lists chosen for them, one message per
contact and version (docs/architecture.md, "Industry contacts").

``start`` runs in the transaction that releases or amends an advisory: it writes a
``Dissemination`` row and queues ``send`` after commit. ``send`` works through the
active contacts of the advisory's lists that have no ``Sending`` yet, each in a
transaction of its own that writes the ``Sending`` (unique per contact) and the message
as a kept e-mail (``portal.mail.send_after_commit``: claimed, retried, swept): a worker
that dies half-way, or a task run twice, sends nobody a second copy. ``sweep`` queues
again what the broker or a worker lost.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from portal import mail
from portal.queue import enqueue, enqueue_on_commit
from sharing.advisories.choices import AdvisoryStatus, ContactStatus
from sharing.advisories.models import Advisory, Contact, Dissemination, Sending
from sharing.common.choices import TLP

TASK = "sharing.tasks.disseminate_advisory"
LOST_AFTER = datetime.timedelta(minutes=10)
READ_SALT = "sharing.advisories.read"
UNSUBSCRIBE_SALT = "sharing.advisories.unsubscribe"


def start(advisory: Advisory, *, withdrawal: bool = False) -> Dissemination | None:
    """The current version of ``advisory`` to be sent to its lists (if it has any), or
    the news of its withdrawal to everyone it was sent to (if anyone)."""
    if withdrawal:
        if not Sending.objects.filter(dissemination__advisory=advisory).exists():
            return None
    elif not (advisory.lists.exists() or advisory.shared_with.exists()):
        return None
    row, _created = Dissemination.objects.get_or_create(
        advisory=advisory, version=advisory.version, withdrawal=withdrawal
    )
    enqueue_on_commit(TASK, row.pk)
    return row


def reading_link(contact: Contact, advisory: Advisory) -> str:
    """A contact's own link to read ``advisory`` (valid ADVISORY_LINK_DAYS)."""
    token = signing.dumps({"c": contact.pk, "a": str(advisory.pk)}, salt=READ_SALT)
    return settings.SITE_URL + reverse("sharing:industry-read", args=[token])


def unsubscribe_link(contact: Contact) -> str:
    token = signing.dumps({"c": contact.pk}, salt=UNSUBSCRIBE_SALT)
    return settings.SITE_URL + reverse("sharing:industry-unsubscribe", args=[token])


def _reads_current(contact: Contact, advisory: Advisory) -> bool:
    """Whether ``advisory``'s current version was sent to ``contact``."""
    return Sending.objects.filter(
        contact=contact,
        dissemination__advisory=advisory,
        dissemination__version=advisory.version,
        dissemination__withdrawal=False,
    ).exists()


def message(contact: Contact, advisory: Advisory, *, withdrawal: bool = False):
    """The e-mail of ``advisory`` (or of its withdrawal) for ``contact``, in their
    language, with the one-click unsubscribe of RFC 8058. The news of a withdrawal shows
    the current version's title and link only to those it was sent to."""
    unsubscribe = unsubscribe_link(contact)
    with translation.override(contact.language):
        email = mail.render(
            "sharing/advisories/emails/withdrawn"
            if withdrawal
            else "sharing/advisories/emails/advisory",
            [contact.email],
            {
                "contact": contact,
                "advisory": advisory,
                "public": advisory.tlp == TLP.CLEAR,
                "link": reading_link(contact, advisory),
                "current": not withdrawal or _reads_current(contact, advisory),
                "unsubscribe": unsubscribe,
                "own_state": contact.state.local_name,
            },
        )
    email.extra_headers.update(
        {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"<advisories.{contact.state_id.lower()}.{mail.SITE.domain}>",
        }
    )
    return email


def _due(row: Dissemination):
    """The active contacts still to be sent ``row``: those on the advisory's lists, or
    for a withdrawal, those any version of it was sent to."""
    advisory = row.advisory
    if row.withdrawal:
        reached = Q(sendings__dissemination__advisory=advisory)
    else:
        # Its state's lists chosen for it, and the lists of the states it is shared with
        # that take what other states share.
        reached = Q(state_id=advisory.author_state_id, lists__in=advisory.lists.all()) | Q(
            state__in=advisory.shared_with.all(), lists__takes_shared=True
        )
    return (
        Contact.objects.filter(reached, status=ContactStatus.ACTIVE)
        .exclude(sendings__dissemination=row)
        .distinct()
        .order_by("pk")
    )


def send(dissemination_id: int) -> int:
    """Write the message of every contact still due; how many. Each in a transaction of
    its own, so what was written stays written whatever happens next."""
    row = (
        Dissemination.objects.select_related("advisory__author_state")
        .filter(pk=dissemination_id, done_at__isnull=True)
        .first()
    )
    if row is None:
        return 0
    written = 0
    advisory = row.advisory
    # A version that was withdrawn, or superseded, since: it goes to nobody more.
    wanted = AdvisoryStatus.WITHDRAWN if row.withdrawal else AdvisoryStatus.RELEASED
    current = advisory.status == wanted and advisory.version == row.version
    due = list(_due(row)) if current else []
    for contact in due:
        with transaction.atomic():
            still = Contact.objects.select_for_update().filter(
                pk=contact.pk, status=ContactStatus.ACTIVE
            )
            if not still.exists():  # unsubscribed or refused since the list was read
                continue
            # Locked: a withdrawal (which locks it too) comes wholly before this
            # message or wholly after, and then finds it among those to tell.
            if (
                not Advisory.objects.select_for_update()
                .filter(pk=advisory.pk, status=wanted, version=row.version)
                .exists()
            ):
                break
            sending, created = Sending.objects.get_or_create(dissemination=row, contact=contact)
            if not created:
                continue
            sending.email = mail.send_after_commit(
                message(contact, row.advisory, withdrawal=row.withdrawal),
                about=f"contact:{contact.pk}",
            )
            sending.save(update_fields=["email"])
        written += 1
    Dissemination.objects.filter(pk=row.pk).update(done_at=timezone.now())
    return written


def sweep(now: datetime.datetime | None = None) -> int:
    """Queue again the disseminations not finished: never queued, or lost with a worker."""
    now = now or timezone.now()
    grace = datetime.timedelta(seconds=settings.EVENT_SWEEP_GRACE_SECONDS)
    due = Dissemination.objects.filter(done_at__isnull=True, created_at__lte=now - grace).filter(
        Q(queued_at__isnull=True) | Q(queued_at__lte=now - LOST_AFTER)
    )
    ids = list(due.values_list("pk", flat=True))
    for pk in ids:
        enqueue(TASK, pk)
        Dissemination.objects.filter(pk=pk).update(queued_at=now)
    return len(ids)
