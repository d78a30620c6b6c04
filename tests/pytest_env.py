"""Loaded with `-p tests.pytest_env` before Django starts: test-only environment defaults.

Real deployments set these themselves; the suite must run from a bare shell.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")
_VAR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "var", "test")
os.environ.setdefault("CLIENTREVIEW_VAR_DIR", _VAR)
os.makedirs(os.path.join(os.environ["CLIENTREVIEW_VAR_DIR"], "staticfiles"), exist_ok=True)
# Tests talk plain HTTP to the test client and the live server.
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("STATIC_MANIFEST", "false")
