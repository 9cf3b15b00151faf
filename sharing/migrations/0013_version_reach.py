"""Each revision keeps whom its version reached (its audience, whether it was public,
and the states that read it: authors and audience) and its marking, so that a reader
sees a version only if it reached their state; a file can be taken out of later
versions (``Attachment.removed_in``); a comment keeps the version it was written under.

Existing revisions get these from the content they already stored (every snapshot has
held the audience, the recipient states' codes, a best practice's co-authors and, for
notices and denials, the marking, since the first release). A broad audience is read
with the states' statuses of today: the history kept no older ones. Existing comments
get the version in force when they were posted. All in batches, so that a large
history does not sit in memory.
"""

from django.db import migrations, models

BATCH = 2000


# Which statuses a broad audience reaches (sharing.common.querysets.AUDIENCE_REACH, as it is).
REACH = {"subscribing": {"subscribing"}, "community": {"subscribing", "observer"}}


def _reached(revision, snapshot, statuses) -> set[str]:
    """The states a revision's version reached, by what it recorded."""
    reading = {code for code, status in statuses.items() if status != "suspended"}
    if revision.public:
        return reading
    if revision.notice_id:
        authors = {revision.notice.author_state_id}
    elif revision.denial_id:
        authors = {revision.denial.state_id}
    else:
        authors = {revision.best_practice.lead_state_id, *snapshot.get("co_authors", [])}
    if revision.audience == "selected":
        audience = set(snapshot.get("recipient_states") or [])
    else:
        audience = {c for c, s in statuses.items() if s in REACH.get(revision.audience, ())}
    return (authors | audience) & reading


def backfill(apps, schema_editor):
    Revision = apps.get_model("sharing", "Revision")
    State = apps.get_model("accounts", "State")
    Through = Revision.reached_states.through
    statuses = dict(State.objects.values_list("pk", "status"))
    last = 0
    while True:
        batch = list(
            Revision.objects.filter(pk__gt=last)
            .select_related("notice", "denial", "best_practice")
            .order_by("pk")[:BATCH]
        )
        if not batch:
            break
        links = []
        for revision in batch:
            snapshot = revision.snapshot or {}
            revision.audience = snapshot.get("audience") or "subscribing"
            revision.tlp = snapshot.get("tlp") or ""
            revision.public = bool(snapshot.get("public", False))
            links += [
                Through(revision_id=revision.pk, state_id=code)
                for code in _reached(revision, snapshot, statuses)
            ]
        Revision.objects.bulk_update(batch, ["audience", "tlp", "public"])
        Through.objects.bulk_create(links, ignore_conflicts=True)
        last = batch[-1].pk
    _comment_versions(apps)


def _comment_versions(apps):
    """Each comment gets the version its notice was at when it was posted: the newest
    revision published at or before it."""
    Comment = apps.get_model("sharing", "Comment")
    Revision = apps.get_model("sharing", "Revision")
    last = 0
    while True:
        batch = list(Comment.objects.filter(pk__gt=last).order_by("pk")[:BATCH])
        if not batch:
            return
        notices = {comment.notice_id for comment in batch}
        history: dict = {}
        for notice_id, version, at in (
            Revision.objects.filter(notice_id__in=notices)
            .order_by("notice_id", "version")
            .values_list("notice_id", "version", "created_at")
        ):
            history.setdefault(notice_id, []).append((at, version))
        for comment in batch:
            before = [v for at, v in history.get(comment.notice_id, []) if at <= comment.created_at]
            comment.version = max(before, default=1)
        Comment.objects.bulk_update(batch, ["version"])
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
            name="reached_states",
            field=models.ManyToManyField(
                blank=True,
                related_name="+",
                to="accounts.state",
                verbose_name="states reached",
            ),
        ),
        migrations.AddField(
            model_name="comment",
            name="version",
            field=models.PositiveIntegerField(default=1, verbose_name="version"),
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
