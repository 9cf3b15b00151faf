from django.urls import path, re_path

from sharing.taxii import views

app_name = "taxii"

collection = "echri/collections/<str:collection>/"

urlpatterns = [
    path("", views.DiscoveryView.as_view(), name="discovery"),
    path("echri/", views.ApiRootView.as_view(), name="api-root"),
    path("echri/collections/", views.CollectionsView.as_view(), name="collections"),
    path(collection, views.CollectionView.as_view(), name="collection"),
    path(f"{collection}objects/", views.ObjectsView.as_view(), name="objects"),
    path(f"{collection}manifest/", views.ManifestView.as_view(), name="manifest"),
    path(f"{collection}objects/<str:object_id>/", views.ObjectView.as_view(), name="object"),
    path(
        f"{collection}objects/<str:object_id>/versions/",
        views.VersionsView.as_view(),
        name="versions",
    ),
    re_path(r"^(?P<rest>.*)$", views.NotFoundView.as_view(), name="not-found"),
]
