"""Settings of object storage, the shared cache and the private folder: read from the environment, refused when wrong."""

import runpy

import pytest
from django.core.exceptions import ImproperlyConfigured

from pole import settings as settings_module

VARIABLES = (
    "POLE_S3_PUBLIC_BUCKET",
    "POLE_S3_PRIVATE_BUCKET",
    "POLE_S3_ENDPOINT_URL",
    "POLE_S3_PUBLIC_URL",
    "POLE_S3_REGION",
    "REDIS_URL",
    "MEDIA_ROOT",
    "POLE_PRIVATE_ROOT",
    "POLE_CACHE_DIR",
)


@pytest.fixture
def load(monkeypatch):
    """``load(**variables)``: pole/settings.py executed afresh with these variables."""

    def run(**variables):
        for name in VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(settings_module.__file__, run_name="pole_settings_under_test")

    return run


def test_the_local_disk_and_the_file_cache_by_default(load):
    settings = load()
    assert settings["STORAGES"]["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert settings["STORAGES"]["private"]["BACKEND"] == "pole.storage.PrivateFileSystemStorage"
    assert settings["CACHES"]["default"]["BACKEND"].endswith("FileBasedCache")
    assert settings["CONTENT_SECURITY_POLICY"]["img-src"] == "'self' data:"


def test_two_buckets_make_two_s3_storages_and_allow_the_public_address_for_images(load):
    settings = load(
        POLE_S3_PUBLIC_BUCKET="pole-public",
        POLE_S3_PRIVATE_BUCKET="pole-private",
        POLE_S3_ENDPOINT_URL="https://s3.exemple.org",
        POLE_S3_PUBLIC_URL="https://fichiers.exemple.org/pole",
    )
    public, private = settings["STORAGES"]["default"], settings["STORAGES"]["private"]
    assert public["BACKEND"] == private["BACKEND"] == "storages.backends.s3.S3Storage"
    assert public["OPTIONS"]["bucket_name"] == "pole-public" and public["OPTIONS"]["querystring_auth"] is False
    assert public["OPTIONS"]["custom_domain"] == "fichiers.exemple.org/pole"
    assert private["OPTIONS"]["bucket_name"] == "pole-private" and "custom_domain" not in private["OPTIONS"]
    assert public["OPTIONS"]["file_overwrite"] is private["OPTIONS"]["file_overwrite"] is False
    assert settings["CONTENT_SECURITY_POLICY"]["img-src"] == "'self' data: https://fichiers.exemple.org"


def test_without_a_public_address_the_bucket_is_read_at_the_endpoint(load):
    settings = load(
        POLE_S3_PUBLIC_BUCKET="pub", POLE_S3_PRIVATE_BUCKET="priv", POLE_S3_ENDPOINT_URL="http://127.0.0.1:9000"
    )
    assert settings["POLE_S3_PUBLIC_URL"] == "http://127.0.0.1:9000/pub"
    assert settings["STORAGES"]["default"]["OPTIONS"]["addressing_style"] == "path"


@pytest.mark.parametrize(
    "variables, message",
    [
        ({"POLE_S3_PUBLIC_BUCKET": "pub"}, "must be set together"),
        ({"POLE_S3_PUBLIC_BUCKET": "one", "POLE_S3_PRIVATE_BUCKET": "one"}, "must be two buckets"),
        (
            {"POLE_S3_PUBLIC_BUCKET": "a", "POLE_S3_PRIVATE_BUCKET": "b", "POLE_S3_PUBLIC_URL": "fichiers.exemple.org"},
            "must be an http or https address",
        ),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL must be a redis://"),
        ({"MEDIA_ROOT": "/srv/pole/media", "POLE_PRIVATE_ROOT": "/srv/pole/media/private"}, "two separate folders"),
        ({"MEDIA_ROOT": "/srv/pole/files/media", "POLE_PRIVATE_ROOT": "/srv/pole/files"}, "two separate folders"),
    ],
)
def test_wrong_settings_stop_the_process_with_a_clear_message(load, variables, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        load(**variables)


def test_redis_url_makes_the_shared_cache(load):
    settings = load(REDIS_URL="redis://127.0.0.1:6379/1")
    assert settings["CACHES"]["default"]["BACKEND"] == "pole.cache.RedisCache"
    assert settings["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/1"
