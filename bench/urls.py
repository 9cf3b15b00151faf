"""The portal's URLs and, for the page benchmark only, the ceiling: the cheapest view
that still does what every page does at the least (go through the middleware, run one
ORM query on PostgreSQL, answer)."""

from django.http import HttpResponse
from django.urls import path

from accounts.models import State
from portal.urls import handler400, handler403, handler404, handler500
from portal.urls import urlpatterns as portal

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def ceiling(request):
    """One query, a few bytes: the most requests per second this server can answer."""
    return HttpResponse(State.objects.order_by("code").values_list("code", flat=True).first())


urlpatterns = [path("bench/ceiling/", ceiling, name="bench-ceiling"), *portal]
