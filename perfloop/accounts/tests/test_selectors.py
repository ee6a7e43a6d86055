"""Who sees whom: the scope rules every read in the product starts from."""

from typing import cast

import pytest

from perfloop.accounts.selectors import can_see_individuals, employee_scope_for, org_unit_scope_for
from perfloop.org.models import Employee

# persona → may they see other_team_rep's individual data?
SEES_OTHER_TEAM_REP = {
    "rep": False,
    "other_team_rep": True,
    "manager": False,
    "other_manager": True,
    "mentor": False,
    "hrbp": True,
    "legal": False,
    "recruiter": False,
    "executive": False,
    "sysadmin": False,
}


@pytest.mark.parametrize(("persona", "expected"), SEES_OTHER_TEAM_REP.items())
def test_only_self_own_manager_and_hr_see_a_person(everyone, persona, expected):
    target = everyone["other_team_rep"].employee
    assert employee_scope_for(viewer=everyone[persona]).filter(pk=target.pk).exists() is expected


def test_a_rep_sees_only_themself(everyone):
    assert list(employee_scope_for(viewer=everyone["rep"])) == [everyone["rep"].employee]


def test_a_manager_sees_their_subtree_including_nested_units(everyone, org):
    from perfloop.org.tests.factories import EmployeeFactory, OrgUnitFactory

    nested = OrgUnitFactory(code="EAST-1", parent=org.team_east)
    deep = cast(Employee, EmployeeFactory(org_unit=nested))
    scope = employee_scope_for(viewer=everyone["manager"])
    assert scope.filter(pk=deep.pk).exists()
    assert not scope.filter(pk=everyone["other_team_rep"].employee.pk).exists()


def test_sysadmin_sees_no_performance_data_at_all(everyone):
    sysadmin = everyone["sysadmin"]
    assert not employee_scope_for(viewer=sysadmin).exists()
    assert not org_unit_scope_for(viewer=sysadmin).exists()


def test_executive_sees_aggregates_of_the_whole_company_but_no_individuals(everyone, org):
    executive = everyone["executive"]
    assert set(org_unit_scope_for(viewer=executive)) == {
        org.company,
        org.sales,
        org.team_east,
        org.team_south,
        org.hr_unit,
    }
    assert not can_see_individuals(viewer=executive)
    assert list(employee_scope_for(viewer=executive)) == [executive.employee]


def test_hrbp_scope_stops_at_their_unit(everyone, org):
    units = set(org_unit_scope_for(viewer=everyone["hrbp"]))
    assert org.team_south in units
    assert org.hr_unit not in units


def test_an_inactive_user_sees_nothing(everyone):
    hrbp = everyone["hrbp"]
    hrbp.is_active = False
    hrbp.save()
    assert not employee_scope_for(viewer=hrbp).exists()
