"""The Jinja2 environment of what is rendered by Jinja2 (docs/architecture.md,
"Performance"): the rows of the busiest lists, which a page in the Django template
language includes with ``{% jinja "name" %}`` (the engine of settings.TEMPLATES), and
every form, field and widget (portal.forms.PortalFormRenderer's engine). Pages
themselves are the Django template language.

What these templates may use is written once here or taken from the Django filter
libraries and functions each engine names (so a filter such as ``tlp_badge`` has one
home for both languages):

- ``_("text")`` and ``ngettext``: Django's own catalogues, in the reader's language.
  Placeholders are filled with Jinja2's ``format`` filter, ``_("from %(state)s")|
  format(state=...)``: makemessages reads ``_("...")`` in any template, and the msgid is
  the one ``{% blocktranslate %}`` writes, so both languages share a translation.
- ``url(name, *args)``: ``reverse``.
- ``date`` and ``time``: Django's filters, on the value in the reader's time zone as
  the Django template language converts it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.template import defaultfilters
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from jinja2 import Environment, StrictUndefined, Undefined


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def _local(value):
    if hasattr(value, "tzinfo") and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def date(value, arg: str | None = None) -> str:
    return defaultfilters.date(_local(value), arg)


def time(value, arg: str | None = None) -> str:
    return defaultfilters.time(_local(value), arg)


def environment(
    *,
    filter_libraries: tuple[str, ...] = (),
    functions: tuple[str, ...] = (),
    strict: bool = True,
    **options: Any,
) -> Environment:
    """Called by Django's Jinja2 backend with the ``OPTIONS`` of its engine: the rows'
    (settings.TEMPLATES) and the forms' (portal.forms.PortalFormRenderer). In our own
    templates an unknown name fails at once (``StrictUndefined``, in every mode), as a
    typo should, rather than writing nothing as the Django template language would;
    ``strict=False`` for Django's widget templates, written for the lenient default.
    ``functions`` are dotted paths of functions the templates may call by their name."""
    options["undefined"] = StrictUndefined if strict else Undefined
    options.pop("autoescape", None)  # always on, whatever the backend passed
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True, **options)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=translation.gettext,
        ngettext=translation.ngettext,
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
        newstyle=False,
    )
    env.globals["url"] = url
    for path in functions:
        function = import_string(path)
        env.globals[function.__name__] = function
    for library in filter_libraries:
        env.filters.update(import_module(library).register.filters)
    env.filters.update(date=date, time=time)
    return env
