"""The two S3 storages (django-storages) as ``STORAGES`` entries, from the ``POLE_S3_*`` settings.

A plain function with no Django import, so that ``pole/settings.py`` and the tests (against a
moto server) build them alike. See ``pole/storage.py`` for what each storage holds.
"""

from urllib.parse import urlsplit

BACKEND = "storages.backends.s3.S3Storage"


def s3_storages(
    *,
    public_bucket,
    private_bucket,
    public_url,
    endpoint_url=None,
    region=None,
    access_key=None,
    secret_key=None,
    addressing_style=None,
    public_acl=None,
):
    """Return ``{"default": …, "private": …}`` for two buckets: public files, and private ones.

    ``public_url`` is where browsers read the public files (the bucket's address or a CDN's).
    The private bucket is only ever read by the app, which hands its files out through
    permission-checked views.
    """
    address = urlsplit(public_url)
    common = {
        "endpoint_url": endpoint_url,
        "region_name": region,
        "access_key": access_key,
        "secret_key": secret_key,
        # A name is never reused for other content: caches key files by name (pole/storage.py).
        "file_overwrite": False,
        # A custom endpoint (MinIO, Ceph, a provider's, moto) is addressed by path unless told otherwise.
        "addressing_style": addressing_style or ("path" if endpoint_url else None),
    }
    return {
        "default": {
            "BACKEND": BACKEND,
            "OPTIONS": {
                **common,
                "bucket_name": public_bucket,
                "querystring_auth": False,
                "custom_domain": address.netloc + address.path.rstrip("/"),
                "url_protocol": f"{address.scheme}:",
                # Some providers grant public read per object (« public-read »), others per bucket.
                "default_acl": public_acl,
            },
        },
        "private": {
            "BACKEND": BACKEND,
            "OPTIONS": {**common, "bucket_name": private_bucket, "default_acl": None},
        },
    }
