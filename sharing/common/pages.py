"""What the pages of every kind of item share: lists counted up to a limit, versions
and their diffs, the history a reader may see, the "are you sure?" page, and the
create, edit and amend pages."""

import dataclasses
import difflib
import functools
import itertools
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from accounts.choices import ApprovalPolicy
from portal.forms import apply_errors
from sharing.common.choices import TLP
from sharing.common.lifecycle import lifecycle_of
from sharing.common.models import Attachment, Revision
from sharing.common.services import check_can_author

# A list counts what it holds up to this many rows; past it, it says "more than".
COUNT_LIMIT = 1000


def filtered(filterset) -> tuple:
    """The filter's results and whether its values were valid: a value that is not valid
    shows its error and no results, never everything."""
    valid = not filterset.is_bound or filterset.is_valid()
    return (filterset.qs if valid else filterset.queryset.none()), valid


class CountingUpTo(Paginator):
    """A paginator that counts the rows only up to ``limit``. Past it, ``more`` is true,
    the list says "more than" the limit, and its pages go on one Next at a time, each
    fetching one row beyond itself to know whether another follows. Counting every row
    a reader may see was a scan of the 68,000 notices a state reads at 100,000 (70 ms,
    with two more processes helping) on every list page; counting the first thousand
    stops there.

    A page asked for past the end of an uncounted list (a link kept while notices were
    withdrawn, a number typed by hand) gets the exact count once, and the last page, as
    Django's paginator gives it."""

    # Beyond this a page number is past any end (and its OFFSET past what SQL takes).
    MAX_OFFSET = 10**9

    def __init__(self, object_list, per_page, limit: int):
        super().__init__(object_list, per_page)
        self.limit = limit

    @cached_property
    def more(self) -> bool:
        counted = self.object_list.order_by().values("pk")[: self.limit + 1].count()
        if counted <= self.limit:
            self.count = counted  # the exact count, which Paginator's pages use
            return False
        return True

    def get_page(self, number) -> Page:
        if not self.more:
            return super().get_page(number)
        try:
            number = int(number)
        except (TypeError, ValueError, OverflowError):
            number = 1
        bottom = (number - 1) * self.per_page
        window = slice(bottom, bottom + self.per_page + 1)
        rows = list(self.object_list[window]) if 0 <= bottom <= self.MAX_OFFSET else []
        if not rows:  # past either end
            self.more = False
            return super().get_page(number)
        return UncountedPage(
            rows[: self.per_page], number, self, has_next=len(rows) > self.per_page
        )


class UncountedPage(Page):
    """A page of a list that was not counted to its end: it knows whether another page
    follows, not how many."""

    def __init__(self, object_list, number, paginator, *, has_next: bool):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self) -> bool:
        return self._has_next

    # Django's would check the numbers against the page count, which needs the count.
    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + 1

    def end_index(self) -> int:
        return self.start_index() + len(self.object_list) - 1


def paginate(request, results, per_page: int) -> Page:
    """The page of ``results`` (a queryset) the request asks for, the last one past the
    end; lists longer than COUNT_LIMIT are not counted to their end (CountingUpTo)."""
    return CountingUpTo(results, per_page, COUNT_LIMIT).get_page(request.GET.get("page"))


