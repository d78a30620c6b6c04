"""Exit 0 when PostgreSQL and Redis answer at the given URLs (used by `make test-services`)."""

from __future__ import annotations

import socket
import sys
from urllib.parse import urlsplit


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    pg, redis = sys.argv[1], sys.argv[2]
    ok = reachable(pg, 5432) and reachable(redis, 6379)
    print("services reachable" if ok else "services unreachable")
    sys.exit(0 if ok else 1)
