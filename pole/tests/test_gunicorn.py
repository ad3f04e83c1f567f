"""Gunicorn trusts forwarded headers only behind a proxy, as the app's settings do (pole/gunicorn.py).

Gunicorn sets ``wsgi.url_scheme`` to https when a peer it trusts sends ``X-Forwarded-Proto:
https``, and Django then takes the request for a secure one even without
SECURE_PROXY_SSL_HEADER. By default gunicorn trusts 127.0.0.1: anyone able to reach the
port from the machine itself could pass a request off as HTTPS. (Loading the configuration
and gunicorn's other settings: pole/tests/test_production.py.)
"""

import os
import runpy
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from gunicorn.config import Config

from performance.loadtest import free_port

ROOT = Path(settings.BASE_DIR)
CONFIG = ROOT / "pole" / "gunicorn.py"


def gunicorn_settings(monkeypatch, **variables):
    """Gunicorn's settings after reading pole/gunicorn.py under ``variables``, as gunicorn applies them."""
    for name in ("DJANGO_SECURE_PROXY", "GUNICORN_FORWARDED_ALLOW_IPS", "FORWARDED_ALLOW_IPS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    config = Config()
    for name, value in runpy.run_path(str(CONFIG), run_name="gunicorn_config_under_test").items():
        if name in config.settings:
            config.set(name, value)
    return config


@pytest.mark.parametrize("proxy", [None, "false", "no"])
def test_without_a_trusted_proxy_no_peer_may_set_the_scheme(monkeypatch, proxy):
    config = gunicorn_settings(monkeypatch, **({"DJANGO_SECURE_PROXY": proxy} if proxy else {}))
    assert config.forwarded_allow_ips == []
    assert config.proxy_allow_ips == []
    # Not even a peer on a UNIX socket, which gunicorn trusts whatever the list says.
    assert config.secure_scheme_headers == {}
    assert config.forwarder_headers == []


def test_the_forwarded_addresses_variable_alone_does_not_open_trust(monkeypatch):
    config = gunicorn_settings(monkeypatch, GUNICORN_FORWARDED_ALLOW_IPS="10.0.0.0/8", FORWARDED_ALLOW_IPS="*")
    assert config.forwarded_allow_ips == [] and config.secure_scheme_headers == {}


def test_behind_a_proxy_only_the_local_proxy_is_trusted_by_default(monkeypatch):
    config = gunicorn_settings(monkeypatch, DJANGO_SECURE_PROXY="true")
    assert config.forwarded_allow_ips == ["127.0.0.1", "::1"]
    assert config.proxy_allow_ips == ["127.0.0.1", "::1"]
    # The one header Django reads (SECURE_PROXY_SSL_HEADER), not gunicorn's other two.
    assert config.secure_scheme_headers == {"X-FORWARDED-PROTO": "https"}
    assert config.forwarder_headers == []


def test_behind_a_proxy_its_addresses_can_be_given(monkeypatch):
    config = gunicorn_settings(
        monkeypatch, DJANGO_SECURE_PROXY="true", GUNICORN_FORWARDED_ALLOW_IPS="10.0.0.5, 172.18.0.0/16"
    )
    assert config.forwarded_allow_ips == ["10.0.0.5", "172.18.0.0/16"]


def test_an_unreadable_proxy_setting_stops_gunicorn_with_a_message(monkeypatch):
    monkeypatch.setenv("DJANGO_SECURE_PROXY", "peut-être")
    with pytest.raises(SystemExit, match="DJANGO_SECURE_PROXY must be true or false"):
        runpy.run_path(str(CONFIG))


# --- A real gunicorn ---------------------------------------------------------------------------


def serve(tmp_path, **variables):
    """Start gunicorn with pole/gunicorn.py on a free port of 127.0.0.1; return (process, base URL).

    Debug on spares collectstatic; the SSL redirect on makes Django answer an insecure
    request with a redirect to https, so the status tells what ``request.is_secure()`` said.
    """
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("DJANGO_")}
    env.pop("FORWARDED_ALLOW_IPS", None)
    env.pop("GUNICORN_CMD_ARGS", None)
    env.update(
        DJANGO_DEBUG="true",
        DJANGO_SECURE_SSL_REDIRECT="true",
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        **variables,
    )
    log = open(tmp_path / "gunicorn.log", "w")  # closed by stop()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(CONFIG)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log = log
    return process, f"http://127.0.0.1:{port}"


def get_when_serving(process, url, headers, attempts=300):
    """GET ``url`` once gunicorn accepts connections, trying at most ``attempts`` times."""
    for _attempt in range(attempts):
        if process.poll() is not None:
            raise AssertionError(f"gunicorn stopped with status {process.returncode}")
        try:
            return httpx.get(url, headers=headers, timeout=60)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"gunicorn did not accept a connection after {attempts} attempts")


def stop(process):
    process.terminate()
    process.wait(timeout=60)
    process.log.close()


@pytest.mark.parametrize(
    ("proxy", "redirected"),
    [("false", True), ("true", False)],
    ids=["no-proxy-header-ignored", "proxy-header-trusted"],
)
def test_a_forwarded_https_header_from_127_0_0_1_makes_a_secure_request_only_behind_a_proxy(
    tmp_path, proxy, redirected
):
    process, base_url = serve(tmp_path, DJANGO_SECURE_PROXY=proxy)
    try:
        response = get_when_serving(process, f"{base_url}/connexion/", {"X-Forwarded-Proto": "https"})
    finally:
        stop(process)
    log = (tmp_path / "gunicorn.log").read_text()
    if redirected:
        assert response.status_code == 301, log
        assert response.headers["location"] == f"https://127.0.0.1:{base_url.rsplit(':', 1)[1]}/connexion/"
    else:
        assert response.status_code == 200, log
