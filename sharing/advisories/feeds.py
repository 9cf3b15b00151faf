"""The Atom feed of public advisories (``/advisories/feed/``): released TLP:CLEAR ones,
newest change first, a withdrawn one marked so. It is the same for everyone, signed in
or not: it shows ``Advisory.objects.public()`` and nothing else."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from sharing.advisories.models import Advisory

FEED_SIZE = 50


class AdvisoryFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("%(site)s: advisories for industry") % {"site": settings.SITE_NAME}

    def subtitle(self):
        return _(
            "Advisories that the states subscribing to the Export Controls and Human Rights "
            "Initiative Code of Conduct release to exporters, researchers and civil society."
        )

    def link(self):
        return reverse("sharing:advisory-list")

    def items(self):
        return (
            Advisory.objects.public()
            .select_related("author_state")
            .prefetch_related("categories")
            .order_by("-updated_at", "pk")[:FEED_SIZE]
        )

    def item_title(self, item: Advisory) -> str:
        if item.is_withdrawn:
            return _("Withdrawn: %(reference)s %(title)s") % {
                "reference": item.reference,
                "title": item.title,
            }
        return f"{item.reference} {item.title}"

    def item_description(self, item: Advisory) -> str:
        if item.is_withdrawn:
            return _("Withdrawn: %(reason)s") % {"reason": item.withdrawn_reason}
        return item.summary

    def item_guid(self, item: Advisory) -> str:
        return f"urn:uuid:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Advisory):
        return item.published_at

    def item_updateddate(self, item: Advisory):
        return item.withdrawn_at or item.updated_at

    def item_author_name(self, item: Advisory) -> str:
        return item.author_state.name

    def item_categories(self, item: Advisory) -> list[str]:
        return [str(category) for category in item.categories.all()]
