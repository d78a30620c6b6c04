"""Sessions: stored in the database, read through the cache (Django's `cached_db`).

Every logged-in request reads its session; from Redis that is one round trip instead of
a query. The database stays the record, so a cache outage never logs anyone out:

- reads fall back to the database, and a failed cache write is logged, not raised
  (Django's own store raises from `load()` and `exists()` after a database read, and
  from `delete()`, which would fail a login or a logout while Redis is down);
- the identity epoch (`accounts.identity`) is read in the same round trip;
- a cached copy lives at most `SESSION_CACHE_SECONDS`. If a logout cannot reach the
  cache, the database row is gone at once and the cached copy expires within that time.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

logger = logging.getLogger("django.contrib.sessions")


class SessionStore(CachedDBStore):
    def _cache_seconds(self, expiry=None) -> int:
        return min(self.get_expiry_age(expiry=expiry), settings.SESSION_CACHE_SECONDS)

    # The identity epoch read with the session (`accounts.identity`); None: not known.
    identity_epoch: str | None = None

    def load(self):
        from accounts import identity  # imports the models, which this module must not

        key = self.cache_key
        try:
            found = self._cache.get_many([key, identity.EPOCH_KEY])
            self.identity_epoch = identity.read_epoch(found)
        except Exception:  # noqa: BLE001 - unreachable cache or invalid key: ask the database
            found = {}
            self.identity_epoch = None
        data = found.get(key)
        if data is not None:
            return data
        found = self._get_session_from_db()
        if not found:
            return {}
        data = self.decode(found.session_data)
        self._cache_set(data, self._cache_seconds(found.expire_date))
        return data

    def exists(self, session_key):
        if not session_key:
            return False
        try:
            if (self.cache_key_prefix + session_key) in self._cache:
                return True
        except Exception:  # noqa: BLE001
            logger.warning("session cache unreachable: asking the database", exc_info=True)
        return super(CachedDBStore, self).exists(session_key)

    def save(self, must_create=False):
        super(CachedDBStore, self).save(must_create)
        self._cache_set(self._session, self._cache_seconds())

    def delete(self, session_key=None):
        super(CachedDBStore, self).delete(session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        try:
            self._cache.delete(self.cache_key_prefix + session_key)
        except Exception:  # noqa: BLE001
            logger.exception(
                "could not drop a deleted session from the cache; it expires within %s s",
                settings.SESSION_CACHE_SECONDS,
            )

    def _cache_set(self, data, seconds: int) -> None:
        try:
            self._cache.set(self.cache_key, data, seconds)
        except Exception:  # noqa: BLE001
            logger.warning("could not cache a session", exc_info=True)
