"""Secrets shown once: a value made by one request (a token, a signing secret) waits in
the session for the one page that shows it, then is gone. It is never stored anywhere
it could be read back."""


def keep_for_one_page(request, key: str, owner, value: str) -> None:
    """Keep ``value`` for the next page about ``owner`` (an object with a pk)."""
    request.session[key] = {"owner": str(owner.pk), "value": value}


def take(request, key: str, owner) -> str | None:
    """The value kept for ``owner``, removed from the session; None if there is none."""
    kept = request.session.get(key)
    if not kept or kept.get("owner") != str(owner.pk):
        return None
    return request.session.pop(key)["value"]
