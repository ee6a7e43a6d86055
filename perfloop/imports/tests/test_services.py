"""import_file end to end on a real database: facts with lineage, coverage, idempotency, restatement."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import TestCase

from perfloop.core.errors import PermissionDenied
from perfloop.core.months import Month
from perfloop.imports import pipeline
from perfloop.imports.file_check import FileCheck
from perfloop.imports.lineage import fact_rows
from perfloop.imports.models import (
    CoverageClaim,
    FactChange,
    ImportBatch,
    ImportFile,
    MappingProfile,
    QuarantinedRow,
)
from perfloop.imports.problems import ImportRejected
from perfloop.imports.services import (
    ImportInputError,
    MappingProfileError,
    import_check,
    import_file,
    import_upload,
    mapping_profile_save,
    presets_install,
    quarantine_resubmit,
    quarantined_row_fix,
)
from perfloop.imports.tests.data import DEALS_CN_HEADER, OWN_DEALS_SPEC, csv_text, xlsx_bytes
from perfloop.metrics.models import MonthlyFact, Scorecard
from perfloop.metrics.services import scorecards_recompute
from perfloop.metrics.tests.factories import record_revenue, revenue_only_weights

pytestmark = pytest.mark.django_db

MARCH = Month(2025, 3)


def deals(*rows, header=DEALS_CN_HEADER):
    return csv_text([header, *rows]).encode()


def run(
    data, *, profile="crm-deals-cn", source="crm", first="2025-03", last="2025-03", name="deals.csv", **kw
):
    return import_file(
        actor=None,
        source=source,
        profile=profile,
        path_or_bytes=data,
        file_name=name,
        first=first,
        last=last,
        **kw,
    )


def facts(**filters):
    return {
        (f.employee.name, str(f.month), f.kpi.code): f
        for f in MonthlyFact.objects.filter(**filters).select_related("employee", "kpi")
    }


def values(**filters):
    return {key: fact.value for key, fact in facts(**filters).items()}


def filler(count=8, month="2025-03"):
    """Good rows of 陈静 so that a few bad rows stay under the 20% error threshold."""
    return [[f"F{i}", "陈静", f"客户{i}", "输单", f"{month}-01", ""] for i in range(count)]


def mine(rep):
    return values(employee=rep.employee)


MARCH_DEALS = deals(
    ["O1", "李明", "甲公司", "赢单", "2025/3/5", "1.2"],
    ["O2", "李明", "乙公司", "输单", "2025-03-06", ""],
    ["O3", "陈静", "丙公司", "赢单", "2025年3月9日", "3"],
    ["O4", "李明", "甲公司", "赢单", "2025-03-20", "2"],
)


def test_a_deals_file_becomes_monthly_facts_with_lineage(rep, other_team_rep, manager, other_manager):
    outcome = run(MARCH_DEALS)
    batch = outcome.batch
    assert (outcome.is_applied, outcome.is_duplicate) == (True, False)
    assert (batch.rows_total, batch.rows_valid, batch.rows_quarantined) == (4, 4, 0)
    assert (len(batch.file_sha256), batch.encoding) == (64, "utf-8")
    assert values() == {
        ("李明", "2025-03", "revenue"): Decimal(32000),
        ("李明", "2025-03", "conversion_rate"): Decimal("0.6667"),
        ("李明", "2025-03", "new_customers"): Decimal(1),
        ("陈静", "2025-03", "revenue"): Decimal(30000),
        ("陈静", "2025-03", "conversion_rate"): Decimal(1),
        ("陈静", "2025-03", "new_customers"): Decimal(1),
        # the managers sell nothing in March: inside the coverage, that is a real zero
        ("王经理", "2025-03", "revenue"): Decimal(0),
        ("王经理", "2025-03", "new_customers"): Decimal(0),
        ("赵经理", "2025-03", "revenue"): Decimal(0),
        ("赵经理", "2025-03", "new_customers"): Decimal(0),
    }
    revenue = facts()[("李明", "2025-03", "revenue")]
    assert (revenue.batch_id, revenue.source, revenue.version) == (batch.pk, "crm", 1)
    assert revenue.lineage == {"batch": batch.pk, "rows": [2, 5], "deals_won": 2}
    assert sorted(CoverageClaim.objects.filter(batch=batch).values_list("kpi", flat=True)) == [
        "conversion_rate",
        "new_customers",
        "revenue",
    ]


def test_a_user_gets_from_a_fact_to_its_rows_and_cells(rep, other_team_rep):
    batch = run(MARCH_DEALS).batch
    found = fact_rows(facts()[("李明", "2025-03", "conversion_rate")])
    assert (found.batch_id, found.rows, found.is_recovered) == (batch.pk, [2, 3, 5], False)
    assert found.cells[3] == dict(
        zip(DEALS_CN_HEADER, ["O2", "李明", "乙公司", "输单", "2025-03-06", None], strict=True)
    )


def test_a_large_file_counts_the_rows_behind_a_fact_and_they_are_found_again(
    rep, other_team_rep, monkeypatch
):
    """Above the listing limit a fact says how many rows it came from; the rows are recovered from the
    batch's kept rows by the rule that made the fact — the same rows a small file lists."""
    monkeypatch.setattr(pipeline, "LINEAGE_LISTED_ROWS", 2)
    batch = run(MARCH_DEALS).batch
    stored = facts()
    revenue, conversion = (
        stored[("李明", "2025-03", "revenue")],
        stored[("李明", "2025-03", "conversion_rate")],
    )
    assert revenue.lineage == {"batch": batch.pk, "row_count": 2, "deals_won": 2}
    assert conversion.lineage == {"batch": batch.pk, "row_count": 3, "won": 2, "lost": 1}
    assert stored[("李明", "2025-03", "new_customers")].lineage == {"batch": batch.pk, "rows": [2]}
    found = fact_rows(revenue)
    assert (found.rows, found.is_recovered) == ([2, 5], True)
    assert [found.cells[row]["商机编号"] for row in found.rows] == ["O1", "O4"]
    assert fact_rows(conversion).rows == [2, 3, 5]
    assert fact_rows(stored[("陈静", "2025-03", "revenue")]).rows == [4]


