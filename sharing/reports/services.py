"""The yearly questionnaire: its officials save a state's answers, its admin submits
them, each submission kept as a numbered version (docs/architecture.md,
"Implementation reports")."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role, StateStatus
from accounts.models import State, User
from portal import audit
from portal.inputs import Conflict, refuse_unknown
from sharing.common.querysets import reading_state
from sharing.common.services import as_predicate, check_can_author
from sharing.reports import figures
from sharing.reports.choices import MAX_ANSWER, QUESTION_KEYS
from sharing.reports.models import Questionnaire, Submission

# Officers and admins of a subscribing state write its answers (the rule every kind
# of item has: sharing.common.services.check_can_author).
check_can_write = check_can_author
can_write = as_predicate(check_can_author)


def check_can_read(by: User) -> State:
    """The questionnaire is answered by the subscribing states; their users read their
    own state's."""
    state = reading_state(by)
    if state is None or state.status != StateStatus.SUBSCRIBING:
        raise PermissionDenied(_("Only the subscribing states answer the questionnaire."))
    return state


def check_can_submit(by: User) -> State:
    """Only the state's admins submit its answers."""
    state = check_can_write(by)
    if by.role != Role.STATE_ADMIN:
        raise PermissionDenied(_("Only your state's admins submit the questionnaire."))
    return state


can_submit = as_predicate(check_can_submit)


def _check_year(year: int) -> None:
    if not figures.reported(year):
        raise ValidationError({"year": _("There is no questionnaire for that year.")})


def clean_answers(answers: dict) -> dict[str, str]:
    """Each answer as text of at most MAX_ANSWER characters, trimmed; every question
    present (empty where unanswered); an unknown question refused by name."""
    refuse_unknown(answers, QUESTION_KEYS)
    errors, cleaned = {}, {}
    for key in QUESTION_KEYS:
        value = answers.get(key, "")
        if not isinstance(value, str):
            errors[key] = _("Write the answer as text.")
            continue
        value = value.replace("\x00", "").strip()
        if len(value) > MAX_ANSWER:
            errors[key] = _("Keep the answer to %(limit)d characters.") % {"limit": MAX_ANSWER}
        cleaned[key] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def questionnaire_of(state: State, year: int) -> Questionnaire | None:
    return Questionnaire.objects.filter(state=state, year=year).first()


def _locked(state: State, year: int, by: User) -> Questionnaire:
    questionnaire, _created = Questionnaire.objects.select_for_update().get_or_create(
        state=state, year=year, defaults={"updated_by": by}
    )
    return questionnaire


def save(
    year: int, *, by: User, answers: dict, request: HttpRequest | None = None
) -> Questionnaire:
    """Save ``by``'s state's working answers for ``year``: a draft nobody outside the
    state reads."""
    state = check_can_write(by)
    _check_year(year)
    cleaned = clean_answers(answers)
    with transaction.atomic():
        questionnaire = _locked(state, year, by)
        changed = sorted(k for k in QUESTION_KEYS if questionnaire.answers.get(k, "") != cleaned[k])
        questionnaire.answers = cleaned
        questionnaire.updated_by = by
        questionnaire.save()
        if changed:
            audit.record(
                audit.Action.QUESTIONNAIRE_SAVED,
                request=request,
                actor=by,
                target=questionnaire,
                details={"year": year, "answers": changed},
            )
    return questionnaire


def submit(
    year: int,
    *,
    by: User,
    answers: dict,
    shareable: bool,
    request: HttpRequest | None = None,
) -> Submission:
    """Save the answers and submit them for ``by``'s state, as its next version;
    ``shareable``: the other states and the secretariat may read this version. Refused
    when nothing is answered, or when neither the answers nor the sharing changed since
    the last version."""
    state = check_can_submit(by)
    _check_year(year)
    cleaned = clean_answers(answers)
    if not any(cleaned.values()):
        raise ValidationError(_("Answer at least one question before submitting."))
    with transaction.atomic():
        questionnaire = _locked(state, year, by)
        last = questionnaire.submissions.order_by("-version").first()
        if last is not None and last.answers == cleaned and last.shareable == bool(shareable):
            raise Conflict(
                _("Nothing has changed since version %(version)d was submitted.")
                % {"version": last.version}
            )
        questionnaire.answers = cleaned
        questionnaire.updated_by = by
        questionnaire.save()
        submission = Submission.objects.create(
            questionnaire=questionnaire,
            version=(last.version + 1) if last else 1,
            answers=cleaned,
            shareable=bool(shareable),
            submitted_by=by,
            submitted_at=timezone.now(),
        )
        audit.record(
            audit.Action.QUESTIONNAIRE_SUBMITTED,
            request=request,
            actor=by,
            target=questionnaire,
            details={"year": year, "version": submission.version, "shareable": shareable},
        )
    return submission


def submission_status(year: int) -> list[tuple[State, Submission | None]]:
    """Every subscribing state with its latest submission for ``year`` (None if it has
    not submitted): what platform staff see, without the answers."""
    latest = {
        s.questionnaire.state_id: s
        for s in Submission.objects.filter(questionnaire__year=year)
        .select_related("questionnaire")
        .defer("answers")
        .order_by("questionnaire_id", "version")
    }
    states = State.objects.filter(status=StateStatus.SUBSCRIBING).order_by("name")
    return [(state, latest.get(state.code)) for state in states]
