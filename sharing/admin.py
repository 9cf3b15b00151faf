from django.contrib import admin

from sharing.models import TechnologyCategory


@admin.register(TechnologyCategory)
class TechnologyCategoryAdmin(admin.ModelAdmin):
    """Platform staff maintain the taxonomy. Notices themselves are not in the admin: the
    platform's operators manage states, users and taxonomies, never shared content."""

    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "slug"]

    def has_delete_permission(self, request, obj=None):
        # A category in use tags published notices; renaming is fine, removing is not.
        if obj is not None and obj.notices.exists():
            return False
        return super().has_delete_permission(request, obj)
