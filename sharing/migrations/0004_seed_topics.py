"""The best-practice topics every fresh install starts with; staff can add more."""

from django.db import migrations

TOPICS = [
    ("licensing", "Licensing", "Assessing licence applications and conditions."),
    ("end-use-checks", "End-use and end-user checks",
     "Pre-licence checks and post-shipment verification of who uses the items, and how."),
    ("human-rights-due-diligence", "Human-rights due diligence",
     "Assessing the risk of serious violations or abuses of human rights."),
    ("industry-outreach", "Industry outreach",
     "Informing and consulting exporters, researchers and civil society."),
    ("enforcement", "Enforcement", "Investigations, penalties and customs controls."),
    ("technical-controls", "Technical controls",
     "Control-list entries, technical parameters and classification."),
    ("legislation", "Legislation", "Laws and regulations, and how they are drafted."),
    ("capacity-building", "Capacity building",
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
