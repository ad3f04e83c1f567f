"""Error pages in French and in the site's layout, as production (debug off) shows them."""

import pytest
from django.test import Client, RequestFactory

from members.tests.factories import UserFactory
from pole.views import server_error

pytestmark = pytest.mark.django_db

LAYOUT = ['class="navbar navbar-expand-md navbar-dark site-navbar"', 'class="site-footer']
NETWORK = "Pôle des entreprises d&#x27;économie sociale de la région de la Capitale-Nationale"


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def assert_in_layout(response, status, *french):
    assert response.status_code == status
    html = response.content.decode()
    assert '<html lang="fr">' in html
    for marker in LAYOUT:
        assert marker in html
    assert NETWORK in html
    assert f"Erreur {status}" in html
    for text in french:
        assert text in html
    assert "/static/css/site.css" in html
    return html


def test_404_page(client):
    response = client.get("/page-inexistante/")
    assert_in_layout(response, 404, "<title>Page introuvable — Pôle</title>", "n’existe pas")


def test_403_page_shows_why(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/membre/")
    assert_in_layout(
        response,
        403,
        "Accès refusé",
        "Cette page est réservée aux représentants des organisations membres.",
    )


def test_400_page_for_an_unknown_host(client):
    response = client.get("/connexion/", HTTP_HOST="ailleurs.exemple.com")
    assert_in_layout(response, 400, "Requête incorrecte")


def test_csrf_failure_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/connexion/", {"username": "a@exemple.org", "password": "x"})
    assert_in_layout(response, 403, "Le formulaire a expiré", "Rechargez la page")


def test_500_page_when_a_view_fails(client, settings):
    settings.ROOT_URLCONF = "pole.tests.error_urls"
    client.raise_request_exception = False
    response = client.get("/panne/")
    html = assert_in_layout(response, 500, "Erreur du serveur", "Veuillez réessayer dans quelques minutes")
    assert "the database is gone" not in html


def test_500_page_needs_no_database(django_assert_num_queries):
    request = RequestFactory().get("/panne/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Erreur du serveur" in html
    assert NETWORK in html
