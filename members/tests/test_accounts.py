"""Logging in with an e-mail address, logging out, and changing or resetting a password."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import translation

from members.tests.factories import RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/connexion/"
PASSWORD = "mot-de-passe-de-test"
NEW_PASSWORD = "Nouvelle-phrase-de-passe-77"


def french(message):
    with translation.override("fr-ca"):
        return translation.gettext(message)


INVALID_LOGIN = "Enter a correct e-mail address and password. Note that the password is case-sensitive."


def assert_wrong_credentials(response):
    """The login form's « wrong e-mail or password » error, in French, on the page."""
    form = response.context["form"]
    assert [e.code for e in form.errors.as_data()["__all__"]] == ["invalid_login"]
    (message,) = form.non_field_errors()
    assert message == french(INVALID_LOGIN)
    assert message in response.content.decode().replace("&#x27;", "'")
    return message


@pytest.fixture
def representative():
    return RepresentativeFactory(email="rita@exemple.org")


def logged_in_as(client):
    return client.session.get(SESSION_KEY)


def test_the_urls_are_in_french():
    assert reverse("login") == "/connexion/"
    assert reverse("logout") == "/deconnexion/"
    assert reverse("password_change") == "/mot-de-passe/"
    assert reverse("password_reset") == "/mot-de-passe/oublie/"


