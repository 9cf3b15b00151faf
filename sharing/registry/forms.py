"""The registry's one form: a relation an officer records from an entity's page. Its
choices are what the services accept (``citable``, the entities the officer sees); the
services decide what is valid."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sharing.registry.choices import RelationKind

DIRECTIONS = [
    ("from", _("This entity is … the other")),
    ("to", _("The other is … this entity")),
]


class RelationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Relation"), choices=RelationKind.choices)
    direction = forms.ChoiceField(
        label=_("Which way"), choices=DIRECTIONS, initial="from", widget=forms.RadioSelect
    )
    other = forms.ChoiceField(
        label=_("The other entity"),
        help_text=_("Entities named by items you can read."),
    )
    cited = forms.ChoiceField(
        label=_("Asserted in"),
        help_text=_("A published notice or denial in force of your state that names this entity."),
    )

    def __init__(self, *args, others=(), citable=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].choices = [("", "—"), *others]
        self.fields["cited"].choices = [("", "—"), *citable]
