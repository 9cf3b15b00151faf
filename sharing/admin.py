from django.contrib import admin

from sharing.common import textsearch
from sharing.notices.models import TechnologyCategory
from sharing.practices.models import Topic


class TermAdmin(admin.ModelAdmin):
    """Platform staff maintain the taxonomies, one page per vocabulary. Notices and
    best practices themselves are not in the admin: the platform's operators manage
    states, users and taxonomies, never shared content."""

    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]
    related_name = ""  # the items tagged with a term of this vocabulary

    def has_delete_permission(self, request, obj=None):
        # A term in use tags shared items; renaming is fine, removing is not.
        if obj is not None and getattr(obj, self.related_name).exists():
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            # Items are found by the names of their terms: index them again.
            for item in getattr(obj, self.related_name).all():
                textsearch.index(item)


@admin.register(TechnologyCategory)
class TechnologyCategoryAdmin(TermAdmin):
    related_name = "notices"


@admin.register(Topic)
class TopicAdmin(TermAdmin):
    related_name = "practices"
