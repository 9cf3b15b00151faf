"""The states that had committed to the Code of Conduct when it was adopted on
30 March 2023, as the United States' list of that day names them, Costa Rica excepted
(0008_costa_rica adds it); the four founders launched the initiative on 10 December
2021. Platform staff add any other state in the administration site."""

import datetime

from django.db import migrations

FOUNDED = datetime.date(2021, 12, 10)
ADOPTED = datetime.date(2023, 3, 30)

STATES = [
    ("US", "United States", True),
    ("AU", "Australia", True),
    ("DK", "Denmark", True),
    ("NO", "Norway", True),
    ("AL", "Albania", False),
    ("BG", "Bulgaria", False),
    ("CA", "Canada", False),
    ("HR", "Croatia", False),
    ("CZ", "Czech Republic", False),
    ("EC", "Ecuador", False),
    ("EE", "Estonia", False),
    ("FI", "Finland", False),
    ("FR", "France", False),
    ("DE", "Germany", False),
    ("JP", "Japan", False),
    ("XK", "Kosovo", False),
    ("LV", "Latvia", False),
    ("NL", "Netherlands", False),
    ("NZ", "New Zealand", False),
    ("MK", "North Macedonia", False),
    ("KR", "Republic of Korea", False),
    ("SK", "Slovakia", False),
    ("ES", "Spain", False),
    ("GB", "United Kingdom", False),
]


def seed(apps, schema_editor):
    State = apps.get_model("accounts", "State")
    for code, name, founding in STATES:
        State.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "status": "subscribing",
                "founding": founding,
                "joined": FOUNDED if founding else ADOPTED,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
