from django.conf import settings

# Which navigation entry a page belongs to, by URL namespace or allauth URL-name prefix.
_MEMBER_PAGES = {"members", "invite", "member-detail"}


def _nav_section(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ""
    if match.namespace == "portal":
        return "dashboard"
    if match.namespace == "sharing":
        if (match.url_name or "").startswith("practice"):
            return "practices"
        return "search" if match.url_name == "search" else "notices"
    if match.namespace == "accounts":
        return "members" if match.url_name in _MEMBER_PAGES else "account"
    if (match.url_name or "").startswith(("account_", "mfa_")):
        return "account"
    return ""


def portal(request):
    return {"SITE_NAME": settings.SITE_NAME, "nav_section": _nav_section(request)}
