from django.contrib import admin

from portal.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log, for platform staff to read: never to add, change or delete."""

    list_display = ["at", "actor_username", "state", "action", "object_repr", "ip_address"]
    list_filter = ["action", "state"]
    search_fields = ["actor_username", "object_repr", "object_id", "ip_address"]
    date_hierarchy = "at"
    list_select_related = ["state"]
    readonly_fields = [field.name for field in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
