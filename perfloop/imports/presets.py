"""Mapping profiles shipped with perfloop, for the exports people actually have.

Pure data. Each preset is an ordinary profile (``profiles.parse_profile`` checks it): copy one and adapt
the column names to make your own. ``docs/imports.md`` lists every column of every preset. A preset's
label is an English text marked for translation: the pages show it in the viewer's language
(``preset_label``), whatever label an older release stored with the profile.
"""

from __future__ import annotations

from typing import Any

from perfloop.imports.labels import gettext_noop

_OPEN_STAGES_EN = [
    "Prospecting",
    "Engaging",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Proposal",
    "Proposal/Price Quote",
    "Negotiation",
    "Negotiation/Review",
    "Open",
    "In Progress",
]
_OPEN_STAGES_CN = [
    "初步接洽",
    "初步沟通",
    "需求确认",
    "需求分析",
    "验证客户",
    "方案报价",
    "方案/报价",
    "报价",
    "谈判审核",
    "商务谈判",
    "谈判中",
    "立项评估",
    "招投标",
    "跟进中",
    "进行中",
    "意向客户",
    "待跟进",
]

PRESETS: dict[str, dict[str, Any]] = {
    "crm-opportunities-en": {
        "label": gettext_noop("CRM opportunities export (English headers)"),
        "source_kind": "crm",
        "spec": {
            "kind": "deals",
            "match": "auto",
            "columns": {
                "record_id": ["opportunity_id", "Opportunity ID", "Deal ID", "id"],
                "owner": [
                    "sales_agent",
                    "Sales Agent",
                    "Opportunity Owner",
                    "Owner",
                    "Deal Owner",
                    "Sales Rep",
                ],
                "account": ["account", "Account", "Account Name", "Customer", "Company"],
                "stage": {
                    "names": ["deal_stage", "Deal Stage", "Stage"],
                    "values": {
                        **dict.fromkeys(_OPEN_STAGES_EN, "open"),
                        "Won": "won",
                        "Closed Won": "won",
                        "Lost": "lost",
                        "Closed Lost": "lost",
                    },
                },
                "engage_date": ["engage_date", "Engage Date", "Created Date", "Create Date"],
                "close_date": ["close_date", "Close Date", "Closed Date"],
                "amount": {"names": ["close_value", "Close Value", "Amount", "Deal Value"], "unit": "auto"},
                "product": ["product", "Product"],
            },
        },
    },
    "crm-deals-cn": {
        "label": gettext_noop("Chinese CRM deals export"),
        "source_kind": "crm",
        "spec": {
            "kind": "deals",
            "match": "auto",
            "columns": {
                "record_id": ["商机编号", "商机ID", "机会编号", "编号"],
                "owner": ["销售人员", "负责人", "销售", "业务员", "归属人", "跟进人"],
                "account": ["客户名称", "客户", "公司名称"],
                "stage": {
                    "names": ["商机阶段", "销售阶段", "阶段", "状态"],
                    "values": {
                        **dict.fromkeys(_OPEN_STAGES_CN, "open"),
                        "赢单": "won",
                        "输单": "lost",
                        "成交": "won",
                        "已成交": "won",
                        "丢单": "lost",
                        "失败": "lost",
                    },
                },
                "engage_date": ["创建日期", "创建时间", "发现日期"],
                "close_date": ["成交日期", "赢单日期", "结单日期", "关闭日期", "签约日期"],
                "amount": {"names": ["成交金额", "商机金额", "金额", "合同金额"], "unit": "auto"},
                "product": ["产品", "产品名称"],
            },
        },
    },
    "finance-collections-cn": {
        "label": gettext_noop("Finance collections export"),
        "source_kind": "finance",
        "spec": {
            "kind": "collections",
            "match": "auto",
            "columns": {
                "record_id": ["应收单号", "单据编号", "发票号", "发票号码", "Invoice No"],
                "owner": ["销售人员", "业务员", "负责人", "Sales Rep"],
                "account": ["客户名称", "客户", "Customer"],
                "period": ["所属期间", "会计期间", "月份", "期间", "Period"],
                "due_date": ["到期日", "应收日期", "到期日期", "Due Date"],
                "amount_due": {"names": ["应收金额", "应收", "应收款", "Amount Due"], "unit": "auto"},
                "amount_collected": {
                    "names": ["实收金额", "实收", "回款金额", "回款", "已回款", "Amount Collected"],
                    "unit": "auto",
                },
                "collected_date": ["回款日期", "收款日期", "Collected Date"],
            },
        },
    },
    "crm-activities-cn": {
        "label": gettext_noop("CRM follow-ups export"),
        "source_kind": "crm",
        "spec": {
            "kind": "activities",
            "match": "auto",
            "columns": {
                "record_id": ["记录编号", "跟进记录ID", "Activity ID"],
                "owner": ["跟进人", "负责人", "销售人员", "Owner"],
                "date": ["跟进时间", "跟进日期", "日期", "Date"],
                "activity_type": ["跟进方式", "跟进类型", "类型", "Type"],
                "account": ["客户名称", "客户", "Account"],
            },
        },
    },
    "crm-feedback-cn": {
        "label": gettext_noop("Customer satisfaction ratings"),
        "source_kind": "crm",
        "spec": {
            "kind": "feedback",
            "match": "auto",
            "columns": {
                "record_id": ["问卷编号", "评价编号", "Response ID"],
                "owner": ["销售人员", "服务人员", "负责人", "Sales Rep"],
                "date": ["评价日期", "评价时间", "日期", "Date"],
                "score": ["评分", "满意度评分", "满意度", "Score"],
                "account": ["客户名称", "客户", "Account"],
            },
        },
    },
    "crm-accounts-cn": {
        "label": gettext_noop("CRM customer list"),
        "source_kind": "crm",
        "spec": {
            "kind": "accounts",
            "match": "auto",
            "columns": {
                "account": ["客户名称", "客户", "Account"],
                "owner": ["负责人", "销售人员", "客户经理", "Owner"],
                "since": ["成为客户日期", "首次成交日期", "签约日期", "Customer Since"],
                "churned_on": ["流失日期", "解约日期", "Churn Date"],
            },
        },
    },
    "lms-attendance": {
        "label": gettext_noop("Training attendance export"),
        "source_kind": "lms",
        "spec": {
            "kind": "training",
            "match": "auto",
            "columns": {
                "record_id": ["报名编号", "记录编号", "Enrolment ID", "Enrollment ID"],
                "employee": ["工号", "员工工号", "学员", "姓名", "Employee ID", "Employee", "Learner"],
                "course": ["课程名称", "课程", "培训名称", "Course", "Session"],
                "date": ["培训日期", "上课日期", "日期", "Date", "Session Date"],
                "attendance": ["出勤状态", "签到状态", "出勤", "Attendance", "Status"],
                "exam_score": ["考试成绩", "成绩", "考核成绩", "Exam Score", "Score"],
            },
        },
    },
    "hr-roster-cn": {
        "label": gettext_noop("HR roster"),
        "source_kind": "hris",
        "spec": {
            "kind": "roster",
            "match": "auto",
            "columns": {
                "employee_number": ["工号", "员工编号", "员工工号", "Employee Number", "Employee ID"],
                "name": ["姓名", "员工姓名", "Name"],
                "department": ["部门", "所属部门", "部门全称", "Department"],
                "position": ["岗位", "职位", "岗位名称", "Position", "Title"],
                "hire_date": ["入职日期", "入职时间", "Hire Date"],
                "manager": ["直属上级", "直接上级", "汇报对象", "上级", "Manager"],
                "email": ["邮箱", "电子邮箱", "工作邮箱", "Email"],
                "grade": ["职级", "级别", "Grade"],
                "birth_date": ["出生日期", "生日", "Birth Date"],
                "gender": ["性别", "Gender"],
                "work_city": ["工作城市", "工作地点", "Work City"],
                "contract_type": ["合同类型", "劳动合同类型", "Contract Type"],
                "contract_start": ["合同开始日期", "合同起始日", "Contract Start"],
                "contract_end": ["合同结束日期", "合同到期日", "合同终止日期", "Contract End"],
                "probation_end": ["试用期结束日期", "转正日期", "Probation End"],
                "union_member": ["工会会员", "是否工会会员", "Union Member"],
                "status": ["在职状态", "员工状态", "状态", "Status"],
                "termination_date": ["离职日期", "Termination Date"],
                "role": ["系统角色", "角色", "Role"],
                "wage": {"names": ["月工资", "应发工资", "月应发工资", "Monthly Wage"], "unit": "auto"},
                "wage_month": ["工资月份", "Wage Month"],
            },
        },
    },
    "wages-cn": {
        "label": gettext_noop("Payroll"),
        "source_kind": "hris",
        "spec": {
            "kind": "wages",
            "match": "auto",
            "columns": {
                "employee": ["工号", "员工工号", "姓名", "Employee ID"],
                "month": ["工资月份", "月份", "Month"],
                "amount": {"names": ["应发工资", "应得工资", "工资", "Wage"], "unit": "auto"},
                "overtime": {"names": ["加班费", "其中加班费", "Overtime"], "unit": "auto"},
            },
        },
    },
    "monthly-kpis": {
        "label": gettext_noop("Monthly KPI values per person"),
        "source_kind": "",
        "spec": {
            "kind": "monthly_kpis",
            "match": "auto",
            "columns": {
                "employee": ["工号", "员工", "姓名", "employee", "employee_number", "Employee ID"],
                "month": ["月份", "month", "Month"],
                "kpi": ["指标", "kpi", "KPI", "指标代码"],
                "value": ["数值", "value", "Value", "实际值"],
            },
        },
    },
}


def preset_label(name: str) -> str | None:
    """The untranslated label of a shipped preset (``None`` for a profile of one's own)."""
    preset = PRESETS.get(name)
    return str(preset["label"]) if preset is not None else None
