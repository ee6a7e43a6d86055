"""Which exits a case may take: one lawful Art. 40(2) case, then one fact changed at a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from perfloop.separation.law.cn_eligibility import (
    ROUTE_CLOSE,
    ROUTE_INCOMPETENCE,
    ROUTE_LAYOFF_REVIEW,
    ROUTE_MUTUAL,
    ROUTE_PROBATION,
    Assessment,
    AssessmentMethod,
    AssessmentOutcome,
    CaseFacts,
    EligibilityParameters,
    Intervention,
    InterventionKind,
    InterventionReason,
    NonUnionProcedure,
    NoticeMode,
    ProtectedKind,
    ProtectedStatus,
    check_eligibility,
    lawful_probation_months,
)
from perfloop.separation.law.errors import LawInputError
from perfloop.separation.law.interface import EligibilityResult, Severity
from perfloop.separation.law.periods import add_years
from perfloop.separation.law.retirement import RetirementCategory, retirement_age

D = dt.date
FIRST = Assessment(
    "A1",
    D(2024, 6, 30),
    AssessmentOutcome.INCOMPETENT,
    standard_id="S1",
    is_standard_known_in_advance=True,
)
TRAINING = Intervention(
    InterventionKind.TRAINING,
    D(2024, 7, 5),
    D(2024, 7, 20),
    linked_assessment_id="A1",
    is_targeted=True,
)
SECOND = Assessment(
    "A2",
    D(2024, 9, 30),
    AssessmentOutcome.INCOMPETENT,
    standard_id="S1",
    is_standard_known_in_advance=True,
)
LAWFUL = CaseFacts(
    hire_date=D(2018, 3, 1),
    notice_date=D(2024, 10, 10),
    termination_date=D(2024, 11, 10),
    assessments=(FIRST, SECOND),
    interventions=(TRAINING,),
    birth_date=D(1985, 5, 1),
    retirement_category=RetirementCategory.MALE_60,
    has_union=True,
    union_notified_on=D(2024, 10, 8),
    rules_adopted_democratically=True,
    rules_published=True,
    notice_served_personally=True,
    open_cases=1,
    headcount=50,
)


def check(facts: CaseFacts = LAWFUL, **parameters: object) -> EligibilityResult:
    result = check_eligibility(facts, EligibilityParameters(**parameters))  # type: ignore[arg-type]
    for route in result.routes:
        print(route.route, "allowed" if route.is_allowed else "BLOCKED")
        for item in route.findings:
            print(f"   {item.severity.value:5} {','.join(item.rule_ids):22} {item.code}: {item.text.en}")
    return result


def blocks(result: EligibilityResult, route: str = ROUTE_INCOMPETENCE) -> set[str]:
    return {item.code for item in result.route(route).of_severity(Severity.BLOCK)}


def warnings(result: EligibilityResult, route: str = ROUTE_INCOMPETENCE) -> set[str]:
    return {item.code for item in result.route(route).of_severity(Severity.WARN)}


def todos(result: EligibilityResult, route: str = ROUTE_INCOMPETENCE) -> set[str]:
    return {item.code for item in result.route(route).of_severity(Severity.TODO)}


# ---------------------------------------------------------------------------- grounds: CN-G


def test_cn_g_01_a_documented_case_allows_article_40_2():
    """CN-G-01: failed assessment → training for it → failed re-assessment → notice: 40(2) allowed and
    suggested.
    """
    result = check()
    assert result.route(ROUTE_INCOMPETENCE).is_allowed
    assert result.suggested_route == ROUTE_INCOMPETENCE
    assert set(result.allowed_routes) >= {ROUTE_INCOMPETENCE, ROUTE_MUTUAL, ROUTE_CLOSE}
    assert not warnings(result)


def test_cn_g_02_no_training_or_reassignment_blocks_article_40_2():
    """CN-G-02: dismissal straight after a failed assessment is unlawful."""
    result = check(replace(LAWFUL, interventions=()))
    assert "no_training_or_reassignment" in blocks(result)
    assert result.suggested_route == ROUTE_MUTUAL


def test_cn_g_01_no_reassessment_or_an_improved_one_blocks():
    """CN-G-01 (c): still incompetent after the intervention must be shown; a pass closes the case."""
    missing = check(replace(LAWFUL, assessments=(FIRST,)))
    improved = check(
        replace(LAWFUL, assessments=(FIRST, replace(SECOND, outcome=AssessmentOutcome.COMPETENT)))
    )
    assert "no_reassessment" in blocks(missing)
    assert "improved_after_intervention" in blocks(improved)
    assert improved.suggested_route == ROUTE_CLOSE


def test_cn_g_01_a_later_passed_assessment_blocks():
    """CN-G-01: the latest assessment before notice is a pass → no termination."""
    later = Assessment("A3", D(2024, 10, 5), AssessmentOutcome.COMPETENT, standard_id="S1")
    result = check(replace(LAWFUL, assessments=(FIRST, SECOND, later)))
    assert "latest_assessment_competent" in blocks(result)
    assert result.suggested_route == ROUTE_CLOSE


def test_cn_pk_02_closing_the_case_is_always_a_route_and_suggested_after_a_pass():
    """CN-PK-02: people may always close the case; the engine suggests it when the latest assessment is a
    pass.
    """
    improved = check(
        replace(LAWFUL, assessments=(FIRST, replace(SECOND, outcome=AssessmentOutcome.COMPETENT)))
    )
    assert ROUTE_CLOSE in check().allowed_routes
    assert improved.suggested_route == ROUTE_CLOSE


def test_cn_pk_01_mutual_termination_is_always_open_with_severance():
    """CN-PK-01: a negotiated exit needs genuine consent and pays Art. 46(2) severance."""
    result = check(replace(LAWFUL, interventions=()))
    assert result.route(ROUTE_MUTUAL).is_allowed
    assert {"mutual_needs_genuine_consent", "mutual_severance"} <= todos(result, ROUTE_MUTUAL)


def test_cn_g_03_article_40_3_is_never_offered_for_performance():
    """CN-G-03: no route for a change of objective circumstances, only a note saying so."""
    result = check()
    assert "lcl_40_3" not in {route.route for route in result.routes}
    assert "ground_not_offered_40_3" in {item.code for item in result.case_findings}


def test_cn_g_04_probation_caps_follow_the_contract_term():
    """CN-G-04: Art. 19 caps: <3 months none, <1 year 1, <3 years 2, ≥3 years or open-ended 6 months."""
    assert [lawful_probation_months(term) for term in (2, 3, 11, 12, 35, 36, None)] == [0, 1, 1, 2, 2, 6, 6]


def test_cn_g_04_probation_beyond_the_cap_is_not_probation():
    """CN-G-04: a 1-year contract with a 3-month probation: only 2 months are lawful, the rest is ordinary
    service.
    """
    facts = replace(
        LAWFUL,
        hire_date=D(2024, 6, 1),
        contract_term_months=12,
        probation_end_date=D(2024, 8, 31),
        notice_date=D(2024, 8, 15),
        termination_date=D(2024, 8, 20),
        assessments=(),
        interventions=(),
        hiring_conditions_documented=True,
    )
    result = check(facts)
    assert "probation_exceeds_cap" in {item.code for item in result.case_findings}
    assert "not_in_probation" in blocks(result, ROUTE_PROBATION)


def test_cn_g_04_terminating_in_probation_requires_explaining_the_reason():
    """CN-G-04: inside probation, 40(2) remains possible but the reason must be explained."""
    facts = replace(LAWFUL, probation_end_date=D(2024, 12, 31), hire_date=D(2024, 7, 1))
    facts = replace(facts, assessments=(replace(FIRST, assessed_on=D(2024, 7, 1)), SECOND))
    result = check(facts)
    assert "explain_reason_in_probation" in todos(result)
    assert "explain_reason_in_probation" in todos(result, ROUTE_PROBATION)


def test_cn_g_04_a_second_probation_is_void():
    """CN-G-04: one probation per employee."""
    facts = replace(LAWFUL, probation_end_date=D(2024, 12, 31), had_earlier_probation=True)
    result = check(facts)
    assert "second_probation" in {item.code for item in result.case_findings}
    assert "not_in_probation" in blocks(result, ROUTE_PROBATION)


def test_cn_g_05_article_39_1_only_inside_probation_and_pays_no_severance():
    """CN-G-05: available in a lawful probation with documented hiring conditions; no notice, no severance."""
    facts = replace(
        LAWFUL,
        hire_date=D(2024, 7, 1),
        contract_term_months=36,
        probation_end_date=D(2024, 12, 31),
        hiring_conditions_documented=True,
        assessments=(),
        interventions=(),
    )
    result = check(facts)
    assert result.route(ROUTE_PROBATION).is_allowed
    assert "probation_no_severance" in todos(result, ROUTE_PROBATION)
    missing = check(replace(facts, hiring_conditions_documented=False))
    assert "hiring_conditions_missing" in blocks(missing, ROUTE_PROBATION)


def test_cn_g_05_a_long_term_employee_is_never_routed_to_article_39_1():
    """CN-G-05: no probation on file → no 39(1) route at all."""
    assert ROUTE_PROBATION not in {route.route for route in check().routes}


def test_cn_g_06_poor_results_are_not_a_fault_ground():
    """CN-G-06: Art. 39 fault termination is not offered for performance."""
    result = check()
    assert "lcl_39_fault" not in {route.route for route in result.routes}
    assert "fault_not_offered" in {item.code for item in result.case_findings}


def test_cn_g_07_twenty_open_cases_look_like_a_layoff():
    """CN-G-07: ≥ 20 cases at once → 40(2) refused, Art. 41 review offered, legal review needed."""
    result = check(replace(LAWFUL, open_cases=20, headcount=500))
    assert "possible_economic_layoff" in blocks(result)
    assert result.route(ROUTE_LAYOFF_REVIEW).is_allowed
    assert result.suggested_route == ROUTE_LAYOFF_REVIEW
    assert result.needs_legal_review


def test_cn_g_07_ten_percent_of_staff_also_counts():
    """CN-G-07: 5 of 40 (12.5% ≥ 10%) is flagged; 4 of 50 (8%) is not; 1 of 5 needs more cases (engine
    default 3).
    """
    assert "possible_economic_layoff" in blocks(check(replace(LAWFUL, open_cases=5, headcount=40)))
    assert "possible_economic_layoff" not in blocks(check(replace(LAWFUL, open_cases=4, headcount=50)))
    assert "possible_economic_layoff" not in blocks(check(replace(LAWFUL, open_cases=1, headcount=5)))


def test_cn_g_07_cleared_review_and_declared_headcount_reduction():
    """CN-G-07: a cleared review lifts the block (with a warning); real headcount reduction always refuses
    40(2).
    """
    cleared = check(replace(LAWFUL, open_cases=20, layoff_review_cleared=True))
    reduction = check(replace(LAWFUL, is_headcount_reduction=True))
    assert cleared.route(ROUTE_INCOMPETENCE).is_allowed
    assert "layoff_review_cleared" in warnings(cleared)
    assert "headcount_reduction" in blocks(reduction)


# ---------------------------------------------------------------------------- competence: CN-C


def test_cn_c_01_deliberately_raised_target_is_warned():
    """CN-C-01 / CN-C-02: a target raised mid-period for one employee only, or above the post's workload."""
    raised = replace(FIRST, is_target_raised_for_individual=True, is_target_above_contract_or_peers=True)
    result = check(replace(LAWFUL, assessments=(raised, SECOND)))
    assert {"possible_deliberate_raise", "target_above_contract_or_peers"} <= warnings(result)


