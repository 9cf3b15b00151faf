"""Browser tests: Playwright drives the system Chromium against pytest-django's
live_server, and every page a test visits is checked with axe-core."""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe

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


@pytest.fixture
def check_a11y(axe):
    """Call with a page: fails on any serious or critical axe-core violation, and on the
    structural rules in BLOCKING_RULES."""

    def check(page):
        results = axe.run(page)
        blocking = [
            v
            for v in results.response["violations"]
            if v["impact"] in BLOCKING_IMPACTS or v["id"] in BLOCKING_RULES
        ]
        if blocking:
            report = "\n".join(
                f"{v['id']} ({v['impact']}): {v['help']} -> "
                + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
                for v in blocking
            )
            pytest.fail(f"accessibility violations on {page.url}:\n{report}")

    return check


@pytest.fixture
def sign_in(live_server, check_a11y):
    def sign_in(page, username: str, password: str):
        page.goto(f"{live_server.url}/accounts/login/")
        check_a11y(page)
        page.get_by_label("User name or e-mail address").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()

    return sign_in
