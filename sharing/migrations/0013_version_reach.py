"""Each revision keeps whom its version reached (audience, recipient states, public) and
its marking, so that a reader sees a version only if it reached their state; and a file
can be taken out of later versions (``Attachment.removed_in``).

Existing revisions get these from the content they already stored (every snapshot has
held the audience, the recipient states' codes and, for notices and denials, the
marking, since the first release), in batches so that a large history does not sit in
memory.
"""

from django.db import migrations, models

BATCH = 2000


def backfill(apps, schema_editor):
    Revision = apps.get_model("sharing", "Revision")
    State = apps.get_model("accounts", "State")
    Through = Revision.recipient_states.through
    known = set(State.objects.values_list("pk", flat=True))
    last = 0
    while True:
        batch = list(Revision.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        links = []
        for revision in batch:
            snapshot = revision.snapshot or {}
            revision.audience = snapshot.get("audience") or "subscribing"
            revision.tlp = snapshot.get("tlp") or ""
            revision.public = bool(snapshot.get("public", False))
            if revision.audience == "selected":
                links += [
                    Through(revision_id=revision.pk, state_id=code)
                    for code in snapshot.get("recipient_states") or []
                    if code in known
                ]
        Revision.objects.bulk_update(batch, ["audience", "tlp", "public"])
        Through.objects.bulk_create(links, ignore_conflicts=True)
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_state_time_zone"),
        ("sharing", "0012_phrase_test"),
    ]

    operations = [
        migrations.AddField(
            model_name="attachment",
            name="removed_in",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="removed in version"
            ),
        ),
        migrations.AddField(
            model_name="revision",
            name="audience",
            field=models.CharField(default="subscribing", max_length=16, verbose_name="audience"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="revision",
            name="public",
            field=models.BooleanField(default=False, verbose_name="public"),
        ),
        migrations.AddField(
            model_name="revision",
            name="recipient_states",
            field=models.ManyToManyField(
                blank=True,
                related_name="+",
                to="accounts.state",
                verbose_name="recipient states",
            ),
        ),
        migrations.AddField(
            model_name="revision",
            name="tlp",
            field=models.CharField(
                blank=True,
                choices=[
                    ("clear", "TLP:CLEAR"),
                    ("green", "TLP:GREEN"),
                    ("amber", "TLP:AMBER"),
                    ("amber+strict", "TLP:AMBER+STRICT"),
                    ("red", "TLP:RED"),
                ],
                max_length=16,
                verbose_name="TLP marking",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
