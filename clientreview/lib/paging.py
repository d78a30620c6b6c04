"""Pages of a long, newest-first log without counting the whole log.

Django's `Paginator` counts every row to number the pages: at 200,000 incidents that
COUNT(*) costs more than the page's own query. A log is read from its newest end and
paged with Newer and Older, so a page reads one row more than it shows, and that row
only says whether an older page exists. Only a page number past the end (a stale
bookmark) counts, to show the last page as `Paginator.get_page` does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

# Past this page the offset itself is unreasonable (and past a database's bigint): such
# a number is treated as past the end.
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class LogPage:
    object_list: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def log_page(rows: QuerySet, per_page: int, number: object) -> LogPage:
    """Page `number` of the ordered `rows`: the first when it is missing or not a whole
    number, the last when it is past the end."""
    text = str(number if number is not None else "").strip()
    if not (text.isascii() and text.isdigit()):
        wanted = 1
    else:
        wanted = max(1, int(text)) if len(text) <= 18 else MAX_PAGE + 1
    offset = (wanted - 1) * per_page
    found = list(rows[offset : offset + per_page + 1]) if wanted <= MAX_PAGE else []
    if not found and wanted > 1:
        last = max(1, math.ceil(rows.count() / per_page))
        if last < wanted:
            return log_page(rows, per_page, last)
    return LogPage(found[:per_page], wanted, has_next=len(found) > per_page)
