"""One shape for every error the API answers (bad input is a 400 with field
errors and changes nothing; what cannot be seen is a 404)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from portal.inputs import Conflict
from sharing.api.text import scrubbed


def as_api_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """A services' ValidationError as DRF's: ``{"field": ["message", ...]}``, with
    errors that concern no one field under ``non_field_errors``."""
    if hasattr(error, "error_dict"):
        detail = {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return exceptions.ValidationError(detail)


class ConflictError(exceptions.APIException):
    status_code = 409
    default_code = "conflict"


def exception_handler(exc, context):
    if isinstance(exc, Conflict):
        exc = ConflictError(as_api_error(exc).detail)
    elif isinstance(exc, DjangoValidationError):
        exc = as_api_error(exc)
    elif isinstance(exc, Http404):
        # The same words for "does not exist" and "not shared with you", whatever the
        # query that did not find it.
        exc = exceptions.NotFound(_("Not found."))
    response = drf_exception_handler(exc, context)
    if response is not None:
        # The input is refused before any message could quote such text; should one
        # ever do so all the same, it is still rendered (a 400, not an error of ours).
        response.data = scrubbed(response.data)
    return response