def test_the_login_page(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert "accounts/login.html" in [t.name for t in response.templates]
    assert response.context["form"].fields["username"].widget.input_type == "email"


@pytest.mark.parametrize("typed", ["rita@exemple.org", "Rita@Exemple.ORG", "  RITA@EXEMPLE.ORG  "])
def test_a_representative_logs_in_with_their_email_in_any_case(client, representative, typed):
    response = client.post(LOGIN, {"username": typed, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/membre/"
    assert logged_in_as(client) == str(representative.user.pk)


@pytest.mark.parametrize("user_fixture", ["personnel_user", "direction_user"])
def test_staff_go_to_the_admin_after_login(request, client, user_fixture):
    user = request.getfixturevalue(user_fixture)
    user.set_password(PASSWORD)
    user.save()
    response = client.post(LOGIN, {"username": user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/admin/"
    assert logged_in_as(client) == str(user.pk)


def test_the_next_parameter_is_followed(client, representative):
    response = client.post(LOGIN, {"username": "rita@exemple.org", "password": PASSWORD, "next": "/membre/contacts/"})
    assert response.url == "/membre/contacts/"


def test_an_external_next_is_ignored(client, representative):
    response = client.post(
        LOGIN, {"username": "rita@exemple.org", "password": PASSWORD, "next": "https://pirate.exemple.com/"}
    )
    assert response.status_code == 302
    assert response.url == "/membre/"


def test_the_portal_redirect_comes_back_after_login(client, representative):
    first = client.get(reverse("members:profile"))
    assert first.url == "/connexion/?next=/membre/profil/"
    response = client.post(first.url, {"username": "rita@exemple.org", "password": PASSWORD, "next": "/membre/profil/"})
    assert response.url == "/membre/profil/"
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize(
    ("username", "password"),
    [("rita@exemple.org", "mauvais-mot-de-passe"), ("personne@exemple.org", PASSWORD)],
)
def test_wrong_credentials_give_a_french_error(client, representative, username, password):
    response = client.post(LOGIN, {"username": username, "password": password})
    assert response.status_code == 200
    assert_wrong_credentials(response)
    assert logged_in_as(client) is None


def test_the_wrong_credentials_message_is_correct_french(client, representative):
    response = client.post(LOGIN, {"username": "rita@exemple.org", "password": "mauvais"})
    message = assert_wrong_credentials(response)
    # Django's own message would read « Saisissez un adresse courriel … ».
    assert message.startswith("Saisissez une adresse courriel et un mot de passe valides.")


def test_an_invalid_email_is_a_french_field_error(client):
    response = client.post(LOGIN, {"username": "rita", "password": PASSWORD})
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["Saisissez une adresse de courriel valide."]


def test_a_deactivated_account_cannot_log_in(client, representative):
    representative.user.is_active = False
    representative.user.save()
    response = client.post(LOGIN, {"username": "rita@exemple.org", "password": PASSWORD})
    assert response.status_code == 200
    assert_wrong_credentials(response)
    assert logged_in_as(client) is None


def test_a_logged_in_visitor_of_the_login_page_is_sent_on(client, representative, personnel_user):
    client.force_login(representative.user)
    assert client.get(LOGIN).url == "/membre/"
    client.force_login(personnel_user)
    assert client.get(LOGIN).url == "/admin/"


def test_logout_is_a_post(client, representative):
    client.force_login(representative.user)
    assert client.get("/deconnexion/").status_code == 405
    assert logged_in_as(client) == str(representative.user.pk)
    response = client.post("/deconnexion/")
    assert response.status_code == 302
    assert response.url == LOGIN
    assert logged_in_as(client) is None
    assert client.get("/membre/").status_code == 302


def test_logout_needs_the_csrf_token():
    csrf_client = Client(enforce_csrf_checks=True)
    user = UserFactory()
    csrf_client.force_login(user)
    assert csrf_client.post("/deconnexion/").status_code == 403
    assert logged_in_as(csrf_client) == str(user.pk)


# --- Changing the password --------------------------------------------------------------------


def test_changing_the_password_needs_a_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url == "/connexion/?next=/mot-de-passe/"


def test_a_representative_changes_their_password(client, representative):
    client.force_login(representative.user)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    representative.user.refresh_from_db()
    assert representative.user.check_password(NEW_PASSWORD)
    # Still logged in, and the page leads back to the portal.
    done = client.get(response.url)
    assert done.status_code == 200
    assert reverse("members:portal") in done.content.decode()
    assert client.get("/membre/").status_code == 200
    # The new password works, the old one no longer does.
    assert Client().post(LOGIN, {"username": "rita@exemple.org", "password": NEW_PASSWORD}).status_code == 302
    assert Client().post(LOGIN, {"username": "rita@exemple.org", "password": PASSWORD}).status_code == 200


def test_a_wrong_old_password_is_refused_in_french(client, representative):
    client.force_login(representative.user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "pas-le-bon", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"] == [
        "Votre ancien mot de passe est incorrect. Veuillez le rectifier."
    ]
    representative.user.refresh_from_db()
    assert representative.user.check_password(PASSWORD)


def test_staff_change_their_password_and_are_sent_back_to_the_admin(personnel_client, personnel_user):
    personnel_user.set_password(PASSWORD)
    personnel_user.save()
    personnel_client.force_login(personnel_user)
    response = personnel_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.status_code == 200
    assert reverse("admin:index") in response.content.decode()


# --- Forgotten password -----------------------------------------------------------------------


RESET_LINK = re.compile(r"https?://testserver(/mot-de-passe/nouveau/[^/\s]+/[^/\s]+/)")


def test_a_password_reset_email_lets_the_representative_choose_a_new_password(
    client, representative, mailoutbox, committed
):
    assert client.get(reverse("password_reset")).status_code == 200
    with committed():
        response = client.post(reverse("password_reset"), {"email": "RITA@exemple.org"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["rita@exemple.org"]
    link = RESET_LINK.search(mail.body)[1]

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    set_password_url = form_page.redirect_chain[-1][0]
    assert set_password_url.endswith("/set-password/")

    done = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done.url == reverse("password_reset_complete")
    representative.user.refresh_from_db()
    assert representative.user.check_password(NEW_PASSWORD)
    assert client.get(done.url).status_code == 200

    login = Client().post(LOGIN, {"username": "rita@exemple.org", "password": NEW_PASSWORD})
    assert login.url == "/membre/"
    # The link is spent.
    again = Client().get(link, follow=True)
    assert again.context["validlink"] is False


def test_a_reset_for_an_unknown_address_sends_nothing_but_says_the_same(client, mailoutbox, committed):
    with committed():
        response = client.post(reverse("password_reset"), {"email": "inconnu@exemple.org"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mailoutbox == []


def test_a_deactivated_account_gets_no_reset_email(client, representative, mailoutbox, committed):
    representative.user.is_active = False
    representative.user.save()
    with committed():
        client.post(reverse("password_reset"), {"email": "rita@exemple.org"})
    assert mailoutbox == []


def test_a_tampered_reset_link_does_not_work(client, representative, mailoutbox, committed):
    with committed():
        client.post(reverse("password_reset"), {"email": "rita@exemple.org"})
    link = RESET_LINK.search(mailoutbox[0].body)[1]
    tampered = link[:-3] + ("a" if link[-3] != "a" else "b") + link[-2:]
    response = client.get(tampered, follow=True)
    assert response.status_code == 200
    assert response.context["validlink"] is False
    representative.user.refresh_from_db()
    assert representative.user.check_password(PASSWORD)