def test_cn_c_02_targets_are_compared_with_contract_and_peers():
    """CN-C-02: the re-assessment's target above same-post peers is flagged too."""
    result = check(
        replace(LAWFUL, assessments=(FIRST, replace(SECOND, is_target_above_contract_or_peers=True)))
    )
    assert "target_above_contract_or_peers" in warnings(result)


def test_cn_c_03_a_bottom_ranking_alone_is_not_proof():
    """CN-C-03 (Guiding Case 18): ranking-only evidence blocks; a ranking beside real evidence warns."""
    ranked = replace(FIRST, method=AssessmentMethod.RANKING)
    only_ranking = check(
        replace(LAWFUL, assessments=(ranked, replace(SECOND, method=AssessmentMethod.RANKING)))
    )
    mixed = check(replace(LAWFUL, assessments=(FIRST, SECOND, replace(ranked, assessment_id="R1"))))
    assert "ranking_only_evidence" in blocks(only_ranking)
    assert "ranking_not_proof" in warnings(only_ranking)
    assert mixed.route(ROUTE_INCOMPETENCE).is_allowed
    assert "ranking_not_proof" in warnings(mixed)


def test_cn_c_04_a_transfer_for_restructuring_is_not_the_statutory_adjustment():
    """CN-C-04: a reassignment because a department closed does not count; nor does one not linked to the
    failure.
    """
    restructuring = Intervention(
        InterventionKind.REASSIGNMENT,
        D(2024, 7, 5),
        reason=InterventionReason.RESTRUCTURING,
        linked_assessment_id="A1",
        is_agreed_in_writing=True,
    )
    result = check(replace(LAWFUL, interventions=(restructuring,)))
    assert "no_training_or_reassignment" in blocks(result)
    assert "intervention_not_for_incompetence" in warnings(result)
    unlinked = check(replace(LAWFUL, interventions=(replace(TRAINING, linked_assessment_id=None),)))
    assert "intervention_not_linked" in warnings(unlinked)


