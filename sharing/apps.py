from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = _("Sharing")

    def ready(self) -> None:
        from sharing.advisories import contacts  # noqa: F401 (its receivers)
        from sharing.advisories import services as advisories  # noqa: F401 (its receivers)
        from sharing.notifications import services  # noqa: F401 (its signal receivers)
        from sharing.practices import caching

        caching.connect()
