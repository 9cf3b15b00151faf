from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import Invitation, State, User
from portal import audit


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "status", "founding", "joined"]
    list_filter = ["status", "founding"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        # The code is the primary key and the prefix of published references.
        return ["code"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # states are suspended, never deleted

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        action = audit.Action.STATE_CHANGED if change else audit.Action.STATE_CREATED
        audit.record(
            action, request=request, state=obj, target=obj, details={"changed": form.changed_data}
        )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "state", "role", "is_active", "is_staff", "last_login"]
    list_filter = ["state", "role", "is_active", "is_staff"]
    list_select_related = ["state"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Portal"), {"fields": ["state", "role", "language", "time_zone"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "email", "state", "role", "password1", "password2"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the audit log keeps references to users

    def save_model(self, request, obj, form, change):
        """Audit what staff change here as the state-admin pages audit their changes."""
        super().save_model(request, obj, form, change)
        if not change:
            audit.record(
                audit.Action.USER_CREATED,
                request=request,
                state=obj.state,
                target=obj,
                details={"role": obj.role},
            )
            return
        changed = set(form.changed_data)
        if "role" in changed:
            audit.record(
                audit.Action.ROLE_CHANGED,
                request=request,
                state=obj.state,
                target=obj,
                details={"from": form.initial.get("role"), "to": obj.role},
            )
        if "is_active" in changed:
            action = (
                audit.Action.USER_REACTIVATED if obj.is_active else audit.Action.USER_DEACTIVATED
            )
            audit.record(action, request=request, state=obj.state, target=obj)
        rest = sorted(changed - {"role", "is_active", "password"})
        if rest:
            audit.record(
                audit.Action.USER_CHANGED,
                request=request,
                state=obj.state,
                target=obj,
                details={"fields": rest},
            )


class InvitationAdminForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "state", "role"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                cleaned["email"] = services.validate_invitation(
                    email=cleaned["email"],
                    role=cleaned["role"],
                    state=cleaned["state"],
                    by=self.by,
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned

    def validate_unique(self):
        pass  # services.validate_invitation says what is wrong, in words


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Platform staff invite each state's first admin from here (or with
    ``manage.py create_state_admin``). Saving sends the e-mail."""

    form = InvitationAdminForm

    list_display = [
        "email",
        "state",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["state", "role"]
    search_fields = ["email"]
    fields = ["email", "state", "role"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.by = request.user
        return form

    def save_model(self, request, obj, form, change):
        try:
            invitation = services.invite_user(
                email=obj.email,
                role=obj.role,
                state=obj.state,
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            # Only a concurrent invitation to the same address gets here (the form
            # checked everything else); say so rather than fail the request.
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        obj.pk = invitation.pk