def test_cn_c_05_rules_without_the_democratic_procedure_block():
    """CN-C-05: quota rules not adopted democratically or not published block; unknown
    is a step to confirm."""
    undemocratic = check(replace(LAWFUL, rules_adopted_democratically=False, rules_published=False))
    unknown = check(replace(LAWFUL, rules_adopted_democratically=None))
    assert {"rules_not_democratic", "rules_not_published"} <= blocks(undemocratic)
    assert "confirm_rules_procedure" in todos(unknown)


def test_cn_c_06_reassessment_uses_the_same_known_standard():
    """CN-C-06: a different standard, or one not known in advance, is warned."""
    changed = check(replace(LAWFUL, assessments=(FIRST, replace(SECOND, standard_id="S2"))))
    unknown = check(replace(LAWFUL, assessments=(replace(FIRST, is_standard_known_in_advance=False), SECOND)))
    assert "reassessment_standard_differs" in warnings(changed)
    assert "standard_not_known_in_advance" in warnings(unknown)


# ---------------------------------------------------------------------------- reassignment: CN-R


def test_cn_r_01_an_agreed_reassignment_needs_no_reasonableness_review():
    """CN-R-01: a reassignment agreed in writing counts as the statutory step."""
    agreed = Intervention(
        InterventionKind.REASSIGNMENT, D(2024, 7, 5), linked_assessment_id="A1", is_agreed_in_writing=True
    )
    result = check(replace(LAWFUL, interventions=(agreed,)))
    assert result.route(ROUTE_INCOMPETENCE).is_allowed


