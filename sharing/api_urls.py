from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_page
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from sharing.common import api as common
from sharing.denials import api as denials
from sharing.notices import api as notices
from sharing.notifications import api as notifications
from sharing.practices import api as practices
from sharing.registry import api as registry
from sharing.screening import api as screening
from sharing.search import api as search

app_name = "api"

router = SimpleRouter(use_regex_path=False)
router.register("states", common.StateViewSet, basename="state")
router.register("categories", notices.CategoryViewSet, basename="category")
router.register("topics", practices.TopicViewSet, basename="topic")
router.register("notices", notices.NoticeViewSet, basename="notice")
router.register("best-practices", practices.BestPracticeViewSet, basename="best-practice")
router.register("notifications", notifications.NotificationViewSet, basename="notification")
router.register("denials", denials.DenialViewSet, basename="denial")
router.register("consultations", denials.ConsultationViewSet, basename="consultation")
router.register("watches", screening.WatchViewSet, basename="watch")
router.register("entities", registry.EntityViewSet, basename="entity")
router.register("registry-suggestions", registry.SuggestionViewSet, basename="registry-suggestion")


def files_without_slash(patterns):
    """A file's address ends with its extension (``notices/export.csv``), not with
    the slash the router adds to every route."""
    return [
        path(str(p.pattern)[:-1], p.callback, name=p.name)
        if str(p.pattern).endswith((".csv/", ".jsonl/"))
        else p
        for p in patterns
    ]


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
    path("me/", common.MeView.as_view(), name="me"),
    path("state/", common.StateSettingsView.as_view(), name="state-settings"),
    path("search/", search.SearchView.as_view(), name="search"),
    path("denials/screen/", screening.ScreenView.as_view(), name="denial-screen"),
    path("entities/export.csv", search.EntitiesExportView.as_view(), name="entities-export"),
    path(
        "attachments/<uuid:pk>/",
        common.AttachmentDownloadView.as_view(),
        name="attachment-download",
    ),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(), name="docs"),
    *files_without_slash(router.urls),
]
