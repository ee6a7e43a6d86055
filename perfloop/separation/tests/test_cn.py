"""The mainland-China pack: its declarations, and plain input read into typed facts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfloop.separation.law.cn import CHINA, eligibility_from_mapping, severance_input_from_mapping
from perfloop.separation.law.errors import LawInputError

SPEC_RULE_IDS = (
    [f"CN-G-0{n}" for n in range(1, 8)]
    + [f"CN-C-0{n}" for n in range(1, 7)]
    + [f"CN-R-0{n}" for n in range(1, 4)]
    + [f"CN-P42-0{n}" for n in range(1, 4)]
    + [f"CN-PR-0{n}" for n in range(1, 5)]
    + [f"CN-M-0{n}" for n in range(1, 10)]
    + [f"CN-E-0{n}" for n in range(1, 4)]
    + [f"CN-D-0{n}" for n in range(1, 8)]
)

REFERENCE = {
    "city": "shanghai",
    "average_wage_year": 2022,
    "average_monthly_wage": "12183",
    "minimum_monthly_wage": "2590",
}


def test_every_rule_of_the_spec_is_declared_with_a_source_and_grade():
    assert len(SPEC_RULE_IDS) == 42
    for rule_id in SPEC_RULE_IDS:
        rule = CHINA.rules[rule_id]
        assert rule.source
        assert rule.title.zh
        assert rule.title.en


def test_cn_p42_03_and_cn_m_09_are_declared_unverified():
    """CN-P42-03 / CN-M-09: the spec found no source; the pack says so."""
    assert CHINA.rules["CN-P42-03"].is_verified is False
    assert CHINA.rules["CN-M-09"].grade == "unverified"


def test_cn_g_03_grounds_not_offered_for_performance_are_declared_as_such():
    """CN-G-03 / CN-G-06: 40(3) and fault grounds are declared, never offered for performance."""
    offered = {ground.code: ground.is_offered_for_performance for ground in CHINA.grounds}
    assert offered == {
        "lcl_40_2": True,
        "lcl_36_mutual": True,
        "lcl_39_1_probation": True,
        "lcl_40_3": False,
        "lcl_39_fault": False,
        "lcl_41_review": False,
    }


def test_cn_p42_01_protected_categories_bar_article_40_and_41():
    """CN-P42-01: all six Art. 42 items are declared and bar 40(2), 40(3) and Art. 41."""
    assert len(CHINA.protected_categories) == 6
    assert all("lcl_40_2" in item.bars_grounds for item in CHINA.protected_categories)


def test_cn_pr_02_union_notice_is_a_configurable_procedure_step():
    """CN-PR-02: the procedure declares the union notice as configurable (no union → regional practice)."""
    steps = {step.code: step for step in CHINA.procedure}
    assert steps["union_notice"].is_configurable
    assert steps["written_notice"].deadline_days == 30
    assert CHINA.notice.pay_in_lieu_allowed


def test_cn_e_02_limitation_and_retention_are_declared():
    """CN-E-02 / CN-E-03 / CN-D-05: one-year limitation; 2-year evidence and 3-year assessment retention."""
    assert CHINA.limitation[0].months == 12
    retention = {item.record: item.minimum_years for item in CHINA.retention}
    assert retention["evidence_pack"] == 2
    assert retention["impact_assessment"] == 3


def test_it_reads_a_uniform_wage_and_fills_the_previous_month():
    data = severance_input_from_mapping(
        {
            "hire_date": "2020-01-01",
            "termination_date": "2023-06-30",
            "monthly_wage": 8000,
            "notice_given": "false",
            "reference": REFERENCE,
            "parameters": {"part_month_counting": "exact"},
        }
    )
    assert len(data.wages) == 12
    assert data.previous_month_wage == Decimal("8000")
    assert data.notice_given is False


def test_json_floats_are_read_as_the_decimal_that_was_typed():
    data = severance_input_from_mapping(
        {
            "hire_date": "2020-01-01",
            "termination_date": "2023-06-30",
            "wages": [{"month": f"2022-{m:02d}", "amount": 8000.1} for m in range(7, 13)]
            + [{"month": f"2023-{m:02d}", "amount": "8000.10"} for m in range(1, 7)],
            "reference": REFERENCE,
        }
    )
    assert data.wages[0].amount == Decimal("8000.1")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"hire_date": "2023-02-30"}, "invalid_date"),
        ({"termination_date": "2019-12-31"}, "termination_before_hire"),
        ({"monthly_wage": "-8000"}, "negative_wage"),
        ({"monthly_wage": "eight thousand"}, "invalid_number"),
        ({"monthly_wage": None}, "missing_field"),
        ({"reference": None}, "missing_field"),
        ({"salary": 1}, "unknown_field"),
        ({"parameters": {"part_month_counting": "weekly"}}, "invalid_choice"),
        ({"parameters": {"include_overtime": "maybe"}}, "invalid_boolean"),
        ({"wages": [{"month": "2023-13", "amount": "1"}], "monthly_wage": None}, "invalid_month"),
        ({"wages": "lots", "monthly_wage": None}, "invalid_list"),
        ({"reference": {**REFERENCE, "average_wage_year": "2022.5"}}, "invalid_number"),
    ],
)
def test_bad_plain_input_gets_a_specific_code(changes, code):
    data = {
        "hire_date": "2020-01-01",
        "termination_date": "2023-06-30",
        "monthly_wage": "8000",
        "reference": REFERENCE,
        **changes,
    }
    data = {key: value for key, value in data.items() if value is not None}
    with pytest.raises(LawInputError) as raised:
        CHINA.calculate(data)
    assert raised.value.code == code


def test_it_reads_case_facts_with_unknowns_as_none():
    facts, parameters = eligibility_from_mapping(
        {
            "hire_date": "2018-03-01",
            "notice_date": "2024-10-10",
            "termination_date": "2024-11-10",
            "assessments": [{"id": "A1", "assessed_on": "2024-06-30", "outcome": "incompetent"}],
            "interventions": [
                {
                    "kind": "reassignment",
                    "started_on": "2024-07-05",
                    "linked_assessment_id": "A1",
                    "reasonableness": {"business_need": True, "otherwise_lawful": "unknown"},
                }
            ],
            "has_union": "unknown",
            "parameters": {"minimum_reassessment_window_days": 45},
        }
    )
    assert facts.has_union is None
    assert dict(facts.interventions[0].reasonableness) == {"business_need": True}
    assert parameters.minimum_reassessment_window_days == 45


def test_unknown_case_fields_and_checks_are_refused():
    with pytest.raises(LawInputError) as field:
        eligibility_from_mapping({"hire_date": "2018-03-01", "notice_date": "2024-10-10", "ranking": 1})
    with pytest.raises(LawInputError) as check:
        eligibility_from_mapping(
            {
                "hire_date": "2018-03-01",
                "notice_date": "2024-10-10",
                "interventions": [
                    {"kind": "training", "started_on": "2024-07-05", "reasonableness": {"vibes": True}}
                ],
            }
        )
    assert field.value.code == check.value.code == "unknown_field"


def test_pack_entry_points_take_plain_mappings():
    result = CHINA.check_eligibility({"hire_date": "2018-03-01", "notice_date": "2024-10-10"})
    assert "no_failed_assessment" in result.codes()
    bundle = CHINA.calculate(
        {
            "hire_date": "2020-01-01",
            "termination_date": "2023-06-30",
            "monthly_wage": "8000",
            "reference": REFERENCE,
        }
    )
    assert bundle.result("severance").amount == Decimal("32000.00")
