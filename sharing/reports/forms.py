from django import forms
from django.utils.translation import gettext_lazy as _

from sharing.reports.choices import MAX_ANSWER, QUESTIONS


class QuestionnaireForm(forms.Form):
    """The six answers, then (for the admin who submits) whether they may be shared."""

    shareable = forms.BooleanField(
        label=_("Share these answers with the other states and the secretariat"),
        required=False,
        help_text=_(
            "Otherwise the secretariat sees only that your state submitted, and the "
            "plenary pack leaves your answers out."
        ),
    )

    def __init__(self, *args, can_submit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        answers = {
            key: forms.CharField(
                label=label,
                help_text=help_text,
                required=False,
                max_length=MAX_ANSWER,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            for key, label, help_text in QUESTIONS
        }
        self.fields = {**answers, **({"shareable": self.fields["shareable"]} if can_submit else {})}

    def answers(self) -> dict:
        return {key: self.cleaned_data.get(key, "") for key, _label, _help in QUESTIONS}
