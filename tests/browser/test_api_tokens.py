import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def call_api(live_server, path: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 (http, to the test's own server)
        f"{live_server.url}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the test's own server)
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_an_officer_makes_a_token_uses_it_and_revokes_it(
    page, live_server, sign_in, check_a11y, dk_officer, password
):
    sign_in(page, "dk-officer", password)
    page.get_by_role("link", name="Account").click()
    page.get_by_role("link", name="API tokens").click()
    # A token outlives the session: the page asks for the password again first.
    check_a11y(page)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    expect(page.get_by_text("You have no token.")).to_be_visible()
    check_a11y(page)

    page.get_by_role("button", name="Make the token").click()  # no name: refused
    expect(page.get_by_text("This field is required.")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Name").fill("Licensing system (test)")
    page.get_by_label("Expires").select_option(label="In 30 days")
    page.get_by_role("button", name="Make the token").click()

    value = page.get_by_test_id("new-token").input_value()
    assert value.startswith("echri_")
    check_a11y(page)
    status, me = call_api(live_server, "/api/v1/me/", value)
    assert status == 200 and me["state"] == {"code": "DK", "name": "Denmark"}

    page.reload()
    expect(page.get_by_test_id("new-token")).to_have_count(0)  # shown once only
    row = page.get_by_test_id("token-row").filter(has_text="Licensing system (test)")
    expect(row).to_contain_text(value[:12])
    expect(row).to_contain_text("Active")
    assert value not in page.content()

    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("has been revoked")).to_be_visible()
    expect(page.get_by_test_id("token-row").first).to_contain_text("Revoked")
    check_a11y(page)
    status, body = call_api(live_server, "/api/v1/me/", value)
    assert status == 401 and "detail" in body


def test_the_interactive_documentation_is_usable_and_accessible(page, live_server, check_a11y):
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"{live_server.url}/api/v1/docs/")
    operation = page.locator(".opblock-summary-control", has_text="/api/v1/notices/").first
    expect(operation).to_be_visible(timeout=15_000)
    check_a11y(page)

    operation.click()  # its parameters, their controls and the responses
    expect(page.locator('tr[data-param-name="severity"] select')).to_have_attribute(
        "aria-label", "severity (query)"
    )
    page.get_by_role("button", name="Try it out").first.click()
    check_a11y(page)

    page.get_by_role("button", name="Authorize").first.click()
    expect(page.get_by_role("dialog", name="Available authorizations")).to_be_visible()
    check_a11y(page)
