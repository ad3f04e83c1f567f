"""``/sante/``: a status code for a load balancer, the checks' results for staff only."""

import json
import os
import socket

import pytest
from django.test import Client

from members.tests.factories import RepresentativeFactory

pytestmark = pytest.mark.django_db

URL = "/sante/"


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_anyone_gets_a_status_and_one_word(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_staff_get_each_check_in_french(personnel_client):
    response = personnel_client.get(URL, {"format": "json"})
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["ok"] is True
    assert [row["check"] for row in body["checks"]] == [
        "Base de données",
        "Cache",
        "Fichiers publics",
        "Fichiers privés",
    ]
    assert all(row["status"] == "en service" for row in body["checks"])
    text = personnel_client.get(URL).content.decode()
    assert text.startswith("En bon état\n") and "Fichiers privés\u00a0: en service" in text


def test_a_representative_gets_no_detail():
    client = Client()
    client.force_login(RepresentativeFactory().user)
    assert client.get(URL, {"format": "json"}).content == b"ok\n"


def test_a_failing_storage_is_a_503_with_no_detail_to_the_public(settings, tmp_path, client, personnel_client):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the private folder should be")
    settings.POLE_PRIVATE_ROOT = blocker
    response = Client().get(URL)
    assert (response.status_code, response.content) == (503, b"indisponible\n")
    rows = json.loads(personnel_client.get(URL, {"format": "json"}).content)["checks"]
    failing = [row["check"] for row in rows if not row["ok"]]
    assert failing == ["Fichiers privés"]


def test_an_unreachable_redis_is_a_503(settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{closed_port()}/0"
    assert Client().get(URL).status_code == 503


def test_a_reachable_redis_is_checked(settings, personnel_client):
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    settings.REDIS_URL = url
    rows = json.loads(personnel_client.get(URL, {"format": "json"}).content)["checks"]
    assert ("Cache (Redis)", True) in [(row["check"], row["ok"]) for row in rows]


def test_the_health_endpoint_is_never_redirected_to_https(settings):
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get(URL).status_code == 200
    assert Client().get("/membres/").status_code == 301


def test_it_answers_from_a_thread_that_runs_an_event_loop(client):
    """A browser driver's loop in the calling thread (the end-to-end tests) must not break it."""
    import asyncio

    async def ask():
        return client.get(URL)

    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no loop yet in this thread: run one around the request
        response = asyncio.run(ask())
    else:  # the browser tests already run one here
        response = client.get(URL)
    assert (response.status_code, response.content) == (200, b"ok\n")
