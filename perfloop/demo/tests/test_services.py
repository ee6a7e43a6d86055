"""Building the demo company into the database and measuring the case study back from it."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction

from perfloop.accounts.models import User
from perfloop.audit.models import AuditEvent
from perfloop.demo import services
from perfloop.demo.credentials import DEMO_PASSWORD, DEMO_SIGN_INS
from perfloop.demo.generator import TIMELINE, generate_company
from perfloop.demo.selectors import demo_summary
from perfloop.demo.services import DemoError, demo_company_build
from perfloop.metrics.models import MonthlyFact, MonthlyTarget, Scorecard, ScoringPolicy
from perfloop.org.models import Employee, OrgUnit, WageRecord


def _counts() -> dict[str, int]:
    return {
        "employees": Employee.objects.count(),
        "units": OrgUnit.objects.count(),
        "users": User.objects.count(),
        "facts": MonthlyFact.objects.count(),
        "targets": MonthlyTarget.objects.count(),
        "wages": WageRecord.objects.count(),
        "scorecards": Scorecard.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


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
    def test_it_writes_the_generated_company(self):
        company = generate_company()

        assert Employee.objects.count() == len(company.employees) == 66
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

        assert "already has 66 employees" in _demo()
        assert _counts() == before

    def test_the_service_refuses_existing_people(self):
        with pytest.raises(DemoError) as caught:
            demo_company_build()

        assert caught.value.code == "demo_data_exists"

    @pytest.mark.parametrize("sign_in", DEMO_SIGN_INS, ids=lambda s: s.username)
    def test_every_persona_signs_in_with_the_demo_password(self, sign_in):
        user = authenticate(username=sign_in.username, password=DEMO_PASSWORD)

        assert user is not None
        assert user.role == sign_in.role
        assert authenticate(username=sign_in.username, password="wrong") is None

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

    def test_leavers_cannot_sign_in(self):
        leaver = Employee.objects.filter(status=Employee.Status.LEFT).select_related("user").earliest("pk")

        assert leaver.termination_date == TIMELINE.leaving_date
        assert leaver.user is not None
        assert authenticate(username=leaver.user.username, password=DEMO_PASSWORD) is None

    def test_facts_carry_their_lineage(self):
        fact = MonthlyFact.objects.filter(kpi__code="collection_rate").earliest("pk")

        assert fact.lineage == {"generator": "demo", "seed": generate_company().seed}
        assert fact.source == "finance"

    def test_units_have_materialised_paths(self):
        team = OrgUnit.objects.get(code="SALES-SH1")

        assert team.parent is not None
        assert team.path == f"{team.parent.path}{team.pk}/"
        assert team.path.startswith(OrgUnit.objects.get(code="CO").path)
