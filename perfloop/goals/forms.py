"""Forms of the goals pages: parsing and field validation only; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from perfloop.core.months import Month, MonthError
from perfloop.org.models import OrgUnit, Position


class MonthField(forms.CharField):
    """``2025-03`` (what ``<input type="month">`` sends) as a Month."""

    def to_python(self, value: Any) -> Month | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return Month.parse(text)
        except MonthError as exc:
            raise forms.ValidationError(_("Not a month (YYYY-MM)."), code="invalid_month") from exc


class MonthInput(forms.TextInput):
    input_type = "month"


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, kpis: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kpis = kpis
        for kpi in kpis:
            self.fields[f"kpi_{kpi.code}"] = forms.DecimalField(
                label=kpi.code, required=False, min_value=0, max_digits=16, decimal_places=4
            )

    def lines(self) -> dict[str, object]:
        return {
            kpi.code: self.cleaned_data[f"kpi_{kpi.code}"]
            for kpi in self.kpis
            if self.cleaned_data.get(f"kpi_{kpi.code}") is not None
        }

    def kpi_fields(self) -> list[tuple[Any, forms.BoundField]]:
        return [(kpi, self[f"kpi_{kpi.code}"]) for kpi in self.kpis]


class AssignForm(forms.Form):
    """Whom a template is for — by attributes, never by a list of people."""

    org_unit = forms.ModelChoiceField(label=_("Team"), queryset=OrgUnit.objects.none(), required=False)
    include_subunits = forms.BooleanField(label=_("Include sub-teams"), required=False, initial=True)
    position = forms.ModelChoiceField(label=_("Position"), queryset=Position.objects.all(), required=False)
    grade = forms.ChoiceField(label=_("Grade"), required=False)
    first = MonthField(label=_("First month"), widget=MonthInput)
    last = MonthField(label=_("Last month"), widget=MonthInput)
    justification = forms.CharField(
        label=_("Justification"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, units: Any, grades: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["grade"].choices = [("", _("any grade")), *((g, g) for g in grades)]  # type: ignore[attr-defined]


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    kpi = forms.ChoiceField(label=_("KPI"))
    root_unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    target = forms.DecimalField(label=_("Annual target"), min_value=0, max_digits=18, decimal_places=4)
    max_overallocation = forms.DecimalField(
        label=_("Over-allocation allowance (%)"), min_value=0, max_value=100, initial=10, decimal_places=2
    )
    seasonality = forms.CharField(
        label=_("Seasonality (12 weights, January first)"),
        required=False,
        help_text=_("For example 0.8 0.9 1 1 1 1.1 1 1 1 1.1 1.2 1.3 — empty for equal months."),
    )

    def __init__(self, *args: Any, units: Any, kpis: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["root_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["kpi"].choices = [(k.code, k.code) for k in kpis]  # type: ignore[attr-defined]

    def seasonality_weights(self) -> list[str]:
        text = self.cleaned_data.get("seasonality") or ""
        return text.replace(",", " ").replace("，", " ").split()
