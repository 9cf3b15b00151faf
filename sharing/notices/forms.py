"""Forms turn what people type into the values ``sharing.notices.services`` takes;
the services decide what is valid (their errors come back onto these forms, next to the
fields)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import State
from portal.countries import country_choices
from portal.forms import LongSelect
from sharing.common import validators
from sharing.common.choices import TLP, Audience, EntityKind
from sharing.common.forms import (
    TLP_HELP,
    ChangeFields,
    ItemForm,
    ListField,
    attachments_field,
    body_field,
    recipient_states_field,
    summary_field,
    title_field,
)
from sharing.common.querysets import recipient_choices
from sharing.common.services import MAX_COMMENT, MAX_NOTE
from sharing.notices.choices import AckLevel, NoticeKind, Severity
from sharing.notices.models import TechnologyCategory


class NoticeForm(ItemForm):
    # No pre-selected kind, severity or marking: each is a decision, and a default TLP
    # would invite over-sharing.
    kind = forms.ChoiceField(label=_("Kind of notice"), choices=[("", "—"), *NoticeKind.choices])
    title = title_field()
    summary = summary_field(
        _("Plain text, a few sentences: what recipients see in lists and e-mails.")
    )
    body = body_field(rows=14)
    categories = forms.ModelMultipleChoiceField(
        label=_("Technology categories"),
        queryset=TechnologyCategory.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    control_codes = ListField(
        label=_("Control-list codes"),
        required=False,
        help_text=_("Separated by commas, e.g. 4A005, 5A001.j, ML21.a"),
    )
    countries_of_concern = ListField(
        label=_("Countries of concern"),
        required=False,
        help_text=_("ISO 3166-1 alpha-2 codes separated by commas, e.g. AE, MM (XK for Kosovo)."),
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=[("", "—"), *Severity.choices])
    tlp = forms.ChoiceField(
        label=_("TLP marking"), choices=[("", "—"), *TLP.choices], help_text=TLP_HELP
    )
    audience = forms.ChoiceField(
        label=_("Audience"), choices=Audience.choices, widget=forms.RadioSelect
    )
    recipient_states = recipient_states_field()
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    attachments = attachments_field()

    def __init__(self, *args, author_state: State, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient_states"].queryset = recipient_choices(author_state)


class EntityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    aliases = ListField(label=_("Aliases"), required=False, help_text=_("Separated by commas."))
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        choices=country_choices,
        widget=LongSelect,
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=EntityKind.choices, initial=EntityKind.COMPANY
    )
    identifiers = ListField(
        label=_("Identifiers"),
        required=False,
        help_text=_("Registration numbers, LEI, addresses… separated by commas."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        if self.errors or not cleaned.get("name"):
            return cleaned
        try:
            cleaned.update(validators.clean_entity(cleaned))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned


# absolute_max: a tampered TOTAL_FORMS must not make the server build a thousand forms.
EntityFormSet = forms.formset_factory(
    EntityForm,
    extra=2,
    can_delete=True,
    max_num=validators.MAX_ENTITIES,
    absolute_max=validators.MAX_ENTITIES,
    validate_max=True,
)


class AmendForm(ChangeFields, NoticeForm):
    pass


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the notice, which stays readable under a withdrawal banner."),
    )


class AcknowledgeForm(forms.Form):
    level = forms.ChoiceField(label=_("Where your state stands"), choices=AckLevel.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), max_length=MAX_COMMENT, widget=forms.Textarea(attrs={"rows": 3})
    )
