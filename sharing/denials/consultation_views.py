"""Pages for consultations: the board of a state's consultations, opening one about a
denial, and the page the two states share (the transaction, the deadline, the thread,
the answer, the extension, the outcome). Every consultation is fetched through
``Consultation.objects.visible_to(request.user)``: only the two states see it (404 for
the others); every act is a call to ``sharing.denials.services`` (403 when the user may not)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.forms import apply_errors
from sharing.common import services as common
from sharing.common.pages import reads
from sharing.denials import services
from sharing.denials.choices import ConsultationStatus
from sharing.denials.forms import (
    ConsultationAnswerForm,
    ConsultationExtendForm,
    ConsultationForm,
    ConsultationMessageForm,
    ConsultationOutcomeForm,
)
from sharing.denials.models import Consultation, ConsultationMessage, Denial
from sharing.denials.services import CONSULTATION_MOST_DAYS
from sharing.denials.views import by_urgency, page, with_deadlines

CLOSED_SHOWN = 25


@login_required
def consultation_list(request):
    """The board of the user's state: what it is asked (incoming) and what it asks
    (outgoing), overdue first, then by due date; the latest closed ones below."""
    user = request.user
    state_id = user.state_id
    mine = Consultation.objects.visible_to(user).select_related("consulting_state", "denial__state")
    active = by_urgency(mine.exclude(status=ConsultationStatus.CLOSED))
    closed = mine.filter(status=ConsultationStatus.CLOSED).order_by("-outcome_at", "pk")
    shown = {
        "incoming": with_deadlines(active.incoming(state_id)),
        "outgoing": with_deadlines(active.outgoing(state_id)),
        "closed": list(closed[:CLOSED_SHOWN]),
    }
    # The board names end-users: a reading of the denials' restricted content.
    common.record_reading([c for group in shown.values() for c in group], by=user, request=request)
    return page(
        request,
        "sharing/denials/consultation_list.html",
        {**shown, "can_screen": services.can_screen(user)},
    )


# The transaction a consultation form may be filled in with from the screening page.
PREFILLED = ("end_user", "consignee", "destination", "control_entry", "item_description")


def _prefill(request) -> dict:
    """What the screening page's link carries, as the form's first values (checked when
    the form is sent, like anything typed)."""
    form = ConsultationForm()
    initial = {}
    for name in PREFILLED:
        value = request.GET.get(name, "")
        limit = getattr(form.fields[name], "max_length", None) or 5000
        if value and "\x00" not in value:
            initial[name] = value[:limit]
    return initial


@login_required
@reads(Denial.objects.visible_to)
def consultation_open(request, denial):
    user = request.user
    services.check_can_consult(denial, user)
    if request.method == "POST":
        form = ConsultationForm(request.POST)
        if form.is_valid():
            try:
                consultation = services.open_consultation(
                    denial, by=user, request=request, **form.cleaned_data
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Consultation opened. %(state)s is asked to answer by %(day)s.")
                    % {
                        "state": str(denial.state),
                        "day": date_format(consultation.due_on, "DATE_FORMAT"),
                    },
                )
                return redirect(consultation)
    else:
        form = ConsultationForm(initial=_prefill(request))
    common.record_reading([denial], by=user, request=request)  # it names the parties
    return page(
        request,
        "sharing/denials/consultation_form.html",
        {"denial": denial, "form": form},
        status=400 if form.errors else 200,
    )


def _consultations(user):
    """The consultations ``user`` may read, with what their page shows."""
    return (
        Consultation.objects.visible_to(user)
        .select_related("denial__state", "consulting_state", "opened_by", "answered_by")
        .prefetch_related(
            Prefetch(
                "messages", queryset=ConsultationMessage.objects.select_related("author", "state")
            )
        )
    )


def _render_detail(request, consultation, *, status=200, **forms):
    """The consultation's page; a refused form comes back here, bound, with its errors.
    Every showing of it is an audited reading."""
    user = request.user
    common.record_reading([consultation], by=user, request=request)
    pending = consultation.is_pending
    can_answer = pending and services.can_answer(consultation, user)
    can_extend = (
        can_answer
        and consultation.extended_at is None
        and consultation.working_days < CONSULTATION_MOST_DAYS
    )
    can_record = consultation.status != ConsultationStatus.CLOSED and services.can_record_outcome(
        consultation, user
    )
    [consultation] = with_deadlines([consultation])
    context = {
        "consultation": consultation,
        "denial": consultation.denial,
        "deadline": consultation.deadline,
        "thread": list(consultation.messages.all()),
        "can_write": services.can_write_in(consultation, user),
        "can_answer": can_answer,
        "can_extend": can_extend,
        "can_record": can_record,
        "message_form": forms.get("message_form") or ConsultationMessageForm(),
        "answer_form": forms.get("answer_form") or ConsultationAnswerForm(),
        "extend_form": forms.get("extend_form")
        or (ConsultationExtendForm(consultation=consultation) if can_extend else None),
        "outcome_form": forms.get("outcome_form") or ConsultationOutcomeForm(),
    }
    return page(request, "sharing/denials/consultation_detail.html", context, status=status)


@login_required
@reads(_consultations)
def consultation_detail(request, consultation):
    common.opened(consultation, by=request.user)
    return _render_detail(request, consultation)


def _acting_in(check, form_class, act, *, key: str, done, anchor: str):
    """A page that acts in a consultation, posted from its page (``key`` names the form
    there): 404 unless the user reads the consultation, 403 unless ``check`` lets them,
    then the valid form's values go to ``act`` (a service call). Done, back to the page
    at ``anchor`` with ``done`` said; refused, the page again with the form and its
    errors (docs/architecture.md, "Three homes for rules")."""

    @login_required
    @require_POST
    @reads(_consultations)
    def view(request, consultation):
        check(consultation, request.user)
        form = form_class(request.POST, consultation=consultation)
        if form.is_valid():
            try:
                act(consultation, by=request.user, request=request, **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, str(done))
                return redirect(f"{consultation.get_absolute_url()}#{anchor}")
        return _render_detail(request, consultation, status=400, **{key: form})

    return view


consultation_message = _acting_in(
    services.check_can_write_in,
    ConsultationMessageForm,
    services.write_in_consultation,
    key="message_form",
    done=gettext_lazy("Message sent."),
    anchor="thread",
)
consultation_answer = _acting_in(
    services.check_can_answer,
    ConsultationAnswerForm,
    services.answer_consultation,
    key="answer_form",
    done=gettext_lazy("Your state's answer has been sent."),
    anchor="answer",
)
consultation_extend = _acting_in(
    services.check_can_answer,
    ConsultationExtendForm,
    services.extend_consultation,
    key="extend_form",
    done=gettext_lazy("The deadline has been extended."),
    anchor="deadline",
)
consultation_outcome = _acting_in(
    services.check_can_record_outcome,
    ConsultationOutcomeForm,
    services.record_outcome,
    key="outcome_form",
    done=gettext_lazy("The outcome has been recorded and its summary circulated."),
    anchor="outcome",
)
