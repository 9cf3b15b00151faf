"""Migration 0014 folds technology categories and topics into one ``Term`` model: every
term and every link to one survives, forwards and back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _migrate(sharing: str | None):
    """Migrate the sharing app to ``sharing`` (its latest when None), every other app
    to its latest; the models as they then are."""
    executor = MigrationExecutor(connection)
    targets = [
        (app, sharing) if app == "sharing" and sharing else (app, name)
        for app, name in executor.loader.graph.leaf_nodes()
    ]
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


BEFORE, AFTER = "0013_version_reach", "0014_taxonomy_terms"


def _tag_everything(apps):
    """Two categories and two topics, a notice, a best practice, a person's and a
    state's e-mail preferences, each tagged; returns their keys. (Nothing seeded is
    relied on: a transactional test before this one may have emptied the tables.)"""
    State = apps.get_model("accounts", "State")
    User = apps.get_model("accounts", "User")
    Category = apps.get_model("sharing", "TechnologyCategory")
    Topic = apps.get_model("sharing", "Topic")
    state, _ = State.objects.get_or_create(code="DK", defaults={"name": "Denmark"})
    user = User.objects.create(username="dk-migration", email="dk@example.org", state=state)
    for slug, name in [("quantum", "Quantum sensing"), ("other", "Other")]:
        Category.objects.get_or_create(slug=slug, defaults={"name": name, "position": 40})
    for slug, name in [("sanctions", "Sanctions"), ("licensing", "Licensing")]:
        Topic.objects.get_or_create(slug=slug, defaults={"name": name, "position": 40})
    notice = apps.get_model("sharing", "Notice").objects.create(
        kind="threat", title="T", summary="S", severity="high", tlp="green",
        audience="all", author_state=state, created_by=user,
    )  # fmt: skip
    notice.categories.set(Category.objects.filter(slug__in=["quantum", "other"]))
    practice = apps.get_model("sharing", "BestPractice").objects.create(
        title="P", summary="S", lead_state=state, created_by=user
    )
    practice.topics.set(Topic.objects.filter(slug__in=["sanctions", "licensing"]))
    mine = apps.get_model("sharing", "UserEmailPreference").objects.create(user=user)
    mine.categories.set(Category.objects.filter(slug="quantum"))
    ours = apps.get_model("sharing", "StateEmailDefault").objects.create(state=state)
    ours.categories.set(Category.objects.filter(slug="other"))
    return notice.pk, practice.pk, mine.pk, ours.pk


def _tags(apps, keys):
    notice, practice, mine, ours = keys
    model = apps.get_model

    def slugs(obj, field):
        return sorted(getattr(obj, field).values_list("slug", flat=True))

    return {
        "notice": slugs(model("sharing", "Notice").objects.get(pk=notice), "categories"),
        "practice": slugs(model("sharing", "BestPractice").objects.get(pk=practice), "topics"),
        "mine": slugs(model("sharing", "UserEmailPreference").objects.get(pk=mine), "categories"),
        "ours": slugs(model("sharing", "StateEmailDefault").objects.get(pk=ours), "categories"),
    }


def _terms(apps, name):
    return sorted(apps.get_model("sharing", name).objects.values_list("slug", "name", "position"))


def test_terms_and_their_links_survive_the_merge_and_its_undoing():
    try:
        old = _migrate(BEFORE)
        keys = _tag_everything(old)
        categories, topics = _terms(old, "TechnologyCategory"), _terms(old, "Topic")
        tags = _tags(old, keys)
        assert tags == {
            "notice": ["other", "quantum"],
            "practice": ["licensing", "sanctions"],
            "mine": ["quantum"],
            "ours": ["other"],
        }

        new = _migrate(AFTER)
        assert _tags(new, keys) == tags
        terms = new.get_model("sharing", "Term").objects
        assert (
            sorted(terms.filter(vocabulary="technology").values_list("slug", "name", "position"))
            == categories
        )
        assert (
            sorted(terms.filter(vocabulary="topic").values_list("slug", "name", "position"))
            == topics
        )
        assert terms.count() == len(categories) + len(topics)

        back = _migrate(BEFORE)
        assert _tags(back, keys) == tags
        assert _terms(back, "TechnologyCategory") == categories
        assert _terms(back, "Topic") == topics
    finally:
        _migrate(None)
