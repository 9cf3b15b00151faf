from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("members/", views.members, name="members"),
    path("state/", views.state_settings, name="state-settings"),
    path("members/invite/", views.invite, name="invite"),
    path("members/<int:pk>/", views.member_detail, name="member-detail"),
    path(
        "members/<int:pk>/deactivate/",
        views.member_set_active,
        {"active": False},
        name="member-deactivate",
    ),
    path(
        "members/<int:pk>/reactivate/",
        views.member_set_active,
        {"active": True},
        name="member-reactivate",
    ),
    path(
        "members/<int:pk>/second-factor/remove/",
        views.member_remove_second_factor,
        name="member-remove-second-factor",
    ),
    path(
        "invitations/<uuid:pk>/resend/",
        views.invitation_action,
        {"action": "resend"},
        name="invitation-resend",
    ),
    path(
        "invitations/<uuid:pk>/revoke/",
        views.invitation_action,
        {"action": "revoke"},
        name="invitation-revoke",
    ),
    path("tokens/", views.api_tokens, name="api-tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("invitation/<str:token>/", views.accept_invitation, name="invitation-accept"),
]
