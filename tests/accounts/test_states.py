import pytest
from django.core.exceptions import ValidationError

from accounts.choices import StateStatus
from accounts.models import State

pytestmark = pytest.mark.django_db

NAMED_IN_DESIGN = {
    "US",
    "AU",
    "DK",
    "NO",
    "AL",
    "BG",
    "CA",
    "HR",
    "CZ",
    "EC",
    "EE",
    "FI",
    "FR",
    "DE",
    "JP",
    "XK",
    "LV",
    "NL",
    "NZ",
    "MK",
    "KR",
    "SK",
    "ES",
    "GB",
    "CR",  # on the same list; seeded by its own migration (0008)
}


def test_migration_seeds_the_states_named_in_the_design():
    assert set(State.objects.values_list("code", flat=True)) == NAMED_IN_DESIGN
    assert not State.objects.exclude(status=StateStatus.SUBSCRIBING).exists()


def test_the_four_founders_are_flagged():
    founders = State.objects.filter(founding=True)
    assert {s.code for s in founders} == {"US", "AU", "DK", "NO"}
    assert {s.joined.isoformat() for s in founders} == {"2021-12-10"}


def test_kosovo_uses_the_user_assigned_code():
    assert State.objects.get(code="XK").name == "Kosovo"


@pytest.mark.parametrize("code", ["ZZ", "dk", "DNK", "", "1A"])
def test_a_state_code_must_be_iso_3166_alpha_2(code):
    with pytest.raises(ValidationError) as caught:
        State(code=code, name="Nowhere").full_clean()
    assert "code" in caught.value.message_dict


def test_a_new_state_with_a_valid_code_is_accepted():
    state = State(code="CL", name="Chile", status=StateStatus.OBSERVER)
    state.full_clean()
    state.save()
    assert str(state) == "Chile"
    assert not state.is_suspended
