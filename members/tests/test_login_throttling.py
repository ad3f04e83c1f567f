"""Login throttling (django-axes): five failures for one account from one address lock that
pair for 30 minutes, on the site's login and the admin's; Direction unlocks in the admin."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import translation

from members.tests.factories import RepresentativeFactory, UserFactory
from pole.tests.test_settings_env import load_settings

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-de-test"  # UserFactory's
HOME = "203.0.113.7"
ELSEWHERE = "198.51.100.23"
LOCKED = "Trop de tentatives de connexion"


def log_in(client, email, password, address=HOME, url="/connexion/", **headers):
    return client.post(url, {"username": email, "password": password}, REMOTE_ADDR=address, **headers)


def fail(client, email, times=5, **kwargs):
    """``times`` wrong passwords: the form again for the first four, the lock at the fifth."""
    for attempt in range(1, times + 1):
        response = log_in(client, email, "mauvais-mot-de-passe", **kwargs)
        if attempt < 5:
            assert response.status_code == 200  # the login form again, with its error
            assert LOCKED not in response.content.decode()
        else:
            assert_locked(response)


@pytest.fixture
def account():
    return RepresentativeFactory(email="lea@exemple.org").user


def assert_locked(response):
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED in html
    assert "Après 5 tentatives échouées" in html
    assert "Réessayez dans 30 minutes" in html
    assert 'class="navbar navbar-expand-md navbar-dark site-navbar"' in html
    assert "_auth_user_id" not in response.client.session


def assert_logged_in(response, client, user):
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_four_failures_then_the_right_password_logs_in(client, account):
    fail(client, account.email, times=4)
    assert_logged_in(log_in(client, account.email, PASSWORD), client, account)


def test_after_five_failures_even_the_right_password_is_refused(client, account):
    fail(client, account.email)
    assert_locked(log_in(client, account.email, PASSWORD))


def test_the_address_is_counted_whatever_its_case(client, account):
    fail(client, "Lea@Exemple.org")
    assert_locked(log_in(client, account.email, PASSWORD))


def test_another_address_is_not_locked(client, account):
    fail(client, account.email)
    assert_logged_in(log_in(client, account.email, PASSWORD, address=ELSEWHERE), client, account)


def test_another_account_is_not_locked(client, account):
    colleague = RepresentativeFactory(email="paul@exemple.org").user
    fail(client, account.email)
    assert_logged_in(log_in(client, colleague.email, PASSWORD), client, colleague)


def test_lock_ends_after_30_minutes(client, account):
    fail(client, account.email)

    def minutes_pass(minutes):
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=minutes))

    minutes_pass(29)
    assert_locked(log_in(client, account.email, PASSWORD))
    minutes_pass(31)  # a refused attempt during the lock restarts the 30 minutes
    assert_logged_in(log_in(client, account.email, PASSWORD), client, account)


def test_success_resets_the_count(client, account):
    fail(client, account.email, times=4)
    log_in(client, account.email, PASSWORD)
    client.logout()
    fail(client, account.email, times=4)
    assert_logged_in(log_in(client, account.email, PASSWORD), client, account)


def test_admin_login_is_throttled_too(client):
    staff = UserFactory(email="personnel@exemple.org", is_staff=True)
    fail(client, staff.email, url="/admin/login/")
    assert_locked(log_in(client, staff.email, PASSWORD, url="/admin/login/"))
    # One lock for the account, whichever login page is used.
    assert_locked(log_in(client, staff.email, PASSWORD))


def test_behind_the_proxy_the_client_address_is_the_forwarded_one(client, settings, account):
    settings.SECURE_PROXY = True
    proxy = "10.0.0.2"
    settings.TRUSTED_PROXIES = [proxy]
    fail(client, account.email, address=proxy, HTTP_X_FORWARDED_FOR=HOME)
    assert_locked(log_in(client, account.email, PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR=HOME))
    # A forged first entry does not change the address the proxy appended.
    assert_locked(log_in(client, account.email, PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR=f"{ELSEWHERE}, {HOME}"))
    response = log_in(client, account.email, PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert_logged_in(response, client, account)


def test_without_a_proxy_a_forwarded_address_is_ignored(client, account):
    fail(client, account.email)
    assert_locked(log_in(client, account.email, PASSWORD, HTTP_X_FORWARDED_FOR=ELSEWHERE))


def test_direction_unlocks_an_account_in_the_admin(direction_client, account):
    fail(Client(), account.email)
    attempt = AccessAttempt.objects.get(username=account.email, ip_address=HOME)
    assert attempt.failures_since_start == 5

    changelist = direction_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200
    assert account.email in changelist.content.decode()
    delete_url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert direction_client.get(delete_url).status_code == 200
    response = direction_client.post(delete_url, {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()

    representative = Client()
    assert_logged_in(log_in(representative, account.email, PASSWORD), representative, account)


def test_personnel_unlock_too_but_do_not_read_the_login_logs(personnel_client, account):
    fail(Client(), account.email)
    attempt = AccessAttempt.objects.get()
    assert personnel_client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 200
    delete_url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    assert personnel_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.exists()
    assert personnel_client.get(reverse("admin:axes_accesslog_changelist")).status_code == 403
    assert personnel_client.get(reverse("admin:axes_accessfailurelog_changelist")).status_code == 403


# --- One key for the lookup and the count: the address normalised (NFKC, upper-case, case-fold) ---
# On PostgreSQL, a lookup by SQL's UPPER found « dırection@… » (dotless ı) to be the Direction's
# address while django-axes counted it apart: a locked account opened under that spelling.

WIDE = "ｄｉｒｅｃｔｉｏｎ@exemple.org"  # full-width letters


@pytest.fixture
def direction():
    return UserFactory(email="direction@exemple.org", is_staff=True)


@pytest.mark.parametrize("url", ["/connexion/", "/admin/login/"])
@pytest.mark.parametrize("lookalike", ["dırection@exemple.org", "DIRECTION@EXEMPLE.ORG"])
def test_a_lookalike_address_does_not_open_a_locked_account(client, direction, url, lookalike):
    fail(client, direction.email, url=url)
    response = log_in(client, lookalike, PASSWORD, url=url)
    assert_locked(response)
    direction.refresh_from_db()
    assert direction.last_login is None


def test_a_full_width_address_does_not_open_a_locked_account(client, direction):
    fail(client, direction.email)
    # The admin's login reads it as the plain address: locked.
    assert_locked(log_in(client, WIDE, PASSWORD, url="/admin/login/"))
    # The site's e-mail field refuses it before any password is checked.
    response = log_in(client, WIDE, PASSWORD)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["username"]
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url", ["/connexion/", "/admin/login/"])
def test_failures_under_a_lookalike_address_count_against_the_account(client, direction, url):
    fail(client, "dırection@exemple.org", url=url)
    assert_locked(log_in(client, direction.email, PASSWORD, url=url))
    assert AccessAttempt.objects.get().username == "direction@exemple.org"


# --- A limit per client address, across accounts ----------------------------------------------
# Twenty failures from one address, whatever the accounts, lock that address for 30 minutes:
# otherwise one client could try five passwords on every account in turn.

ADDRESS_LOCKED = (
    "After %(limit)s failed attempt from your connection, whatever the account, logging in from it is blocked.",
    "After %(limit)s failed attempts from your connection, whatever the account, logging in from it is blocked.",
)
ADDRESS_UNLOCK = (
    "Try again in %(minutes)s minute, or ask the network’s staff to unlock your connection.",
    "Try again in %(minutes)s minutes, or ask the network’s staff to unlock your connection.",
)


def french_plural(forms, count, **params):
    with translation.override("fr-ca"):
        return translation.ngettext(*forms, count) % params


def fail_over_accounts(client, times, address=HOME, first=0):
    """``times`` wrong passwords, each for another address (no account needed)."""
    return [
        log_in(client, f"inconnu{n}@exemple.org", "mauvais-mot-de-passe", address=address)
        for n in range(first, first + times)
    ]


def assert_address_locked(response):
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED in html
    assert french_plural(ADDRESS_LOCKED, 20, limit=20) in html
    assert french_plural(ADDRESS_UNLOCK, 30, minutes=30) in html
    assert "_auth_user_id" not in response.client.session


@pytest.mark.parametrize("url", ["/connexion/", "/admin/login/"])
def test_twenty_failures_over_twenty_accounts_lock_the_client_address(client, url):
    fresh = RepresentativeFactory(email="nouvelle@exemple.org").user

    responses = [log_in(client, f"inconnu{n}@exemple.org", "mauvais-mot-de-passe", url=url) for n in range(20)]

    assert [r.status_code for r in responses[:19]] == [200] * 19
    assert_address_locked(responses[19])
    assert_address_locked(log_in(client, fresh.email, PASSWORD))
    assert_address_locked(log_in(client, fresh.email, PASSWORD, url="/admin/login/"))
    # Another client address is not affected.
    other = Client()
    assert_logged_in(log_in(other, fresh.email, PASSWORD, address=ELSEWHERE), other, fresh)


def test_a_successful_login_does_not_reset_the_address_count(client):
    own = RepresentativeFactory(email="moi@exemple.org").user
    fail_over_accounts(client, 19)
    assert_logged_in(log_in(client, own.email, PASSWORD), client, own)
    client.logout()
    assert_address_locked(log_in(client, "encore@exemple.org", "mauvais-mot-de-passe"))


def test_failures_on_one_account_count_towards_the_address_too(client, account):
    fail(client, account.email)  # locks the pair at 5
    responses = fail_over_accounts(client, 15)
    assert [r.status_code for r in responses[:14]] == [200] * 14
    assert_address_locked(responses[14])


def test_the_address_lock_ends_after_30_minutes(client, account):
    fail_over_accounts(client, 20)

    def minutes_pass(minutes):
        AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=minutes))

    minutes_pass(29)
    assert_address_locked(log_in(client, account.email, PASSWORD))
    minutes_pass(31)
    assert_logged_in(log_in(client, account.email, PASSWORD), client, account)


def test_the_account_lock_keeps_its_own_wording(client, account):
    fail(client, account.email)
    html = log_in(client, account.email, PASSWORD).content.decode()
    assert french_plural(ADDRESS_LOCKED, 20, limit=20) not in html


def test_staff_unlock_an_address_by_deleting_its_attempts(personnel_client, account):
    fail_over_accounts(Client(), 20)
    fail_over_accounts(Client(), 3, address=ELSEWHERE, first=100)
    changelist = reverse("admin:axes_accessattempt_changelist")
    found = personnel_client.get(changelist, {"q": HOME})
    attempts = list(found.context["cl"].result_list)
    assert len(attempts) == 20

    response = personnel_client.post(
        f"{changelist}?q={HOME}",
        {"action": "delete_selected", "_selected_action": [a.pk for a in attempts], "post": "yes"},
    )

    assert response.status_code == 302
    assert AccessAttempt.objects.filter(ip_address=HOME).count() == 0
    assert AccessAttempt.objects.filter(ip_address=ELSEWHERE).count() == 3
    representative = Client()
    assert_logged_in(log_in(representative, account.email, PASSWORD), representative, account)


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, (5, 20, 30)),
        (
            {
                "POLE_LOGIN_FAILURE_LIMIT": "3",
                "POLE_LOGIN_ADDRESS_FAILURE_LIMIT": "50",
                "POLE_LOGIN_LOCKOUT_MINUTES": "15",
            },
            (3, 50, 15),
        ),
    ],
)
def test_the_limits_are_read_from_the_environment(monkeypatch, variables, expected):
    for name in ("POLE_LOGIN_FAILURE_LIMIT", "POLE_LOGIN_ADDRESS_FAILURE_LIMIT", "POLE_LOGIN_LOCKOUT_MINUTES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    loaded = load_settings()
    minutes = int(loaded["AXES_COOLOFF_TIME"].total_seconds() // 60)
    assert (loaded["AXES_FAILURE_LIMIT"], loaded["POLE_LOGIN_ADDRESS_FAILURE_LIMIT"], minutes) == expected


@pytest.mark.parametrize(
    "name", ["POLE_LOGIN_FAILURE_LIMIT", "POLE_LOGIN_ADDRESS_FAILURE_LIMIT", "POLE_LOGIN_LOCKOUT_MINUTES"]
)
def test_a_limit_below_one_stops_the_start(monkeypatch, name):
    monkeypatch.setenv(name, "0")
    with pytest.raises(ImproperlyConfigured, match=name):
        load_settings()
