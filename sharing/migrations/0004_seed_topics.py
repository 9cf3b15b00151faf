"""The best-practice topics every fresh install starts with; staff can add more.
Their names are marked for the catalogue: pages show them in the reader's language
(Term.__str__)."""

from django.db import migrations
from django.utils.translation import gettext_noop as _

TOPICS = [
    ("licensing", _("Licensing"), "Assessing licence applications and conditions."),
    ("end-use-checks", _("End-use and end-user checks"),
     "Pre-licence checks and post-shipment verification of who uses the items, and how."),
    ("human-rights-due-diligence", _("Human-rights due diligence"),
     "Assessing the risk of serious violations or abuses of human rights."),
    ("industry-outreach", _("Industry outreach"),
     "Informing and consulting exporters, researchers and civil society."),
    ("enforcement", _("Enforcement"), "Investigations, penalties and customs controls."),
    ("technical-controls", _("Technical controls"),
     "Control-list entries, technical parameters and classification."),
    ("legislation", _("Legislation"), "Laws and regulations, and how they are drafted."),
    ("capacity-building", _("Capacity building"),
     "Helping other states build export-control systems."),
]  # fmt: skip


def seed(apps, schema_editor):
    Topic = apps.get_model("sharing", "Topic")
    for position, (slug, name, description) in enumerate(TOPICS):
        Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("sharing", "0003_best_practices")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
