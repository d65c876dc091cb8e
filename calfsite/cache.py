"""
A Redis cache that treats Redis being down as a cache miss: slower, never broken.

After a failure the cache is skipped for a few seconds, so that a Redis that does not answer
costs one short timeout now and then, not one on every call.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0


class ForgivingRedisCache(RedisCache):
    _down_until = 0.0

    def _call(self, name, fallback, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return fallback
        try:
            return getattr(super(), name)(*args, **kwargs)
        except Exception as error:  # redis.ConnectionError, TimeoutError, ...
            logger.warning("cache unavailable: %s", type(error).__name__)
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            return fallback

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def set(self, *args, **kwargs):
        return self._call("set", None, *args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", False, *args, **kwargs)

    def set_many(self, data, *args, **kwargs):
        return self._call("set_many", list(data), data, *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", False, *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", False, *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", None, *args, **kwargs)

    def clear(self):
        return self._call("clear", False)

    def incr(self, key, delta=1, version=None):
        # incr of a missing key raises ValueError in every backend; keep that contract.
        if time.monotonic() >= self._down_until:
            try:
                return super().incr(key, delta, version)
            except ValueError:
                raise
            except Exception as error:
                logger.warning("cache unavailable: %s", type(error).__name__)
                self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
        raise ValueError(f"Key '{key}' not found (cache unavailable)")
