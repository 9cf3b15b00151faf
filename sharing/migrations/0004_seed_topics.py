"""The best-practice topics every fresh install starts with; staff can add more.
Their names are marked for the catalogue: pages show them in the reader's language
(Term.__str__)."""

from django.db import migrations


def pgettext(context: str, name: str) -> str:
    """Marks a name for the catalogue, in its context, and returns it untranslated: the
    database keeps the English name (makemessages reads calls named ``pgettext``)."""
    return name


TOPICS = [
    (
        "licensing",
        pgettext("taxonomy", "Licensing"),
        "Assessing licence applications and conditions.",
    ),
    (
        "end-use-checks",
        pgettext("taxonomy", "End-use and end-user checks"),
        "Pre-licence checks and post-shipment verification of who uses the items, and how.",
    ),
    (
        "human-rights-due-diligence",
        pgettext("taxonomy", "Human-rights due diligence"),
        "Assessing the risk of serious violations or abuses of human rights.",
    ),
    (
        "industry-outreach",
        pgettext("taxonomy", "Industry outreach"),
        "Informing and consulting exporters, researchers and civil society.",
    ),
    (
        "enforcement",
        pgettext("taxonomy", "Enforcement"),
        "Investigations, penalties and customs controls.",
    ),
    (
        "technical-controls",
        pgettext("taxonomy", "Technical controls"),
        "Control-list entries, technical parameters and classification.",
    ),
    (
        "legislation",
        pgettext("taxonomy", "Legislation"),
        "Laws and regulations, and how they are drafted.",
    ),
    (
        "capacity-building",
        pgettext("taxonomy", "Capacity building"),
        "Helping other states build export-control systems.",
    ),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("sharing", "Topic")
    for position, (slug, name, description) in enumerate(TOPICS):
        Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("sharing", "0003_best_practices")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
