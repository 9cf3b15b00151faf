from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Rate limits on sign-in attempts are counted in the cache: a per-process cache lets
    an attacker multiply their attempts by the number of web processes."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("locmem.LocMemCache", "dummy.DummyCache")):
        return [
            Warning(
                "CACHE_URL is not set: failed sign-in limits are counted per process.",
                hint="Set CACHE_URL to a shared cache, e.g. redis://host:6379/1.",
                id="portal.W001",
            )
        ]
    return []
