"""Pagination whose total is counted once per change, not on every page view.

Django's `Paginator` counts every matching row on each request. For a business's
200,000 incidents that count alone takes tens of milliseconds in PostgreSQL, and it
changes only when something is written: the caller passes a `count` it keeps cached
(`assessments.portfolio_cache.remember`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CountedPaginator(Paginator):
    """`Paginator`, with the total from `count()` instead of counting `object_list`."""

    def __init__(self, object_list: Any, per_page: int, *, count: Callable[[], int], **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._count = count

    @cached_property
    def count(self) -> int:
        return self._count()
