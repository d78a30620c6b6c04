"""Project-level views: health check, error pages."""

from __future__ import annotations

import logging
import sys

from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for the proxy and compose: no database, no session."""
    return HttpResponse("ok", content_type="text/plain")


def server_error(request: HttpRequest) -> HttpResponse:
    """500 handler that tells a database outage apart from a bug.

    While PostgreSQL is down every query raises; the user gets a clear
    "try again in a moment" page (503) and broken connections are closed so
    the next request reconnects once the database is back.
    """
    exc = sys.exc_info()[1]
    if isinstance(exc, DatabaseError) and _is_connection_failure():
        for conn in connections.all(initialized_only=True):
            try:
                conn.close()
            except DatabaseError:
                logger.debug("closing a broken connection failed", exc_info=True)
        # Rendered without the request: context processors would query the database.
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "10"
        return response
    return HttpResponse(render_to_string("500.html"), status=500)


def _is_connection_failure() -> bool:
    for conn in connections.all(initialized_only=True):
        if conn.connection is None or not conn.is_usable():
            return True
    return False
