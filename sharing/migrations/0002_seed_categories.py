"""The technology categories every fresh install starts with; staff can add more."""

from django.db import migrations

CATEGORIES = [
    (
        "intrusion-software",
        "Intrusion software",
        "Spyware and other software designed to avoid detection and extract data or "
        "modify a device's behaviour (Wassenaar 4A005, 4D004).",
    ),
    (
        "ip-network-surveillance",
        "IP network surveillance",
        "Systems that collect and analyse communications on IP networks in bulk "
        "(Wassenaar 5A001.j).",
    ),
    (
        "telecom-interception",
        "Telecom interception",
        "Interception of mobile and fixed telecommunications, such as IMSI catchers "
        "(Wassenaar 5A001.f).",
    ),
    (
        "biometric-recognition",
        "Biometric recognition",
        "Facial, voice, gait and other biometric identification of people.",
    ),
    (
        "data-analytics",
        "Data analytics and social-media monitoring",
        "Analysis of large data sets and social media to profile or track people.",
    ),
    (
        "location-tracking",
        "Location tracking",
        "Tracking of people through their devices, vehicles or networks.",
    ),
    (
        "forensic-extraction",
        "Forensic extraction",
        "Tools that extract data from phones and computers.",
    ),
    ("other", "Other", "Anything not covered by the other categories."),
]


def seed(apps, schema_editor):
    TechnologyCategory = apps.get_model("sharing", "TechnologyCategory")
    for position, (slug, name, description) in enumerate(CATEGORIES):
        TechnologyCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("sharing", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