def other_params(request) -> str:
    """The request's query string without its page number, for the pager's links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def text_diff(before: dict, after: dict) -> list[tuple[str, str]]:
    """The changed lines of title, summary and body from one content (a version's
    snapshot, an amendment awaiting approval) to another, as (sign, line) pairs."""
    lines = []
    for field in ("title", "summary", "body"):
        old = (before.get(field) or "").splitlines()
        new = (after.get(field) or "").splitlines()
        # The first two lines are difflib's file headers; a changed line of the text
        # may itself begin with "---" (a Markdown rule), so they go by position.
        for line in itertools.islice(difflib.unified_diff(old, new, lineterm="", n=1), 2, None):
            sign = line[:1] if line[:1] in "+-@" else " "
            text = line[1:] if sign != "@" else field
            lines.append((sign, text))
    return lines


def version_diffs(revisions: list[Revision]) -> dict[int, list[tuple[str, str]]]:
    """For each version after the first: the changed lines of title, summary and body
    against the version before, as (sign, line) pairs."""
    ordered = sorted(revisions, key=lambda r: r.version)
    return {
        after.version: text_diff(before.snapshot, after.snapshot)
        for before, after in itertools.pairwise(ordered)
    }


def stricter(*markings: str) -> str:
    """The most restrictive of TLP ``markings`` (blank ones ignored)."""
    order = TLP.values
    return max((m for m in markings if m in order), key=order.index, default="")


def with_diffs(revisions) -> list[Revision]:
    """The revisions (those the reader may read, newest first), each with ``.diff``
    against the one before it in the list (None for the first) and ``.diff_tlp``: a
    diff shows text of both versions, so it carries the stricter of their markings."""
    revisions = list(revisions)
    diffs = version_diffs(revisions)
    ordered = sorted(revisions, key=lambda r: r.version)
    before = dict(zip((r.version for r in ordered[1:]), ordered, strict=False))
    for revision in revisions:
        revision.diff = diffs.get(revision.version)
        earlier = before.get(revision.version)
        revision.diff_tlp = stricter(revision.tlp, earlier.tlp) if earlier else revision.tlp
    return revisions


def earlier_versions_hidden(revisions) -> bool:
    """Whether the item had published versions before the first of ``revisions`` (those
    the reader may read): the page then says they were not shared with the reader."""
    return bool(revisions) and min(r.version for r in revisions) > 1


def readable_history(user, of: str) -> list:
    """What a detail page about items of kind ``of`` ("notice", "best_practice")
    prefetches of their history for ``user``: the versions and the files that reached
    their state (``item.readable_revisions`` and ``item.readable_attachments``), in two
    queries however many."""
    return [
        Prefetch(
            "revisions",
            queryset=Revision.objects.visible_to(user, of=of).select_related(
                "created_by", "approved_by"
            ),
            to_attr="readable_revisions",
        ),
        Prefetch(
            "attachments",
            queryset=Attachment.objects.visible_to(user, of=of),
            to_attr="readable_attachments",
        ),
    ]


@dataclass
class Confirmation:
    """What an "are you sure?" page says (sharing/confirm.html): its heading, what will
    happen (paragraphs, and a list of names after the first, such as the recipients),
    what the reader must not miss (``warning``, in bold after them), the button, and,
    when something stands in the way, how to fix it."""

    heading: str
    submit: str
    explanation: list = dataclasses.field(default_factory=list)
    listing: list = dataclasses.field(default_factory=list)
    warning: str = ""
    danger: bool = False
    lead: str = ""
    tlp: str = ""
    crumbs: list = dataclasses.field(default_factory=list)  # (url, label) before this page
    crumb: str = ""
    problems_intro: str = ""
    fix: tuple | None = None  # (url, label)


def confirm(request, item, page: Confirmation, *, act, done, then=None, form=None, problems=()):
    """Ask, then do: the confirmation page about ``item``; on POST (with ``form`` valid,
    if there is one) ``act(item, by=, request=, **form's data)``, then ``done`` (a
    message, or a function of what ``act`` returned) and a redirect to ``then`` or the
    item. What ``act`` refuses comes back on the page: as the form's errors, or as
    problems, with a 400."""
    problems = list(problems)
    if request.method == "POST" and (form is None or form.is_valid()):
        data = form.cleaned_data if form is not None else {}
        try:
            result = act(item, by=request.user, request=request, **data)
        except ValidationError as error:
            if form is not None:
                apply_errors(form, error)
            else:
                problems = error.messages
        else:
            messages.success(request, done(result) if callable(done) else done)
            return redirect(then or item.get_absolute_url())
    return render(
        request,
        "sharing/confirm.html",
        {"item": item, "page": page, "form": form, "problems": problems},
        status=400 if request.method == "POST" else 200,
    )


def reads(visible):
    """Decorator of a view about one item: the item named by the URL's ``pk`` is fetched
    through ``visible(user)`` (a ``visible_to`` queryset) before the view runs, and the
    view gets it in the place of ``pk``. What the reader may not see answers 404, before
    anything else is looked at (docs/architecture.md, "Three homes for rules")."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, pk, *args, **kwargs):
            item = get_object_or_404(visible(request.user), pk=pk)
            return view(request, item, *args, **kwargs)

        return wrapped

    return decorate


