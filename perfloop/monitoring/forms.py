"""Forms of the company-wide monitoring pages: running the monthly close and editing an alert rule."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from perfloop.core.months import Month, MonthError
from perfloop.metrics.models import Kpi
from perfloop.monitoring.models import AlertRule, RuleKind, Severity


class CloseForm(forms.Form):
    month = forms.CharField(
        label=_("Month to close"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-01", "pattern": r"\d{4}-\d{2}"}),
    )

    def clean_month(self) -> Month:
        try:
            return Month.parse(self.cleaned_data["month"])
        except MonthError as exc:
            raise forms.ValidationError(_("Give the month as YYYY-MM, e.g. 2026-01.")) from exc


def _percent_field(label: Any, help_text: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("1000"),
        decimal_places=2,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )


class RuleForm(forms.Form):
    """A rule as HR sees it: thresholds in percent (70 means 70% of target); the service stores shares."""

    code = forms.SlugField(
        label=_("Code"), max_length=40, help_text=_("letters, digits, - and _; fixed once saved")
    )
    name = forms.CharField(label=_("Name (Chinese)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    kind = forms.ChoiceField(label=_("Condition"), choices=RuleKind.choices)
    kpi = forms.ChoiceField(label=_("KPI"), required=False)
    months = forms.IntegerField(label=_("Consecutive months"), min_value=1, max_value=24)
    threshold = _percent_field(
        _("Below this percentage of target"),
        _("e.g. 70; empty: not met under the company's scoring policy (composite only)"),
    )
    factor = _percent_field(
        _("Below this percentage of the team average"), _("for 'below a share of the team average', e.g. 50")
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    escalate_after_days = forms.IntegerField(
        label=_("Escalate to HR after (days)"), min_value=1, max_value=365
    )
    resolves_on_recovery = forms.BooleanField(
        label=_("Resolve by itself when the person is back on target"), required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args: Any, rule: AlertRule | None = None, language: str = "zh-hans", **kwargs: Any):
        if rule is not None:  # shown when unbound; the disabled code keeps it when bound
            kwargs["initial"] = rule_initial(rule)
        super().__init__(*args, **kwargs)
        kpis = [(kpi.code, kpi.name_for(language)) for kpi in Kpi.objects.order_by("display_order", "code")]
        kpi_field: forms.ChoiceField = self.fields["kpi"]  # type: ignore[assignment]
        kpi_field.choices = [("", _("Composite score")), *kpis]
        if rule is not None:
            self.fields["code"].disabled = True

    def changes(self) -> dict[str, Any]:
        """The cleaned values in the service's terms (shares of 1, KPI codes, None for empty)."""
        data = dict(self.cleaned_data)
        data.pop("code", None)
        for name in ("threshold", "factor"):
            data[name] = None if data[name] is None else (data[name] / 100).normalize()
        data["kpi"] = data["kpi"] or None
        return data


def _as_percent(share: Decimal | None) -> str | None:
    """0.7000 → "70", 0.125 → "12.5": how a person types it (never "7E+1")."""
    if share is None:
        return None
    return format((share * 100).normalize(), "f")


def rule_initial(rule: AlertRule) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "name_en": rule.name_en,
        "kind": rule.kind,
        "kpi": rule.kpi.code if rule.kpi is not None else "",
        "months": rule.months,
        "threshold": _as_percent(rule.threshold),
        "factor": _as_percent(rule.factor),
        "severity": rule.severity,
        "escalate_after_days": rule.escalate_after_days,
        "resolves_on_recovery": rule.resolves_on_recovery,
        "is_active": rule.is_active,
    }