def test_missing_is_not_zero_outside_the_coverage(rep, other_team_rep):
    run(MARCH_DEALS)
    assert not MonthlyFact.objects.filter(month=Month(2025, 2)).exists()
    assert not MonthlyFact.objects.filter(month=Month(2025, 4)).exists()


def test_the_same_file_again_changes_nothing_and_says_so(rep, other_team_rep):
    first = run(MARCH_DEALS)
    before = {key: (f.value, f.version, f.updated_at) for key, f in facts().items()}
    again = run(MARCH_DEALS)
    assert (again.is_duplicate, again.batch.pk) == (True, first.batch.pk)
    assert ImportBatch.objects.count() == 1
    assert {key: (f.value, f.version, f.updated_at) for key, f in facts().items()} == before


def test_a_corrected_file_restates_the_period_visibly(rep, other_team_rep):
    revenue_only_weights(rep.employee)
    record_revenue(rep.employee, MARCH, Month(2025, 4), [None, 0.5])
    scorecards_recompute(actor=None, first=MARCH, last=Month(2025, 4))  # the monthly close ran for April
    original = run(MARCH_DEALS)
    assert Scorecard.objects.get(employee=rep.employee, month=Month(2025, 4)).streak_below == 2
    card = Scorecard.objects.get(employee=rep.employee, month=MARCH)
    assert card.attainments["revenue"][0] == "32000.0000"
    corrected = deals(
        ["O1", "李明", "甲公司", "赢单", "2025/3/5", "1.2"],
        ["O2", "李明", "乙公司", "赢单", "2025-03-06", "5"],  # was lost: now won
        ["O3", "陈静", "丙公司", "赢单", "2025年3月9日", "3"],
        ["O4", "李明", "甲公司", "赢单", "2025-03-20", "2"],
    )
    restated = run(corrected, name="deals-corrected.csv")
    original.batch.refresh_from_db()
    assert restated.batch.restated_batches == [original.batch.pk]
    assert original.batch.status == ImportBatch.Status.SUPERSEDED
    revenue = facts()[("李明", "2025-03", "revenue")]
    assert (revenue.value, revenue.version, revenue.batch_id) == (Decimal(82000), 2, restated.batch.pk)
    unchanged = facts()[("陈静", "2025-03", "revenue")]
    assert (unchanged.version, unchanged.batch_id) == (1, restated.batch.pk)
    changes = {
        (c.employee.name, c.kpi): (c.old_value, c.new_value)
        for c in FactChange.objects.select_related("employee")
    }
    assert changes == {
        ("李明", "revenue"): (Decimal(32000), Decimal(82000)),
        ("李明", "conversion_rate"): (Decimal("0.6667"), Decimal(1)),
        ("李明", "new_customers"): (Decimal(1), Decimal(2)),
    }
    card.refresh_from_db()
    assert card.attainments["revenue"][0] == "82000.0000"
    assert card.revision == 3  # the close, the first import, the restatement
    april = Scorecard.objects.get(employee=rep.employee, month=Month(2025, 4))
    assert (april.streak_met, april.streak_below) == (0, 1)  # the later month's streak was recomputed too
    assert (restated.batch.facts_changed, restated.batch.facts_unchanged) == (3, 7)  # 7: incl. the zeros


def test_a_restatement_that_no_longer_produces_a_value_removes_it(rep, other_team_rep):
    run(MARCH_DEALS)
    without_lost = deals(
        ["O1", "李明", "甲公司", "赢单", "2025/3/5", "1.2"],
        ["O3", "陈静", "丙公司", "赢单", "2025-03-09", "3"],
    )
    outcome = run(without_lost, name="v2.csv")
    assert values()[("李明", "2025-03", "conversion_rate")] == Decimal(1)
    run(deals(["O3", "陈静", "丙公司", "赢单", "2025-03-09", "3"]), name="v3.csv")
    assert ("李明", "2025-03", "conversion_rate") not in values()  # no closed deal: undefined, not 0
    assert values()[("李明", "2025-03", "revenue")] == Decimal(0)
    removed = FactChange.objects.get(kpi="conversion_rate", new_value__isnull=True)
    assert removed.old_batch_id == outcome.batch.pk


def test_rows_outside_the_declared_period_are_quarantined(rep, other_team_rep):
    outcome = run(
        deals(
            ["O1", "李明", "甲公司", "赢单", "2025-03-05", "1"],
            ["O9", "李明", "乙公司", "赢单", "2025-04-01", "9"],
            *filler(),
        )
    )
    (row,) = outcome.batch.quarantined_rows.all()
    assert (row.row_number, row.code, row.raw["成交日期"]) == (3, "outside_coverage", "2025-04-01")
    assert "2025-04" in row.message


