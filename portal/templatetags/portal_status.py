import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def age(seconds) -> str:
    """A number of seconds as people say it: "45 seconds", "3 minutes", "2 hours, 5 minutes"."""
    if seconds is None or seconds == "":
        return ""
    seconds = int(seconds)
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    now = timezone.now()
    return timesince(now - datetime.timedelta(seconds=seconds), now)
