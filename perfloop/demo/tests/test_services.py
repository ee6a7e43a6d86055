"""Building the demo company into the database and measuring the case study back from it."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Max, Min
from django.test import RequestFactory

from perfloop.accounts.models import User
from perfloop.accounts.policies import can_read_audit_log
from perfloop.audit.models import AuditEvent
from perfloop.demo import services
from perfloop.demo.credentials import DEMO_PASSWORD, DEMO_SIGN_INS
from perfloop.demo.exports import demo_files
from perfloop.demo.generator import DISPUTE_MONTH, REP_PERSONA, TIMELINE, DemoCompany, generate_company
from perfloop.demo.selectors import demo_summary
from perfloop.demo.services import DemoError, demo_company_build
from perfloop.goals.models import Goal, GoalEvent, GoalStatus, GoalVersion
from perfloop.imports.models import ImportBatch, QuarantinedRow
from perfloop.imports.services import import_file
from perfloop.metrics.models import MonthlyFact, MonthlyTarget, Scorecard, ScoringPolicy
from perfloop.monitoring.policies import can_close_month
from perfloop.org.models import Employee, OrgUnit, WageRecord

FACT_KINDS = ("deals", "activities", "feedback", "monthly_kpis", "collections", "training")


def sign_in_request():
    """A sign-in as the page sends it: the lockout backend needs the request to know the address."""
    return RequestFactory().post("/accounts/sign-in/", REMOTE_ADDR="10.0.0.1")


def _counts() -> dict[str, int]:
    return {
        "employees": Employee.objects.count(),
        "units": OrgUnit.objects.count(),
        "users": User.objects.count(),
        "batches": ImportBatch.objects.count(),
        "facts": MonthlyFact.objects.count(),
        "goals": Goal.objects.count(),
        "goal_versions": GoalVersion.objects.count(),
        "goal_events": GoalEvent.objects.count(),
        "targets": MonthlyTarget.objects.count(),
        "wages": WageRecord.objects.count(),
        "scorecards": Scorecard.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.fixture(scope="module")
def company() -> DemoCompany:
    return generate_company()


def _demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


# --- an empty database -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_failed_build_leaves_nothing_behind(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "scorecards_recompute", broken)
    before = _counts()

    with pytest.raises(RuntimeError):
        demo_company_build()

    assert _counts() == before
    assert not ScoringPolicy.objects.filter(met_threshold=services.DEMO_MET_THRESHOLD).exists()


@pytest.mark.django_db
def test_a_demo_file_that_does_not_import_cleanly_stops_the_build_and_leaves_nothing(monkeypatch):
    def one_file_broken(company):
        files = demo_files(company)
        feedback = next(i for i, f in enumerate(files) if f.profile == "crm-feedback-cn")
        # A score of 6 on the 1–5 scale: the row is quarantined (out_of_range), the rest would apply.
        broken = files[feedback].data.replace(b",5\r\n", b",6\r\n", 1)
        files[feedback] = dataclasses.replace(files[feedback], data=broken)
        return files

    monkeypatch.setattr(services, "demo_files", one_file_broken)
    before = _counts()

    with pytest.raises(DemoError) as caught:
        demo_company_build()

    assert caught.value.code == "demo_import_failed"
    assert "客户满意度评价" in caught.value.message
    assert _counts() == before
    assert not QuarantinedRow.objects.exists()


@pytest.mark.django_db
def test_build_refuses_taken_usernames_and_names_them():
    User.objects.create_user(username="admin", password="s3cret-admin")

    with pytest.raises(DemoError) as caught:
        demo_company_build()

    assert caught.value.code == "demo_names_taken"
    assert "admin" in caught.value.message
    assert Employee.objects.count() == 0


@pytest.mark.django_db
def test_summary_of_an_empty_database_is_zero_and_unknown():
    summary = demo_summary()

    assert summary["reps"] == summary["long_term_underperformers"] == summary["hired"] == 0
    assert summary["team_completion_before"] is None


# --- the built company (built once for the class, rolled back after it) ----------------------------------


@pytest.fixture(scope="class")
def built(django_db_setup, django_db_blocker):
    """`manage.py demo` into the test database; its output, and everything rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = _demo()
        yield output
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.usefixtures("built")
class TestBuiltDemo:
    def test_it_writes_the_generated_company(self, company):
        assert Employee.objects.count() == len(company.employees) == 67
        assert User.objects.count() == len(company.users)
        assert OrgUnit.objects.count() == len(company.units)
        assert MonthlyFact.objects.count() == company.facts.height == 10000
        assert MonthlyTarget.objects.count() == company.targets.height
        assert WageRecord.objects.count() == company.wages.height
        assert Scorecard.objects.filter(composite__isnull=False).count() == 1250

    def test_summary_measures_the_case_study(self):
        summary = demo_summary()

        assert summary["reps"] == 50
        assert summary["long_term_underperformers"] == 8
        assert summary["team_completion_before"] == pytest.approx(0.75, abs=0.02)
        assert summary["team_completion_after"] == pytest.approx(0.90, abs=0.02)
        assert summary["improved"] == 3
        assert summary["not_improved"] == 5
        assert summary["left"] == 5
        assert summary["hired"] == 5
        assert summary["met_threshold"] == pytest.approx(0.70)
        assert summary["months_before"][0] == str(TIMELINE.before_first)
        assert set(summary["definitions"]) >= {"reps", "long_term_underperformers", "improved", "hired"}

    def test_summary_follows_the_stored_scorecards(self):
        card = Scorecard.objects.filter(month=TIMELINE.before_last, streak_below__gte=6).earliest("pk")
        card.streak_below = 5
        card.save(update_fields=["streak_below"])

        assert demo_summary()["long_term_underperformers"] == 7

    def test_the_build_prints_the_summary_and_every_sign_in(self, built):
        for sign_in in DEMO_SIGN_INS:
            assert f"{sign_in.role:<10} {sign_in.username:<10} {DEMO_PASSWORD}" in built
        assert "team completion, before" in built

    def test_json_summary_is_one_object(self):
        summary = json.loads(_demo("--summary", "--json"))

        assert summary["reps"] == 50
        assert summary["hired"] == 5

    def test_if_empty_twice_changes_nothing(self):
        before = _counts()

        assert _demo("--if-empty") == ""
        assert _demo("--if-empty") == ""
        assert _counts() == before

    def test_a_plain_build_over_existing_people_says_so(self):
        before = _counts()

        assert "already has 67 employees" in _demo()
        assert _counts() == before

    def test_the_service_refuses_existing_people(self):
        with pytest.raises(DemoError) as caught:
            demo_company_build()

        assert caught.value.code == "demo_data_exists"

    @pytest.mark.parametrize("sign_in", DEMO_SIGN_INS, ids=lambda s: s.username)
    def test_every_persona_signs_in_with_the_demo_password(self, sign_in):
        user = authenticate(sign_in_request(), username=sign_in.username, password=DEMO_PASSWORD)

        assert user is not None
        assert user.role == sign_in.role
        assert authenticate(sign_in_request(), username=sign_in.username, password="wrong") is None

    def test_personas_are_linked_and_scoped(self):
        rep = User.objects.get(username="rep").employee
        manager = User.objects.get(username="manager").employee

        assert rep.manager == manager
        assert rep.org_unit.head == manager
        assert User.objects.get(username="mentor").employee.org_unit == rep.org_unit
        hrbp_scope = User.objects.get(username="hrbp").scope_unit
        executive_scope = User.objects.get(username="executive").scope_unit

        assert hrbp_scope is not None
        assert hrbp_scope.code == "SALES"
        assert executive_scope is not None
        assert executive_scope.parent is None
        assert User.objects.get(username="admin").role == "sysadmin"

    def test_the_hr_director_acts_for_the_whole_company_and_the_hrbp_for_sales_only(self):
        director = User.objects.get(username="hrd")
        hrbp = User.objects.get(username="hrbp")

        assert (director.role, director.scope_unit, director.employee.position.code) == (
            "hrbp",
            None,
            "hr_director",
        )
        assert can_close_month(director)
        assert not can_close_month(hrbp)
        assert can_read_audit_log(director)
        assert not can_read_audit_log(hrbp)

    def test_leavers_cannot_sign_in(self):
        leaver = Employee.objects.filter(status=Employee.Status.LEFT).select_related("user").earliest("pk")

        assert leaver.termination_date == TIMELINE.leaving_date
        assert leaver.user is not None
        assert authenticate(sign_in_request(), username=leaver.user.username, password=DEMO_PASSWORD) is None

    # --- facts through the imports ---

    def test_every_fact_comes_from_an_applied_batch_whose_file_hash_is_recorded(self, company):
        exported = {f.name: hashlib.sha256(f.data).hexdigest() for f in demo_files(company)}
        applied = {
            batch.pk: batch
            for batch in ImportBatch.objects.filter(status=ImportBatch.Status.APPLIED, kind__in=FACT_KINDS)
        }
        batch_ids = set(MonthlyFact.objects.values_list("batch_id", flat=True).distinct())

        assert not MonthlyFact.objects.filter(batch_id__isnull=True).exists()
        assert batch_ids == set(applied)
        for batch in applied.values():
            assert batch.file_sha256 == exported[batch.file_name]
            assert batch.file_size > 0

    def test_facts_carry_the_rows_they_came_from(self):
        fact = MonthlyFact.objects.filter(kpi__code="collection_rate").earliest("pk")
        revenue = MonthlyFact.objects.filter(kpi__code="revenue").earliest("pk")

        assert fact.source == "finance"
        assert fact.lineage["batch"] == fact.batch_id
        assert fact.lineage["rows"]
        assert Decimal(fact.lineage["collected"]) / Decimal(fact.lineage["due"]) == fact.value
        assert revenue.source == "crm"
        assert revenue.lineage["deals_won"] == len(revenue.lineage["rows"])

    def test_the_imports_compute_exactly_the_generated_values(self, company):
        stored = {
            (number, month.index, kpi): (value, source)
            for number, month, kpi, value, source in MonthlyFact.objects.values_list(
                "employee__employee_number", "month", "kpi__code", "value", "source"
            )
        }
        generated = {
            (number, month, kpi): (value, source)
            for number, month, kpi, value, source in company.facts.iter_rows()
        }

        assert stored == generated

    def test_every_file_is_an_applied_batch_of_its_source_without_a_quarantined_row(self, company):
        batches = ImportBatch.objects.order_by("pk")
        by_source = dict(batches.values_list("source__code").annotate(n=Count("pk")).order_by())
        by_kind = dict(batches.values_list("kind").annotate(n=Count("pk")).order_by())

        assert [b.file_name for b in batches] == [f.name for f in demo_files(company)]
        assert {b.status for b in batches} == {ImportBatch.Status.APPLIED}
        assert by_source == {"crm": 14, "finance": 2, "lms": 1}
        assert by_kind == {
            "deals": 10,
            "activities": 2,
            "feedback": 1,
            "monthly_kpis": 1,
            "collections": 2,
            "training": 1,
        }
        assert sum(b.rows_quarantined for b in batches) == 0
        assert not QuarantinedRow.objects.exists()
        assert all(b.warnings == [] for b in batches)
        assert {b.coverage_unit.code for b in batches if b.kind == "deals"} == {
            "SALES-SH1",
            "SALES-SH2",
            "SALES-SZ",
            "SALES-HZ",
            "SALES-NJ",
        }

    def test_the_unit_parser_read_the_wan_yuan_exports(self):
        wan = [b.pk for b in ImportBatch.objects.filter(kind="deals") if "成交金额（万元）" in b.header]
        revenue = MonthlyFact.objects.filter(batch_id__in=wan, kpi__code="revenue")

        assert len(wan) == 2
        assert revenue.aggregate(low=Min("value"))["low"] > 30000

    def test_the_same_export_again_changes_nothing(self, company):
        file = demo_files(company)[-1]
        before = MonthlyFact.objects.aggregate(changed=Max("updated_at"), count=Count("pk"))

        outcome = import_file(
            actor=None,
            source=file.source,
            profile=file.profile,
            path_or_bytes=file.data,
            file_name=file.name,
            first=file.first,
            last=file.last,
            zero_fill=file.zero_fill,
        )

        assert outcome.is_duplicate
        assert MonthlyFact.objects.aggregate(changed=Max("updated_at"), count=Count("pk")) == before

    # --- goals as agreed records ---

    def test_every_target_is_a_confirmed_goal_published_by_the_manager_and_confirmed_by_the_rep(self):
        goals = Goal.objects.all()
        first_events = GoalEvent.objects.filter(version__number=1)

        assert goals.count() == MonthlyTarget.objects.count() == 10000
        assert set(goals.values_list("status", flat=True).distinct()) == {GoalStatus.CONFIRMED}
        assert not goals.filter(confirmed_version__isnull=True).exists()
        assert not goals.filter(confirmed_at__lte=F("published_at")).exists()
        assert GoalVersion.objects.count() == 10000 + 4
        for event in first_events.filter(action="publish").select_related("goal__employee__manager")[:50]:
            assert event.actor_id == event.goal.employee.manager.user_id
        for event in GoalEvent.objects.filter(action="confirm").select_related("goal__employee")[:50]:
            assert event.actor_id == event.goal.employee.user_id
        keys = ("employee_id", "month", "kpi_id", "value")
        assert set(MonthlyTarget.objects.values_list(*keys)) == set(goals.values_list(*keys))

    def test_four_goals_of_one_month_were_disputed_and_answered(self):
        disputed = Goal.objects.filter(events__action="dispute").distinct()

        assert disputed.count() == 4
        assert set(disputed.values_list("month", flat=True)) == {DISPUTE_MONTH}
        assert set(disputed.values_list("version_count", flat=True)) == {2}
        kept = [g for g in disputed if g.versions.get(number=1).value == g.value]
        assert [g.kpi.code for g in kept] == ["collection_rate"]

    def test_the_source_documents_dispute_80000_against_an_average_of_70000_adjusted_to_75000(self):
        rep = User.objects.get(username="rep").employee
        manager = User.objects.get(username="manager")
        assert rep.employee_number == REP_PERSONA
        goal = Goal.objects.get(employee=rep, month=DISPUTE_MONTH, kpi__code="revenue")
        history = MonthlyFact.objects.filter(
            employee=rep,
            kpi__code="revenue",
            month__gte=DISPUTE_MONTH - 6,
            month__lt=DISPUTE_MONTH,
        )
        events = list(goal.events.order_by("occurred_at"))

        assert [v.value for v in goal.versions.order_by("number")] == [Decimal(80000), Decimal(75000)]
        assert history.count() == 6
        assert sum(f.value for f in history) / 6 == Decimal(70000)
        assert [e.action for e in events] == ["publish", "dispute", "answer", "confirm"]
        assert [e.actor for e in events] == [manager, rep.user, manager, rep.user]
        assert "70,000" in events[1].comment
        assert "75,000" in events[2].comment
        assert goal.confirmed_version == goal.current_version
        assert goal.confirmed_version.created_by == manager
        assert (
            MonthlyTarget.objects.get(employee=rep, month=DISPUTE_MONTH, kpi__code="revenue").value == 75000
        )
        card = Scorecard.objects.get(employee=rep, month=DISPUTE_MONTH)
        assert card.is_met

    def test_units_have_materialised_paths(self):
        team = OrgUnit.objects.get(code="SALES-SH1")

        assert team.parent is not None
        assert team.path == f"{team.parent.path}{team.pk}/"
        assert team.path.startswith(OrgUnit.objects.get(code="CO").path)
