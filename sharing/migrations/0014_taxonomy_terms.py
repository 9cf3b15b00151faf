"""One model for the two taxonomies: technology categories and best-practice topics
become the terms of two vocabularies of ``Term`` (docs/architecture.md, "Layout").

Every term keeps its slug, name, description and position; every notice, best
practice and e-mail preference keeps the terms it had. The links move to new tables
(the old ones point at the old tables), which then take the old tables' names, so the
database ends as a fresh install builds it. ``TechnologyCategory`` and ``Topic`` remain
as proxies of ``Term``: the administration site keeps their pages and addresses.
"""

from django.db import migrations, models

# (model, field, related name, vocabulary) of every link to a term.
LINKS = [
    ("notice", "categories", "notices", "technology"),
    ("bestpractice", "topics", "practices", "topic"),
    ("useremailpreference", "categories", "+", "technology"),
    ("stateemaildefault", "categories", "+", "technology"),
]
VERBOSE = {
    "notice": "technology categories",
    "bestpractice": "topics",
    "useremailpreference": "only notices in these technology categories",
    "stateemaildefault": "only notices in these technology categories",
}
VOCABULARIES = [("technology", "TechnologyCategory"), ("topic", "Topic")]
OLD_MODEL = dict(VOCABULARIES)


def _link(model: str, related_name: str, vocabulary: str, *, temporary: bool):
    return models.ManyToManyField(
        "sharing.term",
        blank=model.endswith(("preference", "default")),
        limit_choices_to={"vocabulary": vocabulary},
        related_name="+" if temporary else related_name,
        verbose_name=VERBOSE[model],
    )


def copy_terms(apps, schema_editor):
    Term = apps.get_model("sharing", "Term")
    for vocabulary, old_name in VOCABULARIES:
        for old in apps.get_model("sharing", old_name).objects.order_by("pk"):
            Term.objects.create(
                vocabulary=vocabulary,
                slug=old.slug,
                name=old.name,
                description=old.description,
                position=old.position,
            )
    for model_name, field, _related, vocabulary in LINKS:
        model = apps.get_model("sharing", model_name)
        by_slug = dict(Term.objects.filter(vocabulary=vocabulary).values_list("slug", "pk"))
        Old = apps.get_model("sharing", OLD_MODEL[vocabulary])
        slug_of = dict(Old.objects.values_list("pk", "slug"))
        old_through = getattr(model, field).through
        new_through = getattr(model, f"new_{field}").through
        source = f"{model._meta.model_name}_id"
        old_target = f"{Old._meta.model_name}_id"
        new_through.objects.bulk_create(
            [
                new_through(**{source: row[source], "term_id": by_slug[slug_of[row[old_target]]]})
                for row in old_through.objects.values(source, old_target).iterator()
            ],
            batch_size=2000,
        )


def copy_back(apps, schema_editor):
    """Undo: the terms of each vocabulary back into its own table, with their links."""
    Term = apps.get_model("sharing", "Term")
    for vocabulary, old_name in VOCABULARIES:
        Old = apps.get_model("sharing", old_name)
        for term in Term.objects.filter(vocabulary=vocabulary).order_by("pk"):
            Old.objects.create(
                slug=term.slug, name=term.name, description=term.description, position=term.position
            )
    for model_name, field, _related, vocabulary in LINKS:
        model = apps.get_model("sharing", model_name)
        Old = apps.get_model("sharing", OLD_MODEL[vocabulary])
        by_slug = dict(Old.objects.values_list("slug", "pk"))
        slug_of = dict(Term.objects.values_list("pk", "slug"))
        old_through = getattr(model, field).through
        new_through = getattr(model, f"new_{field}").through
        source = f"{model._meta.model_name}_id"
        old_target = f"{Old._meta.model_name}_id"
        old_through.objects.bulk_create(
            [
                old_through(**{source: row[source], old_target: by_slug[slug_of[row["term_id"]]]})
                for row in new_through.objects.values(source, "term_id").iterator()
            ],
            batch_size=2000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0013_version_reach"),
    ]

    operations = [
        migrations.CreateModel(
            name="Term",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "vocabulary",
                    models.CharField(
                        choices=[
                            ("technology", "Technology categories"),
                            ("topic", "Best-practice topics"),
                        ],
                        editable=False,
                        max_length=20,
                        verbose_name="vocabulary",
                    ),
                ),
                ("slug", models.SlugField(verbose_name="slug")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="position")),
            ],
            options={
                "verbose_name": "term",
                "verbose_name_plural": "terms",
                "ordering": ["vocabulary", "position", "name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("vocabulary", "slug"),
                        name="term_slug_unique",
                        violation_error_message=(
                            "This vocabulary already has a term with this slug."
                        ),
                    ),
                    models.UniqueConstraint(
                        fields=("vocabulary", "name"),
                        name="term_name_unique",
                        violation_error_message=(
                            "This vocabulary already has a term with this name."
                        ),
                    ),
                ],
            },
        ),
        *(
            migrations.AddField(
                model_name=model,
                name=f"new_{field}",
                field=_link(model, related, vocabulary, temporary=True),
            )
            for model, field, related, vocabulary in LINKS
        ),
        migrations.RunPython(copy_terms, copy_back),
        *(migrations.RemoveField(model_name=model, name=field) for model, field, *_ in LINKS),
        migrations.DeleteModel(name="TechnologyCategory"),
        migrations.DeleteModel(name="Topic"),
        *(
            migrations.RenameField(model_name=model, old_name=f"new_{field}", new_name=field)
            for model, field, *_ in LINKS
        ),
        *(
            migrations.AlterField(
                model_name=model,
                name=field,
                field=_link(model, related, vocabulary, temporary=False),
            )
            for model, field, related, vocabulary in LINKS
        ),
        migrations.CreateModel(
            name="TechnologyCategory",
            fields=[],
            options={
                "verbose_name": "technology category",
                "verbose_name_plural": "technology categories",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("sharing.term",),
        ),
        migrations.CreateModel(
            name="Topic",
            fields=[],
            options={
                "verbose_name": "topic",
                "verbose_name_plural": "topics",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("sharing.term",),
        ),
    ]
