"""Forms turn what people type into the values a kind's services
(``sharing.<kind>.services``) take; the services decide what is valid (their errors come
back onto these forms, next to the fields)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import State
from portal.forms import StatesChoiceField
from sharing.common import validators
from sharing.common.models import Attachment
from sharing.common.services import MAX_BODY, MAX_NOTE, MAX_SUMMARY, MAX_TITLE


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


def attachments_field() -> MultipleFileField:
    """Files to attach to a notice or a best practice (the services check their types)."""
    return MultipleFileField(
        label=_("Attach files"),
        required=False,
        help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG or text files."),
    )


def title_field() -> forms.CharField:
    return forms.CharField(label=_("Title"), max_length=MAX_TITLE)


def summary_field(help_text) -> forms.CharField:
    """The plain-text summary; ``help_text`` says where readers of this kind see it."""
    return forms.CharField(
        label=_("Summary"),
        max_length=MAX_SUMMARY,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
    )


def body_field(rows: int) -> forms.CharField:
    """The Markdown body (``portal.markdown`` renders and sanitises it)."""
    return forms.CharField(
        label=_("Body"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=_("Markdown: **bold**, *italic*, lists, tables, [links](https://…)."),
    )


class ItemForm(forms.Form):
    """The form of a notice or a best practice. Its files are not content: the
    services take them apart (``attachments=``)."""

    def content(self) -> dict:
        """The cleaned values, in the shape the kind's ``services.clean`` takes."""
        data = dict(self.cleaned_data)
        data.pop("attachments", None)
        return data


TLP_HELP = _(
    "CLEAR: no limit. GREEN: within the community. AMBER: within the recipient "
    "organisations, need to know. AMBER+STRICT: within the recipient organisation only. "
    "RED: named recipients only (needs selected states)."
)


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


def formset_rows(formset) -> list[dict]:
    """The rows typed into a valid ``formset`` (named entities, parties), in order:
    those left empty or marked for deletion are left out."""
    return [
        {key: value for key, value in form.cleaned_data.items() if key != "DELETE"}
        for form in formset.forms
        if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


def recipient_states_field() -> forms.ModelMultipleChoiceField:
    """The states a selected audience names, as boxes to tick; the form offers the
    states its author may choose (the queryset is set when it is made)."""
    return StatesChoiceField(
        label=_("Recipient states"),
        queryset=State.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only for a selected audience."),
    )
