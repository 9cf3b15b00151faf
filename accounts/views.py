from allauth.account.decorators import reauthentication_required
from allauth.account.utils import perform_login
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import (
    AcceptInvitationForm,
    ApiTokenForm,
    InvitationForm,
    ProfileForm,
    RoleForm,
    StateSettingsForm,
)
from accounts.models import Invitation, User
from portal import once
from portal.forms import apply_errors, saved


def _require_state_admin(request) -> None:
    if not request.user.is_state_admin:
        raise PermissionDenied(_("Only your state's admins manage its users."))


@login_required
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=User.objects.get(pk=user.pk))
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            services.update_profile(user, request=request, **fields)
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    else:
        form = ProfileForm(instance=user)
    has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return render(request, "accounts/profile.html", {"form": form, "has_totp": has_totp})


@login_required
def members(request):
    _require_state_admin(request)
    users = User.objects.manageable_by(request.user).order_by("-is_active", "username")
    invitations = (
        Invitation.objects.manageable_by(request.user).pending().select_related("invited_by")
    )
    return render(
        request,
        "accounts/members.html",
        {"members": users, "invitations": invitations, "invite_form": InvitationForm()},
    )


@login_required
def state_settings(request):
    state = request.user.state
    services.check_can_change_settings(state, request.user)
    form = StateSettingsForm(
        request.POST or None,
        initial={
            "language": state.language,
            "approval_policy": state.approval_policy,
            "approve_denials": state.approve_denials,
            "named_in_reports": state.named_in_reports,
        },
    )
    if request.method == "POST" and form.is_valid():
        done = saved(
            request,
            form,
            lambda: services.change_state_settings(
                state, by=request.user, request=request, **form.cleaned_data
            ),
            done=_("Your state's settings have been saved."),
            then="accounts:state-settings",
        )
        if done:
            return done
    return render(
        request,
        "accounts/state_settings.html",
        {"form": form, "state": state},
        status=400 if form.errors else 200,
    )


@login_required
def invite(request):
    _require_state_admin(request)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite_user(
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("An invitation has been sent to %(email)s.") % {"email": invitation.email},
            )
            return redirect("accounts:members")
    return render(
        request,
        "accounts/invite.html",
        {"form": form, "ttl_days": settings.INVITATION_TTL_DAYS},
        status=400 if form.errors else 200,
    )


@login_required
def member_detail(request, pk: int):
    member = get_object_or_404(
        User.objects.manageable_by(request.user).select_related("state"), pk=pk
    )
    form = RoleForm(request.POST or None, initial={"role": member.role})
    if request.method == "POST" and form.is_valid():
        try:
            services.change_role(
                member, role=form.cleaned_data["role"], by=request.user, request=request
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s's role has been changed.") % {"name": member.display_name}
            )
            return redirect("accounts:member-detail", pk=member.pk)
    from allauth.mfa.models import Authenticator

    return render(
        request,
        "accounts/member_detail.html",
        {
            "member": member,
            "form": form,
            "is_self": member.pk == request.user.pk,
            "has_second_factor": Authenticator.objects.filter(user=member).exists(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def member_set_active(request, pk: int, active: bool):
    member = get_object_or_404(User.objects.manageable_by(request.user), pk=pk)
    try:
        services.set_active(member, active=active, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = (
            _("%(name)s can sign in again.")
            if active
            else _("%(name)s has been deactivated and signed out.")
        )
        messages.success(request, text % {"name": member.display_name})
    return redirect("accounts:member-detail", pk=member.pk)


@login_required
@require_POST
def member_remove_second_factor(request, pk: int):
    """A member lost their authenticator and recovery codes: their state's admin removes
    their second factor, and they set it up again at their next sign-in."""
    member = get_object_or_404(User.objects.manageable_by(request.user), pk=pk)
    try:
        services.remove_second_factor(member, by=request.user, request=request)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request,
            _("%(name)s's two-factor authentication has been removed; they are told.")
            % {"name": member.display_name},
        )
    return redirect("accounts:member-detail", pk=member.pk)


@login_required
@require_POST
def invitation_action(request, pk, action: str):
    invitation = get_object_or_404(Invitation.objects.manageable_by(request.user), pk=pk)
    act = {"resend": services.resend_invitation, "revoke": services.revoke_invitation}[action]
    try:
        act(invitation, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = (
            _("A new link has been sent to %(email)s; the old one no longer works.")
            if action == "resend"
            else _("The invitation to %(email)s has been revoked.")
        )
        messages.success(request, text % {"email": invitation.email})
    return redirect("accounts:members")


def accept_invitation(request, token: str):
    invitation_id = Invitation.id_from_token(token)
    invitation = (
        Invitation.objects.select_related("state").filter(pk=invitation_id).first()
        if invitation_id
        else None
    )
    if invitation is None:
        return render(
            request,
            "accounts/invitation_unusable.html",
            {"reason": _("This invitation link is not valid.")},
            status=404,
        )
    try:
        services.check_invitation_usable(invitation)
    except ValidationError as error:
        return render(
            request,
            "accounts/invitation_unusable.html",
            {"reason": " ".join(error.messages)},
            status=410,
        )
    if request.user.is_authenticated:
        return render(
            request,
            "accounts/invitation_unusable.html",
            {
                "reason": _("You are signed in as %(user)s. Sign out, then open the link again.")
                % {"user": request.user.username},
                "signed_in": True,
            },
            status=409,
        )

    initial = {"username": invitation.email.split("@", 1)[0].lower()}
    form = AcceptInvitationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.accept_invitation(
                invitation,
                username=data["username"],
                password=data["password"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                request=request,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Welcome to %(site)s. Your account is ready.") % {"site": settings.SITE_NAME},
            )
            return perform_login(request, user, redirect_url=reverse("portal:dashboard"))
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=400 if form.errors else 200,
    )


# A new token's value waits in the session for the one page that shows it.
TOKEN_SESSION_KEY = "api-token"  # noqa: S105 (a session key name)


@never_cache
@login_required
@reauthentication_required(allow_get=False)
def api_tokens(request):
    """The user's API tokens (and, for a state admin, those of the state's users):
    make one, see when each was last used, revoke. A token outlives the session that
    makes it, so the page asks for the password again first (as the MFA pages do): a
    session taken over cannot mint a lasting key unseen."""
    user = request.user
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, value = services.create_api_token(
                user,
                name=form.cleaned_data["name"],
                expires_days=form.cleaned_data["expires_days"],
                by=user,
                request=request,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            once.keep_for_one_page(request, TOKEN_SESSION_KEY, user, value)
            messages.success(
                request, _("The token “%(name)s” has been made.") % {"name": token.name}
            )
            return redirect("accounts:api-tokens")
    new_value = once.take(request, TOKEN_SESSION_KEY, user)
    tokens = services.tokens_manageable_by(user).select_related("user")
    try:
        services.check_may_hold_token(user)
        refusal = None
    except PermissionDenied as error:
        refusal = str(error)
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "new_value": new_value,
            "own": [t for t in tokens if t.user_id == user.pk],
            "others": [t for t in tokens if t.user_id != user.pk],
            "refusal": refusal,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def api_token_revoke(request, pk: int):
    token = get_object_or_404(
        services.tokens_manageable_by(request.user).select_related("user__state"), pk=pk
    )
    if services.revoke_api_token(token, by=request.user, request=request):
        messages.success(
            request, _("The token “%(name)s” has been revoked.") % {"name": token.name}
        )
    else:
        messages.info(
            request, _("The token “%(name)s” was already revoked.") % {"name": token.name}
        )
    return redirect("accounts:api-tokens")
