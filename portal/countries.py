"""Country codes: ISO 3166-1 alpha-2, plus the user-assigned ``XK`` for Kosovo.

The one list every form, model and API field validates country codes against.
"""

import gettext
import unicodedata
from functools import cache

import pycountry
from django.core.exceptions import ValidationError
from django.utils import translation
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


@cache
def _names_in(language: str) -> dict[str, str]:
    """Code -> name in ``language``, from the ISO 3166 translations pycountry ships
    (the Debian iso-codes catalogues), sorted as a reader of it would look for them;
    English where a name has no translation."""
    try:
        catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return country_names()
    names = {}
    for country in pycountry.countries:
        english = getattr(country, "common_name", country.name)
        names[country.alpha_2] = catalogue.gettext(english)
    names.update(USER_ASSIGNED)
    return dict(sorted(names.items(), key=lambda item: reading_order(item[1])))


def reading_order(name: str) -> str:
    """A key that sorts names as a reader looks for them: "Émirats" among the E's."""
    return "".join(
        c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)
    ).casefold()


def active_language() -> str:
    """The active language without its region: "es" for es-CR, "en" when none is."""
    return (translation.get_language() or "en").split("-")[0]


def local_country_names() -> dict[str, str]:
    """Code -> name in the active language, for pages and e-mails; validation, search
    and the API keep the English ``country_names``."""
    language = active_language()
    return country_names() if language == "en" else _names_in(language)


def local_country_name(code: str) -> str:
    return local_country_names().get(code, code)


def country_choices() -> list[tuple[str, str]]:
    """A form's choice of country, in the active language: "—" then "Name (CODE)"."""
    return [
        ("", "—"),
        *((code, f"{name} ({code})") for code, name in local_country_names().items()),
    ]


def validate_country_code(value: str) -> None:
    if not isinstance(value, str) or value not in country_names():
        raise ValidationError(
            _("%(value)s is not an ISO 3166-1 alpha-2 country code (or XK for Kosovo)."),
            code="invalid_country",
            params={"value": value},
        )
