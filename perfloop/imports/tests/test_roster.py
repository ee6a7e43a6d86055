"""The HR roster: every mapped column lands, managers are found by name, and every new person can sign in
through a one-time invitation — no password is ever set or sent by anyone but the person."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client, TestCase

from perfloop.accounts.models import User
from perfloop.audit.models import AuditEvent
from perfloop.core.months import Month
from perfloop.imports.file_check import FileCheck
from perfloop.imports.models import ImportBatch, ImportFile, Invitation
from perfloop.imports.presets import PRESETS
from perfloop.imports.services import (
    InvitationError,
    import_file,
    import_upload,
    invitation_accept,
    invitation_renew,
)
from perfloop.imports.tests.data import csv_text, xlsx_bytes
from perfloop.org.models import Employee, OrgUnit, Position

pytestmark = pytest.mark.django_db

HEADER = [
    "工号",
    "姓名",
    "部门",
    "岗位",
    "职级",
    "入职日期",
    "直属上级",
    "邮箱",
    "出生日期",
    "性别",
    "工作城市",
    "合同类型",
    "合同开始日期",
    "合同结束日期",
    "试用期结束日期",
    "工会会员",
    "在职状态",
    "离职日期",
    "系统角色",
    "月工资",
    "工资月份",
]
D = dt.date
ROWS: list[list[object]] = [
    [
        "S001",
        "周总",
        "演示公司",
        "总经理",
        "E1",
        D(2015, 1, 5),
        "",
        "zhou@example.com",
        D(1975, 2, 1),
        "男",
        "上海",
        "无固定期限",
        D(2015, 1, 5),
        "",
        "",
        "否",
        "在职",
        "",
        "高管",
        50000,
        "2025-03",
    ],
    [
        "S002",
        "王经理",
        "演示公司/销售部/华东组",
        "销售经理",
        "M1",
        D(2018, 3, 1),
        "周总",
        "wang@example.com",
        D(1985, 6, 1),
        "男",
        "杭州",
        "固定期限",
        D(2024, 3, 1),
        D(2027, 2, 28),
        "",
        "是",
        "在职",
        "",
        "",
        "22,000",
        "2025-03",
    ],
    [
        "S003",
        "李明",
        "演示公司/销售部/华东组",
        "销售代表",
        "S1",
        D(2022, 3, 1),
        "王经理",
        "liming@example.com",
        D(1992, 5, 17),
        "男",
        "杭州",
        "固定期限",
        D(2022, 3, 1),
        D(2025, 2, 28),
        D(2022, 8, 31),
        "否",
        "在职",
        "",
        "",
        "9000",
        "2025-03",
    ],
    [
        "S004",
        "陈静",
        "演示公司/销售部/华东组",
        "销售代表",
        "S2",
        "2023/7/10",
        "S002",
        "",
        "1995-11-02",
        "女",
        "杭州",
        "固定期限",
        "2023-07-10",
        "2026-07-09",
        "2024-01-09",
        "是",
        "休假",
        "",
        "",
        "1.1万",
        "2025-03",
    ],
    [
        "S005",
        "赵离",
        "演示公司/销售部/华南组",
        "销售代表",
        "S1",
        D(2021, 1, 4),
        "周总",
        "",
        "",
        "",
        "深圳",
        "",
        "",
        "",
        "",
        "",
        "离职",
        D(2025, 1, 31),
        "",
        "",
        "",
    ],
]


def roster(rows=ROWS, header=HEADER):
    return xlsx_bytes([header, *rows], title="花名册 2025年3月")


def run(data, name="roster.xlsx", **kwargs):
    return import_file(
        actor=None, source="hris", profile="hr-roster-cn", path_or_bytes=data, file_name=name, **kwargs
    )


def test_every_mapped_column_lands_in_the_database():
    outcome = run(roster())
    assert outcome.is_applied, outcome.batch.error_message
    assert outcome.batch.rows_quarantined == 0
    mapped = set(PRESETS["hr-roster-cn"]["spec"]["columns"])
    assert mapped == {
        "employee_number",
        "name",
        "department",
        "position",
        "grade",
        "hire_date",
        "manager",
        "email",
        "birth_date",
        "gender",
        "work_city",
        "contract_type",
        "contract_start",
        "contract_end",
        "probation_end",
        "union_member",
        "status",
        "termination_date",
        "role",
        "wage",
        "wage_month",
    }
    wang = Employee.objects.select_related("org_unit__parent__parent", "position", "manager", "user").get(
        employee_number="S002"
    )
    landed = {
        "employee_number": wang.employee_number,
        "name": wang.name,
        "department": (wang.org_unit.parent.parent.name, wang.org_unit.parent.name, wang.org_unit.name),
        "position": wang.position.name,
        "grade": wang.position.grade,
        "hire_date": wang.hire_date,
        "manager": wang.manager.employee_number,
        "email": (wang.email, wang.user.email),
        "birth_date": wang.birth_date,
        "gender": wang.gender,
        "work_city": wang.work_city,
        "contract_type": wang.contract_type,
        "contract_start": wang.contract_start,
        "contract_end": wang.contract_end,
        "union_member": wang.is_union_member,
        "status": wang.status,
        "role": wang.user.role,
        "wage": wang.wages.get().amount,
        "wage_month": wang.wages.get().month,
    }
    assert landed == {
        "employee_number": "S002",
        "name": "王经理",
        "department": ("演示公司", "销售部", "华东组"),
        "position": "销售经理",
        "grade": "M1",
        "hire_date": D(2018, 3, 1),
        "manager": "S001",
        "email": ("wang@example.com", "wang@example.com"),
        "birth_date": D(1985, 6, 1),
        "gender": "male",
        "work_city": "杭州",
        "contract_type": "fixed",
        "contract_start": D(2024, 3, 1),
        "contract_end": D(2027, 2, 28),
        "union_member": True,
        "status": "active",
        "role": "manager",  # has direct reports and no role column value
        "wage": Decimal(22000),
        "wage_month": Month(2025, 3),
    }
    li = Employee.objects.get(employee_number="S003")
    assert (li.probation_end, li.manager.name) == (D(2022, 8, 31), "王经理")
    chen = Employee.objects.get(employee_number="S004")
    assert (chen.manager.employee_number, chen.status, chen.gender, chen.hire_date) == (
        "S002",
        "on_leave",
        "female",
        D(2023, 7, 10),
    )
    assert chen.wages.get().amount == Decimal(11000)
    left = Employee.objects.get(employee_number="S005")
    assert (left.status, left.termination_date, left.org_unit.name) == ("left", D(2025, 1, 31), "华南组")
    zhou = Employee.objects.get(employee_number="S001")
    assert (zhou.user.role, zhou.contract_type, zhou.org_unit.name) == ("executive", "open_ended", "演示公司")
    assert OrgUnit.objects.get(name="华东组").head == wang  # the manager most of the team reports to
    assert Position.objects.get(name="销售代表", grade="S1").is_sales
    assert not Position.objects.get(name="总经理").is_sales
    assert outcome.batch.summary["people"]["people_created"] == 5


def test_nobody_gets_a_password_and_everyone_can_sign_in_through_their_link(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = run(roster())
    users = User.objects.filter(employee__isnull=False)
    assert users.count() == 5
    assert not any(user.has_usable_password() for user in users)
    assert Invitation.objects.count() == 5
    assert all(len(invitation.token_digest) == 64 for invitation in Invitation.objects.all())
    assert len(outcome.invitations) == 5
    assert len(mail.outbox) == 3  # the three people with an e-mail address, after the commit
    link = next(link for link in outcome.invitations if link.employee_number == "S003")
    assert [message.to for message in mail.outbox if link.path in message.body] == [["liming@example.com"]]
    page = client.get(link.path)
    assert page.status_code == 200
    answer = client.post(link.path, {"password": "Kanban-Harbor-2025", "confirm": "Kanban-Harbor-2025"})
    assert answer.status_code == 302
    assert client.get("/").status_code in {200, 302}
    signed_in = Client().post("/accounts/sign-in/", {"username": "s003", "password": "Kanban-Harbor-2025"})
    assert signed_in.status_code == 302
    assert client.get(link.path).status_code == 404  # used: the link is dead now
    assert AuditEvent.objects.filter(action="user.invitation_accept").count() == 1


def test_invitations_expire_and_can_be_renewed():
    outcome = run(roster())
    raw = outcome.invitations[0].path.split("/")[-2]
    Invitation.objects.update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(InvitationError) as refused:
        invitation_accept(raw_token=raw, password="Kanban-Harbor-2025")
    assert refused.value.code == "invalid_invitation"
    employee = Employee.objects.get(employee_number=outcome.invitations[0].employee_number)
    fresh = invitation_renew(actor=None, employee=employee)
    user = invitation_accept(raw_token=fresh.path.split("/")[-2], password="Kanban-Harbor-2025")
    assert user.check_password("Kanban-Harbor-2025")


def test_an_old_link_is_dead_once_the_person_has_a_password_set_another_way(client):
    outcome = run(roster())
    link = outcome.invitations[0]
    user = Employee.objects.get(employee_number=link.employee_number).user
    user.set_password("Set-By-The-Administrator-2025")
    user.save(update_fields=["password"])
    assert client.get(link.path).status_code == 404
    answer = client.post(link.path, {"password": "Kanban-Harbor-2025", "confirm": "Kanban-Harbor-2025"})
    assert answer.status_code == 404
    user.refresh_from_db()
    assert user.check_password("Set-By-The-Administrator-2025")
    assert "_auth_user_id" not in client.session


def test_a_renewed_link_never_skips_the_second_factor(client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    outcome = run(roster())
    employee = Employee.objects.get(employee_number=outcome.invitations[0].employee_number)
    TOTPDevice.objects.create(user=employee.user, name="authenticator", confirmed=True)
    fresh = invitation_renew(actor=None, employee=employee)  # e.g. after the password was made unusable
    answer = client.post(fresh.path, {"password": "Kanban-Harbor-2025", "confirm": "Kanban-Harbor-2025"})
    assert answer.status_code == 302
    assert answer.url == "/accounts/sign-in/"
    assert "_auth_user_id" not in client.session
    signed = client.post(
        "/accounts/sign-in/", {"username": employee.user.username, "password": "Kanban-Harbor-2025"}
    )
    assert signed.url == "/accounts/sign-in/code/"


def test_a_weak_first_password_is_refused():
    outcome = run(roster())
    with pytest.raises(Exception, match=r"too short|too common"):
        invitation_accept(raw_token=outcome.invitations[0].path.split("/")[-2], password="123")


def test_the_same_roster_again_is_a_no_op_and_a_corrected_one_updates_with_an_audit_trail():
    first = run(roster())
    assert run(roster()).is_duplicate
    changed = [list(row) for row in ROWS]
    changed[2][10] = "宁波"  # 李明 moved city
    second = run(roster(changed), name="roster-v2.xlsx")
    assert second.batch.summary["people"]["people_updated"] == 1
    assert second.batch.summary["people"]["people_unchanged"] == 4
    assert Employee.objects.get(employee_number="S003").work_city == "宁波"
    update = AuditEvent.objects.get(action="employee.update")
    assert (update.details["before"], update.details["after"]) == (
        {"work_city": "杭州"},
        {"work_city": "宁波"},
    )
    assert (User.objects.count(), Invitation.objects.count()) == (5, 5)
    assert first.batch.pk != second.batch.pk


def test_unknown_and_ambiguous_managers_are_quarantined():
    rows = [list(row) for row in ROWS]
    rows += [
        [
            "S006",
            "李明",
            "演示公司/销售部/华东组",
            "销售代表",
            "S1",
            D(2024, 1, 2),
            "王经理",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "S007",
            "孙新",
            "演示公司/销售部/华东组",
            "销售代表",
            "S1",
            D(2024, 1, 2),
            "李明",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "S008",
            "吴新",
            "演示公司/销售部/华东组",
            "销售代表",
            "S1",
            D(2024, 1, 2),
            "钱某",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    ]
    rows += [
        [f"S1{i:02d}", f"员工{i}", "演示公司/销售部/华东组", "销售代表", "S1", D(2024, 1, 2), "S002"]
        + [""] * 14
        for i in range(10)
    ]
    rows.append(
        ["S009", "郑新", "演示公司/销售部/华东组", "销售代表", "S1", D(2024, 1, 2), "S007", *[""] * 14]
    )
    outcome = run(roster(rows))
    codes = {row.row_number: row.code for row in outcome.batch.quarantined_rows.all()}
    assert codes == {10: "ambiguous_manager", 11: "unknown_manager"}
    assert "S003, S006" in outcome.batch.quarantined_rows.get(row_number=10).message
    assert not Employee.objects.filter(employee_number__in=["S007", "S008"]).exists()
    waiting = Employee.objects.get(employee_number="S009")  # their manager's row is quarantined
    assert waiting.manager is None
    assert outcome.batch.warnings[-1] == {
        "code": "manager_pending",
        "details": {"count": 1, "people": "S009"},
    }


def test_a_manager_loop_refuses_the_file():
    rows = [
        ["S001", "甲", "公司", "经理", "", D(2020, 1, 1), "乙"] + [""] * 14,
        ["S002", "乙", "公司", "经理", "", D(2020, 1, 1), "甲"] + [""] * 14,
    ]
    outcome = run(roster(rows))
    assert outcome.batch.error_code == "manager_cycle"
    assert not Employee.objects.exists()


def test_a_roster_csv_with_english_headers_and_an_existing_tree(org):
    header = ["Employee ID", "Name", "Department", "Position", "Hire Date", "Manager", "Email"]
    rows = [["E100", "Li Ming", "销售部/华东组", "Sales representative", "2024-02-01", "", "li@example.com"]]
    outcome = run(csv_text([header, *rows]).encode(), name="roster.csv")
    assert outcome.is_applied
    person = Employee.objects.get(employee_number="E100")
    assert person.org_unit == org.team_east  # the one top unit adopts the path; the tree is reused
    assert OrgUnit.objects.count() == 5


def test_only_hr_of_the_whole_organisation_imports_the_roster(hrbp, executive):
    from perfloop.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_file(actor=hrbp, source="hris", profile="hr-roster-cn", path_or_bytes=roster())
    hrbp.scope_unit = None
    hrbp.save()
    assert import_file(actor=hrbp, source="hris", profile="hr-roster-cn", path_or_bytes=roster()).is_applied
    assert ImportBatch.objects.get().created_by == hrbp


def test_the_invitation_e_mail_links_to_the_site_people_open(settings, django_capture_on_commit_callbacks):
    settings.PERFLOOP_SITE_URL = "https://perf.example.cn"
    with django_capture_on_commit_callbacks(execute=True):
        outcome = run(roster())
    link = next(link for link in outcome.invitations if link.employee_number == "S003")
    message = next(m for m in mail.outbox if m.to == ["liming@example.com"])
    assert f"https://perf.example.cn{link.path}" in message.body


def test_an_uploaded_roster_is_checked_whole_before_anyone_is_created(hrbp):
    hrbp.scope_unit = None
    hrbp.save()
    rows = [list(row) for row in ROWS]
    rows[1][6] = "钱不详"  # a manager nobody knows
    with TestCase.captureOnCommitCallbacks(execute=True):
        outcome = import_upload(
            actor=hrbp, source="hris", profile="hr-roster-cn", data=roster(rows), file_name="r.xlsx"
        )
    check = FileCheck.from_dict(ImportFile.objects.get(batch=outcome.batch).file_check)
    assert check.is_ready
    assert (check.rows_total, check.rows_with_problems, check.people) == (len(ROWS), 1, len(ROWS) - 1)
    assert [problem.code for problem in check.problems] == ["unknown_manager"]
    assert not Employee.objects.filter(employee_number__in=[row[0] for row in ROWS]).exists()


def test_the_check_of_a_roster_with_a_manager_loop_says_it_would_be_refused(hrbp):
    hrbp.scope_unit = None
    hrbp.save()
    rows = [
        ["S001", "甲", "公司", "经理", "", D(2020, 1, 1), "乙"] + [""] * 14,
        ["S002", "乙", "公司", "经理", "", D(2020, 1, 1), "甲"] + [""] * 14,
    ]
    with TestCase.captureOnCommitCallbacks(execute=True):
        outcome = import_upload(
            actor=hrbp, source="hris", profile="hr-roster-cn", data=roster(rows), file_name="r.xlsx"
        )
    check = FileCheck.from_dict(ImportFile.objects.get(batch=outcome.batch).file_check)
    assert check.refusal is not None
    assert check.refusal["code"] == "manager_cycle"
