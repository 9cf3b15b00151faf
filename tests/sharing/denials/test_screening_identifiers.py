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


def tx(name, numbers, **more):
    return Transaction(end_user=name, end_user_identifiers=numbers, **more)


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
    (match,) = screen(tx("Totally Different", f"LEI {LEI}"), items)
    assert match.score >= 95 and match.identifier and match.parties == (("party-1", match.score),)
    assert match.reasons == (f"Identifier LEI {LEI} is also that of “Coral Reef Holdings”",)


def test_a_name_match_and_the_same_identifier_reach_100_with_the_destination():
    items = [item(1, "Coral Reef Holdings", f"LEI {LEI}")]
    transaction = Transaction(
        end_user="Coral Reef Holdings", destination="AE", end_user_identifiers=f"lei {LEI.lower()}"
    )
    (match,) = screen(transaction, items)
    assert match.score == 100


def test_a_conflicting_identifier_lowers_the_score_below_the_threshold():
    items = [item(1, "Coral Reef Holdings", f"LEI {LEI}")]
    alone = screen(Transaction(end_user="Coral Reef Holding"), items, threshold=0)
    conflicting = screen(
        Transaction(end_user="Coral Reef Holding", end_user_identifiers=f"LEI {OTHER_LEI}"),
        items,
        threshold=0,
    )
    assert conflicting[0].score == alone[0].score - IDENTIFIER_CONFLICT_POINTS
    assert conflicting[0].conflicts == ("identifier",)
    assert "Another LEI" in conflicting[0].reasons[-1]
    assert (
        screen(
            Transaction(end_user="Coral Reef Holding", end_user_identifiers=f"LEI {OTHER_LEI}"),
            items,
        )
        == []
    )


def test_registration_numbers_of_different_countries_do_not_conflict():
    items = [item(1, "Coral Reef Holdings", "registration CY HE123456")]
    (match,) = screen(
        Transaction(end_user="Coral Reef Holdings", end_user_identifiers="CVR 13585628"), items
    )
    assert match.conflicts == () and not match.identifier


def test_two_passports_do_not_conflict_but_two_dates_of_birth_do():
    items = [item(1, "Ivan Petrov", "passport RU 721234567", "born 1971-03-04", country="RU")]
    (passport,) = screen(
        Transaction(end_user="Ivan Petrov", end_user_identifiers="passport RU 700000001"), items
    )
    assert passport.conflicts == ()
    (born,) = screen(
        Transaction(end_user="Ivan Petrov", end_user_identifiers="DOB 05.03.1971"),
        items,
        threshold=0,
    )
    assert born.conflicts == ("identifier",)


def test_the_identifier_match_respects_among():
    items = [item(1, "Coral Reef Holdings", f"LEI {LEI}")]
    assert screen(tx("X", f"LEI {LEI}"), items, among={2}) == []


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (f"LEI {LEI}", f"lei::{LEI}"),
        ("CVR 13585628", "registration:DK:13585628"),
        ("registration CY HE123456", "registration:CY:HE123456"),
        ("reg. no. GB 01234567", "registration:GB:01234567"),
        ("ИНН 7707083893", "tax:RU:7707083893"),
        ("VAT FR40303265045", "vat:FR:FR40303265045"),
        ("VAT GB 980 7806 84", "vat:GB:GB980780684"),
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


@pytest.mark.parametrize("text", ["LEİ 5493001KJTIIGC8Y1R12", "TİN DE 123", "İNN 7707083893"])
def test_a_label_with_a_dotted_capital_i_is_unreadable_not_a_crash(text):
    with pytest.raises(ids.Unreadable):
        ids.read(text)
    assert ids.readable([text]) == []


@pytest.mark.parametrize(
    "text",
    ["VAT FR40303265045", "VAT FR 40303265045", "vat fr40303265045", "VAT FR 403 032 650 45"],
)
def test_a_vat_number_reads_the_same_however_it_is_spaced(text):
    assert ids.read(text) == ids.read("VAT FR40303265045")
    assert ids.read(text).scheme == ids.VAT


def test_tax_numbers_of_one_country_do_not_conflict():
    """A company may have several (a national tax number and a VAT number)."""
    assert not ids.read("tax DE 2893081508152").conflicts_with(ids.read("tax DE 1234567890"))
    assert ids.read("VAT DK13585628").conflicts_with(ids.read("VAT DK12345674"))


def test_a_number_given_for_the_consignee_never_speaks_against_the_end_users_match():
    items = [item(1, "Acme Trading LLC", f"LEI {LEI}")]
    alone = screen(Transaction(end_user="Acme Trading LLC"), items)
    with_consignee = screen(
        Transaction(
            end_user="Acme Trading LLC",
            consignee="Other Forwarding",
            consignee_identifiers=f"LEI {OTHER_LEI}",
        ),
        items,
    )
    assert with_consignee[0].score == alone[0].score and with_consignee[0].conflicts == ()


def test_each_party_matched_carries_its_own_share_of_the_score():
    """What the registry follows from a party is what that party's match is worth, not
    the best of the denial's parties."""
    parties = (
        PartyFacts(role="end_user", name="Orca Analytics", ref="orca"),
        PartyFacts(role="consignee", name="Tern Logistics Hub", ref="tern"),
    )
    items = [
        DenialFacts(id=1, parties=parties, control_entry="", catch_all=False, item_description="")
    ]
    transaction = Transaction(end_user="Orca Analytics", consignee="Tern Logistics")
    (match,) = screen(transaction, items, threshold=0)
    scores = dict(match.parties)
    assert scores["orca"] == match.score == 80
    weaker = screen(Transaction(consignee="Tern Logistics"), items, threshold=0)[0].score
    assert scores["tern"] == weaker < 80
    (strict,) = screen(transaction, items, threshold=scores["tern"] + 1)
    assert dict(strict.parties) == {"orca": 80}
