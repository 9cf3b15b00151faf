"""manage.py implementation_report: the page's figures, for scripting and checking."""

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import State
from tests.sharing.reports.conftest import TODAY

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("implementation_report", *args, stdout=out)
    return out.getvalue()


def line(output: str, label: str) -> list[str]:
    found = next(row for row in output.splitlines() if row.startswith(label))
    return found[len(label) :].split()


def test_it_prints_the_community_and_the_states_named(year_2025):
    State.objects.filter(pk="NO").update(named_in_reports=True)
    output = run("2025", "--today", TODAY.isoformat())
    assert output.splitlines()[1].split() == ["ALL", "NO"]
    assert line(output, "Notices published") == ["3", "0"]
    assert line(output, "Notices acknowledged in time")[1] == "100.0"
    assert line(output, "Median time to acknowledge")[1] == "5"
    assert "FR" not in output  # France did not agree


def test_as_one_states_officials_see_it(year_2025):
    output = run("2025", "--today", TODAY.isoformat(), "--state", "fr")
    assert output.splitlines()[1].split() == ["FR", "ALL"]
    assert line(output, "Notices acknowledged in time")[0] == "0.0"
    assert line(output, "Median time to acknowledge")[0] == "10"


def test_csv_is_the_pages_file(year_2025, staff_client):
    State.objects.filter(pk="NO").update(named_in_reports=True)
    printed = run("2025", "--csv")  # both count the times to answer to this day
    downloaded = staff_client.get("/reports/2025/figures.csv").content.decode()
    assert printed.replace("\r\n", "\n") == downloaded.replace("\r\n", "\n")


@pytest.mark.parametrize("args", [["20255"], ["9999"], ["2019"], ["2025", "--state", "XX"]])
def test_bad_arguments_are_refused(seeded_states, args):
    with pytest.raises(CommandError):
        run(*args)
