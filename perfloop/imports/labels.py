"""Codes in words: a profile's fields, types and units, how people are matched, kinds of file and of source.

Pure: the texts are marked with ``gettext_noop`` for ``makemessages`` and translated by the caller
(``word``). A code without words here is shown as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping


def gettext_noop(message: str) -> str:
    """Marks a message for translation without translating it here (the keyword makemessages knows)."""
    return message


def word(labels: Mapping[str, str], code: object, *, translate: Callable[[str], str] | None = None) -> object:
    """The words for ``code`` (translated when ``translate`` is given); a code without words as it is."""
    if not isinstance(code, str) or code not in labels:
        return code
    return translate(labels[code]) if translate is not None else labels[code]


FIELD_LABELS: dict[str, str] = {
    "account": gettext_noop("Customer account"),
    "activity_type": gettext_noop("Activity type"),
    "amount": gettext_noop("Amount"),
    "amount_collected": gettext_noop("Amount collected"),
    "amount_due": gettext_noop("Amount due"),
    "attendance": gettext_noop("Attendance"),
    "birth_date": gettext_noop("Date of birth"),
    "churned_on": gettext_noop("Churn date"),
    "close_date": gettext_noop("Close date"),
    "collected_date": gettext_noop("Collection date"),
    "contract_end": gettext_noop("Contract end"),
    "contract_start": gettext_noop("Contract start"),
    "contract_type": gettext_noop("Contract type"),
    "course": gettext_noop("Course"),
    "date": gettext_noop("Date"),
    "department": gettext_noop("Department"),
    "due_date": gettext_noop("Due date"),
    "email": gettext_noop("E-mail"),
    "employee": gettext_noop("Employee"),
    "employee_number": gettext_noop("Employee number"),
    "engage_date": gettext_noop("Engage date"),
    "exam_score": gettext_noop("Exam score"),
    "gender": gettext_noop("Gender"),
    "grade": gettext_noop("Grade"),
    "hire_date": gettext_noop("Hire date"),
    "kpi": gettext_noop("KPI"),
    "manager": gettext_noop("Line manager"),
    "month": gettext_noop("Month"),
    "name": gettext_noop("Name"),
    "overtime": gettext_noop("Overtime pay"),
    "owner": gettext_noop("Sales owner"),
    "period": gettext_noop("Period"),
    "position": gettext_noop("Position"),
    "probation_end": gettext_noop("Probation end"),
    "product": gettext_noop("Product"),
    "record_id": gettext_noop("Record ID"),
    "role": gettext_noop("Role"),
    "score": gettext_noop("Score"),
    "since": gettext_noop("Customer since"),
    "stage": gettext_noop("Stage"),
    "status": gettext_noop("Status"),
    "termination_date": gettext_noop("Termination date"),
    "union_member": gettext_noop("Union member"),
    "value": gettext_noop("Value"),
    "wage": gettext_noop("Wage"),
    "wage_month": gettext_noop("Wage month"),
    "work_city": gettext_noop("Work city"),
}

TYPE_LABELS: dict[str, str] = {
    "boolean": gettext_noop("yes / no"),
    "choice": gettext_noop("one of a list"),
    "date": gettext_noop("date"),
    "email": gettext_noop("e-mail address"),
    "employee": gettext_noop("person"),
    "key": gettext_noop("identifier"),
    "kpi": gettext_noop("KPI"),
    "money": gettext_noop("money"),
    "month": gettext_noop("month"),
    "number": gettext_noop("number"),
    "text": gettext_noop("text"),
}

UNIT_LABELS: dict[str, str] = {
    "auto": gettext_noop("from the header (元 / 万元)"),
    "yuan": gettext_noop("yuan"),
    "wan": gettext_noop("10,000 yuan (万元)"),
    "yi": gettext_noop("100 million yuan (亿元)"),
}

# How a profile finds a row's person (its ``match``), in the words the messages use.
MATCH_LABELS: dict[str, str] = {
    "auto": gettext_noop("employee number, e-mail or name"),
    "number": gettext_noop("employee number"),
    "email": gettext_noop("e-mail"),
    "name": gettext_noop("person's name"),
}

# What kind of file a profile reads (its ``kind``).
KIND_LABELS: dict[str, str] = {
    "deals": gettext_noop("deals / opportunities"),
    "collections": gettext_noop("receivables and collections"),
    "activities": gettext_noop("follow-up activities"),
    "feedback": gettext_noop("customer feedback"),
    "accounts": gettext_noop("customer accounts"),
    "training": gettext_noop("training attendance"),
    "monthly_kpis": gettext_noop("monthly KPI values"),
    "wages": gettext_noop("wages"),
    "roster": gettext_noop("HR roster"),
}

# What a source provides (its kind); also the names the standard sources are created with.
SOURCE_KIND_LABELS: dict[str, str] = {
    "crm": gettext_noop("CRM"),
    "finance": gettext_noop("Finance"),
    "lms": gettext_noop("Training system (LMS)"),
    "hris": gettext_noop("HR system"),
}

# A problem's details whose values are codes with words of their own.
DETAIL_WORDS: dict[str, Mapping[str, str]] = {
    "match": MATCH_LABELS,
    "kind": KIND_LABELS,
    "source_kind": SOURCE_KIND_LABELS,
}
