from django.conf import settings
from django.utils.functional import SimpleLazyObject

# Which navigation entry a page belongs to, by URL namespace or allauth URL-name prefix.
_MEMBER_PAGES = {"members", "invite", "member-detail", "state-settings"}
_INBOX_PAGES = {"inbox"}
_ACCOUNT_PAGES = {"email-preferences", "state-email-default"} | {
    "webhook-list",
    "webhook-create",
    "webhook-detail",
}


def _nav_section(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.namespace == "portal":
        return "dashboard"
    if match.namespace == "sharing":
        if match.url_name in _ACCOUNT_PAGES:
            return "account"
        if match.url_name in _INBOX_PAGES:
            return "inbox"
        if (match.url_name or "").startswith("practice"):
            return "practices"
        if (match.url_name or "").startswith("report"):
            return "reports"
        if (match.url_name or "").startswith(("advisory", "csaf")):
            return "advisories"
        if (match.url_name or "").startswith(("denial", "consultation", "watch", "entity")) or (
            match.url_name == "screening"
        ):
            return "denials"
        return "search" if match.url_name == "search" else "notices"
    if match.namespace == "accounts":
        return "members" if match.url_name in _MEMBER_PAGES else "account"
    if (match.url_name or "").startswith(("account_", "mfa_")):
        return "account"
    return ""


def _unread(request):
    from sharing.notifications.caching import unread_count

    return unread_count(request.user)


def portal(request):
    context = {"SITE_NAME": settings.SITE_NAME, "nav_section": _nav_section(request)}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.state_id:
        # Counted only by pages that show the navigation badge.
        context["unread_notifications"] = SimpleLazyObject(lambda: _unread(request))
        context["NOTIFICATION_POLL_SECONDS"] = settings.NOTIFICATION_POLL_SECONDS
    return context
