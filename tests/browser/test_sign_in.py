import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_officer_signs_in_and_sees_the_dashboard_for_their_state(
    page, sign_in, check_a11y, dk_officer, password
):
    sign_in(page, "dk-officer", password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Mette Jensen — Denmark")
    expect(page.get_by_test_id("user-state")).to_have_text("Denmark")
    check_a11y(page)


def test_wrong_password_shows_an_error_and_does_not_sign_in(
    page, live_server, sign_in, check_a11y, dk_officer
):
    sign_in(page, "dk-officer", "not my password")
    expect(
        page.get_by_text("The username and/or password you specified are not correct.")
    ).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    check_a11y(page)
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    check_a11y(page)


def test_a_suspended_states_user_cannot_sign_in(
    page, live_server, sign_in, check_a11y, suspended_user, password
):
    sign_in(page, "pe-officer", password)
    expect(page.get_by_role("heading", name="Access suspended")).to_be_visible()
    expect(page.get_by_text("Peru's access to the exchange is suspended")).to_be_visible()
    check_a11y(page)
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    check_a11y(page)


def test_keyboard_users_can_skip_to_the_content_and_sign_out(
    page, sign_in, check_a11y, dk_viewer, password
):
    sign_in(page, "dk-viewer", password)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    check_a11y(page)
    page.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    check_a11y(page)


def test_a_visitor_switches_the_sign_in_page_to_french(
    page, live_server, check_a11y, seeded_states
):
    page.goto(f"{live_server.url}/accounts/login/")
    check_a11y(page)
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    check_a11y(page)


def test_an_officer_sets_up_the_required_authenticator_app(
    page, settings, live_server, sign_in, check_a11y, dk_officer, password
):
    settings.MFA_REQUIRED_ROLES = ["state_admin", "officer"]
    sign_in(page, "dk-officer", password)
    # The portal insists on MFA first; allauth confirms the password before changing it.
    expect(page.get_by_role("heading", name="Confirm Access")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    check_a11y(page)
    secret = page.locator("#authenticator_secret").input_value()
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    check_a11y(page)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Mette Jensen — Denmark")
    check_a11y(page)
