"""Every response carries the security headers (README, Production)."""

import pytest

from members.tests.factories import RepresentativeFactory

pytestmark = pytest.mark.django_db

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; font-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)


def assert_security_headers(response):
    assert response["Content-Security-Policy"] == CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    permissions = response["Permissions-Policy"].split(", ")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in permissions


@pytest.mark.parametrize("url", ["/connexion/", "/membres/", "/rapports/", "/page-inexistante/"])
def test_public_pages_and_errors_carry_the_headers(client, url):
    response = client.get(url)
    assert response.status_code in (200, 404)
    assert_security_headers(response)


def test_redirects_carry_the_headers(client):
    response = client.get("/membre/")
    assert response.status_code == 302
    assert_security_headers(response)


def test_portal_and_admin_carry_the_headers(client, direction_client):
    assert_security_headers(direction_client.get("/admin/"))
    client.force_login(RepresentativeFactory().user)
    assert_security_headers(client.get("/membre/"))


def test_static_files_carry_the_headers(client, settings):
    # WhiteNoise serves from the apps' folders, as under runserver, rather than STATIC_ROOT.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert_security_headers(response)


def test_no_inline_style_or_script_in_the_site_layout(client):
    """The policy forbids them; the browser tests (tests/e2e/test_content_security_policy.py) check real pages."""
    html = client.get("/connexion/").content.decode()
    assert "<style" not in html
    assert " style=" not in html
    assert "<script>" not in html
    assert " onclick=" not in html