class ItemFormPages:
    """The create, edit and amend pages of one kind of item, written once: each checks
    who may act, shows the kind's form filled from the item, and hands the cleaned
    content to the kind's service (``create``, ``update``, ``amend``). A draft's edit
    page sends a published item to its amend page; an amend page sends a draft back.

    A kind says its names, forms and words; it may add forms of its own to the page
    (``extra_forms``) and note what the page showed (``shown``)."""

    name: str  # the URL names' prefix and the templates' variable: "notice", "practice"
    folder: str  # templates/sharing/<folder>/form.html and amend.html
    owner: str  # the item's owning state, and the form's argument naming it
    form_class: type
    amend_form_class: type
    created: str  # told once a draft is created
    amend_refused: str  # told when an amendment is asked of a draft

    def __init__(self, services):
        self.services = services

    # --- What a kind may add --------------------------------------------------------------

    def extra_forms(self, request, item, initial: dict | None) -> dict:
        """More forms of the page, bound to the POST or filled from ``initial``."""
        return {}

    def content(self, form, extra: dict) -> dict:
        return form.content()

    def shown(self, request, item) -> None:
        """The form showed ``item``'s content."""

    def form_kwargs(self, request, item) -> dict:
        """More arguments of the kind's forms (an advisory's source notice)."""
        return {}

    # --- The pages ------------------------------------------------------------------------

    def create(self, request):
        check_can_author(request.user)

        def save(form, content):
            item = self.services.create(
                by=request.user,
                request=request,
                attachments=form.cleaned_data.get("attachments", ()),
                **content,
            )
            messages.success(request, self.created)
            return item

        return self._page(request, None, form_class=self.form_class, template="form", save=save)

    def edit(self, request, item):
        self.services.check_can_change(item, request.user)
        if not item.is_unpublished:  # a draft, or one awaiting approval (saving takes it back)
            return redirect(f"sharing:{self.name}-amend", pk=item.pk)

        def save(form, content):
            saved = self.services.update(
                item,
                by=request.user,
                request=request,
                attachments=form.cleaned_data.get("attachments", ()),
                **content,
            )
            messages.success(request, _("Draft saved."))
            return saved

        return self._page(request, item, form_class=self.form_class, template="form", save=save)

    def amend(self, request, item):
        self.services.check_can_change(item, request.user)
        if not item.is_published:
            messages.error(request, self.amend_refused)
            return redirect(f"sharing:{self.name}-detail", pk=item.pk)

        def save(form, content):
            amendment = form.amendment()
            if amendment["material"] and self.services.needs_approval(item, "amend", content):
                # Four eyes: the same amendment, submitted rather than published.
                amendment.pop("material")
                self.services.submit(
                    item, by=request.user, request=request, act="amend", **amendment, **content
                )
                messages.success(
                    request,
                    _(
                        "Submitted for approval: version %(v)d is published once another "
                        "official of your state approves it."
                    )
                    % {"v": item.version + 1},
                )
                return item
            saved = self.services.amend(
                item, by=request.user, request=request, **amendment, **content
            )
            messages.success(request, _("Version %(v)d published.") % {"v": saved.version})
            return saved

        return self._page(
            request,
            item,
            form_class=self.amend_form_class,
            template="amend",
            save=save,
            current_files=item.attachments.current() if hasattr(item, "attachments") else None,
        )

    def _page(self, request, item, *, form_class, template, save, **form_kwargs):
        form_kwargs[self.owner] = getattr(item, self.owner) if item else request.user.state
        form_kwargs.update(self.form_kwargs(request, item))
        if request.method == "POST":
            form = form_class(request.POST, request.FILES, **form_kwargs)
            extra = self.extra_forms(request, item, None)
            if form.is_valid() and all(f.is_valid() for f in extra.values()):
                try:
                    saved = save(form, self.content(form, extra))
                except ValidationError as error:
                    apply_errors(form, error)
                else:
                    return redirect(f"sharing:{self.name}-detail", pk=saved.pk)
        else:
            initial = self.services.content_of(item) if item else {}
            form = form_class(initial=initial, **form_kwargs)
            extra = self.extra_forms(request, item, initial if item else None)
        if item is not None:
            self.shown(request, item)
        return render(
            request,
            f"sharing/{self.folder}/{template}.html",
            {
                "form": form,
                self.name: item,
                "policy": policy_shown(getattr(item, self.owner) if item else None),
                **extra,
            },
            status=400 if request.method == "POST" else 200,
        )


# How long shared caches may keep a public page (anyone's, the same for all).
PUBLIC_CACHE_SECONDS = 300


