"""Identifiers in screening: the same typed number is a match on its own (95 or more),
a different one of a kind held once lowers the score, and numbers are read with their
check digits (python-stdnum)."""

import pytest

from sharing.common import identifiers as ids
from sharing.denials.screening import (
    IDENTIFIER_CONFLICT_POINTS,
    DenialFacts,
    PartyFacts,
    Transaction,
    screen,
)

LEI = "5493001KJTIIGC8Y1R12"
OTHER_LEI = "529900T8BM49AURSDO55"


def item(id, name, *identifiers, country="AE", ref=None):
    party = PartyFacts(
        role="entity",
        name=name,
        country=country,
        identifiers=tuple(ids.read(text) for text in identifiers),
        ref=ref,
    )
    return DenialFacts(
        id=id, parties=(party,), control_entry="", catch_all=False, item_description=""
    )


def test_the_same_identifier_matches_whatever_the_name():
    items = [item(1, "Coral Reef Holdings", f"LEI {LEI}", ref="party-1")]
    (match,) = screen(Transaction(end_user="Totally Different", identifiers=f"LEI {LEI}"), items)
    assert match.score >= 95 and match.identifier and match.parties == ("party-1",)
    assert match.reasons == (f"Identifier LEI {LEI} is also that of “Coral Reef Holdings”",)


def test_a_name_match_and_the_same_identifier_reach_100_with_the_destination():
    items = [item(1, "Coral Reef Holdings", f"LEI {LEI}")]
    transaction = Transaction(
        end_user="Coral Reef Holdings", destination="AE", identifiers=f"lei {LEI.lower()}"
    )
    (match,) = screen(transaction, items)
    assert match.score == 100


def test_a_conflicting_identifier_lowers_the_score_below_the_threshold():
    items = [item(1, "Coral Reef Holdings", f"LEI {LEI}")]
    alone = screen(Transaction(end_user="Coral Reef Holding"), items, threshold=0)
    conflicting = screen(
        Transaction(end_user="Coral Reef Holding", identifiers=f"LEI {OTHER_LEI}"),
        items,
        threshold=0,
    )
    assert conflicting[0].score == alone[0].score - IDENTIFIER_CONFLICT_POINTS
    assert conflicting[0].conflicts == ("identifier",)
    assert "Another LEI" in conflicting[0].reasons[-1]
    assert (
        screen(Transaction(end_user="Coral Reef Holding", identifiers=f"LEI {OTHER_LEI}"), items)
        == []
    )


def test_registration_numbers_of_different_countries_do_not_conflict():
    items = [item(1, "Coral Reef Holdings", "registration CY HE123456")]
    (match,) = screen(
        Transaction(end_user="Coral Reef Holdings", identifiers="CVR 13585628"), items
    )
    assert match.conflicts == () and not match.identifier


def test_two_passports_do_not_conflict_but_two_dates_of_birth_do():
    items = [item(1, "Ivan Petrov", "passport RU 721234567", "born 1971-03-04", country="RU")]
    (passport,) = screen(
        Transaction(end_user="Ivan Petrov", identifiers="passport RU 700000001"), items
    )
    assert passport.conflicts == ()
    (born,) = screen(
        Transaction(end_user="Ivan Petrov", identifiers="DOB 05.03.1971"), items, threshold=0
    )
    assert born.conflicts == ("identifier",)


def test_the_identifier_match_respects_among():
    items = [item(1, "Coral Reef Holdings", f"LEI {LEI}")]
    assert screen(Transaction(end_user="X", identifiers=f"LEI {LEI}"), items, among={2}) == []


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (f"LEI {LEI}", f"lei::{LEI}"),
        ("CVR 13585628", "registration:DK:13585628"),
        ("registration CY HE123456", "registration:CY:HE123456"),
        ("reg. no. GB 01234567", "registration:GB:01234567"),
        ("ИНН 7707083893", "tax:RU:7707083893"),
        ("VAT FR40303265045", "tax:FR:FR40303265045"),
        ("passport RU 721234567", "passport:RU:721234567"),
        ("DOB 04.03.1971", "birth::1971-03-04"),
        ("Y-tunnus 0737546-2", "registration:FI:07375462"),
        ("CVR 13585628 (from the Danish register)", "registration:DK:13585628"),
    ],
)
def test_identifiers_are_read_and_read_back(text, key):
    identifier = ids.read(text)
    assert identifier.key == key
    assert ids.read(ids.written(identifier)) == identifier


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (f"LEI {LEI[:-1]}3", "not a valid LEI"),
        ("CVR 13585629", "not a valid company registration number"),
        ("HE 123456", "start with the kind of identifier"),
        ("registration HE123456", "give the country"),
        ("born 31.02.1971", "write the date of birth"),
        ("passport ###", "missing or not a number"),
    ],
)
def test_unreadable_identifiers_say_why(text, says):
    errors: dict = {}
    assert ids.clean(text, errors) == []
    assert says in errors["identifiers"][0]


def test_unreadable_stored_identifiers_are_skipped_not_refused():
    assert ids.readable(["HE 123456", "CVR 13585628", "CVR 13585628"]) == [ids.read("CVR 13585628")]
