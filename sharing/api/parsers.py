"""How the API reads request bodies. Every parser it uses is one of these: what it
reads is looked at for text the portal cannot keep (``sharing.api.text``) before any
serializer sees it."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

from sharing.api import text


class RefuseUnencodableText:
    """A lone surrogate or a NUL anywhere in what was read, in a value or a name, is bad
    input: a 400 naming where it was, before anything else looks at the body."""

    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        if isinstance(result, parsers.DataAndFiles):
            errors = text.problems(result.data, result.files)
        else:
            errors = text.problems(result)
        if errors:
            raise ValidationError(errors)
        return result


class JSONParser(RefuseUnencodableText, parsers.JSONParser):
    """DRF's, but a body nested deeper than Python's recursion limit is bad input (400)
    rather than an error of ours."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON is nested too deeply.")) from None


class MultiPartParser(RefuseUnencodableText, parsers.MultiPartParser):
    """DRF's (multipart/form-data: files, and the fields sent with them)."""
