"""Forms turn what people type into the values ``sharing.services`` takes; the services
decide what is valid (their errors come back onto these forms, next to the fields)."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import State
from portal.countries import country_names
from sharing.common import validators
from sharing.common.choices import TLP, Audience
from sharing.common.forms import TLP_HELP, ListField
from sharing.common.querysets import recipient_choices
from sharing.common.services import MAX_NOTE
from sharing.denials.choices import ConsultationOutcome, DenialReason, PartyRole
from sharing.denials.models import review_date
from sharing.denials.services import CONSULTATION_MOST_DAYS
from sharing.denials.services import MAX_DESCRIPTION as DENIAL_MAX_DESCRIPTION
from sharing.denials.services import MAX_PARTIES as DENIAL_MAX_PARTIES


def _country_choices():
    return [("", "—"), *((code, f"{name} ({code})") for code, name in country_names().items())]


class DenialForm(forms.Form):
    """A denial as the notifying state's officer enters it. The marking defaults to
    AMBER and the audience to every subscribing state (the issue's defaults for denials,
    unlike notices, where each is a decision); the review date, left empty, to three
    years after the decision (``services.clean_denial``)."""

    national_reference = forms.CharField(
        label=_("Your national reference"),
        max_length=64,
        help_text=_("The licensing authority's own number for the refused application."),
    )
    decided_on = forms.DateField(
        label=_("Date of decision"), widget=forms.DateInput(attrs={"type": "date"})
    )
    control_entry = forms.CharField(
        label=_("Control-list entry"),
        max_length=40,
        required=False,
        help_text=_("For example 5A001.j or 4A005. Leave empty for a non-listed item."),
    )
    catch_all = forms.BooleanField(
        label=_("The item is non-listed: the licence was required under a catch-all clause"),
        required=False,
    )
    item_description = forms.CharField(
        label=_("Item description"),
        max_length=DENIAL_MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    end_use = forms.CharField(
        label=_("Stated end-use"),
        max_length=DENIAL_MAX_DESCRIPTION,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason_category = forms.ChoiceField(
        label=_("Reason for the denial"), choices=[("", "—"), *DenialReason.choices]
    )
    reason = forms.CharField(
        label=_("The reason in words"),
        max_length=DENIAL_MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    review_on = forms.DateField(
        label=_("Review date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    tlp = forms.ChoiceField(
        label=_("TLP marking"), choices=TLP.choices, initial=TLP.AMBER, help_text=TLP_HELP
    )
    audience = forms.ChoiceField(
        label=_("Audience"),
        choices=Audience.choices,
        initial=Audience.SUBSCRIBING,
        widget=forms.RadioSelect,
    )
    recipient_states = forms.ModelMultipleChoiceField(
        label=_("Recipient states"),
        queryset=State.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only for a selected audience."),
    )

    def __init__(self, *args, state: State, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient_states"].queryset = recipient_choices(state)
        review = self._default_review()
        self.fields["review_on"].help_text = (
            _("Leave empty for three years after the decision: %(day)s.")
            % {"day": date_format(review, "DATE_FORMAT")}
            if review
            else _("Leave empty for three years after the date of decision.")
        )

    def _default_review(self) -> datetime.date | None:
        """Three years after the date of decision this form shows, if it shows a valid
        one in the past: the review date's default, said next to the field."""
        value = self.data.get(self.add_prefix("decided_on")) if self.is_bound else None
        if not self.is_bound:
            value = self.initial.get("decided_on")
        try:
            if isinstance(value, str):
                value = datetime.date.fromisoformat(value)
            if isinstance(value, datetime.date) and value <= timezone.localdate():
                return review_date(value)
        except ValueError:
            pass
        return None

    def content(self) -> dict:
        """The cleaned values, in the shape ``services.clean_denial`` takes (parties apart)."""
        data = dict(self.cleaned_data)
        data["recipient_states"] = list(data["recipient_states"])
        return data


