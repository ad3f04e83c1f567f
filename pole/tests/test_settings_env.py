import runpy

import pytest
from django.core.exceptions import ImproperlyConfigured

from pole import settings as settings_module
from pole.env import env_bool, env_int, env_list, env_str

SETTINGS_FILE = settings_module.__file__


@pytest.fixture
def environ(monkeypatch):
    """Set environment variables for one test; they are restored afterwards."""

    def set_variables(**variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)

    return set_variables


@pytest.fixture
def clean_environ(monkeypatch):
    for name in (
        "POLE_TEST_VALUE",
        "DJANGO_DEBUG",
        "DJANGO_SECRET_KEY",
        "DATABASE_URL",
        "POLE_FISCAL_YEAR_START_MONTH",
        "EMAIL_PORT",
        "DATABASE_CONN_MAX_AGE",
    ):
        monkeypatch.delenv(name, raising=False)


def load_settings():
    """Execute pole/settings.py afresh, without touching the settings of this process."""
    return runpy.run_path(SETTINGS_FILE, run_name="pole_settings_under_test")


@pytest.mark.usefixtures("clean_environ")
class TestEnvBool:
    @pytest.mark.parametrize("value", ["1", "true", "TRUE", "yes", "on", " True "])
    def test_true_values(self, environ, value):
        environ(POLE_TEST_VALUE=value)
        assert env_bool("POLE_TEST_VALUE", False) is True

    @pytest.mark.parametrize("value", ["0", "false", "No", "off"])
    def test_false_values(self, environ, value):
        environ(POLE_TEST_VALUE=value)
        assert env_bool("POLE_TEST_VALUE", True) is False

    def test_unset_or_empty_gives_the_default(self, environ):
        assert env_bool("POLE_TEST_VALUE", True) is True
        environ(POLE_TEST_VALUE="  ")
        assert env_bool("POLE_TEST_VALUE", False) is False

    def test_other_value_is_refused_with_its_name(self, environ):
        environ(POLE_TEST_VALUE="maybe")
        with pytest.raises(ImproperlyConfigured) as caught:
            env_bool("POLE_TEST_VALUE", True)
        assert str(caught.value) == "POLE_TEST_VALUE must be true or false, not 'maybe'"


@pytest.mark.usefixtures("clean_environ")
class TestEnvInt:
    def test_reads_a_whole_number(self, environ):
        environ(POLE_TEST_VALUE=" 7 ")
        assert env_int("POLE_TEST_VALUE", 4, minimum=1, maximum=12) == 7

    def test_unset_gives_the_default(self):
        assert env_int("POLE_TEST_VALUE", 4) == 4

    @pytest.mark.parametrize("value", ["abc", "4.5", "4 mois"])
    def test_not_a_number_is_refused(self, environ, value):
        environ(POLE_TEST_VALUE=value)
        with pytest.raises(ImproperlyConfigured) as caught:
            env_int("POLE_TEST_VALUE", 4)
        assert str(caught.value) == f"POLE_TEST_VALUE must be a whole number, not {value!r}"

    @pytest.mark.parametrize("value", ["0", "13"])
    def test_out_of_bounds_is_refused(self, environ, value):
        environ(POLE_TEST_VALUE=value)
        with pytest.raises(ImproperlyConfigured) as caught:
            env_int("POLE_TEST_VALUE", 4, minimum=1, maximum=12)
        assert str(caught.value) == f"POLE_TEST_VALUE must be between 1 and 12, not {value}"

    def test_bounds_are_inclusive(self, environ):
        environ(POLE_TEST_VALUE="12")
        assert env_int("POLE_TEST_VALUE", 4, minimum=1, maximum=12) == 12

    def test_below_a_minimum_without_maximum_names_only_the_minimum(self, environ):
        environ(POLE_TEST_VALUE="-1")
        with pytest.raises(ImproperlyConfigured) as caught:
            env_int("POLE_TEST_VALUE", 0, minimum=0)
        assert "None" not in str(caught.value)
        assert "0" in str(caught.value)


@pytest.mark.usefixtures("clean_environ")
class TestEnvStrAndList:
    def test_str_strips_and_falls_back_to_the_default(self, environ):
        assert env_str("POLE_TEST_VALUE", "défaut") == "défaut"
        environ(POLE_TEST_VALUE="  valeur ")
        assert env_str("POLE_TEST_VALUE", "défaut") == "valeur"

    def test_required_str_must_be_set(self):
        with pytest.raises(ImproperlyConfigured) as caught:
            env_str("POLE_TEST_VALUE", required=True)
        assert str(caught.value) == "POLE_TEST_VALUE must be set"

    def test_list_splits_on_commas_and_drops_empty_items(self, environ):
        environ(POLE_TEST_VALUE="pole.exemple.org, ,www.pole.exemple.org,")
        assert env_list("POLE_TEST_VALUE") == ["pole.exemple.org", "www.pole.exemple.org"]

    def test_empty_list_gives_the_default(self):
        assert env_list("POLE_TEST_VALUE", ["localhost"]) == ["localhost"]


@pytest.mark.usefixtures("clean_environ")
class TestSettings:
    def test_fresh_checkout_runs_on_sqlite_in_debug(self):
        loaded = load_settings()
        assert loaded["DEBUG"] is True
        assert loaded["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
        assert loaded["POLE_FISCAL_YEAR_START_MONTH"] == 4

    def test_production_refuses_to_start_without_a_secret_key(self, environ):
        environ(DJANGO_DEBUG="false")
        with pytest.raises(ImproperlyConfigured, match="^DJANGO_SECRET_KEY must be set$"):
            load_settings()

    def test_debug_must_be_a_boolean(self, environ):
        environ(DJANGO_DEBUG="peut-être")
        with pytest.raises(ImproperlyConfigured, match="^DJANGO_DEBUG must be true or false"):
            load_settings()

    def test_database_must_be_sqlite_or_postgresql(self, environ):
        environ(DATABASE_URL="mysql://pole@localhost/pole")
        with pytest.raises(ImproperlyConfigured, match="^DATABASE_URL must point at SQLite or PostgreSQL$"):
            load_settings()

    def test_postgresql_url_is_read(self, environ):
        environ(DATABASE_URL="postgres://pole:secret@db.exemple.org:5432/pole")
        database = load_settings()["DATABASES"]["default"]
        assert database["ENGINE"] == "django.db.backends.postgresql"
        assert (database["NAME"], database["HOST"], database["PORT"]) == ("pole", "db.exemple.org", 5432)

    @pytest.mark.parametrize("value", ["0", "13"])
    def test_fiscal_year_start_month_must_be_a_month(self, environ, value):
        environ(POLE_FISCAL_YEAR_START_MONTH=value)
        with pytest.raises(ImproperlyConfigured, match="^POLE_FISCAL_YEAR_START_MONTH must be between 1 and 12"):
            load_settings()

    def test_email_port_must_be_a_number(self, environ):
        environ(EMAIL_PORT="smtp")
        with pytest.raises(ImproperlyConfigured, match="^EMAIL_PORT must be a whole number"):
            load_settings()
