"""The calculator page: who may use it and what it shows."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from perfloop.separation.views import calculator_input

pytestmark = pytest.mark.django_db

URL = reverse("separation:calculator")
FORM = {
    "city": "shanghai",
    "hire_date": "2020-01-01",
    "termination_date": "2023-06-30",
    "notice_date": "2023-05-31",
    "notice_given": "false",
    "monthly_wage": "8000",
    "negotiated_extra_months": "1",
}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_signed_out_visitors_are_sent_to_sign_in():
    response = Client().get(URL)
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("rep", 403),
        ("mentor", 403),
        ("recruiter", 403),
        ("executive", 403),
        ("sysadmin", 403),
        ("manager", 200),
        ("hrbp", 200),
        ("legal", 200),
    ],
)
def test_the_page_is_for_hr_legal_and_managers(everyone, persona, status):
    assert _client(everyone[persona]).get(URL).status_code == status


def test_it_shows_every_figure_with_its_working(legal):
    response = _client(legal).post(URL, FORM, headers={"accept-language": "en"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "32,000.00" in html
    assert "64,000.00" in html
    assert "CN-M-02" in html
    assert "2023-05-31" in html  # pay in lieu: the last working day is the notice date


def test_it_shows_the_working_in_chinese(hrbp):
    response = _client(hrbp).post(URL, FORM, headers={"accept-language": "zh-hans"})
    assert "经济补偿" in response.content.decode()


def test_bad_input_shows_the_specific_error(hrbp):
    response = _client(hrbp).post(URL, {**FORM, "hire_date": "2023-02-30"})
    assert response.status_code == 400
    assert "invalid_date" in response.content.decode()


def test_monthly_wage_lines_are_read_into_rows():
    data = calculator_input({"wages": "2024-07 8000 500\n\n2024-08,8100", "include_overtime": "false"})
    assert data["wages"] == [
        {"month": "2024-07", "amount": "8000", "overtime": "500"},
        {"month": "2024-08", "amount": "8100"},
    ]
    assert data["parameters"] == {"include_overtime": "false"}


def test_the_choices_read_in_words_not_codes(hrbp):
    page = _client(hrbp).get(URL, headers={"accept-language": "en"}).content.decode()
    assert ">A started month counts as a whole month</option>" in page
    assert ">MOL 1994 No. 481: a month per started year, at most 12</option>" in page
    assert ">started_month_counts<" not in page
    assert ">mol_1994_481<" not in page
