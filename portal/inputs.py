"""What every service checks of its input before its own rules (docs/architecture.md,
"Three homes for rules")."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Control characters other than tabs and line breaks, NUL included: no text the
# portal keeps holds them. The class is written so that Python's re and ECMA-262 (the
# OpenAPI document's patterns) read it alike.
CONTROL_CLASS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
CONTROL = re.compile(f"[{CONTROL_CLASS}]")


def refuse_unknown(data: dict, allowed) -> None:
    """A field the act does not take is refused by name, never silently dropped."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({key: _("This field cannot be set.") for key in sorted(unknown)})


class Conflict(ValidationError):
    """An act refused because of where its object stands (awaiting approval or not,
    published already, no longer a draft, withdrawn, not in force, answered, decided),
    not because of what was sent, whose form is right; an amendment that would leave
    the object as it stands is one too. Pages show the message like any other; the API
    answers 409 Conflict."""