def test_cn_r_02_an_unreasonable_reassignment_does_not_count():
    """CN-R-02: a unilateral reassignment failing a Tianjin test (e.g. humiliating) is no statutory step."""
    humiliating = Intervention(
        InterventionKind.REASSIGNMENT,
        D(2024, 7, 5),
        linked_assessment_id="A1",
        reasonableness={
            "consistent_with_contract_or_rules": True,
            "business_need": True,
            "not_discriminatory_or_humiliating": False,
            "otherwise_lawful": True,
        },
    )
    result = check(replace(LAWFUL, interventions=(humiliating,)))
    assert "reassignment_unreasonable" in warnings(result)
    assert "no_training_or_reassignment" in blocks(result)


def test_cn_r_02_reasonableness_tests_are_regional_and_unknown_ones_are_to_confirm():
    """CN-R-02: the Beijing test set differs; unanswered tests are a step to do, and the choice is logged."""
    unilateral = Intervention(InterventionKind.REASSIGNMENT, D(2024, 7, 5), linked_assessment_id="A1")
    result = check(replace(LAWFUL, interventions=(unilateral,)), reasonableness_checks="beijing")
    finding = next(
        f
        for f in result.route(ROUTE_INCOMPETENCE).findings
        if f.code == "confirm_reassignment_reasonableness"
    )
    assert "employee_can_do_post" in finding.text.en
    used = {use.name: use for use in result.parameters_used}
    assert used["reasonableness_checks"].value == "beijing"
    assert not used["reasonableness_checks"].is_default


