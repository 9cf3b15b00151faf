"""Celery tasks of the registry of entities: thin, each a call to
``sharing.registry.services``; safe to run twice (a row with a link is not linked again)."""

from celery import shared_task


@shared_task(name="sharing.tasks.link_registry_item")
def link_registry_item(event_id: int) -> dict:
    """Link the parties of the item an event announced (queued as it is dispatched)."""
    from sharing.common.models import Event
    from sharing.registry import services as registry

    event = Event.objects.filter(pk=event_id).select_related("notice", "denial").first()
    return registry.link_event(event) if event is not None else {}


@shared_task(name="sharing.tasks.link_registry")
def link_registry() -> dict:
    """Link the rows of published items that have no link yet (hourly, by beat)."""
    from sharing.registry import services as registry

    return registry.link_pending()