class DenialAmendForm(DenialForm):
    change_note = forms.CharField(
        label=_("What changed"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown in the version history to every state that reads the denial."),
    )
    field_order = ["change_note"]

    def content(self) -> dict:
        data = super().content()
        data.pop("change_note", None)
        return data


class PartyForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=PartyRole.choices, initial=PartyRole.END_USER)
    name = forms.CharField(label=_("Name"), max_length=200)
    aliases = ListField(label=_("Aliases"), required=False, help_text=_("Separated by commas."))
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    country = forms.ChoiceField(label=_("Country"), required=False, choices=_country_choices)

    def clean(self):
        cleaned = super().clean()
        if self.errors or not cleaned.get("name"):
            return cleaned
        try:
            entity = validators.clean_entity(
                {
                    "name": cleaned["name"],
                    "aliases": cleaned["aliases"],
                    "country": cleaned["country"],
                }
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            cleaned.update(name=entity["name"], aliases=entity["aliases"])
        return cleaned


class BasePartyFormSet(forms.BaseFormSet):
    """The parties of a denial: the first blank row is for the end-user, the second for
    the consignee; rows left blank are ignored; at least one end-user is named."""

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        if index == 1 and index >= len(self.initial or []):
            kwargs["initial"] = {"role": PartyRole.CONSIGNEE}
        return kwargs

    def clean(self):
        if any(self.errors):
            return
        roles = [party["role"] for party in parties_from(self)]
        if PartyRole.END_USER not in roles:
            raise ValidationError(_("Name the end-user."), code="no_end_user")


PartyFormSet = forms.formset_factory(
    PartyForm,
    formset=BasePartyFormSet,
    extra=2,
    can_delete=True,
    max_num=DENIAL_MAX_PARTIES,
    absolute_max=DENIAL_MAX_PARTIES,
    validate_max=True,
)


def parties_from(formset) -> list[dict]:
    """The parties typed into ``formset``, in the shape ``services.clean_denial`` takes."""
    return [
        {key: value for key, value in form.cleaned_data.items() if key != "DELETE"}
        for form in formset.forms
        if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class RevokeDenialForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Shown on the denial, which stays readable under a banner and drops out of screening."
        ),
    )


class RenewDenialForm(forms.Form):
    review_on = forms.DateField(
        label=_("Next review date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review_on"].help_text = _(
            "Leave empty for three years from today: %(day)s. At most five years from today."
        ) % {"day": date_format(review_date(timezone.localdate()), "DATE_FORMAT")}


class TransactionFields(forms.Form):
    """A candidate transaction: what an officer screens, and what a consultation asks
    about."""

    end_user = forms.CharField(label=_("End-user"), max_length=200)
    consignee = forms.CharField(label=_("Consignee"), max_length=200, required=False)
    destination = forms.ChoiceField(label=_("Destination"), choices=_country_choices)
    control_entry = forms.CharField(
        label=_("Control-list entry"),
        max_length=40,
        required=False,
        help_text=_("For example 5A001.j. Leave empty for a non-listed item."),
    )
    item_description = forms.CharField(
        label=_("Item description"),
        max_length=DENIAL_MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ScreeningForm(TransactionFields):
    """What the officer knows of the application; the names matter most, the rest raises
    or orders the scores."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("end_user", "destination", "item_description"):
            self.fields[name].required = False
        self.fields["end_user"].help_text = _(
            "The name as the application gives it: aliases, another word order, accents, "
            "legal forms (Ltd, GmbH, 株式会社…) and transliterations are matched."
        )

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("end_user") or cleaned.get("consignee")):
            self.add_error("end_user", _("Give the end-user's or the consignee's name."))
        return cleaned


class ConsultationForm(TransactionFields):
    application_reference = forms.CharField(
        label=_("Your application reference"),
        max_length=64,
        help_text=_("The application your state is considering."),
    )
    question = forms.CharField(
        label=_("Your question to the denying state"),
        max_length=DENIAL_MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    field_order = ["application_reference"]


class ConsultationMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=DENIAL_MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Read by the two states of this consultation only."),
    )


class ConsultationAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your state's answer"),
        max_length=DENIAL_MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Whether the transaction is essentially identical to the one you denied, and why."
        ),
    )


class ConsultationExtendForm(forms.Form):
    working_days = forms.TypedChoiceField(label=_("Answer within"), coerce=int)
    reason = forms.CharField(
        label=_("Reason for the extension"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["working_days"].choices = [
            (days, ngettext("%(n)d working day", "%(n)d working days", days) % {"n": days})
            for days in range(consultation.working_days + 1, CONSULTATION_MOST_DAYS + 1)
        ]
        self.fields["working_days"].help_text = _(
            "Counted from the opening, in your state's working days. Once only, %(most)d at most."
        ) % {"most": CONSULTATION_MOST_DAYS}


class ConsultationOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How the application ended"),
        choices=ConsultationOutcome.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "For the denying state. The other states see only the outcome, your state and the date."
        ),
    )
