"""What every service checks of its input before its own rules (docs/architecture.md,
"Three homes for rules")."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def refuse_unknown(data: dict, allowed) -> None:
    """A field the act does not take is refused by name, never silently dropped."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({key: _("This field cannot be set.") for key in sorted(unknown)})


class Conflict(ValidationError):
    """An act refused because of where its object stands (awaiting approval, not awaiting
    it, changed since), not because of what was sent: pages show the message like any
    other; the API answers 409 Conflict."""
