"""Typed identifiers of companies and people, read from what officials write ("LEI
5493001KJTIIGC8Y1R12", "CVR 12345678", "passport RU 721234567", "born 1971-03-04").

Notices keep identifiers as free text, as the author wrote them; screening and the
registry of entities need to know that two of them are the same number, and that two
different numbers of a kind a company has only one of (an LEI, a registration number
in one country, a date of birth) speak against two records being the same
(docs/architecture.md, "Registry of entities"). The check digits of each number are
python-stdnum's business, not ours.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from importlib import import_module

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as NumberError
from stdnum.util import get_cc_module

LEI = "lei"
REGISTRATION = "registration"
TAX = "tax"
VAT = "vat"
PASSPORT = "passport"
BIRTH = "birth"

SCHEMES = {
    LEI: gettext_lazy("LEI"),
    REGISTRATION: gettext_lazy("company registration number"),
    TAX: gettext_lazy("tax number"),
    VAT: gettext_lazy("VAT number"),
    PASSPORT: gettext_lazy("passport number"),
    BIRTH: gettext_lazy("date of birth"),
}
# A company has one LEI, one registration number and one VAT number in a country; a
# person one date of birth. Two different ones of those are a conflict; two passports,
# or two tax numbers (a country may give several kinds), are not.
SINGLE = frozenset({LEI, REGISTRATION, VAT, BIRTH})

# The word officials write before a number → (scheme, country, python-stdnum module).
_LABELS: dict[str, tuple[str, str, str]] = {
    "lei": (LEI, "", "stdnum.lei"),
    "cvr": (REGISTRATION, "DK", "stdnum.dk.cvr"),
    "ogrn": (REGISTRATION, "RU", "stdnum.ru.ogrn"),
    "огрн": (REGISTRATION, "RU", "stdnum.ru.ogrn"),
    "inn": (TAX, "RU", "stdnum.ru.inn"),
    "инн": (TAX, "RU", "stdnum.ru.inn"),
    "siren": (REGISTRATION, "FR", "stdnum.fr.siren"),
    "uscc": (REGISTRATION, "CN", "stdnum.cn.uscc"),
    "y-tunnus": (REGISTRATION, "FI", "stdnum.fi.ytunnus"),
    "business id": (REGISTRATION, "FI", "stdnum.fi.ytunnus"),
    "ein": (TAX, "US", "stdnum.us.ein"),
    "vat": (VAT, "", ""),  # the country is the number's prefix
    "registration": (REGISTRATION, "", ""),
    "reg": (REGISTRATION, "", ""),
    "company number": (REGISTRATION, "", ""),
    "tax": (TAX, "", ""),
    "tin": (TAX, "", ""),
    "passport": (PASSPORT, "", ""),
    "born": (BIRTH, "", ""),
    "dob": (BIRTH, "", ""),
    "date of birth": (BIRTH, "", ""),
}
_LABEL_RE = re.compile(
    r"^(?P<label>"
    + "|".join(re.escape(label) for label in sorted(_LABELS, key=len, reverse=True))
    + r")\b\.?(?:\s*(?:no|nr|number)\b\.?)?\s*:?\s*(?P<rest>.+)$",
    re.IGNORECASE,
)
_COUNTRY_RE = re.compile(r"^(?P<country>[A-Z]{2})\s+(?P<value>\S.*)$")
_REMARK_RE = re.compile(r"\([^)]*\)|\[[^]]*\]")
_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")

FORMAT_HELP = gettext_lazy(
    "Write each identifier as its type and number, one per line: "
    "“LEI 5493001KJTIIGC8Y1R12”, “CVR 12345678”, “registration CY HE123456”, "
    "“VAT FR40303265045”, “passport RU 721234567”, “born 1971-03-04”."
)


@dataclass(frozen=True)
class Identifier:
    scheme: str  # one of SCHEMES
    country: str  # ISO 3166-1 alpha-2, or "" (an LEI; a passport of unknown country)
    value: str  # compact: no spaces or dashes, upper case; ISO date for a birth

    @property
    def key(self) -> str:
        return f"{self.scheme}:{self.country}:{self.value}"

    def conflicts_with(self, other: Identifier) -> bool:
        """Two numbers of a kind one holds only one of, for the same country."""
        return (
            self.scheme == other.scheme
            and self.scheme in SINGLE
            and self.country == other.country
            and self.value != other.value
        )

    def __str__(self) -> str:
        country = f" ({self.country})" if self.country else ""
        return f"{SCHEMES[self.scheme]}{country}: {self.value}"


class Unreadable(ValueError):
    """Why a written identifier cannot be read; its message is for the official."""


def read(text: str) -> Identifier:
    """The identifier ``text`` writes, check digits verified; ``Unreadable`` else."""
    written = " ".join(_REMARK_RE.sub(" ", text).split())
    found = _LABEL_RE.match(written)
    known = _LABELS.get(found["label"].casefold()) if found else None
    if found is None or known is None:
        raise Unreadable(
            _("“%(text)s”: start with the kind of identifier (LEI, CVR, registration, …).")
            % {"text": text.strip()[:80]}
        )
    scheme, country, module = known
    rest = found["rest"].strip()
    if scheme == BIRTH:
        return Identifier(BIRTH, "", _date(rest, text))
    if scheme == VAT:
        return _vat(rest, text)
    if not country and (with_country := _COUNTRY_RE.match(rest)):
        country, rest = with_country["country"], with_country["value"]
    value = _compact(rest)
    if not value or len(value) > 40 or not value.isalnum():
        raise Unreadable(_("“%(text)s”: the number is missing or not a number.") % {"text": text})
    if scheme in (REGISTRATION, TAX) and not country:
        raise Unreadable(
            _("“%(text)s”: give the country of the number, e.g. “registration CY HE123456”.")
            % {"text": text}
        )
    if module:
        value = _compact(_checked(module, value, scheme, text))
    return Identifier(scheme, country.upper(), value)


def _compact(value: str) -> str:
    return re.sub(r"[\s./-]", "", value).upper()


def _checked(module: str, value: str, scheme: str, text: str) -> str:
    """``value`` as python-stdnum's ``module`` validates it; ``Unreadable`` else."""
    try:
        return str(import_module(module).validate(value))
    except NumberError:
        raise Unreadable(
            _("“%(text)s” is not a valid %(kind)s: check the number.")
            % {"text": text, "kind": SCHEMES[scheme]}
        ) from None


