"""Who is asking: the logged-in user and their memberships, mostly without a query.

Every logged-in request needs the user and the user's memberships (with their
businesses). `MemberBackend` loads them in one query; this module keeps the result in
each process and reuses it while nothing it holds has changed:

- Any save or delete of a user, membership or business sets a new random *epoch* in the
  shared cache once the transaction commits (`connect_signals`). A login's
  `last_login` update is the one save that does not: nothing shown or checked reads it.
- The session store reads the epoch in the same round trip as the session
  (`accounts.sessions.SessionStore.load`). A snapshot is used only if it was taken under
  that same epoch, and for at most `MAX_AGE` seconds; otherwise the database is asked.
  So a removed membership, a role change, a deactivated user or a new password counts
  on the next request, on every process.
- The checks Django makes on every request still run on the snapshot: the session's
  backend, the user being active, and the session's password hash.
- Each request gets its own copy (unpickled), so nothing a request changes on
  `request.user` or `request.business` leaks into another.
- Without the shared cache (no Redis, or Redis unreachable) there is no epoch: every
  request asks the database, and the snapshots are dropped, so none taken before an
  outage is trusted after it.

A write that cannot reach the cache to set a new epoch is logged; snapshots then expire
within `MAX_AGE`.
"""

from __future__ import annotations

import logging
import pickle
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.crypto import constant_time_compare

from accounts.backends import PATH as BACKEND_PATH
from accounts.models import Business, Membership, User
from clientreview.lib.lru import Lru

logger = logging.getLogger(__name__)

EPOCH_KEY = "accounts:identity:epoch"
MAX_AGE = 60.0  # seconds a snapshot is trusted, even under an unchanged epoch
LIMIT = 2000  # users remembered per process


@dataclass(frozen=True)
class _Snapshot:
    epoch: str
    taken: float
    user: bytes  # the pickled user, with its memberships in `loaded_memberships`


_snapshots: Lru[str, _Snapshot] = Lru(LIMIT)


def get_user(request):
    """What `django.contrib.auth.get_user(request)` returns, from a snapshot if one holds."""
    user_id = request.session.get(auth.SESSION_KEY)  # loads the session, and the epoch
    if user_id is None:
        return AnonymousUser()
    epoch = getattr(request.session, "identity_epoch", None)
    if epoch is None:
        forget_all()
        return auth.get_user(request)
    user = _from_snapshot(str(user_id), epoch, request.session)
    if user is not None:
        return user
    user = auth.get_user(request)
    if getattr(user, "loaded_memberships", None) is not None:
        _remember(str(user.pk), epoch, user)
    return user


def _from_snapshot(user_id: str, epoch: str, session):
    snapshot = _snapshots.get(user_id)
    if (
        snapshot is None
        or snapshot.epoch != epoch
        or time.monotonic() - snapshot.taken > MAX_AGE
        or session.get(BACKEND_SESSION_KEY) != BACKEND_PATH
        or BACKEND_PATH not in settings.AUTHENTICATION_BACKENDS
    ):
        return None
    user = pickle.loads(snapshot.user)  # noqa: S301 - pickled by this process, never received
    session_hash = session.get(HASH_SESSION_KEY)
    if (
        not user.is_active
        or not session_hash
        or not constant_time_compare(session_hash, user.get_session_auth_hash())
    ):
        # Django's own path decides: fallback keys, or flushing the session.
        return None
    return user


def _remember(user_id: str, epoch: str, user) -> None:
    _snapshots.put(user_id, _Snapshot(epoch, time.monotonic(), pickle.dumps(user)))


def forget_all() -> None:
    _snapshots.clear()


def read_epoch(found: dict) -> str | None:
    """The epoch from a cache read that asked for `EPOCH_KEY`; sets one if there is none."""
    epoch = found.get(EPOCH_KEY)
    if epoch is None:
        # First use, or the cache was emptied: start an epoch; this request asks the database.
        cache.add(EPOCH_KEY, secrets.token_hex(8), None)
    return epoch


def new_epoch() -> None:
    """Every process's snapshots are stale from now on."""
    try:
        cache.set(EPOCH_KEY, secrets.token_hex(8), None)
    except Exception:  # noqa: BLE001 - a cache outage must never fail a write
        logger.exception(
            "could not start a new identity epoch; snapshots expire within %s s", MAX_AGE
        )


def new_epoch_on_commit() -> None:
    """`new_epoch()` once the current transaction commits (at once outside one): a
    request in between would read the old rows and could keep them under the new epoch."""
    transaction.on_commit(new_epoch)


def _changed(sender, instance, update_fields=None, **kwargs) -> None:
    if sender is User and update_fields is not None and set(update_fields) == {"last_login"}:
        return
    new_epoch_on_commit()


def connect_signals() -> None:
    for model in (User, Membership, Business):
        uid = f"identity-epoch-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=uid + "-delete")
