"""A Redis cache that treats Redis being down as a cache miss: slower, never broken."""

import logging

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)


class ForgivingRedisCache(RedisCache):
    def _forgive(name, default=None):  # noqa: N805 - a decorator factory used in the body
        def method(self, *args, **kwargs):
            try:
                return getattr(super(), name)(*args, **kwargs)
            except Exception as error:  # redis.ConnectionError, TimeoutError, ...
                logger.warning("cache unavailable: %s", type(error).__name__)
                return default() if callable(default) else default

        method.__name__ = name
        return method

    get = _forgive("get")
    set = _forgive("set")
    add = _forgive("add", False)
    delete = _forgive("delete", False)
    get_many = _forgive("get_many", dict)
    set_many = _forgive("set_many", list)
    delete_many = _forgive("delete_many")
    incr = _forgive("incr", 0)
    touch = _forgive("touch", False)
    has_key = _forgive("has_key", False)
    clear = _forgive("clear", False)
    del _forgive