def _vat(rest: str, text: str) -> Identifier:
    """A VAT number, its country the two letters before it ("FR 403 032 650 45"),
    checked by python-stdnum where it knows the country's numbers."""
    value = _compact(rest)
    if not (len(value) > 2 and value[:2].isalpha() and value.isalnum() and len(value) <= 40):
        raise Unreadable(
            _("“%(text)s”: write the VAT number with its country, e.g. “VAT FR40303265045”.")
            % {"text": text}
        )
    prefix = value[:2].lower()
    module = eu_vat if prefix in eu_vat.MEMBER_STATES else get_cc_module(prefix, "vat")
    if module is not None:
        checked = _compact(_checked(module.__name__, value, VAT, text))
        value = checked if checked[:2].isalpha() else value[:2] + checked
    return Identifier(VAT, "GR" if prefix == "el" else prefix.upper(), value)


def _date(written: str, text: str) -> str:
    for form in _DATE_FORMATS:
        try:
            day = datetime.datetime.strptime(written.strip(), form).date()
        except ValueError:
            continue
        if datetime.date(1900, 1, 1) <= day <= datetime.date.today():
            return day.isoformat()
    raise Unreadable(_("“%(text)s”: write the date of birth as 1971-03-04.") % {"text": text})


def readable(texts) -> list[Identifier]:
    """The identifiers among stored free texts that can be read; the rest are skipped
    (they stay as text where they were written)."""
    found = []
    for text in texts or ():
        try:
            identifier = read(str(text))
        except Unreadable:
            continue
        if identifier not in found:
            found.append(identifier)
    return found


def clean(value, errors: dict, field: str = "identifiers") -> list[Identifier]:
    """Identifiers entered by an official, one per line (or a list of strings), each of
    which must read; at most ten."""
    if value in (None, ""):
        return []
    lines = value.splitlines() if isinstance(value, str) else value
    if not isinstance(lines, list | tuple) or not all(isinstance(line, str) for line in lines):
        errors[field] = [_("Give the identifiers as text, one per line.")]
        return []
    lines = [line.strip() for line in lines if line.strip()]
    if len(lines) > 10:
        errors[field] = [_("At most ten identifiers.")]
        return []
    found, problems = [], []
    for line in lines:
        try:
            identifier = read(line[:200])
        except Unreadable as problem:
            problems.append(str(problem))
            continue
        if identifier not in found:
            found.append(identifier)
    if problems:
        errors[field] = problems
    return found


def written(identifier: Identifier) -> str:
    """How ``read`` reads it back: what a screening stores."""
    if identifier.scheme == BIRTH:
        return f"born {identifier.value}"
    if identifier.scheme in (LEI, VAT):
        return f"{identifier.scheme.upper()} {identifier.value}"
    country = f"{identifier.country} " if identifier.country else ""
    return f"{identifier.scheme} {country}{identifier.value}"
