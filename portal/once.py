"""Secrets shown once: a value made by one request (an API token, a webhook's signing
secret) waits in the session for the one page that shows it, then is gone.

It waits encrypted (portal.crypto, with ENCRYPTION_KEY), so that whoever reads the
session table does not read the value; and for a few minutes at most, so that a page
never loaded does not leave it waiting until the session ends.
"""

from portal import crypto

PURPOSE = "shown-once"
SHOWN_WITHIN_SECONDS = 600


def keep_for_one_page(request, key: str, owner, value: str) -> None:
    """Keep ``value`` for the next page about ``owner`` (an object with a pk)."""
    request.session[key] = {
        "owner": str(owner.pk),
        "value": crypto.encrypt(value, purpose=PURPOSE),
    }


def take(request, key: str, owner) -> str | None:
    """The value kept for ``owner``, removed from the session; None if there is none,
    or if it waited too long."""
    kept = request.session.get(key)
    if not kept or kept.get("owner") != str(owner.pk):
        return None
    sealed = request.session.pop(key)["value"]
    try:
        return crypto.decrypt(sealed, purpose=PURPOSE, ttl=SHOWN_WITHIN_SECONDS)
    except crypto.InvalidToken:
        return None
