"""Where the inbox lets a notification's link lead: this site's paths only."""

from __future__ import annotations

import pytest

from perfloop.accounts.inbox import inbox_path

SITE = "https://perf.example.cn"


@pytest.mark.parametrize(
    ("link", "path"),
    [
        ("/dashboards/teams/3/", "/dashboards/teams/3/"),
        (f"{SITE}/goals/?month=2026-01", "/goals/?month=2026-01"),
        (f"{SITE}/", "/"),
        ("", ""),
        ("https://evil.example.com/dashboards/", ""),
        (f"{SITE}.evil.example.com/dashboards/", ""),
        ("//evil.example.com/", ""),
        ("/\\evil.example.com", ""),
        ("javascript:alert(1)", ""),
        ("dashboards/teams/3/", ""),
    ],
)
def test_only_a_path_of_this_site_is_followed(link, path):
    assert inbox_path(link, SITE) == path


def test_without_a_site_address_an_absolute_link_is_not_followed():
    assert inbox_path(f"{SITE}/goals/") == ""
    assert inbox_path("/goals/") == "/goals/"
