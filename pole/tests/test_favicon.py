"""The network's mark as the favicon: every page names it, and /favicon.ico answers."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/membres/", "/rapports/", "/connexion/", "/admin/login/"])
def test_every_page_names_the_favicon(client, url):
    content = client.get(url).content.decode()
    assert 'rel="icon" href="/static/img/favicon.svg"' in content
    assert 'href="/static/img/favicon.ico"' in content


@pytest.mark.django_db
def test_favicon_ico_redirects_to_the_mark_which_exists(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/img/favicon.ico"
    assert reverse("favicon") == "/favicon.ico"
    for name in ("img/favicon.ico", "img/favicon.svg", "img/apple-touch-icon.png"):
        assert finders.find(name), name
