"""The technology categories every fresh install starts with; staff can add more.
Their names are marked for the catalogue: pages show them in the reader's language
(Term.__str__)."""

from django.db import migrations


def pgettext(context: str, name: str) -> str:
    """Marks a name for the catalogue, in its context, and returns it untranslated: the
    database keeps the English name (makemessages reads calls named ``pgettext``)."""
    return name


CATEGORIES = [
    (
        "intrusion-software",
        pgettext("taxonomy", "Intrusion software"),
        "Spyware and other software designed to avoid detection and extract data or "
        "modify a device's behaviour (Wassenaar 4A005, 4D004).",
    ),
    (
        "ip-network-surveillance",
        pgettext("taxonomy", "IP network surveillance"),
        "Systems that collect and analyse communications on IP networks in bulk "
        "(Wassenaar 5A001.j).",
    ),
    (
        "telecom-interception",
        pgettext("taxonomy", "Telecom interception"),
        "Interception of mobile and fixed telecommunications, such as IMSI catchers "
        "(Wassenaar 5A001.f).",
    ),
    (
        "biometric-recognition",
        pgettext("taxonomy", "Biometric recognition"),
        "Facial, voice, gait and other biometric identification of people.",
    ),
    (
        "data-analytics",
        pgettext("taxonomy", "Data analytics and social-media monitoring"),
        "Analysis of large data sets and social media to profile or track people.",
    ),
    (
        "location-tracking",
        pgettext("taxonomy", "Location tracking"),
        "Tracking of people through their devices, vehicles or networks.",
    ),
    (
        "forensic-extraction",
        pgettext("taxonomy", "Forensic extraction"),
        "Tools that extract data from phones and computers.",
    ),
    ("other", pgettext("taxonomy", "Other"), "Anything not covered by the other categories."),
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
