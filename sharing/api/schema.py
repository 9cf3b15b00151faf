"""How the OpenAPI document describes what every operation may answer besides success:
the error responses of the v1 contract, added to each operation by the rules below so
that none is forgotten."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

from portal.countries import country_names
from portal.inputs import CONTROL_CLASS

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
    "415": OpenApiResponse(
        DETAIL,
        description="The body is not of a media type this operation reads (its Content-Type "
        "is missing or another); nothing was changed.",
    ),
}


class PortalAutoSchema(AutoSchema):
    """Every authenticated operation may answer 401 and 429 (the public API's, 429 only);
    an operation on one object (or a list, whose cursor may not be ours), 404; one that
    changes something, 403; one that takes input (a body, or query parameters), 400; an
    act its view names in ``conflicting_actions`` (where the item stands may refuse it:
    four eyes), 409; one that reads a body, 415 (DRF's answer to a body whose media type
    none of its parsers reads)."""

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation and "requestBody" in operation:
            responses = operation["responses"]
            responses.setdefault("415", self._get_response_for_code(ERRORS["415"], "415"))
            operation["responses"] = dict(sorted(responses.items()))
        return operation

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


# Where the values of the parameters that name data (not a fixed set) come from.
SOURCES = {
    "category": "A technology category's slug, as listed by `GET /api/v1/categories/`.",
    "topic": "A best-practice topic's slug, as listed by `GET /api/v1/topics/`.",
    "author_state": "A state's code, as listed by `GET /api/v1/states/`.",
    "lead_state": "A state's code, as listed by `GET /api/v1/states/`.",
    "endorsed_by": "A state's code, as listed by `GET /api/v1/states/`.",
    "state": "A state's code, as listed by `GET /api/v1/states/`.",
}


# Text the server refuses anywhere (sharing.common.services.clean_text, and the NUL of
# sharing/api/text.py): control characters other than tabs and line breaks.
TEXT_PATTERN = f"^[^{CONTROL_CLASS}]*$"
# A control-list code (sharing.common.validators.CONTROL_CODE), in ECMA's syntax.
CONTROL_CODE_PATTERN = (
    "^(?:[0-9][A-Ea-e][0-9]{3}|[Mm][Ll][0-9]{1,2}|[Ee][Aa][Rr]99)(?:\\.[A-Za-z0-9]{1,3}){0,4}$"
)
STATE_CODE_PATTERN = "^[A-Z]{2}$"
# The search's kinds: a comma-separated list.
SEARCH_TYPES_PATTERN = "^ *(notice|best_practice) *(, *(notice|best_practice) *)*$"
STATE_PARAMETERS = {"author_state", "lead_state", "endorsed_by", "state"}
STATE_FIELDS = {"recipient_states", "co_authors", "shared_with"}
CONTROL_CODE_FIELDS = {"control_entry", "control_codes"}


def _constrain(schema: dict, name: str = "") -> None:
    """What the server checks in a request's fields, said in the schema: objects take
    no property they do not list (unknown fields are refused by name), text takes no
    control character, control-list codes and state codes have their form."""
    if "$ref" in schema:
        return
    kind = schema.get("type")
    if kind == "object" and "properties" in schema:
        schema.setdefault("additionalProperties", False)
        for field, child in schema["properties"].items():
            _constrain(child, field)
    elif kind == "array" and isinstance(schema.get("items"), dict):
        _constrain(schema["items"], name)
    elif kind == "string" and not schema.get("enum") and not schema.get("format"):
        if "pattern" in schema:
            return
        if name in CONTROL_CODE_FIELDS:
            pattern = CONTROL_CODE_PATTERN
            schema["pattern"] = f"^$|{pattern}" if name == "control_entry" else pattern
        elif name in STATE_FIELDS:
            schema["pattern"] = STATE_CODE_PATTERN
        else:
            schema["pattern"] = TEXT_PATTERN


# Query parameters that take a country: one of a fixed set.
COUNTRY_PARAMETERS = {"country", "destination"}


def _parameter_pattern(name: str) -> str:
    if name == "type":
        return SEARCH_TYPES_PATTERN
    if name in STATE_PARAMETERS:
        return STATE_CODE_PATTERN
    if name == "control_entry":
        return CONTROL_CODE_PATTERN
    return TEXT_PATTERN


def finish_document(result, generator, request, public):
    """Post-processing hook: adds the one ``FieldErrors`` shape the 400s refer to, and
    tidies the query parameters (the filters of lists):

    - a string parameter takes a value or is left out: an empty one is refused
      (sharing.common.filters.RefuseEmptyValues), so the document says ``minLength: 1``;
    - an enumeration that is one of the named enums (kinds, severities, markings...)
      refers to it, so that generated clients have one type for it, not one per list;
    - a parameter that names data (a category, a topic, a state) says where its values
      are listed (``SOURCES``): a value that names nothing is a 400.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["FieldErrors"] = FIELD_ERRORS_SCHEMA
    schemas["CountryCode"] = {
        "type": "string",
        "description": "ISO 3166-1 alpha-2, and XK for Kosovo.",
        "enum": sorted(country_names()),
    }
    for name, schema in schemas.items():
        if name.endswith("Request"):
            _constrain(schema)
    named = {
        frozenset(schema["enum"]): name for name, schema in schemas.items() if "enum" in schema
    }
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                if parameter["name"] in SOURCES:
                    described = parameter.get("description", "").rstrip(".")
                    source = SOURCES[parameter["name"]]
                    parameter["description"] = f"{described}. {source}" if described else source
                schema = parameter.get("schema", {})
                if schema.get("type") != "string":
                    continue
                if parameter["name"] in COUNTRY_PARAMETERS and "enum" not in schema:
                    parameter["schema"] = {"$ref": "#/components/schemas/CountryCode"}
                    continue
                if "enum" not in schema and not schema.get("format"):
                    schema.setdefault("pattern", _parameter_pattern(parameter["name"]))
                if "enum" not in schema:
                    schema.setdefault("minLength", 1)
                elif frozenset(schema["enum"]) in named:
                    name = named[frozenset(schema["enum"])]
                    parameter["schema"] = {"$ref": f"#/components/schemas/{name}"}
    return result
