"""Exporters' self-screening: names checked against the public screening list only
(``public_list``), with the same name matcher as the states' screening of licence
denials (``sharing.denials.screening``: scripts, legal forms, transliteration, word
order, near misses).

A party's score, 0 to 100, is ``round(90 * name + 10 * same country)``: the best
similarity of the name with the entity's name or an alias (candidates from 75 %, the
matcher's gate), plus ten points when the country given is the entity's. The index of a
list version is built once per process and kept until the list changes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.utils.translation import gettext as _

from sharing.advisories import public_list
from sharing.denials import screening

NAME_POINTS = 90
COUNTRY_POINTS = 10
DEFAULT_THRESHOLD = 70
MAX_PARTIES = 100


@dataclass(frozen=True)
class Party:
    name: str
    country: str = ""


@dataclass(frozen=True)
class PublicMatch:
    score: int
    reasons: tuple[str, ...]
    entity: dict  # as list.json gives it


_cache: dict[str, object] = {}
_lock = threading.Lock()


def _index(version):
    """(index, entities by id) of list version ``version``, built once per process and
    kept by the version's number and hash (a database restored or rebuilt may number
    another list the same)."""
    key = (version.number, version.sha256)
    with _lock:
        if _cache.get("key") == key:
            return _cache["index"], _cache["entities"]
    entities = {data["id"]: data for data in public_list.entities_at(version.number)}
    facts = [
        screening.DenialFacts(
            id=key,
            parties=(
                screening.PartyFacts(
                    role="end_user",
                    name=data["name"],
                    aliases=tuple(data["aliases"]),
                    country=data["country"],
                ),
            ),
            control_entry="",
            catch_all=True,
            item_description="",
        )
        for key, data in entities.items()
    ]
    index = screening.prepare(facts)
    with _lock:
        _cache.update(key=key, index=index, entities=entities)
    return index, entities


def screen(
    parties: list[Party], *, threshold: int = DEFAULT_THRESHOLD
) -> tuple[int, list[list[PublicMatch]]]:
    """The list version screened against, and for each party its matches at or above
    ``threshold``, best first."""
    current = public_list.current()
    index, entities = _index(current)
    results = []
    for party in parties:
        country = party.country.upper()
        matches = []
        for match in screening.screen(
            screening.Transaction(end_user=party.name, destination=country), index, threshold=0
        ):
            entity = entities[match.denial_id]
            same_country = bool(country) and country == entity["country"]
            score = min(
                100,
                round(NAME_POINTS * match.name_percent / 100)
                + (COUNTRY_POINTS if same_country else 0),
            )
            if score < threshold:
                continue
            matched = match.matched_names[0][1]
            if matched == entity["name"]:
                reason = _("“%(entered)s” matches “%(name)s” (%(percent)d%%)")
            else:
                reason = _(
                    "“%(entered)s” matches “%(name)s”, an alias of “%(entity)s” (%(percent)d%%)"
                )
            reasons = [
                reason
                % {
                    "entered": party.name,
                    "name": matched,
                    "entity": entity["name"],
                    "percent": match.name_percent,
                }
            ]
            if same_country:
                reasons.append(_("Same country: %(country)s") % {"country": country})
            matches.append(PublicMatch(score, tuple(reasons), entity))
        matches.sort(key=lambda m: (-m.score, m.entity["id"]))
        results.append(matches)
    return current.number, results