def test_without_a_declared_period_the_rows_decide_it(rep):
    outcome = run(
        deals(
            ["O1", "李明", "甲公司", "赢单", "2025-02-05", "1"],
            ["O2", "李明", "乙公司", "赢单", "2025-04-01", "9"],
        ),
        first=None,
        last=None,
    )
    batch = outcome.batch
    assert (str(batch.coverage_first), str(batch.coverage_last), batch.is_coverage_declared) == (
        "2025-02",
        "2025-04",
        False,
    )
    assert values()[("李明", "2025-03", "revenue")] == Decimal(0)


def test_unknown_and_ambiguous_people_are_quarantined_and_suspend_zeros(rep, other_team_rep, manager):
    from perfloop.org.tests.factories import EmployeeFactory

    EmployeeFactory(name="张伟", employee_number="E9001")
    EmployeeFactory(name="张伟", employee_number="E9002")
    outcome = run(
        deals(
            ["O1", "李明", "甲公司", "赢单", "2025-03-05", "1"],
            ["O2", "王五", "乙公司", "赢单", "2025-03-06", "2"],
            ["O3", "张伟", "丙公司", "赢单", "2025-03-07", "3"],
            *filler(),
        )
    )
    rows = {row.row_number: row for row in outcome.batch.quarantined_rows.all()}
    assert rows[3].code == "unknown_employee"
    assert rows[4].code == "ambiguous_employee"
    assert "E9001, E9002" in rows[4].message
    assert [w["code"] for w in outcome.batch.warnings] == ["zero_fill_suspended"]
    assert ("王经理", "2025-03", "revenue") not in values()  # 王五 might be his typo: no zero is invented


def test_an_employee_number_matches_too(rep):
    header = ["负责人", "客户名称", "商机阶段", "成交日期", "成交金额"]
    run(csv_text([header, [rep.employee.employee_number, "甲", "赢单", "2025-03-01", "5"]]).encode())
    assert values()[("李明", "2025-03", "revenue")] == Decimal(5)


def test_a_bad_row_withholds_that_persons_month_instead_of_understating_it(rep, other_team_rep):
    outcome = run(
        deals(
            ["O1", "李明", "甲公司", "赢单", "2025-03-05", "1"],
            ["O2", "李明", "乙公司", "赢单", "2025-03-06", "很多"],
            ["O3", "陈静", "丙公司", "赢单", "2025-03-09", "3"],
            *filler(),
        )
    )
    assert ("李明", "2025-03", "revenue") not in values()
    assert values()[("陈静", "2025-03", "revenue")] == Decimal(30000)
    assert outcome.batch.warnings[0] == {"code": "withheld", "details": {"count": 1}}


def test_fixing_and_resubmitting_a_row_completes_the_month(rep, other_team_rep):
    outcome = run(
        deals(
            ["O1", "李明", "甲公司", "赢单", "2025-03-05", "1"],
            ["O2", "李明", "乙公司", "赢单", "2025-03-06", "很多"],
            ["O3", "陈静", "丙公司", "赢单", "2025-03-09", "3"],
            *filler(),
        )
    )
    row = outcome.batch.quarantined_rows.get()
    quarantined_row_fix(actor=_hr(), row=row, values={"成交金额（万元）": "2"})
    resubmitted = quarantine_resubmit(actor=None, batch=outcome.batch)
    assert resubmitted.is_applied
    assert resubmitted.batch.restated_batches == [outcome.batch.pk]
    assert values()[("李明", "2025-03", "revenue")] == Decimal(30000)
    row.refresh_from_db()
    assert row.state == QuarantinedRow.State.RESUBMITTED
    assert facts()[("李明", "2025-03", "revenue")].lineage["rows"] == [2, 3]


def test_a_row_of_a_refused_file_takes_no_correction(rep, other_team_rep):
    outcome = run(deals(["O1", "李明", "甲公司", "赢单", "2025-03-05", "很多"], *filler(1)))
    assert outcome.batch.status == "rejected"  # one bad row in two is too many: nothing applied
    row = outcome.batch.quarantined_rows.get()
    with pytest.raises(ImportInputError) as refused:
        quarantined_row_fix(actor=_hr(), row=row, values={"成交金额（万元）": "2"})
    assert refused.value.code == "batch_not_applied"
    row.refresh_from_db()
    assert row.state == QuarantinedRow.State.OPEN


def _hr():
    from perfloop.accounts.tests.factories import UserFactory

    return UserFactory(role="hrbp")


def test_too_many_bad_rows_reject_the_file_and_apply_nothing(rep, other_team_rep):
    rows = [[f"O{i}", "李明", "甲公司", "赢单", "2025-03-05", "很多"] for i in range(5)]
    outcome = run(deals(*rows, ["O9", "李明", "乙公司", "赢单", "2025-03-06", "1"]))
    batch = outcome.batch
    assert (batch.status, batch.error_code) == (ImportBatch.Status.REJECTED, "too_many_errors")
    assert batch.quarantined_rows.count() == 5
    assert not MonthlyFact.objects.exists()
    assert not CoverageClaim.objects.exists()


def test_a_file_level_problem_rejects_the_batch_with_the_reason(rep):
    outcome = run(csv_text([["负责人", "客户名称"], ["李明", "甲"]]).encode())
    assert outcome.batch.status == ImportBatch.Status.REJECTED
    assert outcome.batch.error_code == "missing_column"
    assert "商机阶段" in outcome.batch.error_message


def test_another_source_cannot_overwrite_a_claimed_month(rep, other_team_rep):
    run(MARCH_DEALS)
    kpis = csv_text(
        [["工号", "月份", "指标", "数值"], [rep.employee.employee_number, "2025-03", "revenue", "1"]]
    ).encode()
    outcome = run(kpis, profile="monthly-kpis", source="finance")
    assert outcome.batch.error_code == "coverage_conflict"
    assert values()[("李明", "2025-03", "revenue")] == Decimal(32000)


