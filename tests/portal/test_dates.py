"""One date format per language, on every page and in e-mails: the day, a month in
letters, the year (no 12/06/2026 to read as June or December), and times on the 24-hour
clock in the reader's time zone. Filters say what "any" means instead of "---------"."""

import datetime

import pytest
import time_machine
from django.utils import formats, translation

from sharing.notices import services as notices
from tests.personas import persona
from tests.sharing.conftest import notice_content

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 6)
MOMENT = datetime.datetime(2026, 12, 6, 13, 5, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("language", "date", "moment"),
    [
        ("en", "6 Dec 2026", "6 Dec 2026, 13:05"),
        ("fr", "6 déc. 2026", "6 déc. 2026, 13:05"),
        ("es", "6 dic 2026", "6 dic 2026, 13:05"),
    ],
)
def test_each_language_has_one_unambiguous_format(language, date, moment):
    with translation.override(language):
        for name in ("DATE_FORMAT", "SHORT_DATE_FORMAT"):
            assert formats.date_format(DAY, name) == date
        for name in ("DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"):
            assert formats.date_format(MOMENT, name) == moment


@pytest.mark.parametrize(
    ("username", "shown", "never"),
    [
        ("dk-officer", "6 Dec 2026", ["12/06/2026", "Dec. 6, 2026", "December 6, 2026"]),
        ("fr-viewer", "6 déc. 2026", ["06/12/2026", "6 décembre 2026"]),
        ("cr-viewer", "6 dic 2026", ["06/12/2026", "6 de diciembre de 2026"]),
    ],
)
def test_the_list_and_search_show_the_same_day_the_same_way(
    client, dk_officer, username, shown, never
):
    reader = persona(username)
    if username == "fr-viewer":
        reader.language = "fr"
        reader.save()
    with time_machine.travel(datetime.datetime(2026, 12, 6, 12, tzinfo=datetime.UTC)):
        draft = notices.create(
            by=dk_officer, **notice_content(title="Tracing a reseller of interception kits")
        )
        notices.publish(draft, by=dk_officer)
    client.force_login(reader)
    for path in ("/notices/", "/search/?q=reseller", "/"):
        page = client.get(path).content.decode()
        assert shown in page, path
        for wrong in never:
            assert wrong not in page, (path, wrong)


@pytest.mark.parametrize(
    "path", ["/notices/", "/best-practices/", "/denials/", "/notifications/", "/search/?q=x"]
)
def test_filters_name_their_empty_choice(client, dk_officer, path):
    client.force_login(dk_officer)
    page = client.get(path)
    assert page.status_code == 200
    assert "---------" not in page.content.decode()
