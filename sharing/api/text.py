"""Text the portal cannot keep: a lone surrogate (U+D800 to U+DFFF), which has no UTF-8
form and so can be neither stored nor written back, and the NUL character (U+0000),
which PostgreSQL refuses in text. JSON may carry either (``"\\ud800"``, ``"\\u0000"``),
and a multipart part or a query string may carry a NUL.

Whatever the API reads is looked at here first (``sharing.api.parsers`` for bodies,
``sharing.api.middleware`` for query strings): such text anywhere, in a value or in a
name, is bad input, answered with a 400 that says where it was and never repeats it.
"""

import re

from django.core.files.uploadedfile import UploadedFile
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from rest_framework.exceptions import ErrorDetail
from rest_framework.settings import api_settings

from portal.inputs import CONTROL

SURROGATE = re.compile("[\ud800-\udfff]")

# Where a problem nests deeper than this, it is reported at this depth: an answer as
# deep as a body that just fits the parser's limit could not itself be rendered.
MAX_DEPTH = 32


def text_problem(text: str) -> str | None:
    """What is wrong with ``text`` as a value, or None."""
    if "\x00" in text:
        return _("Text cannot contain the NUL character (U+0000).")
    if SURROGATE.search(text):
        return _("Text cannot contain a lone surrogate (U+D800 to U+DFFF).")
    return None


# Control characters other than tabs and line breaks: no query parameter takes them
# (the document's pattern for text says so; bodies meet the same rule in the services).


def control_problems(query: MultiValueDict) -> dict | None:
    """``{"name": ["message"]}`` for each query parameter whose value holds a control
    character (the NUL is ``problems``'s), or None."""
    found = {
        name: [_("Control characters (other than line breaks and tabs) are not allowed.")]
        for name, values in query.lists()
        if any(CONTROL.search(value) for value in values)
    }
    return found or None


def name_problem(name: str) -> str | None:
    """What is wrong with ``name`` as the name of a field or parameter, or None."""
    if "\x00" in name:
        return _("A name cannot contain the NUL character (U+0000).")
    if SURROGATE.search(name):
        return _("A name cannot contain a lone surrogate (U+D800 to U+DFFF).")
    return None


def _items(value):
    """The named or numbered parts of a container, or None for a scalar. Form data and
    query strings (a MultiValueDict) give every value of a name under the name."""
    if isinstance(value, MultiValueDict):
        return [(key, item) for key, items in value.lists() for item in items]
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, list | tuple):
        return [(str(index), item) for index, item in enumerate(value)]
    return None


def problems(*parts) -> dict | None:
    """Field errors (``{"field": ["message"]}``, nested as the data is, a list's items
    by their index) for every piece of unencodable text in ``parts`` (what was read: a
    body, or a form's fields and its files): their strings, their keys, an uploaded
    file's name. None when there is none.

    Walked with a stack of its own, not by recursion: a body nested as deep as the
    parser allows is looked at to the bottom."""
    found = {}
    stack = [((), part) for part in reversed(parts)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            message = text_problem(value)
            if message:
                _add(found, path or (api_settings.NON_FIELD_ERRORS_KEY,), message)
            continue
        if isinstance(value, UploadedFile):
            message = text_problem(value.name or "")
            if message:
                _add(found, path, message)
            continue
        items = _items(value)
        if items is None:
            continue
        for key, item in reversed(items):
            if isinstance(key, str) and (message := name_problem(key)):
                _add(found, (*path, api_settings.NON_FIELD_ERRORS_KEY), message)
            else:
                stack.append(((*path, key), item))
    return found or None


def _add(tree: dict, path: tuple, message: str) -> None:
    path = path[:MAX_DEPTH]
    node = tree
    for step in path[:-1]:
        child = node.get(step)
        if child is None:
            child = node[step] = {}
        elif isinstance(child, list):
            # Messages already here, and now something within: both are kept.
            child = node[step] = {api_settings.NON_FIELD_ERRORS_KEY: child}
        node = child
    here = node.setdefault(path[-1], [])
    if isinstance(here, dict):
        here = here.setdefault(api_settings.NON_FIELD_ERRORS_KEY, [])
    if message not in here:
        here.append(message)


def scrubbed(data):
    """``data`` (an answer about to be rendered) with every lone surrogate replaced by
    U+FFFD, so that a message quoting what was sent can always be written as UTF-8;
    ``data`` itself when it holds none. DRF's ErrorDetail keeps its code."""
    if isinstance(data, str):
        if not SURROGATE.search(data):
            return data
        clean = SURROGATE.sub("\ufffd", data)
        return ErrorDetail(clean, data.code) if isinstance(data, ErrorDetail) else clean
    if isinstance(data, dict):
        pairs = [(scrubbed(key), scrubbed(value)) for key, value in data.items()]
        if all(
            k is key and v is value
            for (k, v), (key, value) in zip(pairs, data.items(), strict=True)
        ):
            return data
        return dict(pairs)
    if isinstance(data, list | tuple):
        items = [scrubbed(item) for item in data]
        if all(new is old for new, old in zip(items, data, strict=True)):
            return data
        return items
    return data
