"""Codes as people type them, keys as they type them into an app, and the QR code the page shows."""

from __future__ import annotations

import datetime as dt

from perfloop.accounts.second_factor import grouped_secret, normalised_code, qr_svg, seconds_to_wait


def test_codes_are_compared_without_spaces_dashes_or_case():
    assert normalised_code(" 123 456 ") == "123456"
    assert normalised_code("ABCD-efgh") == "abcdefgh"
    assert normalised_code("") == ""


def test_a_key_is_shown_as_base32_in_groups_of_four():
    assert grouped_secret("48656c6c6f21deadbeef") == "JBSW Y3DP EHPK 3PXP"


def test_the_qr_code_is_inline_svg_without_style_attributes():
    svg = qr_svg("otpauth://totp/perfloop:hrbp?secret=JBSWY3DPEHPK3PXP")
    assert svg.startswith("<svg")
    assert "style=" not in svg
    assert "<script" not in svg


def test_a_throttled_device_says_how_many_seconds_to_wait():
    now = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
    assert seconds_to_wait(now + dt.timedelta(seconds=3.2), now) == 4
    assert seconds_to_wait(now - dt.timedelta(seconds=1), now) == 1
    assert seconds_to_wait(None, now) == 1
