"""The shared cache (Redis, pole/cache.py): shared by every server, and never an error page when Redis is down."""

import os
import socket
import uuid

import pytest
from django.core.cache import cache
from django.test import Client

from members.tests.factories import MemberFactory
from pole.fiscal_years import FiscalYear
from pole.page_cache import HEADER

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]


def redis_cache(settings, url, prefix):
    settings.CACHES = {
        "default": {
            "BACKEND": "pole.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture
def live_redis(settings):
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    prefix = f"test-{uuid.uuid4().hex}"
    redis_cache(settings, os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/1", prefix)
    yield prefix
    cache.clear()


def test_pages_and_the_identity_come_from_redis(live_redis):
    MemberFactory(name="Coopérative partagée", directory_consent=True, fiscal_years=[FiscalYear.current().label])
    assert Client().get("/membres/")[HEADER] == "miss"
    assert Client().get("/membres/")[HEADER] == "hit"
    assert cache.get("pole:network-identity:1") is not None


def test_clearing_the_cache_deletes_its_own_keys_only(live_redis, settings):
    import redis

    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    client.set(f"other-{live_redis}", "a queue's key")
    cache.set("mine", "x")
    cache.clear()
    assert cache.get("mine") is None
    assert client.get(f"other-{live_redis}") == b"a queue's key"
    client.delete(f"other-{live_redis}")


def test_an_unreachable_redis_costs_renderings_never_an_error(settings, caplog):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    redis_cache(settings, f"redis://127.0.0.1:{port}/0", "down")
    MemberFactory(name="Coopérative sans cache", directory_consent=True, fiscal_years=[FiscalYear.current().label])
    for _ in range(2):
        response = Client().get("/membres/")
        assert response.status_code == 200 and "Coopérative sans cache" in response.content.decode()
    assert Client().get("/").status_code == 200
    assert cache.get("anything", "default") == "default"
