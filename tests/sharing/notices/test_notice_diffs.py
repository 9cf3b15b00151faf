"""The diff between versions of a notice: which lines of the title, summary and body
changed, as the version history shows them."""

import re

import pytest
from django.utils.html import strip_tags

from sharing.common.models import Revision
from sharing.common.pages import version_diffs, with_diffs
from sharing.notices import services as notices

BODY = "## Indicators\n\nOrders split across three firms.\nPayment through Cyprus."


def revision(version, **snapshot) -> Revision:
    """A revision as publishing stores it, with ``snapshot`` over a plain first text."""
    text = {
        "title": "Spyware reseller",
        "summary": "A reseller of intrusion software.",
        "body": BODY,
    }
    return Revision(version=version, snapshot={**text, "severity": "high", **snapshot})


def test_a_changed_title_shows_the_old_and_the_new_line():
    diffs = version_diffs([revision(1), revision(2, title="Spyware reseller, renamed")])
    assert diffs == {
        2: [("@", "title"), ("-", "Spyware reseller"), ("+", "Spyware reseller, renamed")]
    }


def test_a_changed_body_line_shows_with_one_line_of_context_either_side():
    body = BODY.replace("three", "four")
    diffs = version_diffs([revision(1), revision(2, body=body)])
    assert diffs[2] == [
        ("@", "body"),
        (" ", ""),
        ("-", "Orders split across three firms."),
        ("+", "Orders split across four firms."),
        (" ", "Payment through Cyprus."),
    ]


def test_only_the_fields_that_changed_appear():
    diffs = version_diffs([revision(1), revision(2, summary="A reseller, now a broker.")])
    assert diffs[2] == [
        ("@", "summary"),
        ("-", "A reseller of intrusion software."),
        ("+", "A reseller, now a broker."),
    ]


def test_a_version_that_changed_no_text_has_an_empty_diff():
    # The severity changed, which the diff of the text does not show.
    assert version_diffs([revision(1), revision(2, severity="critical")]) == {2: []}


def test_a_body_added_where_there_was_none():
    diffs = version_diffs([revision(1, body=None), revision(2, body="Now with a body.")])
    assert diffs[2] == [("@", "body"), ("+", "Now with a body.")]


def test_each_version_is_compared_with_the_one_before_in_any_order():
    first, second = revision(1), revision(2, title="Second")
    third = revision(3, title="Second", body=BODY + "\nA third firm.")
    diffs = version_diffs([third, first, second])
    assert diffs[2] == [("@", "title"), ("-", "Spyware reseller"), ("+", "Second")]
    assert diffs[3] == [("@", "body"), (" ", "Payment through Cyprus."), ("+", "A third firm.")]
    assert set(diffs) == {2, 3}  # the first version has nothing before it


def test_with_diffs_keeps_the_order_and_gives_the_first_version_none():
    newest_first = [revision(3, title="Third"), revision(2, title="Second"), revision(1)]
    revisions = with_diffs(newest_first)
    assert [r.version for r in revisions] == [3, 2, 1]
    assert revisions[0].diff == [("@", "title"), ("-", "Second"), ("+", "Third")]
    assert revisions[1].diff == [("@", "title"), ("-", "Spyware reseller"), ("+", "Second")]
    assert revisions[2].diff is None


def test_removing_a_horizontal_rule_shows_as_removed():
    diffs = version_diffs([revision(1, body="Intro\n---\nOutro"), revision(2, body="Intro\nOutro")])
    assert ("-", "---") in diffs[2]


# --- on the page ----------------------------------------------------------------------------


def changed_lines(page: str, tag: str) -> list[str]:
    """The text of each <ins> or <del> line of the page's diffs."""
    return [strip_tags(m).strip() for m in re.findall(rf"<{tag}>(.*?)</{tag}>", page, re.S)]


@pytest.mark.django_db
def test_the_version_history_shows_the_lines_that_changed(client, make_notice, dk_officer):
    notice = make_notice(body=BODY)
    notice = notices.amend(
        notice,
        by=dk_officer,
        change_note="A fourth firm.",
        material=True,
        body=BODY.replace("three", "four"),
    )
    notices.amend(
        notice, by=dk_officer, change_note="Severity.", severity="critical", material=False
    )
    client.force_login(dk_officer)
    page = client.get(notice.get_absolute_url()).content.decode()
    assert changed_lines(page, "del") == ["removed: - Orders split across three firms."]
    assert changed_lines(page, "ins") == ["added: + Orders split across four firms."]
    assert "What changed in version 2" in page and "What changed in version 3" in page
    assert "What changed in version 1" not in page
    # Version 3 changed the severity only.
    assert "The title, summary and body did not change; other details did." in page
