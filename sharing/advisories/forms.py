"""Forms turn what officers type into the values ``sharing.advisories.services`` takes;
the services decide what is valid (their errors come back next to the fields)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.countries import country_choices
from sharing.advisories.choices import ADVISORY_TLP
from sharing.common.choices import TLP
from sharing.common.forms import ChangeFields, ItemForm, body_field, summary_field, title_field
from sharing.common.services import MAX_NOTE
from sharing.notices.models import Notice, TechnologyCategory


class AdvisoryForm(ItemForm):
    title = title_field()
    summary = summary_field(
        _("Plain text, a few sentences, in your own words: what exporters read first.")
    )
    body = body_field(rows=14)
    red_flags = forms.CharField(
        label=_("Red flags"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One per line: what should make an exporter stop and check (an end-user's "
            "answers, a route, a payment, a request to customise)."
        ),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Technology categories"),
        queryset=TechnologyCategory.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tlp = forms.ChoiceField(
        label=_("Marking"),
        choices=[(value, TLP(value).label) for value in ADVISORY_TLP],
        widget=forms.RadioSelect,
        help_text=_(
            "TLP:CLEAR is public: its page, the feed, CSAF and the screening list. "
            "TLP:GREEN goes to your state's industry contacts only."
        ),
    )
    entities = forms.MultipleChoiceField(
        label=_("Entities to name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "From the source notice: their names, aliases, countries and identifiers "
            "become public with a CLEAR advisory; never your notes."
        ),
    )
    confirmed = forms.MultipleChoiceField(
        label=_("I confirm each of these may be named outside government"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, author_state, source: Notice | None = None, **kwargs):
        """``source``: the notice it stands on (from the page's address, or the draft's),
        whose entities it offers; the form never takes a source of its own."""
        super().__init__(*args, **kwargs)
        self.source = source
        if source is None:
            del self.fields["entities"], self.fields["confirmed"]
        else:
            offered = [(e.name, e.name) for e in source.entities.all()]
            self.fields["entities"].choices = self.fields["confirmed"].choices = offered
        # From the advisory's content (content_of): lists as the widgets show them.
        if isinstance(self.initial.get("red_flags"), list):
            self.initial["red_flags"] = "\n".join(self.initial["red_flags"])
        named = self.initial.get("entities")
        if named and isinstance(named[0], dict):
            self.initial["entities"] = self.initial["confirmed"] = [e["name"] for e in named]

    def content(self) -> dict:
        data = super().content()
        flags = data.pop("red_flags") or ""
        data["red_flags"] = [line.strip() for line in flags.splitlines() if line.strip()]
        confirmed = set(data.pop("confirmed", None) or [])
        data["entities"] = [
            {"name": name, "confirmed": name in confirmed} for name in data.get("entities") or []
        ]
        data["source"] = self.source
        return data


class AdvisoryAmendForm(ChangeFields, AdvisoryForm):
    """An amendment: its note; always material (it is released again once approved)."""

    def __init__(self, *args, current_files=None, **kwargs):
        super().__init__(*args, current_files=current_files, **kwargs)
        del self.fields["material"], self.fields["remove_attachments"]
        self.fields["change_note"].help_text = _(
            "Shown to its readers, in the portal and outside it, with the new version."
        )

    def amendment(self) -> dict:
        return {"change_note": self.cleaned_data["change_note"], "material": True}


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown publicly on the advisory, which keeps its page under a banner."),
    )


class PublicScreeningForm(forms.Form):
    """What an exporter screens on the public page: one name, and its country if known."""

    name = forms.CharField(
        label=_("Name of a party"),
        max_length=200,
        help_text=_("A company, public body or person: the end-user, consignee or a broker."),
    )
    country = forms.ChoiceField(label=_("Its country"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices()
