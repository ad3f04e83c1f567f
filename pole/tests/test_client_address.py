"""The client's address: X-Forwarded-For is believed only from the configured proxies."""

import os
import subprocess
import sys

import pytest
from django.test import RequestFactory

from pole.client_address import client_ip_address

CLIENT, FORGED, PROXY = "203.0.113.7", "198.51.100.99", "10.0.0.2"


def address(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip_address(RequestFactory().get("/", **extra))


@pytest.fixture
def behind_proxy(settings):
    settings.SECURE_PROXY = True
    settings.TRUSTED_PROXIES = [PROXY, "172.16.0.0/12"]


def test_a_peer_that_is_not_a_proxy_cannot_choose_its_address(behind_proxy):
    # Anyone reaching gunicorn directly, header and all: their own address counts.
    assert address(CLIENT, FORGED) == CLIENT
    assert address(CLIENT, f"{FORGED}, {PROXY}") == CLIENT


def test_behind_a_trusted_proxy_the_address_it_appended_counts(behind_proxy):
    assert address(PROXY, CLIENT) == CLIENT
    assert address(PROXY, f"{FORGED}, {CLIENT}") == CLIENT  # the client's own entries prove nothing


def test_a_chain_of_trusted_proxies_is_read_from_the_right(behind_proxy):
    assert address(PROXY, f"{FORGED}, {CLIENT}, 172.16.4.5") == CLIENT


def test_a_trusted_proxy_with_no_or_unreadable_header_counts_as_itself(behind_proxy):
    assert address(PROXY) == PROXY
    assert address(PROXY, "n'importe quoi") == PROXY


def test_without_a_proxy_the_header_is_ignored(settings):
    settings.SECURE_PROXY = False
    assert address(CLIENT, FORGED) == CLIENT


def test_the_trusted_list_is_gunicorns_and_a_bad_entry_fails_loudly():
    code = "import django; django.setup(); from django.conf import settings; print(settings.TRUSTED_PROXIES)"
    env = {"DJANGO_SECURE_PROXY": "true", "GUNICORN_FORWARDED_ALLOW_IPS": "10.0.0.2, 172.16.0.0/12",
           "DJANGO_SETTINGS_MODULE": "pole.settings", "DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "a"}
    run = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True)
    assert run.stdout.strip() == "['10.0.0.2', '172.16.0.0/12']", run.stderr[-500:]
    env["GUNICORN_FORWARDED_ALLOW_IPS"] = "proxy.local"
    run = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True)
    assert "GUNICORN_FORWARDED_ALLOW_IPS: 'proxy.local' is not an address" in run.stderr
