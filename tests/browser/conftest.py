"""Browser tests: Playwright drives the system Chromium against pytest-django's
live_server, and every page a test visits is checked with axe-core (see ServedPages)."""

import os
import re
from html import escape
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.handlers.base import BaseHandler
from playwright.sync_api import Error as PlaywrightError

from tests.conftest import chromium_path, require_or_skip

# live_server runs in a thread of this process while Playwright's sync API runs an event
# loop in the test's thread; Django would otherwise refuse ORM use from the test.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Quiet, offline Chromium: this machine's network is closed, and nothing should phone home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = {"serious", "critical"}
# Rules axe rates "moderate" that still break how screen-reader users find their way.
BLOCKING_RULES = {"heading-order", "page-has-heading-one", "landmark-one-main", "region"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = chromium_path()
    if not path:
        require_or_skip("Chromium is not installed (Debian package: chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": path,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture(scope="session")
def axe():
    return Axe()


def blocking_violations(axe, page) -> str:
    """A report of the violations on ``page`` as it is now that fail a test ("" if none)."""
    for attempt in range(3):
        try:
            results = axe.run(page)
            break
        except PlaywrightError:
            # A click's navigation replaced the document under axe (its documentElement
            # went away, or its context): check the page it led to, once it has loaded.
            if attempt == 2:
                raise
            page.wait_for_load_state()
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in results.response["violations"]
        if v["impact"] in BLOCKING_IMPACTS or v["id"] in BLOCKING_RULES
    )


CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class ServedPages:
    """Makes sure axe-core sees every page the live server sends a browser, including those
    a test does not stop to check.

    ``check_a11y(page)`` checks a page live, in the state the test brought it to, and fails
    there. Besides, every HTML document the server answers a navigation with (each page a
    browser shows: form errors, 403 and 404 pages too) is copied as it leaves the server
    and, when the test ends, each copy that no ``check_a11y`` saw live is checked in a tab
    of its own with the site's styles. Checking the live page in passing instead would
    race with the test's next action (and Chromium runs no script in a page it is
    leaving, nor hands over its HTML afterwards).
    """

    def __init__(self):
        self.documents = []  # (url, html), in the order they were served
        self.checked_tokens, self.checked_urls = set(), set()

    def keep(self, request, response):
        if (
            request.headers.get("Sec-Fetch-Dest") == "document"  # a navigation, not a fetch
            and not response.streaming  # a download
            and not 300 <= response.status_code < 400  # the browser shows where it leads
            and response.get("Content-Type", "").startswith("text/html")
        ):
            html = response.content.decode(response.charset)
            self.documents.append((request.build_absolute_uri(), html))
        return response

    def checked_live(self, page) -> None:
        """Note that axe saw ``page``'s document. A document with a form (every layout
        has one) carries CSRF tokens masked afresh for each response: they tell which copy
        it was. A page without one (built by script, say) is known by its address."""
        self.checked_urls.add(page.url)
        self.checked_tokens.update(
            page.eval_on_selector_all(
                "input[name=csrfmiddlewaretoken]", "inputs => inputs.map((i) => i.value)"
            )
        )

    def _unchecked(self) -> list[tuple[str, str]]:
        unchecked, seen = [], set()
        for url, html in self.documents:
            tokens = set(CSRF_TOKEN.findall(html))
            seen_live = tokens & self.checked_tokens if tokens else url in self.checked_urls
            if html not in seen and not seen_live:
                unchecked.append((url, html))
            seen.add(html)
        return unchecked

    def check(self, browser, axe, context_args) -> None:
        documents = self._unchecked()
        if not documents:
            return
        # Without motion: a copy's styles arrive after its HTML, and axe must not measure
        # colours halfway through the transitions that follow.
        context = browser.new_context(**{**context_args, "reduced_motion": "reduce"})
        try:
            failures = self._failures(context, axe, documents)
        finally:
            context.close()
        if failures:
            pytest.fail(
                "accessibility violations on pages the test visited:\n" + "\n".join(failures),
                pytrace=False,
            )

    def _failures(self, context, axe, documents) -> list[str]:
        origins = {_origin(url) for url, _ in documents}
        # The copies fetch the site's styles and scripts, and nothing else (no polling).
        context.route(
            "**/*",
            lambda route, request: (
                route.continue_()
                if _origin(request.url) in origins and "/static/" in request.url
                else route.abort()
            ),
        )
        page = context.new_page()
        failures = []
        for url, html in documents:
            page.set_content(_with_base(html, url))
            page.evaluate("Promise.all(document.getAnimations().map((a) => a.finished))")
            report = blocking_violations(axe, page)
            if report:
                failures.append(f"{url} (as served):\n{report}")
        return failures


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _with_base(html: str, url: str) -> str:
    """``html`` with its relative addresses (styles, scripts) resolved against ``url``."""
    base = f'<base href="{escape(url)}">'
    return re.sub(r"<head(\s[^>]*)?>", lambda head: head.group(0) + base, html, count=1)


@pytest.fixture(autouse=True)
def served_pages(browser, axe, browser_context_args, monkeypatch):
    """Copy every page the live server (a thread of this process) serves during the test,
    and fail the test at its end if axe-core finds a blocking violation in one."""
    pages = ServedPages()
    get_response = BaseHandler.get_response
    monkeypatch.setattr(
        BaseHandler,
        "get_response",
        lambda handler, request: pages.keep(request, get_response(handler, request)),
    )
    yield pages
    pages.check(browser, axe, browser_context_args)


@pytest.fixture
def check_a11y(axe, served_pages):
    """Call with a page: fails on any serious or critical axe-core violation, and on the
    structural rules in BLOCKING_RULES."""

    def check(page):
        # A click that navigates returns once the new document is committed, while it
        # may still be arriving: axe would read half a page (no <main>, no <h1>).
        page.wait_for_load_state()
        served_pages.checked_live(page)
        report = blocking_violations(axe, page)
        if report:
            pytest.fail(f"accessibility violations on {page.url}:\n{report}")

    return check


ENGLISH_SIGN_IN = ("User name or e-mail address", "Password", "Sign in")


@pytest.fixture
def sign_in(live_server, check_a11y):
    def sign_in(page, username: str, password: str, *, labels=ENGLISH_SIGN_IN):
        """``labels``: the login field's, the password field's and the button's, in the
        language the page is expected in."""
        login, secret, button = labels
        page.goto(f"{live_server.url}/accounts/login/")
        check_a11y(page)
        page.get_by_label(login).fill(username)
        page.get_by_label(secret).fill(password)
        page.get_by_role("button", name=button).click()

    return sign_in
