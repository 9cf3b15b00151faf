"""The public API (``/public/v1/``), with its own OpenAPI document: what exporters and
screening engines may use without an account (docs/architecture.md, "Exporters'
self-screening")."""

from django.urls import path
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_page
from drf_spectacular.views import SpectacularJSONAPIView

from sharing.advisories import public_api

app_name = "public-api"

PUBLIC_SCHEMA = {
    "TITLE": "ECHRI Exchange public screening API",
    "DESCRIPTION": (
        "Screen the parties to a transaction against the entities of concern named in "
        "the public advisories that the states subscribing to the Export Controls and "
        "Human Rights Initiative Code of Conduct release to industry, and download that "
        "list in versions (JSON, CSV, FollowTheMoney). No account is needed; requests "
        "are limited per address. A score is 90 points times the name's similarity plus "
        "10 when the country is the entity's."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/public/v1/",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "sharing.api.schema.finish_document",
    ],
}


@method_decorator(cache_page(3600), name="get")
class PublicSchemaView(SpectacularJSONAPIView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []
    custom_settings = PUBLIC_SCHEMA


urlpatterns = [
    path("screen", public_api.ScreenView.as_view(), name="screen"),
    path("list.json", public_api.ListJsonView.as_view(), name="list-json"),
    path("list.csv", public_api.ListCsvView.as_view(), name="list-csv"),
    path("list.ftm.json", public_api.ListFtmView.as_view(), name="list-ftm"),
    path("openapi.json", PublicSchemaView.as_view(), name="schema"),
]
