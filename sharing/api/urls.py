from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_page
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from sharing.api import denials, views

app_name = "api"

router = SimpleRouter(use_regex_path=False)
router.register("states", views.StateViewSet, basename="state")
router.register("notices", views.NoticeViewSet, basename="notice")
router.register("best-practices", views.BestPracticeViewSet, basename="best-practice")
router.register("notifications", views.NotificationViewSet, basename="notification")
router.register("denials", denials.DenialViewSet, basename="denial")
router.register("consultations", denials.ConsultationViewSet, basename="consultation")


@method_decorator(cache_page(3600), name="get")
class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 document: public, as it describes the contract and holds no data;
    built once an hour at most (building it takes a while, and anyone may ask)."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    public = True


class DocsView(SpectacularSwaggerSplitView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    public = True
    url_name = "api:schema"
    template_name = "sharing/api_docs.html"


urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("search/", views.SearchView.as_view(), name="search"),
    path(
        "attachments/<uuid:pk>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment-download",
    ),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
    *router.urls,
]
