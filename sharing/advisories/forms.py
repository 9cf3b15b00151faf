"""Forms turn what officers type into the values ``sharing.advisories.services`` takes;
the services decide what is valid (their errors come back next to the fields)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import State
from portal.countries import country_choices, local_country_name
from portal.forms import LongSelect, StatesChoiceField
from sharing.advisories.choices import ADVISORY_TLP
from sharing.advisories.models import DisseminationList
from sharing.common.choices import TLP
from sharing.common.forms import ChangeFields, ItemForm, body_field, summary_field, title_field
from sharing.common.querysets import recipient_choices
from sharing.common.services import MAX_NOTE
from sharing.notices.models import Notice, TechnologyCategory


def _entity_label(entity) -> str:
    details = [
        ", ".join(entity.aliases),
        local_country_name(entity.country) if entity.country else "",
        ", ".join(entity.identifiers),
    ]
    shown = " · ".join(detail for detail in details if detail)
    return f"{entity.name} ({shown})" if shown else entity.name


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
    lists = forms.ModelMultipleChoiceField(
        label=_("E-mail it to these lists"),
        queryset=DisseminationList.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each confirmed contact on them gets each version, in their language."),
    )
    shared_with = StatesChoiceField(
        label=_("Also to the industry contacts of"),
        queryset=State.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "They receive it on their lists that take what other states share; "
            "neither state sees the other's contacts."
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
        self.fields["lists"].queryset = DisseminationList.objects.filter(state=author_state)
        self.fields["shared_with"].queryset = recipient_choices(author_state)
        if source is None:
            del self.fields["entities"], self.fields["confirmed"]
        else:
            # Each with what would go out of it, so that it is confirmed knowingly.
            offered = [(e.name, _entity_label(e)) for e in source.entities.all()]
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
        data["lists"] = list(data.get("lists") or [])
        data["shared_with"] = list(data.get("shared_with") or [])
        return data


class AdvisoryAmendForm(ChangeFields, AdvisoryForm):
    """An amendment: its note; always material (it is released again once approved)."""

    def __init__(self, *args, current_files=None, **kwargs):
        super().__init__(*args, current_files=current_files, **kwargs)
        del self.fields["material"], self.fields["remove_attachments"]
        self.fields["change_note"].help_text = _(
            "Shown to officials in the version history; outside the portal, only that "
            "there is a new version."
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
    country = forms.ChoiceField(label=_("Its country"), required=False, widget=LongSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = country_choices()


class AcceptForm(forms.Form):
    """The lists of ``state`` a contact is put on (accepting a request to join)."""

    lists = forms.ModelMultipleChoiceField(
        label=_("Lists"),
        queryset=DisseminationList.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, state, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lists"].queryset = DisseminationList.objects.filter(state=state)


class ContactForm(AcceptForm):
    """A contact as their state keeps them: who they are, and which lists they are on."""

    name = forms.CharField(label=_("Name"), max_length=200)
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    language = forms.ChoiceField(label=_("Language of the messages"), choices=settings.LANGUAGES)
    field_order = ["name", "organisation", "email", "language", "lists"]

    def __init__(self, *args, state, with_email=True, **kwargs):
        super().__init__(*args, state=state, **kwargs)
        if not with_email:
            del self.fields["email"]


class ListForm(forms.Form):
    name = forms.CharField(label=_("Name of the list"), max_length=100)
    description = forms.CharField(label=_("Who is on it"), max_length=300, required=False)
    takes_shared = forms.BooleanField(
        label=_("Also the advisories other states share with yours"), required=False
    )


class SignUpForm(forms.Form):
    """The public page where someone outside government asks to receive a state's
    advisories."""

    state = forms.ModelChoiceField(label=_("State"), queryset=State.objects.none())
    name = forms.CharField(label=_("Your name"), max_length=200)
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    language = forms.ChoiceField(label=_("Language of the messages"), choices=settings.LANGUAGES)
    note = forms.CharField(
        label=_("What you do (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: exporter of network equipment, university export office."),
    )

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].queryset = states
