"""Reference rows as plain data: seeds, versions and lookups that never guess."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from perfloop.separation.law.errors import LawInputError
from perfloop.separation.reference import (
    AverageWageRow,
    ReferenceSet,
    find_average_wage,
    find_minimum_wage,
    local_wage_reference,
    normalize_city,
    read_reference_file,
    reference_set_from_csv,
    reference_set_from_mapping,
    seed_reference_set,
)


def test_seeds_load_and_every_row_names_its_source():
    seeds = seed_reference_set()
    assert {"shanghai", "beijing", "shenzhen", "guangzhou", "hangzhou"} <= seeds.cities
    rows: list[Any] = [*seeds.average_wages, *seeds.minimum_wages, *seeds.city_rules]
    assert all(row.source_note for row in rows)
    assert all(not row.is_verified for row in rows)  # nothing was matched to an official page when seeded
    assert len(seeds.retirement_age_rules) == 3


def test_cn_m_04_a_for_the_previous_year_and_the_minimum_wage_in_force():
    """CN-M-04: a 2023 termination in Shanghai uses the 2022 average (12,183) and the
    minimum then in force."""
    reference = local_wage_reference(seed_reference_set(), city="上海", termination_date=dt.date(2023, 6, 30))
    assert (reference.average_wage_year, reference.average_monthly_wage) == (2022, Decimal("12183"))
    assert reference.minimum_monthly_wage == Decimal("2590")
    assert reference.overtime_in_wage_base is False
    later = local_wage_reference(seed_reference_set(), city="shanghai", termination_date=dt.date(2023, 7, 1))
    assert later.minimum_monthly_wage == Decimal("2690")


def test_unknown_city_and_missing_year_are_different_errors():
    seeds = seed_reference_set()
    with pytest.raises(LawInputError) as city:
        local_wage_reference(seeds, city="Atlantis", termination_date=dt.date(2023, 6, 30))
    with pytest.raises(LawInputError) as year:
        local_wage_reference(seeds, city="shanghai", termination_date=dt.date(2031, 6, 30))
    with pytest.raises(LawInputError) as minimum:
        find_minimum_wage(seeds.minimum_wages, "shanghai", dt.date(2001, 1, 1))
    assert (city.value.code, year.value.code, minimum.value.code) == (
        "unknown_city",
        "no_reference_for_year",
        "no_minimum_wage_for_date",
    )
    assert year.value.details["years"] == [2021, 2022, 2023]


def test_the_highest_version_of_a_figure_wins():
    rows = (
        AverageWageRow("shanghai", 2022, Decimal("12000"), "first", version=1),
        AverageWageRow("shanghai", 2022, Decimal("12183"), "corrected", version=2),
    )
    assert find_average_wage(rows, "Shanghai", 2022).average_monthly_wage == Decimal("12183")


def test_csv_and_json_imports_read_the_same_fields(tmp_path: Path):
    csv_text = "\ufeffcity,year,average_monthly_wage,source,verification\n武汉,2023,9000,test,verified\n"
    from_csv = reference_set_from_csv(csv_text, "average_wages")
    assert from_csv.average_wages[0].city == "武汉"
    assert from_csv.average_wages[0].is_verified
    path = tmp_path / "ref.json"
    path.write_text(
        '{"minimum_wages": [{"city": "Wuhan", "effective_from": "2024-01-01", "monthly_minimum": "2210", '
        '"source": "test"}]}',
        "utf-8",
    )
    assert read_reference_file(path).minimum_wages[0].city == "wuhan"


@pytest.mark.parametrize(
    "row",
    [
        {"city": "x", "year": 2023, "average_monthly_wage": "0", "source": "s"},
        {"city": "x", "year": 2023, "average_monthly_wage": "9000"},
        {"city": "x", "year": 2023, "average_monthly_wage": "9000", "source": "s", "verification": "maybe"},
    ],
)
def test_bad_reference_rows_are_refused(row):
    with pytest.raises(LawInputError) as raised:
        reference_set_from_mapping({"average_wages": [row]})
    assert raised.value.code == "invalid_reference_row"


def test_bad_files_are_refused(tmp_path: Path):
    broken = tmp_path / "broken.json"
    broken.write_text("{", "utf-8")
    with pytest.raises(LawInputError) as invalid:
        read_reference_file(broken)
    with pytest.raises(LawInputError) as missing:
        read_reference_file(tmp_path / "absent.json")
    figures = tmp_path / "figures.csv"
    figures.write_text("city\n", "utf-8")
    with pytest.raises(LawInputError) as kind:
        read_reference_file(figures, kind="salaries")
    assert (invalid.value.code, missing.value.code, kind.value.code) == (
        "invalid_json",
        "unreadable_file",
        "invalid_choice",
    )


def test_city_names_normalise():
    assert normalize_city("上海市") == normalize_city(" Shanghai ") == "shanghai"
    assert ReferenceSet().cities == set()
