"""Forms turn what people type into the values ``sharing.notifications.services`` takes;
the services decide what is valid (their errors come back onto these forms, next to the
fields)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sharing.common.choices import EventKind
from sharing.common.forms import ListField
from sharing.notices.choices import Severity
from sharing.notices.models import TechnologyCategory
from sharing.notifications.choices import EmailMode
from sharing.notifications.services import WEBHOOK_KINDS


class EmailPreferenceForm(forms.Form):
    """A person's (or a state's default) choice of e-mail. The filters narrow the
    e-mail about notices; the inbox always gets everything."""

    mode = forms.ChoiceField(
        label=_("E-mail me"), choices=EmailMode.choices, widget=forms.RadioSelect
    )
    min_severity = forms.ChoiceField(
        label=_("Only notices of at least this severity"),
        choices=[("", _("Any severity")), *Severity.choices],
        required=False,
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Only notices in these technology categories"),
        queryset=TechnologyCategory.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: every category."),
    )
    countries = ListField(
        label=_("Only notices about these countries of concern"),
        required=False,
        help_text=_("ISO 3166-1 alpha-2 codes separated by commas; empty: every country."),
    )

    @classmethod
    def initial_from(cls, preference) -> dict:
        if preference is None:  # the portal's default
            return {"mode": EmailMode.IMMEDIATE}
        return {
            "mode": preference.mode,
            "min_severity": preference.min_severity,
            "categories": [c.slug for c in preference.categories.all()],
            "countries": preference.countries,
        }


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=_("Address (URL)"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text=_("Where the portal POSTs each event, signed (Standard Webhooks)."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_kinds = forms.MultipleChoiceField(
        label=_("Events to send"),
        choices=[(kind, EventKind(kind).label) for kind in WEBHOOK_KINDS],
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class WebhookRotateForm(forms.Form):
    """A new signing secret: whether the old one stays valid while the receiving system
    switches over (a routine change), or stops at once (it has leaked)."""

    old_secret = forms.ChoiceField(label=_("The old secret"), widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hours = settings.WEBHOOK_SECRET_OVERLAP_HOURS
        stop = (
            "stop",
            _("Stop it at once (it may have leaked): deliveries no longer verify with it"),
        )
        keep = (
            "keep",
            ngettext(
                "Keep it valid for %(hours)s more hour, while the receiving system switches "
                "over (a routine change)",
                "Keep it valid for %(hours)s more hours, while the receiving system switches "
                "over (a routine change)",
                hours,
            )
            % {"hours": hours},
        )
        # Without an overlap in the settings, stopping at once is all there is.
        self.fields["old_secret"].choices = [keep, stop] if hours else [stop]
        self.fields["old_secret"].initial = "keep" if hours else "stop"

    def keep_old(self) -> bool:
        return self.cleaned_data["old_secret"] == "keep"  # noqa: S105 (a choice, not a secret)