def public_or_member_page(request, template, context, *, status=200, shared=True):
    """Render for the signed-in portal or, for visitors not signed in, the bare public
    layout (public best practices and advisories), which search engines may index and
    shared caches may keep a while (unless not ``shared``: a page with a form, whose
    CSRF token is the visitor's own)."""
    public = not request.user.is_authenticated
    context["base_template"] = "public_base.html" if public else "base.html"
    context["public_page"] = public
    response = render(request, template, context, status=status)
    if public and shared:
        # Anyone's page: proxies may keep it a while. A member's page is private and never
        # stored (portal.middleware.PrivateByDefaultMiddleware).
        patch_cache_control(response, public=True, max_age=PUBLIC_CACHE_SECONDS)
    patch_vary_headers(response, ["Cookie"])
    return response


def policy_shown(state):
    """The approval policy a form mentions (None: publishing needs nobody else)."""
    if state is None or state.approval_policy == ApprovalPolicy.NOTHING:
        return None
    return state.get_approval_policy_display()


# --- Four eyes ------------------------------------------------------------------------------


@dataclass
class Review:
    """What an approver sees of what awaits approval, besides the item's page: for an
    amendment, the changed text line by line and the other fields before and after; for
    a withdrawal, its reason."""

    approval: object
    can_decide: bool
    can_recall: bool
    text: list = dataclasses.field(default_factory=list)
    fields: list = dataclasses.field(default_factory=list)  # (label, before, after)


def review(item, user, services, labels: dict) -> Review | None:
    """What ``user`` is shown of what awaits approval on ``item`` (None: nothing, or
    nothing they may know of). ``labels`` names the fields an amendment may change."""
    approval = services.approval_shown(item, user)
    if approval is None:
        return None
    shown = Review(approval, services.can_decide(item, user), services.can_recall(item, user))
    if approval.act == "amend":
        before = services.comparable_content(item)  # the published version's
        after = approval.proposal["content"]
        shown.text = text_diff(before, after)
        shown.fields = [
            (label, _shown_value(field, before.get(field)), _shown_value(field, after.get(field)))
            for field, label in labels.items()
            if before.get(field) != after.get(field)
        ]
    return shown


def _shown_value(field: str, value) -> str:
    if field == "tlp" and value in TLP.values:
        return TLP(value).label
    if isinstance(value, list):  # keys (codes, slugs), or named entities
        return ", ".join(v.get("name", "") if isinstance(v, dict) else str(v) for v in value) or "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value) if value not in (None, "") else "—"


def delete_draft(request, item, *, act, explanation: str, then: str):
    """The "delete this draft?" page of an item never published, then ``act``."""
    page = Confirmation(
        heading=_("Delete this draft?"),
        lead=item.title,
        tlp=getattr(item, "tlp", ""),
        explanation=[explanation],
        submit=_("Delete the draft"),
        danger=True,
    )
    return confirm(request, item, page, act=act, done=_("The draft has been deleted."), then=then)


def submitted_instead(item, services, act: str, page: Confirmation, direct, done):
    """The confirmation of ``act`` ("publish", "retire") on ``item``, what it does and
    what it then says: ``direct`` and ``done`` as they are, or, where the owning state's
    policy asks for four eyes, submitting for approval instead, the page saying so."""
    if not services.needs_approval(item, act):
        return page, direct, done
    life = lifecycle_of(item)
    policy = life.policy_name(life.owner_of(item))
    page.explanation.insert(
        0,
        _(
            "Your state's policy (%(policy)s) asks another officer or admin of your state to "
            "approve this first. Until then, nothing changes for any other state."
        )
        % {"policy": policy},
    )
    page.submit = _("Submit for approval")
    page.danger = False
    submitted = _("Submitted. Your state's officers and admins have been asked to approve it.")
    return page, functools.partial(services.submit, act=act), submitted


def decide(request, item, services):
    """The approve, reject and take-back buttons of an item's page (POST only): the
    service decides who may; its refusal comes back as a message."""
    action = request.POST.get("decision")
    # The approval the page showed: if another was submitted since, nothing is decided.
    seen = {"approval": request.POST.get("approval") or None}
    acts = {
        "approve": (services.approve, seen, _("Approved: it has left your state as submitted.")),
        "reject": (
            services.reject,
            {**seen, "reason": request.POST.get("reason", "")},
            _("Rejected: the submitter has been told your reason."),
        ),
        "recall": (services.recall, {}, _("Taken back: it no longer awaits approval.")),
    }
    if action not in acts:
        messages.error(request, _("Choose to approve, reject or take back."))
        return redirect(item.get_absolute_url())
    act, data, done = acts[action]
    try:
        act(item, by=request.user, request=request, **data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(item.get_absolute_url() + "#approval")
