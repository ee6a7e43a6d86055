"""Links read outside the browser (e-mail, chat) carry the site address."""

from perfloop.core.links import absolute_url


def test_a_path_gets_the_site_address(settings):
    settings.PERFLOOP_SITE_URL = "https://perf.example.cn"
    assert absolute_url("/dashboards/team/3/") == "https://perf.example.cn/dashboards/team/3/"


def test_without_a_site_address_the_path_stays_as_it_is(settings):
    settings.PERFLOOP_SITE_URL = ""
    assert absolute_url("/dashboards/") == "/dashboards/"


def test_a_full_address_or_no_link_is_left_alone(settings):
    settings.PERFLOOP_SITE_URL = "https://perf.example.cn"
    assert absolute_url("https://other.example/x") == "https://other.example/x"
    assert absolute_url("") == ""
