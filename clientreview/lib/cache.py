"""Django's Redis cache, with one `redis.Redis` client per connection pool instead of one
per call.

Django's `RedisCacheClient.get_client()` builds a new `redis.Redis` for every cache call,
and redis-py's constructor fills a table of some 170 response callbacks each time: about
a third of a warm page's time in the cache. A `redis.Redis` is safe to share between
threads (each command takes a connection from the pool), and the pool itself reconnects
after a fork, so one client per pool does the same work.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
