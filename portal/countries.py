"""Country codes: ISO 3166-1 alpha-2, plus the user-assigned ``XK`` for Kosovo.

The one list every form, model and API field validates country codes against.
"""

from functools import cache

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Kosovo has no ISO 3166-1 code; XK is the convention used by the EU, the IMF and others.
USER_ASSIGNED = {"XK": "Kosovo"}


@cache
def country_names() -> dict[str, str]:
    """Code -> common English name, sorted by name."""
    names = {c.alpha_2: getattr(c, "common_name", c.name) for c in pycountry.countries}
    names.update(USER_ASSIGNED)
    return dict(sorted(names.items(), key=lambda item: item[1]))


def country_name(code: str) -> str:
    return country_names().get(code, code)


def validate_country_code(value: str) -> None:
    if not isinstance(value, str) or value not in country_names():
        raise ValidationError(
            _("%(value)s is not an ISO 3166-1 alpha-2 country code (or XK for Kosovo)."),
            code="invalid_country",
            params={"value": value},
        )
