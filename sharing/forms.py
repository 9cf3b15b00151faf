"""Forms turn what people type into the values ``sharing.services`` takes; the services
decide what is valid (their errors come back onto these forms, next to the fields)."""

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import State
from portal.countries import country_names
from sharing import validators
from sharing.choices import (
    TLP,
    AckLevel,
    Audience,
    ConsultationOutcome,
    DenialReason,
    DocType,
    EmailMode,
    EndorsementKind,
    EntityKind,
    EventKind,
    NoticeKind,
    PartyRole,
    PracticeAudience,
    Severity,
)
from sharing.models import Attachment, TechnologyCategory, Topic
from sharing.models.denials import review_date
from sharing.querysets import recipient_choices
from sharing.services import (
    MAX_BODY,
    MAX_COMMENT,
    MAX_NOTE,
    MAX_SUMMARY,
    MAX_TITLE,
    WEBHOOK_KINDS,
)
from sharing.services.denials import CONSULTATION_MOST_DAYS
from sharing.services.denials import MAX_DESCRIPTION as DENIAL_MAX_DESCRIPTION
from sharing.services.denials import MAX_PARTIES as DENIAL_MAX_PARTIES


class ListField(forms.CharField):
    """Several short items typed in one box, separated by commas or new lines."""

    def to_python(self, value):
        return validators.split_list(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if any("\x00" in item for item in value):
            raise ValidationError(_("Null characters are not allowed."), code="null_characters")

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def has_changed(self, initial, data) -> bool:
        return self.to_python(self.prepare_value(initial)) != self.to_python(data)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


TLP_HELP = _(
    "CLEAR: no limit. GREEN: within the community. AMBER: within the recipient "
    "organisations, need to know. AMBER+STRICT: within the recipient organisation only. "
    "RED: named recipients only (needs selected states)."
)


class NoticeForm(forms.Form):
    # No pre-selected kind, severity or marking: each is a decision, and a default TLP
    # would invite over-sharing.
    kind = forms.ChoiceField(label=_("Kind of notice"), choices=[("", "—"), *NoticeKind.choices])
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Plain text, a few sentences: what recipients see in lists and e-mails."),
    )
    body = forms.CharField(
        label=_("Body"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Markdown: **bold**, *italic*, lists, tables, [links](https://…)."),
    )
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
    recipient_states = forms.ModelMultipleChoiceField(
        label=_("Recipient states"),
        queryset=State.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only for a selected audience."),
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    attachments = MultipleFileField(
        label=_("Attach files"),
        required=False,
        help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG or text files."),
    )

    def __init__(self, *args, author_state: State, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient_states"].queryset = recipient_choices(author_state)

    def content(self) -> dict:
        """The cleaned values, in the shape ``services.clean_content`` takes."""
        data = dict(self.cleaned_data)
        data.pop("attachments", None)
        return data


class EntityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    aliases = ListField(label=_("Aliases"), required=False, help_text=_("Separated by commas."))
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        choices=lambda: [
            ("", "—"),
            *((code, f"{name} ({code})") for code, name in country_names().items()),
        ],
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


def entities_from(formset) -> list[dict]:
    return [
        {key: value for key, value in form.cleaned_data.items() if key != "DELETE"}
        for form in formset.forms
        if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class ChangeFields(forms.Form):
    """What an amendment says about itself: its note and whether it is material."""

    change_note = forms.CharField(
        label=_("What changed"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown in the version history to everyone who can read it."),
    )
    material = forms.TypedChoiceField(
        label=_("Kind of change"),
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
    )
    remove_attachments = forms.ModelMultipleChoiceField(
        label=_("Remove from the new version"),
        queryset=Attachment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "A removed file stays with the earlier versions, for the states they reached; "
            "no state that only the new version reaches can download it."
        ),
    )
    material_choices = [
        ("true", _("Material change: recipient states are told and asked to acknowledge again")),
        ("false", _("Minor correction: no announcement, no new acknowledgement")),
    ]

    def __init__(self, *args, current_files, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].choices = self.material_choices
        self.fields["remove_attachments"].queryset = current_files

    def content(self) -> dict:
        data = super().content()
        for field in ("change_note", "material", "remove_attachments"):
            data.pop(field, None)
        return data

    def amendment(self) -> dict:
        """What the amend services take besides the content."""
        return {
            "change_note": self.cleaned_data["change_note"],
            "material": self.cleaned_data["material"],
            "attachments": self.cleaned_data["attachments"],
            "remove_attachments": list(self.cleaned_data["remove_attachments"]),
        }


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


class PracticeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Plain text, a few sentences: what readers see in lists and results."),
    )
    body = forms.CharField(
        label=_("Body"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Markdown: **bold**, *italic*, lists, tables, [links](https://…)."),
    )
    doc_type = forms.ChoiceField(label=_("Document type"), choices=[("", "—"), *DocType.choices])
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    co_authors = forms.ModelMultipleChoiceField(
        label=_("Co-authoring states"),
        queryset=State.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their officers and admins may edit and amend it too."),
    )
    audience = forms.ChoiceField(
        label=_("Audience"), choices=PracticeAudience.choices, widget=forms.RadioSelect
    )
    public = forms.BooleanField(
        label=_("Also public: readable without signing in, to help other states build capacity"),
        required=False,
    )
    attachments = MultipleFileField(
        label=_("Attach files"),
        required=False,
        help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG or text files."),
    )

    def __init__(self, *args, lead_state: State, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["co_authors"].queryset = recipient_choices(lead_state)

    def content(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("attachments", None)
        return data


class PracticeAmendForm(ChangeFields, PracticeForm):
    material_choices = [
        ("true", _("Material change: the readers are told")),
        ("false", _("Minor correction: kept in the history, not announced")),
    ]


class EndorseForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Your state has"), choices=EndorsementKind.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example, how your state applies it."),
    )


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


# --- Licence denials, screening and consultations -------------------------------------------


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
