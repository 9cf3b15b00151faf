"""Costa Rica, on the United States' list of the states that committed to the Code of
Conduct on 30 March 2023, was left out of 0002: a fresh install now has all 25. Its
authority works in Spanish and in Costa Rica's time (America/Costa_Rica, the capital's).
Undoing it leaves the state in place: by then users, invitations, the audit log and
shared items may name it."""

import datetime

from django.db import migrations

ADOPTED = datetime.date(2023, 3, 30)

# (code, name, time zone, default language), as 0002's list is keyed.
STATES = [("CR", "Costa Rica", "America/Costa_Rica", "es")]


def seed(apps, schema_editor):
    State = apps.get_model("accounts", "State")
    for code, name, time_zone, language in STATES:
        State.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "status": "subscribing",
                "founding": False,
                "joined": ADOPTED,
                "time_zone": time_zone,
                "language": language,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_state_language")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
