"""Small helpers shared by the hardening tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction
from django.test import Client as HttpClient

from tests.hardening.world import World

T = TypeVar("T")


def client_for(persona: str, world: World) -> HttpClient:
    """A fresh test client logged in as `persona` ("owner", "staff", "outsider" or "anon")."""
    client = HttpClient()
    user = {"owner": world.owner, "staff": world.staff, "outsider": world.outsider}.get(persona)
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def rolled_back(work: Callable[[], T]) -> tuple[T | None, BaseException | None]:
    """Run `work` in a savepoint that is always rolled back: (its result, or the exception).

    Each request of a corpus starts from the same data, and a database error (PostgreSQL
    refusing a value) cannot poison the rest of the test's transaction.
    """
    try:
        with transaction.atomic():
            result = work()
            transaction.set_rollback(True)
            return result, None
    except Exception as exc:  # noqa: BLE001 - reported as the test's finding
        return None, exc


def body_of(response: Any) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def is_html(response: Any) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def describe(exc: BaseException) -> str:
    return f"500: {type(exc).__name__}: {str(exc)[:200]}"