def test_a_deal_already_counted_in_another_month_conflicts(rep, other_team_rep):
    run(deals(["O1", "李明", "甲公司", "赢单", "2025-02-25", "1"]), first="2025-02", last="2025-02")
    outcome = run(
        deals(
            ["O1", "李明", "甲公司", "赢单", "2025-03-03", "1"],
            ["O2", "李明", "乙公司", "赢单", "2025-03-04", "2"],
            *filler(),
        )
    )
    (row,) = outcome.batch.quarantined_rows.all()
    assert row.code == "conflicts_with_batch"
    assert "2025-02" in row.message


def test_new_customers_count_an_account_once_across_files(rep):
    run(deals(["O1", "李明", "甲公司", "赢单", "2025-02-05", "1"]), first="2025-02", last="2025-02")
    run(
        deals(
            ["O2", "李明", "甲公司", "赢单", "2025-03-05", "1"],
            ["O3", "李明", "乙公司", "赢单", "2025-03-06", "1"],
        )
    )
    assert values(kpi__code="new_customers", employee=rep.employee) == {
        ("李明", "2025-02", "new_customers"): Decimal(1),
        ("李明", "2025-03", "new_customers"): Decimal(1),
    }
    # history arrives late: 乙公司 was first won in January, so March's count drops (a visible recount)
    run(deals(["O0", "李明", "乙公司", "赢单", "2025-01-15", "1"]), first="2025-01", last="2025-01")
    assert values(kpi__code="new_customers")[("李明", "2025-03", "new_customers")] == Decimal(0)
    change = FactChange.objects.get(kpi="new_customers", month=MARCH)
    assert (change.old_value, change.new_value) == (Decimal(1), Decimal(0))


def test_importers_need_the_right_role(rep, hrbp):
    with pytest.raises(PermissionDenied):
        import_file(actor=rep, source="crm", profile="crm-deals-cn", path_or_bytes=MARCH_DEALS)
    outcome = import_file(
        actor=hrbp, source="crm", profile="crm-deals-cn", path_or_bytes=MARCH_DEALS, first="2025-03"
    )
    assert outcome.batch.created_by == hrbp


def test_an_hrbp_imports_only_people_in_their_scope(rep, hrbp, org):
    from perfloop.org.tests.factories import EmployeeFactory

    EmployeeFactory(name="外部", org_unit=org.hr_unit)
    outcome = import_file(
        actor=hrbp,
        source="crm",
        profile="crm-deals-cn",
        first="2025-03",
        path_or_bytes=deals(
            ["O1", "李明", "甲", "赢单", "2025-03-05", "1"], ["O2", "外部", "乙", "赢单", "2025-03-05", "1"]
        ),
    )
    assert [row.code for row in outcome.batch.quarantined_rows.all()] == ["unknown_employee"]


def test_a_profile_for_another_source_is_refused(rep):
    with pytest.raises(ImportRejected) as caught:
        run(MARCH_DEALS, source="finance")
    assert caught.value.code == "profile_kind_mismatch"


def test_an_invalid_period_is_refused(rep):
    with pytest.raises(ImportRejected) as caught:
        run(MARCH_DEALS, first="2025-05", last="2025-03")
    assert caught.value.code == "invalid_period"


# --- every kind and every reader through the same door ------------------------------------------------------


def test_an_xlsx_export_with_a_title_row(rep):
    import datetime as dt

    data = xlsx_bytes(
        [DEALS_CN_HEADER, ["O1", "李明", "甲公司", "赢单", dt.date(2025, 3, 5), 1.5]], title="商机报表"
    )
    outcome = run(data, name="deals.xlsx")
    assert (outcome.batch.file_format, outcome.batch.header_row) == ("xlsx", 3)
    assert outcome.batch.warnings == []
    assert values()[("李明", "2025-03", "revenue")] == Decimal(15000)


def collections_push():
    return json.dumps(
        [
            {
                "单据编号": "INV1",
                "销售人员": "李明",
                "所属期间": "2025-03",
                "应收金额": "10,000",
                "实收金额": "8000",
            },
            {
                "单据编号": "INV2",
                "销售人员": "李明",
                "所属期间": "2025-03",
                "应收金额": "10000",
                "实收金额": 10000.00,
            },
        ],
        ensure_ascii=False,
    ).encode()


def test_a_json_push_of_collections(rep):
    run(collections_push(), profile="finance-collections-cn", source="finance", name="push.json")
    assert mine(rep) == {("李明", "2025-03", "collection_rate"): Decimal("0.9")}


def activities_and_feedback():
    lines = "\n".join(
        json.dumps(
            {"跟进人": "李明", "跟进时间": f"2025-03-{day:02d} 10:00", "跟进方式": "电话"}, ensure_ascii=False
        )
        for day in (3, 4, 5)
    )
    run(lines.encode(), profile="crm-activities-cn", name="activities.jsonl")
    feedback = csv_text(
        [["销售人员", "评价日期", "评分"], ["李明", "2025/3/5", "5"], ["李明", "2025/3/6", "4"]]
    )
    run(feedback.encode("gbk"), profile="crm-feedback-cn", name="feedback.csv")


def test_json_lines_of_activities_and_a_gbk_feedback_file(rep):
    activities_and_feedback()
    assert mine(rep) == {
        ("李明", "2025-03", "follow_ups"): Decimal(3),
        ("李明", "2025-03", "feedback_score"): Decimal("4.5"),
    }


