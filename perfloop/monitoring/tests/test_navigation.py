"""Links between months and pages of the dashboards: other parameters survive, a new month starts every
list on its first page, and there is no "next" beyond the newest data."""

from __future__ import annotations

import time_machine
from django.core.paginator import Paginator
from django.http import QueryDict

from perfloop.core.months import Month
from perfloop.monitoring.navigation import TREND_MONTHS, month_navigation, month_url, month_window, pager

JUNE = Month(2025, 6)
PATH = "/dashboards/org/"


def test_the_window_is_twelve_months_ending_with_the_month_shown():
    window = month_window(JUNE)
    assert len(window) == TREND_MONTHS
    assert (window[0], window[-1]) == (Month(2024, 7), JUNE)


def test_a_new_month_keeps_the_unit_and_starts_every_list_on_its_first_page():
    query = QueryDict("unit=3&page=2&people=4&alerts=2&attention=3&runs=2&month=2025-05")
    assert month_url(path=PATH, query=query, month=JUNE) == f"{PATH}?unit=3&month=2025-06"


def test_there_is_no_next_month_beyond_the_newest_data():
    newest = month_navigation(path=PATH, query=QueryDict(), month=JUNE, latest=JUNE)
    assert newest.next is None
    assert newest.next_url is None
    assert newest.previous_url == f"{PATH}?month=2025-05"
    older = month_navigation(path=PATH, query=QueryDict(), month=JUNE - 2, latest=JUNE)
    assert older.next == JUNE - 1
    assert older.next_url == f"{PATH}?month=2025-05"


@time_machine.travel("2025-08-15 12:00 +0800", tick=False)
def test_without_data_the_months_run_up_to_the_current_one():
    navigation = month_navigation(path=PATH, query=QueryDict(), month=JUNE, latest=None)
    assert navigation.next == Month(2025, 7)
    assert month_navigation(path=PATH, query=QueryDict(), month=Month(2025, 8), latest=None).next is None


def test_a_pager_keeps_the_month_and_the_other_lists_pages():
    page = Paginator(list(range(30)), 10).page(2)
    links = pager(
        path=PATH, query=QueryDict("month=2025-06&alerts=3&people=2"), page=page, parameter="people"
    )
    assert links.is_needed
    assert links.previous_url == f"{PATH}?month=2025-06&alerts=3&people=1"
    assert links.next_url == f"{PATH}?month=2025-06&alerts=3&people=3"


def test_a_single_page_needs_no_pager():
    links = pager(path=PATH, query=QueryDict(), page=Paginator([1, 2], 10).page(1), parameter="page")
    assert not links.is_needed
    assert (links.previous_url, links.next_url) == (None, None)
