"""Released TLP:CLEAR advisories as CSAF 2.0 documents, and the provider metadata and
directory index that CSAF aggregators and tools collect them by (docs/architecture.md,
"Advisories").

Each advisory is a ``csaf_informational_advisory``: its summary, body and red flags as
notes, its categories as a note, its page as the external reference, and its public
versions as the tracking's revision history. A withdrawn advisory gets one last revision
that says so. CSAF 2.0 marks documents with the labels of TLP 1.0, where TLP 2.0's
CLEAR is called WHITE: that is the label its schema takes, and the directory's name.
"""

from __future__ import annotations

import hashlib
import json
import re

from django.conf import settings
from django.urls import reverse

from sharing.advisories.models import Advisory
from sharing.common.choices import TLP

CSAF_VERSION = "2.0"
TLP_LABEL = "WHITE"  # TLP:CLEAR, in the TLP 1.0 words of CSAF 2.0
TLP_URL = "https://www.first.org/tlp/"
FOLDER = TLP_LABEL.lower()


def file_name(advisory: Advisory) -> str:
    """CSAF's file name for a tracking id (section 5.1): lower case, anything but
    letters, digits, "+" and "-" as "_"."""
    return re.sub(r"[^+\-a-z0-9]+", "_", advisory.reference.lower()) + ".json"


def year(advisory: Advisory) -> int:
    return advisory.published_at.year


def document_path(advisory: Advisory) -> str:
    """Where its document sits in the directory: ``white/<year>/<file name>``."""
    return f"{FOLDER}/{year(advisory)}/{file_name(advisory)}"


def document_url(advisory: Advisory) -> str:
    return settings.SITE_URL + reverse(
        "sharing:csaf-document", args=[FOLDER, year(advisory), file_name(advisory)]
    )


def _publisher(advisory: Advisory | None = None) -> dict:
    name = settings.SITE_NAME
    if advisory is not None:
        name = f"{advisory.author_state.name} ({settings.SITE_NAME})"
    return {"category": "other", "name": name, "namespace": settings.SITE_URL}


def _timestamp(moment) -> str:
    return moment.isoformat(timespec="seconds")


def _history(advisory: Advisory) -> list[dict]:
    """The public versions, numbered from 1 as CSAF asks (a version released under
    GREEN was never public, so it is not among them), then the withdrawal if any."""
    public = [r for r in advisory.revisions.all() if r.public]
    public.sort(key=lambda revision: revision.version)
    history = [
        {
            "date": _timestamp(revision.created_at),
            "number": str(number),
            "summary": "Initial public release." if number == 1 else "Amended.",
        }
        for number, revision in enumerate(public, start=1)
    ]
    if advisory.is_withdrawn:
        history.append(
            {
                "date": _timestamp(advisory.withdrawn_at),
                "number": str(len(history) + 1),
                "summary": f"Withdrawn: {advisory.withdrawn_reason}",
            }
        )
    return history


def document(advisory: Advisory) -> dict:
    """The CSAF 2.0 document of a released or withdrawn TLP:CLEAR advisory."""
    if advisory.tlp != TLP.CLEAR or advisory.is_unpublished:
        raise ValueError("Only a released TLP:CLEAR advisory has a public CSAF document.")
    history = _history(advisory)
    notes = [{"category": "summary", "title": "Summary", "text": advisory.summary}]
    if advisory.body:
        notes.append({"category": "description", "title": "Advisory", "text": advisory.body})
    if advisory.red_flags:
        flags = "\n".join(f"- {flag}" for flag in advisory.red_flags)
        notes.append({"category": "details", "title": "Red flags", "text": flags})
    entities = list(advisory.entities.all())
    if entities:
        named = "\n".join(
            "- "
            + ", ".join(part for part in (e.name, e.country_name) if part)
            + (f" (also known as {', '.join(e.aliases)})" if e.aliases else "")
            for e in entities
        )
        notes.append({"category": "details", "title": "Entities of concern", "text": named})
    categories = [str(category) for category in advisory.categories.all()]
    if categories:
        notes.append(
            {"category": "general", "title": "Technology categories", "text": ", ".join(categories)}
        )
    if advisory.is_withdrawn:
        notes.append(
            {"category": "general", "title": "Withdrawn", "text": advisory.withdrawn_reason}
        )
    return {
        "document": {
            "category": "csaf_informational_advisory",
            "csaf_version": CSAF_VERSION,
            "distribution": {"tlp": {"label": TLP_LABEL, "url": TLP_URL}},
            "lang": "en",
            "notes": notes,
            "publisher": _publisher(advisory),
            "references": [
                {
                    "category": "self",
                    "summary": "This CSAF document",
                    "url": document_url(advisory),
                },
                {
                    "category": "external",
                    "summary": "The advisory's page",
                    "url": settings.SITE_URL + advisory.get_absolute_url(),
                },
            ],
            "title": advisory.title,
            "tracking": {
                "current_release_date": history[-1]["date"],
                "id": advisory.reference,
                "initial_release_date": history[0]["date"],
                "revision_history": history,
                "status": "final",
                "version": history[-1]["number"],
            },
        }
    }


def serialised(advisory: Advisory) -> bytes:
    """The document as served: the same bytes each time, so that its hashes hold."""
    return json.dumps(document(advisory), ensure_ascii=False, indent=2, sort_keys=True).encode()


def published():
    """The advisories with a public CSAF document: released or withdrawn, CLEAR."""
    return (
        Advisory.objects.public()
        .select_related("author_state")
        .prefetch_related("revisions", "entities", "categories")
        .order_by("published_at", "pk")
    )


def provider_metadata() -> dict:
    """``/.well-known/csaf/provider-metadata.json`` (CSAF 2.0, section 7.2.1)."""
    latest = Advisory.objects.public().order_by("-updated_at").values_list("updated_at", flat=True)
    last = latest.first()
    return {
        "canonical_url": settings.SITE_URL + reverse("sharing:csaf-provider-metadata"),
        "distributions": [
            {"directory_url": settings.SITE_URL + reverse("sharing:csaf-directory", args=[FOLDER])}
        ],
        "last_updated": _timestamp(last) if last else "1970-01-01T00:00:00+00:00",
        "list_on_CSAF_aggregators": True,
        "metadata_version": CSAF_VERSION,
        "mirror_on_CSAF_aggregators": True,
        "publisher": _publisher(),
        "role": "csaf_publisher",
    }


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
