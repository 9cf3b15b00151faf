"""One search page over everything the reader may see."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from accounts.models import State
from portal.forms import StateChoiceField
from sharing.common import services as common
from sharing.common.pages import other_params
from sharing.notices.models import Notice
from sharing.practices.models import BestPractice
from sharing.search import engine as search

PAGE_SIZE = 20
KIND_CHOICES = [
    ("", _("Everything")),
    ("notice", _("Notices")),
    ("best_practice", _("Best practices")),
]


class SearchField(forms.CharField):
    """A search box: a NUL is ignored, as ``search.parse`` ignores every control
    character, rather than refused (the library's search box does the same)."""

    def to_python(self, value):
        return super().to_python(value).replace("\x00", " ")


class SearchForm(forms.Form):
    # No length limit: search.parse keeps the first 200 characters of anything.
    q = SearchField(label=_("Search for"), required=False)
    type = forms.ChoiceField(label=_("Look in"), choices=KIND_CHOICES, required=False)
    state = StateChoiceField(
        label=_("From state"),
        queryset=State.objects.all(),
        required=False,
        empty_label=_("Any state"),
    )


@login_required
def search_page(request):
    form = SearchForm(request.GET or None)
    results = None
    page = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        kinds = (data["type"],) if data["type"] else ("notice", "best_practice")
        querysets = {}
        if data["state"] is not None:
            # The state filter means the author of a notice, the lead of a best practice.
            querysets = {
                "notice": Notice.objects.filter(author_state=data["state"]),
                "best_practice": BestPractice.objects.filter(lead_state=data["state"]),
            }
        try:
            number = max(1, int(request.GET.get("page", 1)))
        except ValueError:
            number = 1

        def run(number):
            return search.search(
                request.user,
                data["q"],
                kinds=kinds,
                querysets=querysets,
                offset=(number - 1) * PAGE_SIZE,
                limit=PAGE_SIZE,
            )

        results = run(number)
        page = Paginator(range(results.total), PAGE_SIZE).get_page(number)
        if page.number != number:  # past the last page: show the last one
            results = run(page.number)
        # As the API's search: the restricted notices found (their titles) are read.
        notices = [hit.obj for hit in results.hits if hit.kind == "notice"]
        common.record_reading(notices, by=request.user, request=request)
    return render(
        request,
        "sharing/search/search.html",
        {"form": form, "results": results, "page": page, "query": other_params(request)},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
