"""Production runs from environment variables alone (README, Production).

The settings are read once, at import, so the deployment checks run in a fresh process
with the production environment; the static files are collected with the manifest storage.
"""

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from pole import settings as settings_module

ROOT = Path(settings.BASE_DIR)
SECRET_KEY = "k7#Qm2v9!pXz4Lr8sT1wYb6Nd3Hf0Jc5Ge_Ua9Vo2Ki7Mx4Pq1Zs8Wt6Rn3Ly5Dh0"
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": SECRET_KEY,
    "DJANGO_ALLOWED_HOSTS": "pole.exemple.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://pole.exemple.org",
}


def environment(**variables):
    """This process's environment without any Pôle or Django setting, plus ``variables``."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("DJANGO_", "SECURE_"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return {**env, **variables}


def manage(*arguments, **variables):
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment(**variables),
        capture_output=True,
        text=True,
        timeout=120,
    )


def deploy_check(**variables):
    return manage("check", "--deploy", "--fail-level", "WARNING", **variables)


@pytest.fixture
def production_settings(monkeypatch):
    """``load(**variables)``: pole/settings.py executed afresh under the production environment."""

    def load(**variables):
        for name in [name for name in os.environ if name.startswith("DJANGO_")]:
            monkeypatch.delenv(name)
        for name, value in {**PRODUCTION, **variables}.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(settings_module.__file__, run_name="pole_settings_under_test")

    return load


# --- The deployment checks ---------------------------------------------------------------------


def test_deploy_check_passes_with_the_production_environment():
    result = deploy_check(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_passes_behind_a_tls_proxy():
    result = deploy_check(**PRODUCTION, DJANGO_SECURE_PROXY="true")
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    variables = {**PRODUCTION}
    del variables["DJANGO_SECRET_KEY"]
    result = deploy_check(**variables)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_deploy_check_fails_on_a_weak_secret_key():
    result = deploy_check(**{**PRODUCTION, "DJANGO_SECRET_KEY": "secret"})
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_deploy_check_fails_without_hsts():
    result = deploy_check(**PRODUCTION, DJANGO_SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stderr


def test_deploy_check_fails_with_debug_on():
    result = deploy_check(**{**PRODUCTION, "DJANGO_DEBUG": "true"})
    assert result.returncode != 0
    assert "security.W018" in result.stderr


# --- What the production environment sets -------------------------------------------------------


def test_production_defaults_are_secure(production_settings):
    loaded = production_settings()
    assert loaded["DEBUG"] is False
    assert loaded["SESSION_COOKIE_SECURE"] and loaded["CSRF_COOKIE_SECURE"]
    assert loaded["SESSION_COOKIE_HTTPONLY"] and loaded["CSRF_COOKIE_HTTPONLY"]
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SECURE_HSTS_SECONDS"] == 365 * 24 * 60 * 60
    assert loaded["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert loaded["SECURE_HSTS_PRELOAD"] is False
    assert "SECURE_PROXY_SSL_HEADER" not in loaded
    assert loaded["STORAGES"]["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert loaded["CSRF_TRUSTED_ORIGINS"] == ["https://pole.exemple.org"]


def test_debug_keeps_plain_http(production_settings):
    loaded = production_settings(DJANGO_DEBUG="true")
    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert loaded["SESSION_COOKIE_SECURE"] is False
    assert loaded["SECURE_HSTS_SECONDS"] == 0


def test_proxy_header_is_trusted_only_behind_a_proxy(production_settings):
    assert production_settings(DJANGO_SECURE_PROXY="true")["SECURE_PROXY_SSL_HEADER"] == (
        "HTTP_X_FORWARDED_PROTO",
        "https",
    )


def test_hsts_is_configurable(production_settings):
    loaded = production_settings(
        DJANGO_SECURE_HSTS_SECONDS="3600",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        DJANGO_SECURE_HSTS_PRELOAD="true",
    )
    assert loaded["SECURE_HSTS_SECONDS"] == 3600
    assert loaded["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert loaded["SECURE_HSTS_PRELOAD"] is True
    # Turned off on purpose, so its warning is silenced; preload on, so its warning is not.
    assert "security.W005" in loaded["SILENCED_SYSTEM_CHECKS"]
    assert "security.W021" not in loaded["SILENCED_SYSTEM_CHECKS"]


def test_ssl_redirect_can_be_left_to_the_proxy(production_settings):
    loaded = production_settings(DJANGO_SECURE_SSL_REDIRECT="false")
    assert loaded["SECURE_SSL_REDIRECT"] is False
    assert "security.W008" in loaded["SILENCED_SYSTEM_CHECKS"]


def test_negative_hsts_is_refused(production_settings):
    with pytest.raises(ImproperlyConfigured, match="^DJANGO_SECURE_HSTS_SECONDS must be at least 0"):
        production_settings(DJANGO_SECURE_HSTS_SECONDS="-1")


def test_logs_go_to_standard_output_at_the_chosen_level(production_settings):
    logging = production_settings(DJANGO_LOG_LEVEL="warning")["LOGGING"]
    assert logging["handlers"]["console"]["()"] == "pole.logs.StandardOutputHandler"
    assert logging["root"]["level"] == "WARNING"
    assert logging["loggers"]["django"]["level"] == "WARNING"


def test_unknown_log_level_is_refused(production_settings):
    with pytest.raises(ImproperlyConfigured, match="^DJANGO_LOG_LEVEL must be DEBUG, INFO"):
        production_settings(DJANGO_LOG_LEVEL="bavard")


def test_logs_are_written_to_standard_output(capsys):
    import logging

    logging.getLogger("pole.tests").warning("Quelque chose cloche")
    assert "WARNING pole.tests Quelque chose cloche" in capsys.readouterr().out


def test_a_management_command_prints_no_log_line_on_standard_output():
    """`manage.py export … > fichier.csv` must give a clean file although logs go to stdout."""
    result = manage("check", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["System check identified no issues (0 silenced)."]


# --- Gunicorn --------------------------------------------------------------------------------


def test_gunicorn_configuration_loads_the_app():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "pole/gunicorn.py", "--check-config"],
        cwd=ROOT,
        env=environment(**PRODUCTION),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_gunicorn_refuses_a_bad_timeout():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "-c", "pole/gunicorn.py", "--check-config"],
        cwd=ROOT,
        env=environment(**PRODUCTION, GUNICORN_TIMEOUT="longtemps"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "GUNICORN_TIMEOUT must be a whole number" in result.stderr + result.stdout


# --- Static files with hashed names ----------------------------------------------------------


@pytest.fixture
def collected_static(settings, tmp_path):
    """Collect the static files with Django's manifest storage (strict) into a fresh folder.

    WhiteNoise's production storage is this one plus compression; compressing every file
    takes minutes and checks nothing of ours, so the tests leave it out.
    """
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    return json.loads((settings.STATIC_ROOT / "staticfiles.json").read_text())["paths"]


EXPECTED_STATIC = [
    "bootstrap/css/bootstrap.min.css",
    "bootstrap/js/bootstrap.bundle.min.js",
    "css/site.css",
    "css/admin.css",
    "reports/report.css",
    "reports/report-screen.css",
    "fonts/source-sans-pro/SourceSansPro-Regular.otf",
    "fonts/source-serif-pro/SourceSerifPro-Regular.otf",
    "admin/css/base.css",
    "admin/js/change_form.js",
    "import_export/export_selectable_fields.js",
    "import_export/import.css",
]


def test_collectstatic_gives_hashed_names_to_every_asset(collected_static):
    for name in EXPECTED_STATIC:
        assert name in collected_static, name
        assert collected_static[name] != name
    assert staticfiles_storage.manifest_strict
    assert staticfiles_storage.url("css/site.css") == f"/static/{collected_static['css/site.css']}"


@pytest.mark.django_db
def test_pages_reference_only_collected_files(collected_static, settings, client):
    """A {% static %} name missing from the manifest raises, so each page renders or fails."""
    from django.test import Client

    from demo.loader import load_demo
    from members.roles import DIRECTION
    from members.tests.factories import UserFactory

    settings.DEBUG = False
    load_demo()
    direction_client = Client()
    direction_client.force_login(UserFactory(is_staff=True, groups=[DIRECTION]))
    for url in ["/connexion/", "/membres/", "/rapports/", "/rapports/2016-2017/"]:
        response = client.get(url)
        assert response.status_code == 200, url
    for url in [
        "/admin/",
        "/admin/members/member/",
        "/admin/members/member/add/",
        "/admin/members/member/import/",
        "/admin/members/member/export/",
    ]:
        response = direction_client.get(url)
        assert response.status_code == 200, url
    assert collected_static["css/admin.css"] in response.content.decode()
