"""The library's facet counts are cached (sharing.common.caching); any save or delete
of what they count renews their generation, at once and after commit."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from sharing.common.caching import renew_now_and_after_commit


def _changed(sender, **kwargs) -> None:
    renew_now_and_after_commit()


def connect() -> None:
    from accounts.models import State
    from sharing.practices.models import BestPractice, Endorsement, Topic

    for model in (BestPractice, Endorsement, Topic, State):
        uid = f"library-cache-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete")
    for through in (BestPractice.topics.through, BestPractice.co_authors.through):
        m2m_changed.connect(
            _changed, sender=through, dispatch_uid=f"library-cache-{through._meta.label_lower}"
        )
