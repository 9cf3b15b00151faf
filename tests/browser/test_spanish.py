"""One whole visit in Spanish: a browser asking for Spanish signs in as Costa Rica's
officer (whose state works in Spanish), reads a notice Denmark sent, acknowledges it and
browses the best practices, with axe-core checking every page."""

import re

import pytest
from playwright.sync_api import expect

from sharing.notices import services as notices
from sharing.practices import services as practices
from tests.sharing.conftest import notice_content, practice_content

pytestmark = pytest.mark.django_db(transaction=True)

SPANISH_SIGN_IN = (
    "Nombre de usuario o dirección de correo electrónico",
    "Contraseña",
    "Iniciar sesión",
)


def test_costa_ricas_officer_works_through_the_portal_in_spanish(
    browser, live_server, sign_in, check_a11y, dk_officer, no_officer, cr_officer, password
):
    notice = notices.publish(
        notices.create(
            by=dk_officer,
            **notice_content(title="Integrador de captadores IMSI", tlp="green"),
        ),
        by=dk_officer,
    )
    practices.publish(
        practices.create(
            by=no_officer,
            **practice_content(title="Verificación del uso final de centros de monitoreo"),
        ),
        by=no_officer,
    )

    page = browser.new_context(locale="es-CR").new_page()
    sign_in(page, "cr-officer", password, labels=SPANISH_SIGN_IN)
    # The sign-in page followed the browser; after it, Costa Rica's default holds.
    expect(page.locator("html")).to_have_attribute("lang", "es")

    awaiting = page.get_by_role("region", name="Pendiente del acuse de recibo de Costa Rica")
    awaiting.get_by_role("link", name="Integrador de captadores IMSI").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(notice.title)
    expect(
        page.get_by_text("Costa Rica todavía no ha acusado recibo de este aviso.")
    ).to_be_visible()
    # The date the notice was published, in Spanish (“6 dic 2026”).
    expect(page.locator("main")).to_contain_text(
        re.compile(r"\b\d{1,2} (ene|feb|mar|abr|may|jun|jul|ago|sep|oct|nov|dic) \d{4}\b")
    )
    check_a11y(page)
    page.get_by_label("Situación de su Estado").select_option("assessed")
    page.get_by_role("button", name="Acusar recibo").click()
    expect(
        page.get_by_text("Acuse de recibo registrado para Costa Rica: Evaluado.")
    ).to_be_visible()
    check_a11y(page)

    page.get_by_role("link", name="Buenas prácticas").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_a11y(page)
    page.get_by_label("Buscar en la biblioteca").fill("monitoreo")
    page.get_by_role("button", name="Buscar", exact=True).click()
    page.get_by_role("link", name="Verificación del uso final de centros de monitoreo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Verificación del uso final de centros de monitoreo"
    )
    check_a11y(page)


def test_costa_ricas_admin_sets_the_states_language_in_spanish(
    browser, live_server, sign_in, check_a11y, cr_admin, cr_viewer, password
):
    page = browser.new_context(locale="es-CR").new_page()
    sign_in(page, "cr-admin", password, labels=SPANISH_SIGN_IN)
    page.get_by_role("link", name="Miembros").click()
    page.get_by_role("link", name="Configuración del Estado").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Configuración de Costa Rica")
    check_a11y(page)
    page.get_by_label("Idioma predeterminado").select_option("fr")
    page.get_by_role("button", name="Guardar").click()
    # Said in the language the admin acted in; from then on Costa Rica's people who
    # have not chosen read French, the admin included.
    expect(page.get_by_text("Se ha guardado la configuración de su Estado.")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Réglages de l'État Costa Rica")
    check_a11y(page)
