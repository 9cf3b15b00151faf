"""Forms turn what people type into the values ``sharing.denials.services`` takes;
the services decide what is valid (their errors come back onto these forms, next to the
fields)."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import State
from portal.countries import country_choices
from portal.forms import LongSelect
from sharing.common import validators
from sharing.common.choices import TLP, Audience
from sharing.common.forms import TLP_HELP, ListField, formset_rows, recipient_states_field
from sharing.common.identifiers import FORMAT_HELP as IDENTIFIER_HELP
from sharing.common.querysets import recipient_choices
from sharing.common.services import MAX_NOTE
from sharing.denials.choices import ConsultationOutcome, DenialReason, PartyRole
from sharing.denials.models import review_date
from sharing.denials.services import CONSULTATION_MOST_DAYS
from sharing.denials.services import MAX_DESCRIPTION as DENIAL_MAX_DESCRIPTION
from sharing.denials.services import MAX_PARTIES as DENIAL_MAX_PARTIES


def _text_box(
    label, *, rows: int, max_length: int = DENIAL_MAX_DESCRIPTION, **kwargs
) -> forms.CharField:
    """Text typed in a box of ``rows`` lines, up to the services' limit for it (a
    description's, unless another is given)."""
    return forms.CharField(
        label=label, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


def _day(label, **kwargs) -> forms.DateField:
    """A date, picked in the browser's own calendar."""
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


def _control_entry(help_text) -> forms.CharField:
    """A control-list entry, or none for a non-listed item (the services write it as
    5A001.j and say what is wrong with it)."""
    return forms.CharField(
        label=_("Control-list entry"), max_length=40, required=False, help_text=help_text
    )


class DenialForm(forms.Form):
    """A denial as the notifying state's officer enters it. The marking defaults to
    AMBER and the audience to every subscribing state (the issue's defaults for denials,
    unlike notices, where each is a decision); the review date, left empty, to three
    years after the decision (``services.clean``)."""

    national_reference = forms.CharField(
        label=_("Your national reference"),
        max_length=64,
        help_text=_("The licensing authority's own number for the refused application."),
    )
    decided_on = _day(_("Date of decision"))
    control_entry = _control_entry(
        _("For example 5A001.j or 4A005. Leave empty for a non-listed item.")
    )
    catch_all = forms.BooleanField(
        label=_("The item is non-listed: the licence was required under a catch-all clause"),
        required=False,
    )
    item_description = _text_box(_("Item description"), rows=3)
    end_use = _text_box(_("Stated end-use"), rows=2, required=False)
    reason_category = forms.ChoiceField(
        label=_("Reason for the denial"), choices=[("", "—"), *DenialReason.choices]
    )
    reason = _text_box(_("The reason in words"), rows=3)
    review_on = _day(_("Review date"), required=False)
    tlp = forms.ChoiceField(
        label=_("TLP marking"), choices=TLP.choices, initial=TLP.AMBER, help_text=TLP_HELP
    )
    audience = forms.ChoiceField(
        label=_("Audience"),
        choices=Audience.choices,
        initial=Audience.SUBSCRIBING,
        widget=forms.RadioSelect,
    )
    recipient_states = recipient_states_field()

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
        """The cleaned values, in the shape ``services.clean`` takes (parties apart)."""
        data = dict(self.cleaned_data)
        data["recipient_states"] = list(data["recipient_states"])
        return data


class DenialAmendForm(DenialForm):
    change_note = _text_box(
        _("What changed"),
        rows=3,
        max_length=MAX_NOTE,
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
    address = _text_box(_("Address"), rows=2, max_length=1000, required=False)
    country = forms.ChoiceField(
        label=_("Country"), required=False, choices=country_choices, widget=LongSelect
    )

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
        roles = [party["role"] for party in formset_rows(self)]
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


class RevokeDenialForm(forms.Form):
    reason = _text_box(
        _("Reason for revoking"),
        rows=3,
        max_length=MAX_NOTE,
        help_text=_(
            "Shown on the denial, which stays readable under a banner and drops out of screening."
        ),
    )


class RenewDenialForm(forms.Form):
    review_on = _day(_("Next review date"), required=False)

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
    destination = forms.ChoiceField(
        label=_("Destination"), choices=country_choices, widget=LongSelect
    )
    control_entry = _control_entry(_("For example 5A001.j. Leave empty for a non-listed item."))
    item_description = _text_box(_("Item description"), rows=3)


class ScreeningForm(TransactionFields):
    """What the officer knows of the application; the names matter most, the rest raises
    or orders the scores."""

    end_user_identifiers = forms.CharField(
        label=_("End-user's identifiers"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=IDENTIFIER_HELP,
    )
    consignee_identifiers = forms.CharField(
        label=_("Consignee's identifiers"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    field_order = [
        "end_user",
        "end_user_identifiers",
        "consignee",
        "consignee_identifiers",
    ]

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
    question = _text_box(_("Your question to the denying state"), rows=4)
    field_order = ["application_reference"]


class ConsultationActForm(forms.Form):
    """A form posted on a consultation's page, about that ``consultation`` (the
    extension's choices depend on it); its values are what the service of the act
    takes."""

    def __init__(self, *args, consultation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.consultation = consultation


class ConsultationMessageForm(ConsultationActForm):
    body = _text_box(
        _("Your message"),
        rows=3,
        help_text=_("Read by the two states of this consultation only."),
    )


class ConsultationAnswerForm(ConsultationActForm):
    answer = _text_box(
        _("Your state's answer"),
        rows=4,
        help_text=_(
            "Whether the transaction is essentially identical to the one you denied, and why."
        ),
    )


class ConsultationExtendForm(ConsultationActForm):
    working_days = forms.TypedChoiceField(label=_("Answer within"), coerce=int)
    reason = _text_box(_("Reason for the extension"), rows=2, max_length=MAX_NOTE)

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, consultation=consultation, **kwargs)
        self.fields["working_days"].choices = [
            (days, ngettext("%(n)d working day", "%(n)d working days", days) % {"n": days})
            for days in range(consultation.working_days + 1, CONSULTATION_MOST_DAYS + 1)
        ]
        self.fields["working_days"].help_text = _(
            "Counted from the opening, in your state's working days. Once only, %(most)d at most."
        ) % {"most": CONSULTATION_MOST_DAYS}


class ConsultationOutcomeForm(ConsultationActForm):
    outcome = forms.ChoiceField(
        label=_("How the application ended"),
        choices=ConsultationOutcome.choices,
        widget=forms.RadioSelect,
    )
    note = _text_box(
        _("Note"),
        rows=2,
        max_length=MAX_NOTE,
        required=False,
        help_text=_(
            "For the denying state. The other states see only the outcome, your state and the date."
        ),
    )
