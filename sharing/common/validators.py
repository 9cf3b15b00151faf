"""Checks and normalisation for what a notice carries: control-list codes, countries of
concern, named entities. Used by the services (the one home of the rules) and by form
fields that want to show a mistake next to the field at once."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.countries import validate_country_code
from portal.inputs import CONTROL
from sharing.common.choices import EntityKind

# Dual-use and military list entries as the Wassenaar Arrangement, the EU and most
# national lists write them: category digit, product group letter, three digits, then
# optional sub-items (4A005, 5A001.j, 5A001.f.1, 4D004, 6A003.b.4.a); military list
# entries such as ML21.a; and the US catch-all EAR99.
CONTROL_CODE = re.compile(
    r"^(?:\d[A-E]\d{3}|ML\d{1,2}|EAR99)(?:\.[a-z0-9]{1,3}){0,4}$", re.IGNORECASE
)
MAX_CODES = 30
MAX_COUNTRIES = 60
MAX_ENTITIES = 50
MAX_LIST_ITEMS = 20
MAX_ITEM_LENGTH = 200


def split_list(text: str) -> list[str]:
    """Items typed into one text box, separated by commas, semicolons or new lines."""
    return [item.strip() for item in re.split(r"[,;\n]+", text or "") if item.strip()]


def normalize_control_code(code: str) -> str:
    head, _dot, tail = code.strip().partition(".")
    return head.upper() + (f".{tail.lower()}" if tail else "")


def clean_control_codes(values) -> list[str]:
    if not isinstance(values, list | tuple):
        raise ValidationError(_("Give the control-list codes as a list."))
    if len(values) > MAX_CODES:
        raise ValidationError(_("At most %(n)d control-list codes.") % {"n": MAX_CODES})
    codes, wrong = [], []
    for value in values:
        if not isinstance(value, str) or not CONTROL_CODE.match(value.strip()):
            wrong.append(str(value)[:40])
            continue
        code = normalize_control_code(value)
        if code not in codes:
            codes.append(code)
    if wrong:
        # The codes as params, not formatted in: what was typed may hold a "%", which
        # whoever formats the message later (django-filter does) would take as its own.
        raise ValidationError(
            _("Not a control-list code: %(codes)s. Write them like 4A005, 5A001.j or ML21.a."),
            params={"codes": ", ".join(wrong)},
        )
    return codes


def clean_countries(values) -> list[str]:
    if not isinstance(values, list | tuple):
        raise ValidationError(_("Give the countries as a list of codes."))
    if len(values) > MAX_COUNTRIES:
        raise ValidationError(_("At most %(n)d countries.") % {"n": MAX_COUNTRIES})
    countries, wrong = [], []
    for value in values:
        code = value.strip().upper() if isinstance(value, str) else value
        try:
            validate_country_code(code)
        except ValidationError:
            wrong.append(str(value)[:20])
            continue
        if code not in countries:
            countries.append(code)
    if wrong:
        raise ValidationError(
            _("Not an ISO 3166-1 alpha-2 country code: %(codes)s (use XK for Kosovo).")
            % {"codes": ", ".join(wrong)}
        )
    return countries


def _clean_strings(values, label: str) -> list[str]:
    if isinstance(values, str):
        values = split_list(values)
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ValidationError(_("%(label)s must be a list of texts.") % {"label": label})
    items = [v.strip() for v in values if v.strip()]
    if any("\x00" in item for item in items):
        raise ValidationError(_("%(label)s: null characters are not allowed.") % {"label": label})
    if any(CONTROL.search(item) for item in items):
        raise ValidationError(
            _("%(label)s: control characters are not allowed.") % {"label": label}
        )
    if len(items) > MAX_LIST_ITEMS or any(len(v) > MAX_ITEM_LENGTH for v in items):
        raise ValidationError(
            _("%(label)s: at most %(n)d items of %(m)d characters.")
            % {"label": label, "n": MAX_LIST_ITEMS, "m": MAX_ITEM_LENGTH}
        )
    return items


def clean_entity(data) -> dict:
    """One entity of concern, normalised; raises ValidationError keyed by field."""
    if not isinstance(data, dict):
        raise ValidationError(_("Each entity must be an object with a name."))
    errors: dict[str, str] = {}
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        errors["name"] = _("Give the entity's name.")
    elif len(name.strip()) > 200:
        errors["name"] = _("At most 200 characters.")
    elif "\x00" in name:
        errors["name"] = _("Null characters are not allowed.")
    elif CONTROL.search(name):
        errors["name"] = _("Control characters (other than line breaks and tabs) are not allowed.")
    country = data.get("country") or ""
    if not isinstance(country, str):
        errors["country"] = _("Give a country code.")
    elif country.strip():
        try:
            validate_country_code(country.strip().upper())
        except ValidationError as error:
            errors["country"] = error.messages[0]
    kind = data.get("kind") or EntityKind.COMPANY
    if kind not in EntityKind.values:
        errors["kind"] = _("Choose one of the kinds offered.")
    notes = data.get("notes") or ""
    if not isinstance(notes, str) or len(notes) > 2000 or CONTROL.search(notes):
        errors["notes"] = _("Notes are text of at most 2,000 characters.")
    cleaned = {}
    for key, label in (("aliases", _("Aliases")), ("identifiers", _("Identifiers"))):
        try:
            cleaned[key] = _clean_strings(data.get(key) or [], label)
        except ValidationError as error:
            errors[key] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    return {
        "name": name.strip(),
        "aliases": cleaned["aliases"],
        "country": country.strip().upper(),
        "kind": kind,
        "identifiers": cleaned["identifiers"],
        "notes": notes.strip(),
    }


def clean_entities(values) -> list[dict]:
    if not isinstance(values, list | tuple):
        raise ValidationError(_("Give the entities as a list."))
    if len(values) > MAX_ENTITIES:
        raise ValidationError(_("At most %(n)d entities.") % {"n": MAX_ENTITIES})
    entities, problems = [], []
    for number, value in enumerate(values, start=1):
        try:
            entities.append(clean_entity(value))
        except ValidationError as error:
            details = (
                "; ".join(
                    f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items()
                )
                if hasattr(error, "error_dict")
                else " ".join(error.messages)
            )
            problems.append(_("entity %(n)d: %(details)s") % {"n": number, "details": details})
    if problems:
        raise ValidationError(problems)
    return entities
