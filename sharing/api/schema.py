"""How the OpenAPI document describes what every operation may answer besides success:
the error responses of the v1 contract, added to each operation by the rules below so
that none is forgotten."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

DETAIL = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})

# One named shape for every 400, so that generated clients get one type for it.
FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": (
        "Bad input; nothing was changed. An object naming each field that is wrong with "
        'a list of messages (`{"field": ["message", ...]}`), nested for lists and '
        "objects; what concerns no one field is under `non_field_errors`."
    ),
    "additionalProperties": {},
}
FIELD_ERRORS = OpenApiResponse(
    response={"$ref": "#/components/schemas/FieldErrors"},
    description="Bad input; nothing was changed.",
)

CONFLICT = OpenApiResponse(
    response={"$ref": "#/components/schemas/FieldErrors"},
    description="Refused because of where the item stands (under your state's approval "
    "policy, awaiting approval or not); nothing was changed. The message says why.",
)

ERRORS = {
    "401": OpenApiResponse(
        DETAIL, description="No token, or one that is unknown, expired or revoked."
    ),
    "403": OpenApiResponse(DETAIL, description="Visible, but your role or state may not do this."),
    "404": OpenApiResponse(DETAIL, description="Does not exist, or is not shared with you."),
    "429": OpenApiResponse(
        DETAIL, description="Too many requests; the Retry-After header says when to retry."
    ),
}


class PortalAutoSchema(AutoSchema):
    """Every authenticated operation may answer 401 and 429 (the public API's, 429 only);
    an operation on one object (or a list, whose cursor may not be ours), 404; one that
    changes something, 403; one that takes input (a body, or query parameters), 400; an
    act its view names in ``conflicting_actions`` (where the item stands may refuse it:
    four eyes), 409."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        view = self.view
        if not getattr(view, "permission_classes", None) or getattr(view, "public", False):
            return responses
        reads = self.method == "GET"
        anyone = not getattr(view, "authentication_classes", None)  # the public API
        codes = ["429"] if anyone else ["401", "429"]
        if "{" in self.path or (self._is_list_view() and reads):
            codes.append("404")
        if not reads and not anyone:
            codes.append("403")
        if not reads or self._is_list_view() or self.get_override_parameters():
            codes.append("400")
        if getattr(view, "action", None) in getattr(view, "conflicting_actions", ()):
            codes.append("409")
        errors = {**ERRORS, "400": FIELD_ERRORS, "409": CONFLICT}
        for code in codes:
            responses.setdefault(code, self._get_response_for_code(errors[code], code))
        return dict(sorted(responses.items()))


def under_prefix(endpoints, **kwargs):
    """Pre-processing hook: only the endpoints under the document's own path prefix, so
    that the API's document and the public API's each describe their own."""
    prefix = spectacular_settings.SCHEMA_PATH_PREFIX
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(prefix)]


def finish_document(result, generator, request, public):
    """Post-processing hook: adds the one ``FieldErrors`` shape the 400s refer to, and
    tidies the query parameters (the filters of lists):

    - a string parameter takes a value or is left out: an empty one is refused
      (sharing.common.filters.RefuseEmptyValues), so the document says ``minLength: 1``;
    - an enumeration that is one of the named enums (kinds, severities, markings...)
      refers to it, so that generated clients have one type for it, not one per list.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["FieldErrors"] = FIELD_ERRORS_SCHEMA
    named = {
        frozenset(schema["enum"]): name for name, schema in schemas.items() if "enum" in schema
    }
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                schema = parameter.get("schema", {})
                if schema.get("type") != "string":
                    continue
                if "enum" not in schema:
                    schema.setdefault("minLength", 1)
                elif frozenset(schema["enum"]) in named:
                    name = named[frozenset(schema["enum"])]
                    parameter["schema"] = {"$ref": f"#/components/schemas/{name}"}
    return result
