from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Failed sign-in counts and used MFA codes are kept in the cache: a per-process cache
    lets an attacker multiply their attempts, and replay a code, across web processes."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("locmem.LocMemCache", "dummy.DummyCache")):
        return [
            Warning(
                "CACHE_URL is not set: sign-in limits and used MFA codes are per process.",
                hint="Set CACHE_URL to a shared cache, e.g. redis://host:6379/1.",
                id="portal.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def mfa_roles(app_configs, **kwargs):
    """Admins and officers (and the platform staff who manage them) use MFA."""
    missing = {"state_admin", "officer", "staff"} - set(settings.MFA_REQUIRED_ROLES)
    if missing and not settings.DEBUG:
        return [
            Warning(
                f"MFA_REQUIRED_ROLES leaves out {', '.join(sorted(missing))}.",
                hint="Unset MFA_REQUIRED_ROLES to require MFA of admins, officers and staff.",
                id="portal.W002",
            )
        ]
    return []
