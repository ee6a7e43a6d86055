"""The client's address: the peer's, or what our own proxies saw — never what the client wrote itself."""

from __future__ import annotations

from django.test import RequestFactory, override_settings

from perfloop.accounts.clients import client_ip, lockout_address


def request(peer: str = "10.0.0.5", forwarded: str | None = None):
    headers = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/accounts/sign-in/", **headers)


def test_without_proxies_a_forwarded_header_is_ignored():
    assert client_ip(request(forwarded="203.0.113.9")) == "10.0.0.5"


@override_settings(PERFLOOP_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_it_appended_counts_and_a_forged_one_does_not():
    assert client_ip(request(forwarded="203.0.113.9")) == "203.0.113.9"
    # The client wrote "1.2.3.4" itself; our proxy appended the address it really saw.
    assert client_ip(request(forwarded="1.2.3.4, 198.51.100.7")) == "198.51.100.7"


@override_settings(PERFLOOP_PROXY_COUNT=2)
def test_behind_two_proxies_the_outer_ones_view_counts():
    assert client_ip(request(forwarded="1.2.3.4, 198.51.100.7, 10.0.0.2")) == "198.51.100.7"


@override_settings(PERFLOOP_PROXY_COUNT=1)
def test_a_request_that_went_round_the_proxy_or_a_garbled_header_falls_back_to_the_peer():
    assert client_ip(request()) == "10.0.0.5"
    assert client_ip(request(forwarded="not-an-address")) == "10.0.0.5"
    assert client_ip(request(forwarded="2001:db8::1")) == "2001:db8::1"


def test_the_lockout_counts_an_ipv6_subscriber_network_as_one_address():
    first = lockout_address(request(peer="2001:db8:1:2::10"))
    assert first == "2001:db8:1:2::"
    assert lockout_address(request(peer="2001:db8:1:2:ffff::1")) == first
    assert lockout_address(request(peer="2001:db8:1:3::10")) != first
    assert lockout_address(request(peer="203.0.113.9")) == "203.0.113.9"


def test_a_peer_that_is_not_an_ip_address_is_counted_as_it_is():
    assert lockout_address(request(peer="unix:/run/perfloop.sock")) == "unix:/run/perfloop.sock"
