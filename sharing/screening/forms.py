"""Forms turn what officers type into the values ``sharing.screening.services`` takes;
the services decide what is valid (their errors come back onto these forms)."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sharing.screening.choices import Decision
from sharing.screening.services import MOST_DAYS

DEFAULT_DAYS = 90  # the decide-by date offered: three months on


class WatchForm(forms.Form):
    screening = forms.IntegerField(widget=forms.HiddenInput)
    application_reference = forms.CharField(
        label=_("Your application reference"),
        max_length=64,
        help_text=_("The application in your national licensing system."),
    )
    decide_by = forms.DateField(
        label=_("Decide by"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Watched until the decision is recorded or this date passes; a year at most."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["decide_by"].initial = today + datetime.timedelta(days=DEFAULT_DAYS)
        self.fields["decide_by"].widget.attrs.update(
            min=today.isoformat(), max=(today + datetime.timedelta(days=MOST_DAYS)).isoformat()
        )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How the application was decided"),
        choices=Decision.choices,
        widget=forms.RadioSelect,
    )
