"""Renamings linked in the registry, a part of the labelled set that names alone cannot
match: an old name denied by Denmark, a new name in Norway's alert, and the relation
Norway records (successor of, front for, ...). Screening each new name must find the
denial of its old name through the registry, and no other pair's denial: precision and
recall of 1 on the 20 pairs of data/renamings.csv."""

import csv
from pathlib import Path

import pytest

from sharing.denials.screening import name_similarity
from sharing.registry import services as registry
from sharing.registry.choices import LinkStatus
from sharing.screening import services as screening
from tests.sharing.registry.conftest import entity

pytestmark = pytest.mark.django_db

PAIRS = list(csv.DictReader((Path(__file__).parent / "data" / "renamings.csv").open()))


def test_the_renamings_are_unlike_by_name():
    """Pairs a name matcher alone cannot find (else they would test nothing here)."""
    assert len(PAIRS) >= 20
    assert all(name_similarity(pair["old"], pair["new"]) < 0.5 for pair in PAIRS)


def test_screening_a_new_name_finds_the_old_names_denial_through_the_registry(
    alert, denial, no_officer, fi_officer
):
    denied = {}
    for number, pair in enumerate(PAIRS):
        notified = denial(pair["old"], country="AE", national_reference=f"DK-R-{number}")
        denied[pair["old"]] = notified
    notice = alert(*(entity(pair["new"], country="AE") for pair in PAIRS))
    for pair in PAIRS:
        new = notice.entities.get(name=pair["new"]).registry_links.get(status=LinkStatus.CONFIRMED)
        old = (
            denied[pair["old"]]
            .parties.get(role="end_user")
            .registry_links.get(status=LinkStatus.CONFIRMED)
        )
        registry.relate(
            new.entity,
            by=no_officer,
            kind=pair["relation"],
            other=str(old.entity_id),
            cited=registry.cited_key(notice),
        )

    found, expected = set(), set()
    for pair in PAIRS:
        result = screening.screen(by=fi_officer, end_user=pair["new"], destination="AE")
        expected.add((pair["new"], denied[pair["old"]].pk))
        for item, match in result.matches:
            found.add((pair["new"], item.pk))
            if item == denied[pair["old"]]:
                assert match.registry and match.reasons[-1].startswith("Registry: ")
    true = len(found & expected)
    precision, recall = true / len(found), true / len(expected)
    assert (precision, recall) == (1.0, 1.0)
