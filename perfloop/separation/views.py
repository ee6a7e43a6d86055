"""The exit-cost calculator page: the same service as the CLI and the API, with the working shown.

Nothing typed here is stored: the calculator holds no personal data unless a case saves it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.http import require_http_methods

from perfloop.separation import selectors, services
from perfloop.separation.law.cn_severance import PartMonthCounting, Pre2008Rule
from perfloop.separation.law.errors import LawInputError
from perfloop.separation.law.interface import CalculationBundle

FORM_FIELDS = (
    "city",
    "average_wage_year",
    "hire_date",
    "termination_date",
    "notice_date",
    "notice_given",
    "monthly_wage",
    "wages",
    "previous_month_wage",
    "merged_service_start",
    "negotiated_extra_months",
    "negotiated_extra_amount",
    "part_month_counting",
    "include_overtime",
    "pre_2008_rule",
    "pay_in_lieu_with_damages",
)
PARAMETER_FIELDS = ("part_month_counting", "include_overtime", "pre_2008_rule", "pay_in_lieu_with_damages")


def _wage_rows(text: str) -> list[dict[str, str]]:
    """``2024-07 8000`` or ``2024-07,8000,500`` per line → wage rows (amount, then overtime)."""
    rows = []
    for line in text.splitlines():
        parts = line.replace(",", " ").replace("\t", " ").split()
        if not parts:
            continue
        row = {"month": parts[0], "amount": parts[1] if len(parts) > 1 else ""}
        if len(parts) > 2:
            row["overtime"] = parts[2]
        rows.append(row)
    return rows


def calculator_input(form: dict[str, str]) -> dict[str, Any]:
    """The posted form as the plain mapping the pack reads (blank fields left out)."""
    data: dict[str, Any] = {"pack": "cn"}
    parameters: dict[str, Any] = {}
    for name in FORM_FIELDS:
        value = form.get(name, "").strip()
        if not value:
            continue
        if name in PARAMETER_FIELDS:
            parameters[name] = value
        elif name == "wages":
            data["wages"] = _wage_rows(value)
        else:
            data[name] = value
    data["parameters"] = parameters
    return data


def present(bundle: CalculationBundle, language: str) -> list[dict[str, Any]]:
    """Results with their steps in the active language, ready for the template."""
    cards = []
    for result in bundle.results:
        payload = result.as_dict()
        cards.append(
            {
                "name": result.name,
                "label": result.label.for_language(language),
                "amount": payload["amount_display"],
                "date": payload["date"],
                "currency": result.currency,
                "steps": [
                    {
                        "rule_id": step.rule_id,
                        "formula": step.formula,
                        "result": step.result,
                        "text": step.text(language),
                    }
                    for step in result.steps
                ],
                "parameters": [use.as_dict() for use in result.parameters_used],
            }
        )
    return cards


# The calculator's choices in words (the engine keys on the codes; people read the meaning).
COUNTING_LABELS = {
    PartMonthCounting.EXACT: gettext_lazy("As they are: leftover days are service time"),
    PartMonthCounting.STARTED_MONTH_COUNTS: gettext_lazy("A started month counts as a whole month"),
    PartMonthCounting.IGNORE_PART_MONTH: gettext_lazy("Leftover days are dropped"),
}
PRE_2008_LABELS = {
    Pre2008Rule.MOL_1994_481: gettext_lazy("MOL 1994 No. 481: a month per started year, at most 12"),
    Pre2008Rule.LCL_ART_47: gettext_lazy("Labour Contract Law Art. 47 for every year (regional practice)"),
}
CITY_NAMES = {
    "beijing": gettext_lazy("Beijing"),
    "shanghai": gettext_lazy("Shanghai"),
    "guangzhou": gettext_lazy("Guangzhou"),
    "shenzhen": gettext_lazy("Shenzhen"),
    "hangzhou": gettext_lazy("Hangzhou"),
    "suzhou": gettext_lazy("Suzhou"),
    "nanjing": gettext_lazy("Nanjing"),
}


@login_required
@require_http_methods(["GET", "POST"])
def calculator(request: HttpRequest) -> HttpResponse:
    """Severance, pay in lieu, damages (2N), N + x and the last working day, each with its working."""
    if not selectors.law_calculator_allowed_for(viewer=request.user):
        raise PermissionDenied
    language = get_language() or "zh-hans"
    form = {name: request.POST.get(name, "") for name in FORM_FIELDS} if request.method == "POST" else {}
    context: dict[str, Any] = {
        "form": form,
        "cities": [(city, CITY_NAMES.get(city, city)) for city in selectors.city_choices()],
        "counting_choices": [(choice.value, COUNTING_LABELS[choice]) for choice in PartMonthCounting],
        "pre_2008_choices": [(choice.value, PRE_2008_LABELS[choice]) for choice in Pre2008Rule],
        "results": None,
        "error": None,
    }
    if request.method == "POST":
        try:
            bundle = services.exit_costs_calculate(data=calculator_input(form))
        except LawInputError as exc:
            context["error"] = {"code": exc.code, "text": exc.text.for_language(language)}
        else:
            context["results"] = present(bundle, language)
    status = 400 if context["error"] else 200
    return render(request, "separation/calculator.html", context, status=status)
