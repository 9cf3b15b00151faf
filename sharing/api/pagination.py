"""Lists are pages of ``{"results": [...], "next": URL or null, "previous": URL or
null}``: cursor pages, which stay right while rows are added, newest change first.

A client follows ``next`` as it is; a cursor it did not get from us answers 404 and a
page size out of range 400, never a silently different page."""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

from portal.moments import within_utc_range

# What a cursor is made of: base64, as DRF writes it (b64decode would skip anything else).
CURSOR = re.compile(r"^[A-Za-z0-9+/=_-]+$")


class NewestChangeFirst(CursorPagination):
    ordering = ("-updated_at", "-pk")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        # isdecimal() alone takes "²" and other digits int() refuses.
        if not (raw.isascii() and raw.isdecimal()) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("A whole number from 1 to %(max)d.") % {"max": self.max_page_size}
                    ]
                }
            )
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        self.model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        """A cursor is only what ``next`` or ``previous`` gave: one whose position is not
        a value of the ordering field (a forged or damaged one) answers 404, never
        reaches the database."""
        raw = request.query_params.get(self.cursor_query_param)
        if raw is not None and not CURSOR.match(raw):
            raise NotFound(self.invalid_cursor_message)
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            name = self.ordering[0].lstrip("-")
            meta = self.model._meta
            field = meta.pk if name == "pk" else meta.get_field(name)
            if not valid_value(field, cursor.position):
                raise NotFound(self.invalid_cursor_message)
        return cursor

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.cursor_query_param:
                parameter["schema"]["minLength"] = 1
                parameter["schema"]["pattern"] = CURSOR.pattern
                parameter["description"] = _("Where the page starts: from next or previous.")
            else:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class NewestFirst(NewestChangeFirst):
    ordering = ("-created_at", "-pk")


class NewestOpenedFirst(NewestChangeFirst):
    ordering = ("-opened_at", "-pk")


class OldestFirst(NewestChangeFirst):
    ordering = ("created_at", "pk")


class NewestVersionFirst(NewestChangeFirst):
    ordering = ("-version", "-pk")


class UploadOrder(NewestChangeFirst):
    ordering = ("uploaded_at", "pk")


class ByCode(NewestChangeFirst):
    ordering = ("pk",)
    page_size = 100


def valid_value(field, text: str) -> bool:
    """Whether ``text`` is a value ``field`` can compare with on every database: no
    control characters, and a date-time that converts to UTC."""
    if any(ord(character) < 32 for character in text):
        return False
    try:
        value = field.to_python(text)
    except (DjangoValidationError, ValueError, OverflowError):
        return False
    if isinstance(field, models.DateTimeField):
        return value is not None and within_utc_range(value)
    return True
