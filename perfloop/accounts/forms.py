"""Forms of the accounts pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from perfloop.accounts.selectors import AuditQuery


class CodeForm(forms.Form):
    """A code from the authenticator app (6 digits) or a recovery code (8 letters and digits)."""

    code = forms.CharField(
        label=_("One-time code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
    )


class AuditFilterForm(forms.Form):
    """The audit log's filters; every one optional."""

    kind = forms.ChoiceField(label=_("Kind"), required=False)
    action = forms.CharField(label=_("Action starts with"), required=False, max_length=80)
    actor = forms.CharField(label=_("By (user name)"), required=False, max_length=150)
    employee = forms.CharField(label=_("About (employee number)"), required=False, max_length=40)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: object, kinds: list[tuple[str, Any]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = [("", _("any")), *kinds]  # type: ignore[attr-defined]

    def query(self) -> AuditQuery | None:
        """The filters as a query: every event when nothing was asked, None when a filter cannot be read."""
        if not self.is_bound:
            return AuditQuery()
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return AuditQuery(
            kind=data["kind"] or "",
            action=data["action"].strip(),
            actor=data["actor"].strip(),
            employee=data["employee"].strip(),
            since=data["since"],
            until=data["until"],
        )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            raise forms.ValidationError(_("“To” is before “From”."))
        return cleaned


WHOLE_ORGANISATION = ""


class AnnouncementForm(forms.Form):
    """An announcement as HR writes it: Chinese first, English when the company has English readers."""

    title = forms.CharField(label=_("Title"), max_length=200)
    title_en = forms.CharField(label=_("English title"), max_length=200, required=False)
    body = forms.CharField(label=_("Message"), max_length=5_000, widget=forms.Textarea(attrs={"rows": 5}))
    body_en = forms.CharField(
        label=_("English message"), max_length=5_000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    audience = forms.ChoiceField(label=_("For"), required=False)
    expires_on = forms.DateField(
        label=_("Shown until"),
        required=False,
        help_text=_("empty: until withdrawn"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, units: list[tuple[int, str]], whole_organisation: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = [(str(pk), name) for pk, name in units]
        if whole_organisation:
            choices.insert(0, (WHOLE_ORGANISATION, str(_("Everyone in the organisation"))))
        audience: forms.ChoiceField = self.fields["audience"]  # type: ignore[assignment]
        audience.choices = choices
        audience.required = not whole_organisation

    def audience_unit_id(self) -> int | None:
        value = self.cleaned_data["audience"]
        return int(value) if value else None