def test_cn_r_03_transfer_then_dismissal_the_next_day_is_a_sham():
    """CN-R-03: re-assessed one day after the transfer → below the minimum window (default 30 days,
    unverified).
    """
    transfer = Intervention(
        InterventionKind.REASSIGNMENT, D(2024, 9, 29), linked_assessment_id="A1", is_agreed_in_writing=True
    )
    result = check(replace(LAWFUL, interventions=(transfer,)))
    assert "reassessment_too_soon" in blocks(result)
    assert (
        check(replace(LAWFUL, interventions=(transfer,)), minimum_reassessment_window_days=1)
        .route(ROUTE_INCOMPETENCE)
        .is_allowed
    )
    used = {use.name: use for use in result.parameters_used}
    assert used["minimum_reassessment_window_days"].status == "unverified"


def test_cn_r_03_untargeted_training_is_warned():
    """CN-R-03: training that does not target the gaps looks like a formality."""
    result = check(replace(LAWFUL, interventions=(replace(TRAINING, is_targeted=False),)))
    assert "training_not_targeted" in warnings(result)


# ---------------------------------------------------------------------------- protected employees: CN-P42


def test_cn_p42_01_pregnancy_blocks_article_40_but_not_a_mutual_exit():
    """CN-P42-01: a pregnant employee cannot be dismissed under Art. 40; mutual termination stays open, with
    care.
    """
    pregnant = ProtectedStatus(
        ProtectedKind.PREGNANCY_MATERNITY_NURSING, D(2024, 8, 1), confirmed_by="HR 刘人事"
    )
    result = check(replace(LAWFUL, protected_statuses=(pregnant,)))
    assert {"protected_at_notice", "protected_at_termination"} <= blocks(result)
    assert result.route(ROUTE_MUTUAL).is_allowed
    assert "protected_mutual_voluntary" in warnings(result, ROUTE_MUTUAL)


def test_cn_p42_01_article_42_does_not_bar_the_probation_fault_route():
    """CN-P42-01: Art. 42 bars Art. 40/41, not Art. 39: the 39(1) route is not blocked by a medical period."""
    facts = replace(
        LAWFUL,
        hire_date=D(2024, 7, 1),
        probation_end_date=D(2024, 12, 31),
        hiring_conditions_documented=True,
        assessments=(),
        interventions=(),
        protected_statuses=(
            ProtectedStatus(ProtectedKind.MEDICAL_TREATMENT_PERIOD, D(2024, 10, 1), confirmed_by="HR"),
        ),
    )
    result = check(facts)
    assert result.route(ROUTE_PROBATION).is_allowed
    assert "protected_at_notice" in blocks(result)


def test_cn_p42_01_a_status_that_ended_before_notice_does_not_block():
    """CN-P42-01: the medical period ended before notice and termination."""
    ended = ProtectedStatus(
        ProtectedKind.MEDICAL_TREATMENT_PERIOD, D(2024, 1, 1), D(2024, 3, 31), confirmed_by="HR"
    )
    assert check(replace(LAWFUL, protected_statuses=(ended,))).route(ROUTE_INCOMPETENCE).is_allowed


def test_cn_p42_02_fifteen_years_and_less_than_five_to_retirement_blocks():
    """CN-P42-02: a man born 1965-06-01 retires at 60y2m on 2025-08-01; hired 2000 → protected at 2022
    notice.
    """
    facts = replace(
        LAWFUL,
        hire_date=D(2000, 1, 1),
        birth_date=D(1965, 6, 1),
        notice_date=D(2022, 10, 10),
        termination_date=D(2022, 11, 10),
        assessments=(replace(FIRST, assessed_on=D(2022, 6, 30)), replace(SECOND, assessed_on=D(2022, 9, 30))),
        interventions=(replace(TRAINING, started_on=D(2022, 7, 5), ended_on=D(2022, 7, 20)),),
        union_notified_on=D(2022, 10, 8),
    )
    assert retirement_age(D(1965, 6, 1), RetirementCategory.MALE_60).retirement_date == D(2025, 8, 1)
    result = check(facts)
    assert {"near_retirement_at_notice", "near_retirement_at_termination"} <= blocks(result)


