import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as accounts
from sharing.common.models import Attachment
from sharing.notices import services as notices
from sharing.practices import services as practices

# A minimal but valid PDF: what officials attach most.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf(name="assessment.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def notice_content(**overrides) -> dict:
    content = {
        "kind": "end_user_alert",
        "title": "Spyware reseller approaching licensing authorities",
        "summary": "A reseller of intrusion software is seeking licences for onward sale.",
        "body": "## Background\n\nThe company was seen at **two** trade fairs.",
        "categories": ["intrusion-software"],
        "control_codes": ["4A005", "4D004"],
        "countries_of_concern": ["AE"],
        "entities": [
            {
                "name": "Nimbus Intercept Ltd",
                "aliases": ["Nimbus"],
                "country": "CY",
                "kind": "company",
                "identifiers": ["HE 123456"],
                "notes": "Shell company.",
            },
        ],
        "severity": "high",
        "tlp": "amber",
        "audience": "subscribing",
        "recipient_states": [],
        "valid_until": None,
    }
    content.update(overrides)
    return content


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    """act(service, *args, **kwargs): run a service call and what its commit sets off
    (the dispatch, then the e-mails and deliveries; tasks run eagerly), as after a real
    request."""

    def run(service, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(*args, **kwargs)

    return run


@pytest.fixture
def make_notice(dk_officer):
    """make_notice(by=..., publish=True, **content overrides) -> Notice, via the services."""

    def make(*, by=None, publish=True, **overrides):
        by = by or dk_officer
        notice = notices.create(by=by, **notice_content(**overrides))
        if publish:
            notice = notices.publish(notice, by=by)
        return notice

    return make


def practice_content(**overrides) -> dict:
    content = {
        "title": "End-use checks for network surveillance systems",
        "summary": "How Norway verifies the declared end-use of IP surveillance exports.",
        "body": (
            "## Before the licence\n\nAsk for the **network diagram** and the operator's mandate."
        ),
        "doc_type": "checklist",
        "topics": ["end-use-checks"],
        "co_authors": [],
        "audience": "subscribing",
        "public": False,
    }
    content.update(overrides)
    return content


@pytest.fixture
def make_practice(no_officer):
    """make_practice(by=..., publish=True, **content overrides) -> BestPractice."""

    def make(*, by=None, publish=True, **overrides):
        by = by or no_officer
        practice = practices.create(by=by, **practice_content(**overrides))
        if publish:
            practice = practices.publish(practice, by=by)
        return practice

    return make


# A notice that names its source, and the same text redacted (tests of version reach).
SOURCE_LINE = "Source: a liaison officer codenamed KESTREL in Oslo."
BODY = f"## Assessment\n\nThe reseller ships through Cyprus.\n\n{SOURCE_LINE}"
REDACTED = "## Assessment\n\nThe reseller ships through Cyprus."


@pytest.fixture
def redacted_notice(make_notice, dk_officer, no_viewer):
    """AMBER+STRICT to Norway alone, with a source and a file; then redacted, marked
    GREEN and widened to every subscribing state, the file removed from version 2."""
    notice = notices.create(
        by=dk_officer,
        attachments=[pdf("Source report.pdf")],
        **notice_content(
            tlp="amber+strict", audience="selected", recipient_states=["NO"], body=BODY
        ),
    )
    notice = notices.publish(notice, by=dk_officer)
    source_file = notice.attachments.get()
    notice = notices.amend(
        notice,
        by=dk_officer,
        change_note="Source removed; shared with every subscribing state.",
        material=True,
        body=REDACTED,
        tlp="green",
        audience="subscribing",
        recipient_states=[],
        remove_attachments=[source_file.pk],
    )
    notice.source_file = Attachment.objects.get(pk=source_file.pk)
    return notice


# --- Clients of the REST API, each holding a real token of a persona ---------------------


@pytest.fixture
def token_for():
    """token_for(user, **kwargs) -> (ApiToken, value), made through the service."""

    def make(user, **kwargs):
        kwargs.setdefault("name", "tests")
        return accounts.create_api_token(user, by=user, **kwargs)

    return make


@pytest.fixture
def api_for(token_for):
    """api_for(user) -> an APIClient that sends a fresh token of ``user``."""

    def make(user, **kwargs):
        _token, value = token_for(user, **kwargs)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
        client.token_value = value
        return client

    return make


@pytest.fixture
def anonymous_api():
    return APIClient()


def denial_content(**overrides) -> dict:
    """What a licence denial from Denmark says: an end-user and a consignee in the UAE,
    decided a month ago."""
    content = {
        "national_reference": "DK-2026/0042",
        "decided_on": (timezone.localdate() - datetime.timedelta(days=30)).isoformat(),
        "control_entry": "5A001.j",
        "catch_all": False,
        "item_description": "IP network surveillance system with deep packet inspection.",
        "end_use": "Monitoring of the national telecommunications backbone.",
        "reason_category": "human_rights",
        "reason": "Risk of use against journalists and human-rights defenders.",
        "parties": [
            {
                "role": "end_user",
                "name": "Nimbus Intercept Ltd",
                "aliases": ["Nimbus Systems"],
                "country": "AE",
                "address": "PO Box 1, Dubai",
            },
            {"role": "consignee", "name": "Falcon Trading FZE", "country": "AE"},
        ],
    }
    content.update(overrides)
    return content


def consultation_content(**overrides) -> dict:
    """What Finland asks Denmark about a transaction like the one of denial_content."""
    content = {
        "application_reference": "FI-EXP-2026-311",
        "end_user": "Nimbus Systems",
        "consignee": "Falcon Trading FZE",
        "destination": "AE",
        "control_entry": "5A001.j",
        "item_description": "DPI probes and management software.",
        "question": "Is this the transaction you denied?",
    }
    content.update(overrides)
    return content


@pytest.fixture(scope="module")
def module_media(tmp_path_factory):
    return tmp_path_factory.mktemp("attachments")


@pytest.fixture
def shared_media(settings, module_media):
    """For a module whose tests share data made once, files included: attachments live
    in the module's folder rather than each test's (tests/conftest.py's default)."""
    settings.PRIVATE_MEDIA_ROOT = module_media
