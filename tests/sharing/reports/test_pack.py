"""The plenary pack: a PDF of what every state may read of the year, TLP:GREEN and
numbered on every page, read back with a PDF text extractor."""

import datetime
import io

import pytest
from django.test import Client
from pypdf import PdfReader

from accounts.models import State
from sharing.reports import services

pytestmark = pytest.mark.django_db

YEAR = datetime.date.today().year
PACK = f"/reports/{YEAR}/pack.pdf"


def pages_of(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="implementation-{YEAR}.pdf"' in response["Content-Disposition"]
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def test_every_page_is_marked_and_numbered(client, make_notice, dk_viewer):
    for n in range(3):
        make_notice(title=f"Counted {n}")
    client.force_login(dk_viewer)
    pages = pages_of(client.get(PACK))
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert text.count("TLP:GREEN") >= 2, number  # top and bottom margins
        assert f"Page {number} / {len(pages)}" in text
    assert "Implementation of the Code in" in pages[0]
    assert "Notices published" in pages[0]


def test_it_names_only_the_states_that_agreed_and_holds_only_shared_answers(
    client, dk_admin, no_admin, dk_viewer
):
    State.objects.filter(pk__in=["NO", "FR"]).update(named_in_reports=True)
    services.submit(
        YEAR, by=no_admin, answers={"lessons": "Norway shares KESTREL."}, shareable=True
    )
    services.submit(
        YEAR, by=dk_admin, answers={"lessons": "Denmark keeps FALCON."}, shareable=False
    )
    client.force_login(dk_viewer)  # Denmark did not agree: not even its own reader sees it
    text = "\n".join(pages_of(client.get(PACK)))
    assert "Norway" in text and "France" in text
    assert "Denmark" not in text and "Germany" not in text
    assert "Norway shares KESTREL." in text
    assert "FALCON" not in text


def test_who_may_download_it(staff_client, seeded_states):
    assert Client().get(PACK).status_code == 302  # to sign in
    assert staff_client.get(PACK).status_code == 200
    assert staff_client.get(f"/reports/{YEAR + 1}/pack.pdf").status_code == 404


def test_with_two_states_unnamed_the_pack_names_nobody(client, dk_viewer):
    """Denmark's users know Denmark's figures: were the others named in the pack, the
    community's less theirs and Denmark's would be France's."""
    State.objects.exclude(pk__in=["DK", "FR"]).update(named_in_reports=True)
    client.force_login(dk_viewer)
    text = "\n".join(pages_of(client.get(PACK)))
    assert "The comparisons are not shown" in text
    assert "Norway" not in text and "France" not in text


def test_without_pango_the_page_says_so_instead_of_failing(client, dk_viewer, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pango)
    client.force_login(dk_viewer)
    response = client.get(PACK, follow=True)
    assert response.redirect_chain == [(f"/reports/{YEAR}/", 302)]
    assert "the Pango library it needs is missing" in response.content.decode()
