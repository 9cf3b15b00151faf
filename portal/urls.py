from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path

from portal import views
from sharing.api.views import NotFoundView

app_patterns = (
    [path("", views.dashboard, name="dashboard")],
    "portal",
)

# The admin has no sign-in form of its own: it sends people to the portal's, which
# applies MFA and the failed-attempt limits.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include(app_patterns)),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("", include("sharing.urls")),
    path("api/v1/", include("sharing.api_urls")),
    path("public/v1/", include("sharing.public_api_urls")),
    path("taxii2/", include("sharing.taxii.urls")),
    # Anything else under the APIs' prefixes (an unknown path, a malformed id, with any
    # method) answers JSON, never a page.
    re_path(r"^(?:api|public)/", NotFoundView.as_view(), name="api-not-found"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before the admin site's own addresses, which would take these for a model's.
    path("admin/status/", views.status_page, name="status"),
    path("admin/status.json", views.status_json, name="status-json"),
    path("admin/", admin.site.urls),
]

handler400 = "portal.errors.bad_request"
handler403 = "portal.errors.permission_denied"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"
