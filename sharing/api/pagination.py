"""Lists are pages of ``{"results": [...], "next": URL or null, "previous": URL or
null}``: cursor pages, which stay right while rows are added, newest change first.

A client follows ``next`` as it is; a cursor it did not get from us answers 404 and a
page size out of range 400, never a silently different page."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class NewestChangeFirst(CursorPagination):
    ordering = ("-updated_at", "-pk")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("A whole number from 1 to %(max)d.") % {"max": self.max_page_size}
                    ]
                }
            )
        return int(raw)

    def decode_cursor(self, request):
        if request.query_params.get(self.cursor_query_param) == "":
            raise NotFound(self.invalid_cursor_message)
        return super().decode_cursor(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.cursor_query_param:
                parameter["schema"]["minLength"] = 1
                parameter["description"] = _("Where the page starts: from next or previous.")
            else:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class NewestFirst(NewestChangeFirst):
    ordering = ("-created_at", "-pk")


class OldestFirst(NewestChangeFirst):
    ordering = ("created_at", "pk")


class UploadOrder(NewestChangeFirst):
    ordering = ("uploaded_at", "pk")


class ByCode(NewestChangeFirst):
    ordering = ("pk",)
    page_size = 100
