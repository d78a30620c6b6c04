"""Fixtures of the hardening tier: business A with one of everything (`world`, in
tests/conftest.py; see world.py). Passwords hash fast in every unit test (tests/conftest.py):
the corpus logs people in thousands of times."""