def test_cn_p42_02_exactly_five_years_left_is_not_less_than_five():
    """CN-P42-02: "不足五年" excludes 5: notice exactly 5 years before retirement is not
    protected, a day later
    is.
    """
    retirement = retirement_age(D(1965, 6, 1), RetirementCategory.MALE_60).retirement_date
    five_before = add_years(retirement, -5)
    base = replace(
        LAWFUL,
        hire_date=D(2000, 1, 1),
        birth_date=D(1965, 6, 1),
        notice_date=five_before,
        termination_date=five_before,
        assessments=(),
        interventions=(),
        notice_mode=NoticeMode.PAY_IN_LIEU,
    )
    assert "near_retirement_at_notice" not in blocks(check(base))
    later = replace(
        base,
        notice_date=five_before + dt.timedelta(days=1),
        termination_date=five_before + dt.timedelta(days=1),
    )
    assert "near_retirement_at_notice" in blocks(check(later))


def test_cn_p42_02_fifteen_years_of_service_includes_the_fifteenth_anniversary():
    """CN-P42-02: service of exactly 15 years counts ("满十五年"); a day short does not."""
    base = replace(
        LAWFUL,
        birth_date=D(1965, 6, 1),
        notice_date=D(2022, 10, 10),
        termination_date=D(2022, 10, 10),
        assessments=(),
        interventions=(),
        notice_mode=NoticeMode.PAY_IN_LIEU,
    )
    assert "near_retirement_at_notice" in blocks(check(replace(base, hire_date=D(2007, 10, 10))))
    assert "near_retirement_at_notice" not in blocks(check(replace(base, hire_date=D(2007, 10, 11))))


def test_cn_p42_02_missing_birth_date_is_a_step_to_confirm():
    """CN-P42-02: without birth date or category the protection cannot be checked: confirm it."""
    assert "confirm_retirement_protection" in todos(check(replace(LAWFUL, birth_date=None)))


def test_cn_p42_03_status_arising_during_notice_goes_to_legal_review():
    """CN-P42-03: a pregnancy confirmed after notice but before termination: blocked and sent to legal
    review.
    """
    arising = ProtectedStatus(ProtectedKind.PREGNANCY_MATERNITY_NURSING, D(2024, 10, 20), confirmed_by="HR")
    result = check(replace(LAWFUL, protected_statuses=(arising,)))
    assert {"protected_arose_during_notice", "protected_at_termination"} <= blocks(result)
    assert "protected_at_notice" not in blocks(result)
    assert result.needs_legal_review


# ---------------------------------------------------------------------------- procedure: CN-PR


def test_cn_pr_01_notice_shorter_than_thirty_days_blocks():
    """CN-PR-01: 20 days between notice and termination is not enough; pay in lieu instead is a step to do."""
    short = check(replace(LAWFUL, termination_date=D(2024, 10, 30)))
    in_lieu = check(replace(LAWFUL, termination_date=D(2024, 10, 10), notice_mode=NoticeMode.PAY_IN_LIEU))
    not_personal = check(replace(LAWFUL, notice_served_personally=False))
    assert "notice_too_short" in blocks(short)
    assert in_lieu.route(ROUTE_INCOMPETENCE).is_allowed
    assert "pay_in_lieu_due" in todos(in_lieu)
    assert "notice_not_personal" in blocks(not_personal)


def test_cn_pr_02_union_must_be_told_first_and_objections_answered():
    """CN-PR-02: no notice to the union blocks; a late notice warns; an unanswered objection blocks."""
    assert "union_not_notified" in blocks(check(replace(LAWFUL, union_notified_on=None)))
    assert "union_notified_late" in warnings(check(replace(LAWFUL, union_notified_on=D(2024, 10, 20))))
    objected = check(replace(LAWFUL, union_objected=True, union_objection_answered_in_writing=False))
    assert "union_objection_unanswered" in blocks(objected)


