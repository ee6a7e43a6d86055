"""Where a dashboard page links to: the previous and next month, the previous and next page of each list,
and the twelve months its trends cover.

Links are built from the page's path and query string, so the other parameters (the unit, the pages of
the other lists) survive a click.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from perfloop.core.months import Month
from perfloop.metrics.presentation import month_title

TREND_MONTHS = 12
"""Months the trends, the heat map and the exports cover, ending with the month shown."""

PAGE_PARAMETERS = ("page", "people", "alerts", "attention", "runs")
"""Query parameters of the paginated lists: a new month starts every list on its first page."""


@dataclass(frozen=True)
class MonthNavigation:
    month: Month
    title: str
    previous: Month
    next: Month | None
    previous_url: str
    next_url: str | None


@dataclass(frozen=True)
class Pager:
    """Previous/next links of one paginated list; the other query parameters (month, other lists) stay."""

    page: Page
    previous_url: str | None
    next_url: str | None

    @property
    def is_needed(self) -> bool:
        return self.page.paginator.num_pages > 1


def month_window(month: Month) -> list[Month]:
    """The twelve months the trends and the heat map show, ending with ``month``."""
    return [month - offset for offset in range(TREND_MONTHS - 1, -1, -1)]


def month_url(*, path: str, query: QueryDict, month: Month) -> str:
    """The same page for another month, every list back on its first page."""
    changed = query.copy()
    for name in PAGE_PARAMETERS:
        changed.pop(name, None)
    changed["month"] = str(month)
    return f"{path}?{changed.urlencode()}"


def month_navigation(*, path: str, query: QueryDict, month: Month, latest: Month | None) -> MonthNavigation:
    """Previous/next links; no "next" beyond the newest month with data (or this month, without data)."""
    upper = latest or Month.of(timezone.localdate())
    following = month + 1 if month < upper else None
    return MonthNavigation(
        month=month,
        title=month_title(month),
        previous=month - 1,
        next=following,
        previous_url=month_url(path=path, query=query, month=month - 1),
        next_url=month_url(path=path, query=query, month=following) if following else None,
    )


def pager(*, path: str, query: QueryDict, page: Page, parameter: str) -> Pager:
    """Links to the neighbouring pages of the list paginated by ``parameter``."""

    def url(number: int) -> str:
        changed = query.copy()
        changed[parameter] = str(number)
        return f"{path}?{changed.urlencode()}"

    return Pager(
        page=page,
        previous_url=url(page.previous_page_number()) if page.has_previous() else None,
        next_url=url(page.next_page_number()) if page.has_next() else None,
    )


def page_of(rows: QuerySet[Any], number: str | None, per_page: int) -> Page:
    """A page of ``rows``; the first page of a short list costs one query, not a count and a page."""
    if number in (None, "", "1"):
        head = list(rows[: per_page + 1])
        if len(head) <= per_page:
            return Paginator(head, per_page).page(1)
        # A longer list: these are its first page already, only the count is left to ask.
        return Page(head[:per_page], 1, Paginator(rows, per_page))
    return Paginator(rows, per_page).get_page(number)
