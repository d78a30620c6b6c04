"""Fixtures of the hardening tier: business A with one of everything (`world`, in
tests/conftest.py; see world.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(fast_password_hashing):
    # The corpus logs people in thousands of times; real hashing would take minutes.
    return fast_password_hashing