def test_customer_accounts_give_the_churn_rate(rep):
    accounts = csv_text(
        [
            ["客户名称", "负责人", "成为客户日期", "流失日期"],
            ["甲", "李明", "2024-01-01", ""],
            ["乙", "李明", "2024-05-01", "2025-03-10"],
            ["丙", "李明", "2024-07-01", ""],
            ["丁", "李明", "2024-07-01", ""],
        ]
    )
    run(accounts.encode(), profile="crm-accounts-cn")
    assert mine(rep) == {("李明", "2025-03", "churn_rate"): Decimal("0.25")}


def training(rep):
    lms = csv_text(
        [
            ["工号", "课程名称", "培训日期", "出勤状态", "考试成绩"],
            [rep.employee.employee_number, "产品知识", "2025-03-03", "已签到", "88"],
            [rep.employee.employee_number, "谈判技巧", "2025-03-10", "缺勤", ""],
        ]
    )
    run(lms.encode(), profile="lms-attendance", source="lms")


def test_training_attendance(rep):
    training(rep)
    fact = facts()[("李明", "2025-03", "training_participation")]
    assert (fact.value, fact.lineage["exam_mean"]) == (Decimal("0.5"), "88.0")


def test_counted_rows_of_every_kind_are_found_again(rep, monkeypatch):
    monkeypatch.setattr(pipeline, "LINEAGE_LISTED_ROWS", 0)
    run(collections_push(), profile="finance-collections-cn", source="finance", name="push.json")
    activities_and_feedback()
    training(rep)
    stored = facts(employee=rep.employee)
    found = {key[2]: fact_rows(fact) for key, fact in stored.items()}
    assert [fact.lineage for fact in stored.values() if "row_count" not in fact.lineage] == []
    assert {kpi: rows.rows for kpi, rows in found.items()} == {
        "collection_rate": [1, 2],
        "follow_ups": [1, 2, 3],
        "feedback_score": [2, 3],
        "training_participation": [2, 3],
    }
    assert found["follow_ups"].cells[2]["跟进时间"] == "2025-03-04 10:00"


def test_monthly_kpi_values_and_wages(rep):
    number = rep.employee.employee_number
    kpis = csv_text(
        [
            ["工号", "月份", "指标", "数值"],
            [number, "2025年3月", "客户转化率", "25%"],
            [number, "2025-03", "revenue", "81,000"],
        ]
    )
    run(kpis.encode(), profile="monthly-kpis", first=None, last=None)
    assert mine(rep) == {
        ("李明", "2025-03", "conversion_rate"): Decimal("0.25"),
        ("李明", "2025-03", "revenue"): Decimal(81000),
    }
    wages = csv_text([["工号", "工资月份", "应发工资", "加班费"], [number, "2025-03", "12,000.50", "500"]])
    outcome = run(wages.encode(), profile="wages-cn", source="hris", first=None, last=None)
    assert outcome.is_applied
    wage = rep.employee.wages.get()
    assert (wage.month, wage.amount, wage.overtime) == (MARCH, Decimal("12000.50"), Decimal(500))


def test_the_demo_company_path_monthly_kpis_from_three_sources(rep, other_team_rep):
    """How the demo loads its CRM, finance and LMS data: one monthly-kpis file per source."""
    sources = {
        "crm": ["revenue", "new_customers", "conversion_rate", "follow_ups", "feedback_score", "churn_rate"],
        "finance": ["collection_rate"],
        "lms": ["training_participation"],
    }
    people = [rep.employee.employee_number, other_team_rep.employee.employee_number]
    for source, kpis in sources.items():
        rows = [
            [number, f"2025-{month:02d}", kpi, "0.5"]
            for number in people
            for month in (1, 2, 3)
            for kpi in kpis
        ]
        outcome = import_file(
            actor=None,
            source=source,
            profile="monthly-kpis",
            path_or_bytes=csv_text([["工号", "月份", "指标", "数值"], *rows]).encode(),
            file_name=f"demo-{source}.csv",
            first="2025-01",
            last="2025-03",
            zero_fill=False,
            recompute=False,
        )
        assert (outcome.is_applied, outcome.batch.rows_quarantined) == (True, 0), outcome.batch.error_message
    assert MonthlyFact.objects.count() == 2 * 3 * 8
    assert set(MonthlyFact.objects.values_list("source", flat=True)) == {"crm", "finance", "lms"}


# --- the whole-file check of an upload ------------------------------------------------------------------


