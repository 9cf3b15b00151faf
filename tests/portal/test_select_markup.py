"""Selects render their options in Python (portal.forms.select_options), not through a
template per option: the same markup as Django's, escaped the same way."""

import pytest
from django import forms


class Chooser(forms.Form):
    one = forms.ChoiceField(choices=[("", "Any"), ("a&b", "A <and> B"), ("c", 'C "quoted"')])
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y"), ("z", "Z")])
    grouped = forms.ChoiceField(
        choices=[("Europe", [("DK", "Denmark"), ("NO", "Norway")]), ("Asia", [("JP", "Japan")])]
    )


def test_the_chosen_options_are_selected_and_every_text_is_escaped():
    html = str(Chooser({"one": "a&b", "many": ["x", "z"], "grouped": "NO"}))
    assert '<option value="a&amp;b" selected>A &lt;and&gt; B</option>' in html
    assert '<option value="c">C &quot;quoted&quot;</option>' in html
    assert '<option value="">Any</option>' in html
    assert '<option value="x" selected>X</option>' in html
    assert '<option value="y">Y</option>' in html
    assert '<option value="z" selected>Z</option>' in html
    assert '<select name="many"' in html and "multiple" in html


def test_option_groups_keep_their_labels_and_options():
    html = str(Chooser({"grouped": "NO"})["grouped"])
    assert '<optgroup label="Europe">' in html and '<optgroup label="Asia">' in html
    europe = html[html.index('label="Europe"') : html.index('label="Asia"')]
    assert '<option value="DK">Denmark</option>' in europe
    assert '<option value="NO" selected>Norway</option>' in europe
    assert html.count("</optgroup>") == 2


@pytest.mark.django_db
def test_the_notice_filters_offer_every_country():
    from portal.countries import country_names
    from sharing.notices.filters import NoticeFilterSet
    from sharing.notices.models import Notice

    html = str(NoticeFilterSet({"country": "AE"}, queryset=Notice.objects.none()).form)
    assert html.count("<option") > len(country_names())
    assert '<option value="AE" selected>United Arab Emirates</option>' in html


def test_the_portal_select_template_is_the_one_forms_use():
    from django.conf import settings
    from django.forms.renderers import get_default_renderer

    renderer = get_default_renderer()
    origin = renderer.get_template("django/forms/widgets/select.html").origin.name
    assert origin == str(settings.BASE_DIR / "templates/jinja2/django/forms/widgets/select.html")
    # Every other widget's template is Django's own, in Jinja2 too.
    other = renderer.get_template("django/forms/widgets/input.html")
    assert "django/forms/jinja2" in other.origin.name


class LongChooser(Chooser):
    """The same fields, their options written by DirectOptions (portal/forms.py)."""

    def __init__(self, *args, **kwargs):
        from portal.forms import LongSelect, LongSelectMultiple

        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            multiple = isinstance(field.widget, forms.SelectMultiple)
            field.widget = (LongSelectMultiple if multiple else LongSelect)(
                choices=field.choices, attrs=field.widget.attrs
            )


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"one": "a&b", "many": ["x", "z"], "grouped": "NO"},
        {"one": "c", "many": ["y"], "grouped": "JP"},
        {"one": "nowhere", "many": ["nothing"], "grouped": "XX"},
    ],
)
def test_long_selects_write_exactly_what_django_writes(data):
    for name in ("one", "many", "grouped"):
        assert str(LongChooser(data or None)[name]) == str(Chooser(data or None)[name])


def test_a_long_select_marks_one_option_only_when_a_value_repeats():
    from portal.forms import LongSelect

    widget = LongSelect(choices=[("a", "A"), ("a", "A again")])
    assert widget.render("x", "a").count(" selected") == 1


def test_the_long_choices_of_lists_and_forms_use_the_long_select():
    from accounts.forms import ProfileForm
    from portal.forms import DirectOptions
    from sharing.denials.forms import ScreeningForm
    from sharing.denials.views import DenialFilterSet
    from sharing.notices.filters import NoticeFilterSet
    from sharing.notices.forms import EntityForm

    widgets = [
        NoticeFilterSet().form.fields["country"].widget,
        DenialFilterSet().form.fields["destination"].widget,
        EntityForm().fields["country"].widget,
        ScreeningForm().fields["destination"].widget,
        ProfileForm().fields["time_zone"].widget,
    ]
    assert all(isinstance(widget, DirectOptions) for widget in widgets)
