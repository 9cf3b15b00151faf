"""Forms turn what people type into the values ``sharing.practices.services`` takes;
the services decide what is valid (their errors come back onto these forms, next to the
fields)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import State
from portal.forms import StatesChoiceField
from sharing.common.forms import (
    ChangeFields,
    ItemForm,
    attachments_field,
    body_field,
    summary_field,
    title_field,
)
from sharing.common.querysets import recipient_choices
from sharing.common.services import MAX_NOTE
from sharing.practices.choices import CommenterKind, DocType, EndorsementKind, PracticeAudience
from sharing.practices.models import Topic


class PracticeForm(ItemForm):
    title = title_field()
    summary = summary_field(
        _("Plain text, a few sentences: what readers see in lists and results.")
    )
    body = body_field(rows=16)
    doc_type = forms.ChoiceField(label=_("Document type"), choices=[("", "—"), *DocType.choices])
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    co_authors = StatesChoiceField(
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
    attachments = attachments_field()

    def __init__(self, *args, lead_state: State, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["co_authors"].queryset = recipient_choices(lead_state)


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


class CommentWindowForm(forms.Form):
    intro = forms.CharField(
        label=_("Introduction"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown above the draft: what you ask of industry, academia and civil society."),
    )
    closes_on = forms.DateField(
        label=_("Comments until"), widget=forms.DateInput(attrs={"type": "date"})
    )


class PublicCommentForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    kind = forms.ChoiceField(label=_("You comment for"), choices=CommenterKind.choices)
    organisation = forms.CharField(
        label=_("Organisation (optional)"), max_length=200, required=False
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("To confirm your comment; never shown."),
    )
    body = forms.CharField(
        label=_("Your comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    publishable = forms.BooleanField(
        label=_("My comment, name and organisation may be published here"), required=False
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Public reply"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("What changed after consultation"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the comment window's page, for those who commented."),
    )