def upload(data, *, profile="crm-deals-cn", source="crm", first="2025-03", last="2025-03", name="deals.csv"):
    """An upload as the web makes it, its whole-file check run at once (the embedded default)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        outcome = import_upload(
            actor=_hr(), source=source, profile=profile, data=data, file_name=name, first=first, last=last
        )
    return outcome.batch, FileCheck.from_dict(ImportFile.objects.get(batch=outcome.batch).file_check)


def test_an_upload_is_checked_whole_and_nothing_is_written_before_the_confirmation(rep, other_team_rep):
    batch, check = upload(
        deals(
            ["O1", "李明", "甲公司", "赢单", "2025-03-05", "1.2"],
            ["O2", "王五", "乙公司", "赢单", "2025-03-06", "1"],
            ["O3", "陈静", "丙公司", "赢单", "2025-03-09", "很多"],
            *filler(),
        )
    )
    assert check.is_ready
    assert (check.rows_total, check.rows_with_problems, check.rows_applied) == (11, 2, 9)
    assert {problem.code: problem.first_rows for problem in check.problems} == {
        "unknown_employee": [3],
        "unparseable_number": [4],
    }
    # 陈静's month waits for her bad row, and nobody gets a real zero while a row names no one known: the
    # preview says both before anything is written.
    assert (check.months, check.people) == ([202503], 1)
    assert set(check.kpis) == {"revenue", "new_customers", "conversion_rate"}
    assert check.facts == len(check.kpis)
    assert {warning["code"]: warning["details"] for warning in check.warnings} == {
        "withheld": {"count": 1},
        "zero_fill_suspended": {"months": "2025-03", "rows": 1},
    }
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.RECEIVED
    assert not MonthlyFact.objects.exists()
    assert not QuarantinedRow.objects.exists()
    assert not CoverageClaim.objects.exists()


def test_the_check_says_a_file_with_too_many_bad_rows_would_be_refused(rep, other_team_rep):
    rows = [[f"O{i}", "李明", "甲公司", "赢单", "2025-03-05", "很多"] for i in range(3)]
    _, check = upload(deals(*rows, ["O9", "李明", "乙公司", "赢单", "2025-03-06", "1"]))
    assert not check.is_ready
    assert check.refusal == {"code": "too_many_errors", "details": {"bad": 3, "rows": 4, "limit": "20%"}}
    assert check.problems[0].rows == 3
    assert check.facts == 0


def test_the_check_names_the_batch_a_correction_restates(rep, other_team_rep):
    earlier = run(MARCH_DEALS).batch
    _, check = upload(deals(["O1", "李明", "甲公司", "赢单", "2025-03-05", "1.5"]), name="corrected.csv")
    assert check.is_ready
    assert check.restates == [earlier.pk]


def test_the_check_says_a_month_another_source_holds_would_be_refused(rep, other_team_rep):
    run(MARCH_DEALS)
    kpis = csv_text(
        [["工号", "月份", "指标", "数值"], [rep.employee.employee_number, "2025-03", "revenue", "1"]]
    ).encode()
    _, check = upload(kpis, profile="monthly-kpis", source="finance")
    assert check.refusal is not None
    assert check.refusal["code"] == "coverage_conflict"
    assert check.rows_total == 1


def test_the_check_quarantines_rows_outside_the_declared_period_in_its_count(rep, other_team_rep):
    _, check = upload(deals(["O1", "李明", "甲公司", "赢单", "2025-04-02", "1"], *filler()))
    assert [(problem.code, problem.first_rows) for problem in check.problems] == [("outside_coverage", [2])]


def test_an_older_release_label_of_a_preset_is_replaced_at_the_next_install():
    presets_install()
    MappingProfile.objects.filter(name="crm-deals-cn").update(label="中文 CRM 商机导出（旧）")
    presets_install()
    assert MappingProfile.objects.get(name="crm-deals-cn").label == "Chinese CRM deals export"


# --- HR of one part of the organisation --------------------------------------------------------------


def test_a_team_hrbps_correction_cannot_remove_the_values_of_other_teams(rep, other_team_rep, org):
    from perfloop.accounts.tests.factories import UserFactory

    east_hr = UserFactory(role="hrbp", scope_unit=org.team_east)
    run(MARCH_DEALS)  # the whole company's March
    before = values()
    outcome = import_file(
        actor=east_hr,
        source="crm",
        profile="crm-deals-cn",
        first="2025-03",
        path_or_bytes=deals(["O1", "李明", "甲公司", "赢单", "2025-03-05", "9"]),
    )
    assert outcome.batch.error_code == "coverage_held_wider"
    assert outcome.batch.coverage_unit == org.team_east  # the file covered the importer's part only
    assert values() == before  # 陈静 (another team) keeps her values, and so does everyone else


def test_a_team_hrbp_restates_their_own_part(rep, other_team_rep, org):
    from perfloop.accounts.tests.factories import UserFactory

    east_hr = UserFactory(role="hrbp", scope_unit=org.team_east)

    def east(amount):
        return import_file(
            actor=east_hr,
            source="crm",
            profile="crm-deals-cn",
            first="2025-03",
            path_or_bytes=deals(["O1", "李明", "甲公司", "赢单", "2025-03-05", amount]),
        ).batch

    first = east("1")
    second = east("2")
    assert second.status == ImportBatch.Status.APPLIED
    assert second.restated_batches == [first.pk]
    assert values()[("李明", "2025-03", "revenue")] == Decimal(20000)


def test_an_hrbp_may_not_import_for_a_unit_outside_their_scope(rep, org):
    from perfloop.accounts.tests.factories import UserFactory

    east_hr = UserFactory(role="hrbp", scope_unit=org.team_east)
    with pytest.raises(PermissionDenied):
        import_file(
            actor=east_hr,
            source="crm",
            profile="crm-deals-cn",
            path_or_bytes=MARCH_DEALS,
            unit=org.team_south,
        )
    assert not ImportBatch.objects.exists()


# --- the dry run --------------------------------------------------------------------------------------


def test_a_dry_run_finds_restatements_and_conflicts_and_writes_nothing(rep, other_team_rep):
    from perfloop.audit.models import AuditEvent

    february = run(
        deals(["O7", "李明", "甲公司", "赢单", "2025-02-25", "1"]), first="2025-02", last="2025-02"
    )
    march = run(MARCH_DEALS).batch
    counts = (ImportBatch.objects.count(), AuditEvent.objects.count(), MonthlyFact.objects.count())
    check = import_check(
        actor=None,
        source="crm",
        profile="crm-deals-cn",
        path_or_bytes=deals(
            ["O1", "李明", "甲公司", "赢单", "2025-03-05", "1.5"],
            ["O7", "李明", "甲公司", "赢单", "2025-03-06", "1"],  # counted in February already
            *filler(),
        ),
        first="2025-03",
        last="2025-03",
    )
    assert check.is_ready
    assert check.restates == [march.pk]
    assert [(problem.code, problem.first_rows) for problem in check.problems] == [
        ("conflicts_with_batch", [3])
    ]
    assert february.batch.pk not in check.restates
    assert (ImportBatch.objects.count(), AuditEvent.objects.count(), MonthlyFact.objects.count()) == counts


def test_a_dry_run_of_a_file_already_applied_names_the_batch_to_whoever_may_open_it(rep, other_team_rep):
    applied = run(MARCH_DEALS).batch
    check = import_check(
        actor=_hr(),
        source="crm",
        profile="crm-deals-cn",
        path_or_bytes=MARCH_DEALS,
        first="2025-03",
        last="2025-03",
    )
    assert (check.is_duplicate, check.is_ready, check.duplicate_of) == (True, False, applied.pk)
    assert check.refusal is None


# --- mapping profiles -----------------------------------------------------------------------------


def _profile_events():
    from perfloop.audit.models import AuditEvent

    return AuditEvent.objects.filter(action="mapping_profile.save").order_by("id")


def test_a_company_profile_is_created_then_changed_with_a_new_revision_and_an_audit_event(hr_director):
    created = mapping_profile_save(
        actor=hr_director, name="crm-mine", spec=OWN_DEALS_SPEC, label="Our CRM", source_kind="crm"
    )
    assert (created.is_created, created.is_changed, created.profile.revision) == (True, True, 1)
    assert (created.profile.kind, created.profile.source_kind, created.profile.is_preset) == (
        "deals",
        "crm",
        False,
    )
    wider = {**OWN_DEALS_SPEC, "columns": {**OWN_DEALS_SPEC["columns"], "owner": ["Rep", "Owner"]}}
    changed = mapping_profile_save(actor=hr_director, name="crm-mine", spec=wider)
    assert (changed.is_created, changed.is_changed, changed.profile.revision) == (False, True, 2)
    stored = MappingProfile.objects.get(name="crm-mine")
    # Left out, the label and the source kind stay as they were; the spec is the new one.
    assert (stored.label, stored.source_kind, stored.spec, stored.revision) == ("Our CRM", "crm", wider, 2)
    events = list(_profile_events())
    assert [event.details["revision"] for event in events] == [1, 2]
    assert [event.details["created"] for event in events] == [True, False]
    assert {event.actor_id for event in events} == {hr_director.pk}
    assert events[0].target_id == str(stored.pk)


def test_saving_a_profile_as_it_is_stored_changes_nothing(hr_director):
    mapping_profile_save(actor=hr_director, name="crm-mine", spec=OWN_DEALS_SPEC, label="Our CRM")
    again = mapping_profile_save(actor=hr_director, name="crm-mine", spec=OWN_DEALS_SPEC, label="Our CRM")
    assert (again.is_created, again.is_changed, again.profile.revision) == (False, False, 1)
    assert _profile_events().count() == 1


def test_an_empty_label_and_source_kind_given_clear_them(hr_director):
    mapping_profile_save(
        actor=hr_director, name="crm-mine", spec=OWN_DEALS_SPEC, label="Ours", source_kind="crm"
    )
    saved = mapping_profile_save(
        actor=hr_director, name="crm-mine", spec=OWN_DEALS_SPEC, label=" ", source_kind=""
    )
    assert (saved.profile.label, saved.profile.source_kind, saved.profile.revision) == ("", "", 2)


@pytest.mark.parametrize(
    "name",
    [
        "a",
        "A1",
        "Crm-mine",
        "crm_mine",
        "crm mine",
        "-crm",
        "crm-",
        "crm.mine",
        "客户",
        "x" * 61,
        "crm-mine\n",
        "new",
        "",
    ],
)
def test_a_new_profile_needs_a_slug_for_its_name(hr_director, name):
    with pytest.raises(MappingProfileError) as refused:
        mapping_profile_save(actor=hr_director, name=name, spec=OWN_DEALS_SPEC)
    assert refused.value.code == "invalid_profile_name"
    assert refused.value.http_status == 422
    assert not MappingProfile.objects.filter(is_preset=False).exists()
    assert not _profile_events().exists()


@pytest.mark.parametrize("name", ["ab", "x" * 60, "crm-2025", "9-lives", "crm--mine"])
def test_lower_case_letters_digits_and_hyphens_make_a_name(hr_director, name):
    assert mapping_profile_save(actor=hr_director, name=name, spec=OWN_DEALS_SPEC).profile.name == name


def test_a_profile_saved_under_an_older_looser_name_can_still_be_changed(hr_director):
    MappingProfile.objects.create(name="Old_Profile", kind="deals", spec=OWN_DEALS_SPEC)
    saved = mapping_profile_save(actor=hr_director, name="Old_Profile", spec=OWN_DEALS_SPEC, label="kept")
    assert (saved.is_created, saved.profile.revision) == (False, 2)


@pytest.mark.parametrize(
    ("source_kind", "allowed"), [("erp", ["crm", "finance", "lms", "hris"]), ("finance", ["crm"])]
)
def test_a_source_kind_must_exist_and_provide_the_profiles_kind_of_file(hr_director, source_kind, allowed):
    with pytest.raises(MappingProfileError) as refused:
        mapping_profile_save(actor=hr_director, name="crm-mine", spec=OWN_DEALS_SPEC, source_kind=source_kind)
    assert refused.value.code == "invalid_source_kind"
    assert refused.value.details["allowed"] == allowed
    assert not MappingProfile.objects.filter(name="crm-mine").exists()


def test_any_source_kind_fits_monthly_kpi_values(hr_director):
    spec = {
        "kind": "monthly_kpis",
        "columns": {"employee": "工号", "month": "月份", "kpi": "指标", "value": "数值"},
    }
    assert mapping_profile_save(actor=hr_director, name="kpis-lms", spec=spec, source_kind="lms").is_created


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ({"kind": "invoices", "columns": {"owner": "Rep"}}, "kind must be one of"),
        ({"kind": "deals", "columns": {"account": "Client", "stage": "Status"}}, "required field owner"),
        (
            {"kind": "deals", "columns": {**OWN_DEALS_SPEC["columns"], "colour": "Colour"}},
            "deals has no field colour",
        ),
        (["kind", "deals"], "a profile is a JSON object"),
        (
            {
                **OWN_DEALS_SPEC,
                "columns": {**OWN_DEALS_SPEC["columns"], "amount": {"names": ["Value"], "max": float("nan")}},
            },
            "NaN",
        ),
    ],
)
def test_an_invalid_spec_is_refused_with_its_reason(hr_director, spec, reason):
    with pytest.raises(ImportRejected) as refused:
        mapping_profile_save(actor=hr_director, name="crm-mine", spec=spec)
    assert refused.value.code == "invalid_profile"
    assert reason in refused.value.details["reason"]
    assert refused.value.http_status == 422
    assert not MappingProfile.objects.filter(name="crm-mine").exists()


def test_a_label_has_at_most_200_characters(hr_director):
    with pytest.raises(MappingProfileError) as refused:
        mapping_profile_save(actor=hr_director, name="crm-mine", spec=OWN_DEALS_SPEC, label="x" * 201)
    assert refused.value.code == "invalid_profile_label"


def test_a_preset_is_never_changed_even_before_the_presets_are_installed(hr_director):
    for installed in (False, True):
        if installed:
            presets_install()
        with pytest.raises(MappingProfileError) as refused:
            mapping_profile_save(actor=hr_director, name="crm-deals-cn", spec=OWN_DEALS_SPEC)
        assert refused.value.code == "preset_read_only"
    assert MappingProfile.objects.get(name="crm-deals-cn").is_preset
    assert MappingProfile.objects.get(name="crm-deals-cn").spec["columns"]["owner"] != ["Rep"]


def test_an_editor_is_told_instead_of_overwriting_a_newer_revision_or_an_existing_profile(hr_director):
    mapping_profile_save(actor=hr_director, name="crm-mine", spec=OWN_DEALS_SPEC)
    mapping_profile_save(actor=hr_director, name="crm-mine", spec=OWN_DEALS_SPEC, label="by someone else")
    with pytest.raises(MappingProfileError) as stale:
        mapping_profile_save(
            actor=hr_director, name="crm-mine", spec=OWN_DEALS_SPEC, label="mine", expected_revision=1
        )
    assert (stale.value.code, stale.value.details["revision"]) == ("profile_changed", 2)
    with pytest.raises(MappingProfileError) as exists:
        mapping_profile_save(actor=hr_director, name="crm-mine", spec=OWN_DEALS_SPEC, expected_revision=0)
    assert exists.value.code == "profile_exists"
    assert MappingProfile.objects.get(name="crm-mine").label == "by someone else"
    saved = mapping_profile_save(
        actor=hr_director, name="crm-mine", spec=OWN_DEALS_SPEC, label="mine", expected_revision=2
    )
    assert saved.profile.revision == 3


def test_only_hr_saves_profiles_and_only_hr_of_the_whole_tree_a_rosters(rep, hrbp, hr_director):
    with pytest.raises(PermissionDenied):
        mapping_profile_save(actor=rep, name="crm-mine", spec=OWN_DEALS_SPEC)
    assert mapping_profile_save(actor=hrbp, name="crm-mine", spec=OWN_DEALS_SPEC).is_created
    roster = {
        "kind": "roster",
        "columns": {
            "employee_number": "工号",
            "name": "姓名",
            "department": "部门",
            "position": "岗位",
            "hire_date": "入职日期",
        },
    }
    with pytest.raises(PermissionDenied):
        mapping_profile_save(actor=hrbp, name="roster-mine", spec=roster)
    mapping_profile_save(actor=hr_director, name="roster-mine", spec=roster)
    with pytest.raises(PermissionDenied):  # nor may HR of one part turn the roster's profile into another
        mapping_profile_save(actor=hrbp, name="roster-mine", spec=OWN_DEALS_SPEC)
    assert MappingProfile.objects.get(name="roster-mine").kind == "roster"
    assert [event.details["created"] for event in _profile_events()] == [True, True]


def test_a_profile_of_ones_own_imports_a_file_of_ones_own(rep):
    mapping_profile_save(actor=None, name="crm-mine", spec=OWN_DEALS_SPEC, source_kind="crm")
    data = csv_text(
        [
            ["Rep", "Client", "Status", "Signed on", "Value"],
            ["李明", "甲公司", "Signed", "2025-03-05", "12000"],
        ]
    )
    outcome = run(data.encode(), profile="crm-mine")
    assert outcome.is_applied, outcome.batch.error_message
    assert values()[("李明", "2025-03", "revenue")] == Decimal(12000)
