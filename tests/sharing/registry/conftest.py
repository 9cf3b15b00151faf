import pytest

from sharing.denials import services as denials
from tests.sharing.conftest import denial_content, notice_content


def entity(name, *aliases, country="AE", identifiers=(), kind="company"):
    return {
        "name": name,
        "aliases": list(aliases),
        "country": country,
        "kind": kind,
        "identifiers": list(identifiers),
        "notes": "",
    }


@pytest.fixture
def alert(act, no_officer):
    """alert(*entities, **overrides): a Norwegian end-user alert naming ``entities``,
    published and dispatched (its rows linked to the registry)."""
    from sharing.notices import services as notices

    def make(*entities, **overrides):
        content = notice_content(entities=list(entities), **overrides)
        draft = notices.create(by=no_officer, **content)
        return act(notices.publish, draft, by=no_officer)

    return make


@pytest.fixture
def denial(act, dk_officer):
    """denial(end_user name, aliases=..., country=..., **overrides): a Danish denial,
    notified and dispatched (its parties linked to the registry)."""

    def make(name, *, aliases=(), country="AE", address="", by=None, **overrides):
        parties = [
            {
                "role": "end_user",
                "name": name,
                "aliases": list(aliases),
                "country": country,
                "address": address,
            }
        ]
        content = denial_content(parties=parties, **overrides)
        return act(denials.publish, by=by or dk_officer, **content)

    return make
