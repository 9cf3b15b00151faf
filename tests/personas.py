"""The seed data and the personas the tests act as.

``persona("dk-officer")`` is the official of that name in the test's database, made the
first time a test asks for it; the fixtures in tests/conftest.py (``dk_officer``,
``no_viewer``, ``staff_user``...) are the same users under their fixture names, so a test
or a fixture may mix the two ways and gets one user per name.

``ensure_seeded()`` makes sure the rows the data migrations create (the states,
technology categories and topics) are there. pytest-django builds the test database by
running the migrations, so they are there at the start of every run and every test
that rolls back leaves them as they were: checking costs one query. Only a test with
``transaction=True`` (browser, live server, Celery worker) takes them away, since it
ends by emptying every table; the next test that needs them gets them back.
"""

import importlib
from dataclasses import dataclass, field

from django.apps import apps

from accounts.choices import Role, StateStatus
from accounts.models import User
from tests.factories import StateFactory, UserFactory

# The data migrations' own functions, so that the tests seed exactly what an install
# starts with.
_SEEDS = [
    (importlib.import_module("accounts.migrations.0002_seed_states"), "STATES"),
    (importlib.import_module("accounts.migrations.0008_costa_rica"), "STATES"),
    (importlib.import_module("sharing.migrations.0002_seed_categories"), "CATEGORIES"),
    (importlib.import_module("sharing.migrations.0004_seed_topics"), "TOPICS"),
]
# (app label, model, field) of the rows each seed function makes, keyed by the first
# item of each entry of its list.
_SEEDED = [
    ("accounts", "State", "code"),
    ("accounts", "State", "code"),
    ("sharing", "TechnologyCategory", "slug"),
    ("sharing", "Topic", "slug"),
]


def ensure_seeded() -> None:
    """The migrations' seed rows, put back by their own functions if any is missing."""
    present, wanted = None, 0
    for (module, name), (app_label, model_name, field_name) in zip(_SEEDS, _SEEDED, strict=True):
        keys = {entry[0] for entry in getattr(module, name)}
        rows = apps.get_model(app_label, model_name).objects.filter(**{f"{field_name}__in": keys})
        rows = rows.order_by().values_list(field_name)
        present = rows if present is None else present.union(rows, all=True)
        wanted += len(keys)
    # One query: SELECT COUNT(*) over the three lookups joined by UNION ALL.
    if present.count() != wanted:
        for module, _name in _SEEDS:
            module.seed(apps, None)


# States the seed data does not have, which some personas belong to.
EXTRA_STATES = {
    "CL": {"name": "Chile", "status": StateStatus.OBSERVER},
    "PE": {"name": "Peru", "status": StateStatus.SUSPENDED},
}


def extra_state(code: str):
    """Chile (an observer) or Peru (suspended), made on first use."""
    return StateFactory(code=code, **EXTRA_STATES[code])


@dataclass(frozen=True)
class Persona:
    state: str | None
    role: str = Role.VIEWER
    first_name: str = "Test"
    last_name: str = ""  # the username when empty
    extra: dict = field(default_factory=dict)


PERSONAS = {
    "dk-admin": Persona("DK", Role.STATE_ADMIN),
    "dk-officer": Persona("DK", Role.OFFICER, "Mette", "Jensen"),
    "dk-officer-2": Persona("DK", Role.OFFICER, "Lars", "Holm"),  # the second pair of eyes
    "dk-viewer": Persona("DK", Role.VIEWER),
    "no-admin": Persona("NO", Role.STATE_ADMIN),
    "no-officer": Persona("NO", Role.OFFICER, "Kari", "Berg"),
    "no-viewer": Persona("NO", Role.VIEWER, "Ola", "Nordmann"),
    "no-officer-2": Persona("NO", Role.OFFICER, "Ingrid", "Dahl"),
    "jp-admin": Persona("JP", Role.STATE_ADMIN),
    # No language of her own: the one her browser asks for applies.
    "jp-viewer": Persona("JP", Role.VIEWER, "Yuki", "Sato", {"language": ""}),
    "fr-officer": Persona("FR", Role.OFFICER),
    "fr-viewer": Persona("FR", Role.VIEWER),
    "fi-admin": Persona("FI", Role.STATE_ADMIN),
    "fi-officer": Persona("FI", Role.OFFICER),
    "fi-viewer": Persona("FI", Role.VIEWER),
    # Costa Rica works in Spanish: its people have no language of their own, so the
    # state's default applies.
    "cr-admin": Persona("CR", Role.STATE_ADMIN, "Ana", "Vargas"),
    "cr-officer": Persona("CR", Role.OFFICER, "Luis", "Mora"),
    "cr-viewer": Persona("CR", Role.VIEWER, "Sofía", "Rojas"),
    "secretariat": Persona(None, extra={"is_staff": True, "is_superuser": True}),
    "cl-viewer": Persona("CL", Role.VIEWER),  # an observer state
    "pe-officer": Persona("PE", Role.OFFICER),  # a suspended state
}


def persona(name: str, *, seeded: bool = False) -> User:
    """The persona called ``name`` (a key of PERSONAS, e.g. "dk-officer"), with the
    password tests.factories.PASSWORD and a verified e-mail address. ``seeded=True``
    skips checking the seed rows, for callers that just did (the fixtures)."""
    try:
        spec = PERSONAS[name]
    except KeyError:
        raise LookupError(f"no persona {name!r}; there are {', '.join(PERSONAS)}") from None
    existing = User.objects.filter(username=name).first()
    if existing is not None:
        return existing
    if not seeded:
        ensure_seeded()
    if spec.state in EXTRA_STATES:
        extra_state(spec.state)
    return UserFactory(
        username=name,
        state_id=spec.state,
        role=spec.role,
        first_name=spec.first_name,
        last_name=spec.last_name or name,
        **spec.extra,
    )