def test_cn_pr_02_without_a_union_the_configured_procedure_applies():
    """CN-PR-02: union-less practice is regional and unverified: a configured step, logged as a parameter."""
    result = check(
        replace(LAWFUL, has_union=False), non_union_procedure=NonUnionProcedure.LOCAL_UNION_FEDERATION
    )
    finding = next(f for f in result.route(ROUTE_INCOMPETENCE).findings if f.code == "non_union_procedure")
    assert "local union federation" in finding.text.en
    assert "当地工会联合会" in finding.text.zh
    used = {use.name: use for use in result.parameters_used}
    assert used["non_union_procedure"].status == "unverified"


def test_cn_pr_03_termination_formalities_are_scheduled():
    """CN-PR-03 / CN-PR-04: certificate, transfer within 15 days, final wages: steps with dates."""
    result = check()
    formalities = next(
        f for f in result.route(ROUTE_INCOMPETENCE).findings if f.code == "termination_formalities"
    )
    assert "2024-11-25" in formalities.text.en
    assert "final_wages_lump_sum" in todos(result)


def test_cn_m_01_severance_is_due_on_the_article_40_route():
    """CN-M-01: the 40(2) route carries the severance step."""
    assert "severance_due" in todos(check())


def test_cn_e_01_employer_bears_the_burden_of_proof():
    """CN-E-01: the route lists the evidence the employer must keep."""
    assert "employer_burden_of_proof" in todos(check())


def test_cn_e_03_evidence_pack_is_kept_two_years_after_termination():
    """CN-E-03: keep until termination + 2 years (and until a dispute closes)."""
    finding = next(f for f in check().route(ROUTE_INCOMPETENCE).findings if f.code == "keep_evidence_pack")
    assert "2026-11-10" in finding.text.en


def test_cn_d_04_the_result_is_advice_and_says_so():
    """CN-D-04: the eligibility result is advisory; a named person decides."""
    payload = check().as_dict()
    assert payload["is_advisory"] is True
    assert "PIPL Art. 24" in payload["advisory_notice_en"]


def test_cn_d_03_protected_status_without_confirmer_is_a_step_to_do():
    """CN-D-03: a status is a flag with dates and who confirmed it; a missing confirmer is flagged."""
    status = ProtectedStatus(ProtectedKind.MEDICAL_TREATMENT_PERIOD, D(2024, 10, 1))
    assert "protected_status_unconfirmed" in todos(check(replace(LAWFUL, protected_statuses=(status,))))


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"termination_date": D(2017, 1, 1), "notice_date": D(2017, 1, 1)}, "termination_before_hire"),
        ({"notice_date": D(2024, 12, 1)}, "notice_after_termination"),
        ({"notice_date": D(2017, 1, 1)}, "notice_before_hire"),
        ({"birth_date": D(2019, 1, 1)}, "birth_after_hire"),
        ({"assessments": (FIRST, replace(SECOND, assessment_id="A1"))}, "duplicate_assessment_id"),
        ({"assessments": (replace(FIRST, assessed_on=D(2017, 1, 1)),)}, "assessment_before_hire"),
        ({"interventions": (replace(TRAINING, linked_assessment_id="nope"),)}, "unknown_assessment"),
        ({"interventions": (replace(TRAINING, ended_on=D(2024, 7, 1)),)}, "dates_reversed"),
        ({"headcount": 0}, "invalid_parameter"),
    ],
)
def test_impossible_case_facts_have_their_own_codes(changes, code):
    with pytest.raises(LawInputError) as raised:
        check_eligibility(replace(LAWFUL, **changes))
    assert raised.value.code == code


def test_unknown_reasonableness_region_is_refused():
    with pytest.raises(LawInputError) as raised:
        check_eligibility(LAWFUL, EligibilityParameters(reasonableness_checks="mars"))
    assert raised.value.code == "invalid_parameter"
