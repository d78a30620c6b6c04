"""Fixtures of the hardening tier: business A with one of everything (see world.py)."""

from __future__ import annotations

import pytest

from tests.hardening.world import World, build_world


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The corpus logs people in thousands of times; real hashing would take minutes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(business, owner, staff, other_business, outsider) -> World:
    return build_world(business, owner, staff, other_business, outsider)
