from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import Invitation, State, User
from portal import audit

# E-mail addresses change only through their owner's own, verified flow; groups and
# permissions are not used by the portal; authenticators get the admin below.
for model in (EmailAddress, EmailConfirmation, Group, Authenticator):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "status", "founding", "joined"]
    list_filter = ["status", "founding"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        # The code is the primary key and the prefix of published references. The
        # approval policy is the state's own admins' decision (its settings page).
        return ["code", "approval_policy"] if obj else ["approval_policy"]

    def has_delete_permission(self, request, obj=None):
        return False  # states are suspended, never deleted

    def save_model(self, request, obj, form, change):
        previous = State.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
        super().save_model(request, obj, form, change)
        action = audit.Action.STATE_CHANGED if change else audit.Action.STATE_CREATED
        audit.record(
            action, request=request, state=obj, target=obj, details={"changed": form.changed_data}
        )
        services.state_changed(obj, previous_status=previous, by=request.user, request=request)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Platform staff look after accounts here. Accounts are created by invitation, not
    here; role and activation changes go through the same services (and audit) as the
    state admins' pages; what decides a user's reach (state, staff and superuser flags,
    permissions, e-mail address) is read-only.

    Staff never become a state's official: a state user's password cannot be set here
    (only a reset link sent to their verified address), and every change is e-mailed to
    the user and their state's admins (accounts.services.tell_of_staff_act)."""

    change_form_template = "admin/accounts/user/change_form.html"

    list_display = ["username", "email", "state", "role", "is_active", "is_staff", "last_login"]
    list_filter = ["state", "role", "is_active", "is_staff"]
    list_select_related = ["state"]
    search_fields = ["username", "email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Portal"), {"fields": ["state", "role", "is_active", "language", "time_zone"]}),
        (_("Platform"), {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    LOCKED = [
        "email",
        "state",
        "is_staff",
        "is_superuser",
        "groups",
        "user_permissions",
        "last_login",
        "date_joined",
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_staff:
            return [*self.LOCKED, "role"]  # staff have no state role
        return self.LOCKED

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.state_id is None:
            return fieldsets
        # A state user's password is theirs alone: not even its hash, nor the link to
        # set it, is shown.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for name, options in fieldsets
        ]

    def get_urls(self):
        reset = path(
            "<int:pk>/reset-link/",
            self.admin_site.admin_view(self.send_reset_link),
            name="accounts_user_reset_link",
        )
        return [reset, *super().get_urls()]

    def send_reset_link(self, request, pk):
        """POST: e-mail the user a password reset link (accounts.services.send_reset_link)."""
        user = self.get_object(request, str(pk))
        if user is None:
            raise Http404
        if request.method != "POST" or not self.has_change_permission(request, user):
            raise PermissionDenied
        try:
            address = services.send_reset_link(user, by=request.user, request=request)
        except (ValidationError, PermissionDenied) as error:
            self.message_user(
                request, " ".join(getattr(error, "messages", [str(error)])), messages.ERROR
            )
        else:
            self.message_user(
                request,
                _(
                    "A password reset link has been sent to %(address)s; %(user)s and "
                    "the admins of %(state)s are told."
                )
                % {"address": address, "user": user.username, "state": user.state},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))

    def has_add_permission(self, request):
        return False  # invitations create accounts (see Invitations)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the audit log keeps references to users

    def save_model(self, request, obj, form, change):
        stored = User.objects.get(pk=obj.pk)
        wanted_role, wanted_active = obj.role, obj.is_active
        obj.role, obj.is_active = stored.role, stored.is_active  # the services change these
        super().save_model(request, obj, form, change)
        try:
            if wanted_role != stored.role:
                services.change_role(obj, role=wanted_role, by=request.user, request=request)
            if wanted_active != stored.is_active:
                services.set_active(obj, active=wanted_active, by=request.user, request=request)
        except (ValidationError, PermissionDenied) as error:
            self.message_user(
                request, " ".join(getattr(error, "messages", [str(error)])), messages.ERROR
            )
        rest = sorted(set(form.changed_data) - {"role", "is_active"})
        if rest:
            audit.record(
                audit.Action.USER_CHANGED,
                request=request,
                state=obj.state,
                target=obj,
                details={"fields": rest},
            )
            if obj.state_id is not None:
                services.tell_of_staff_act(
                    "changed", state=obj.state, by=request.user, user=obj, fields=", ".join(rest)
                )

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, unquote(id))  # None for a malformed id too
        if user is None:
            raise Http404
        if user.state_id is not None:
            # A state official's password is theirs alone: staff send a reset link.
            raise PermissionDenied
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            audit.record(
                audit.Action.PASSWORD_CHANGED,
                request=request,
                state=user.state,
                target=user,
                details={"by_staff": True},
            )
        return response


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
            obj.not_sent = True
            return
        obj.pk = invitation.pk

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(obj, "not_sent", False):
            return HttpResponseRedirect(reverse("admin:accounts_invitation_changelist"))
        return super().response_add(request, obj, post_url_continue)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Staff see who has which authenticator, never its secrets. They can remove one of
    another staff member's (a lost phone), one at a time, never a state official's:
    that would let whoever knows the password in without the second factor."""

    actions = None  # no bulk removal

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return obj is not None and obj.user.state_id is None

    def delete_model(self, request, obj):
        self._audit_removal(request, obj)
        super().delete_model(request, obj)

    def _audit_removal(self, request, authenticator):
        audit.record(
            audit.Action.MFA_DISABLED,
            request=request,
            state=authenticator.user.state,
            target=authenticator.user,
            details={"type": authenticator.type, "by_staff": True},
        )
