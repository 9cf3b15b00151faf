import pytest

from sharing.advisories import services as advisories

# Twelve and more words of the AMBER notice's body below, for the copy guard to find.
SECRET_SENTENCE = (
    "Our liaison officer learned that the broker ships the interception suite through a "
    "free zone warehouse in Limassol before onward delivery"
)


def advisory_content(**overrides) -> dict:
    content = {
        "title": "Intrusion software offered to security services through resellers",
        "summary": "Resellers are offering intrusion software to security services abroad.",
        "body": "Check who will operate the system, and who will receive its output.",
        "tlp": "clear",
        "red_flags": [
            "The buyer will not name the end-user.",
            "Payment comes from a third country.",
        ],
        "categories": ["intrusion-software"],
        "source": None,
        "entities": [],
    }
    content.update(overrides)
    return content


@pytest.fixture
def amber_notice(make_notice, no_officer):
    """A published TLP:AMBER end-user alert of Norway's, naming one entity."""
    return make_notice(
        by=no_officer,
        body=f"## What we know\n\n{SECRET_SENTENCE}, as the ministry was told in March.",
    )


@pytest.fixture
def make_advisory(no_officer, no_admin, act):
    """make_advisory(by=..., approver=..., release=True, **content) -> Advisory: drafted,
    submitted and approved through the services (Norway's officer and admin)."""

    def make(*, by=None, approver=None, release=True, **overrides):
        by = by or no_officer
        advisory = advisories.create(by=by, **advisory_content(**overrides))
        if release:
            act(advisories.submit, advisory, by=by)
            advisory = act(advisories.approve, advisory, by=approver or no_admin)
        return advisory

    return make
