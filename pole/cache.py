"""The shared cache: Django's Redis cache, answering as an empty cache while Redis is unreachable.

Everything the app keeps in its cache (report PDFs, the network's identity, the public pages)
can be made again from the database and the files. So a Redis that is down, restarting or
unreachable costs renderings, never an error page: reads miss, writes are dropped, and a
warning is logged (at most once a minute per process). The health endpoint (``/sante/``)
pings Redis itself, so an operator still sees it down.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Seconds between two warnings of one process about an unreachable Redis.
WARNING_INTERVAL = 60


class RedisCache(DjangoRedisCache):
    """``django.core.cache.backends.redis.RedisCache`` that survives Redis being down."""

    _last_warning = 0.0

    def _unreachable(self, operation, error, result):
        now = time.monotonic()
        if now - RedisCache._last_warning >= WARNING_INTERVAL:
            RedisCache._last_warning = now
            logger.warning("The cache (Redis) is unreachable, %s skipped: %s", operation, error)
        return result

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except RedisError as error:
            return self._unreachable("add", error, False)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except RedisError as error:
            return self._unreachable("get", error, default)

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except RedisError as error:
            self._unreachable("set", error, None)

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except RedisError as error:
            return self._unreachable("touch", error, False)

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except RedisError as error:
            return self._unreachable("delete", error, False)

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except RedisError as error:
            return self._unreachable("get_many", error, {})

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except RedisError as error:
            return self._unreachable("has_key", error, False)

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except RedisError as error:
            return self._unreachable("set_many", error, list(data))

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except RedisError as error:
            return self._unreachable("delete_many", error, None)

    def clear(self):
        """Delete this cache's keys only (its KEY_PREFIX), not the whole Redis database.

        Django's own ``clear`` empties the database (FLUSHDB), which would also drop a task
        queue or another site sharing it.
        """
        try:
            client = self._cache.get_client(write=True)
            batch = []
            for key in client.scan_iter(match=f"{self.key_prefix}:*", count=1000):
                batch.append(key)
                if len(batch) >= 1000:
                    client.delete(*batch)
                    batch = []
            if batch:
                client.delete(*batch)
            return True
        except RedisError as error:
            return self._unreachable("clear", error, False)

    def ping(self):
        """Ask Redis itself (no error swallowed): for the health check."""
        return self._cache.get_client(write=True).ping()
