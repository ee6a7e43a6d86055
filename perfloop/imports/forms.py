"""Forms of the import pages: the upload, the correction of a quarantined row, the first password."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from perfloop.core.months import Month, MonthError
from perfloop.imports.validation import cell_names


def _month(value: str) -> Month | None:
    if not value:
        return None
    try:
        return Month.parse(value)
    except MonthError as exc:
        raise forms.ValidationError(_("Enter a month as YYYY-MM.")) from exc


class UploadForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"))
    profile = forms.ChoiceField(label=_("Mapping profile"))
    file = forms.FileField(label=_("File (CSV, XLSX or JSON)"))
    first = forms.CharField(label=_("Period from (YYYY-MM)"), required=False, max_length=10)
    last = forms.CharField(label=_("Period to (YYYY-MM)"), required=False, max_length=10)

    def __init__(
        self, *args: Any, sources: list[tuple[str, str]], profiles: list[tuple[str, str]], **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["source"] = forms.ChoiceField(label=_("Source"), choices=sources)
        self.fields["profile"] = forms.ChoiceField(label=_("Mapping profile"), choices=profiles)

    def clean_first(self) -> Month | None:
        return _month(self.cleaned_data["first"].strip())

    def clean_last(self) -> Month | None:
        return _month(self.cleaned_data["last"].strip())


class RowFixForm(forms.Form):
    """One text field per column of the file, filled with the row's current values."""

    def __init__(self, *args: Any, header: list[str], initial_values: dict[str, Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.names = cell_names(header)  # a repeated column name gets its own field and value
        for index, name in enumerate(self.names):
            self.fields[f"c{index}"] = forms.CharField(
                label=name, required=False, initial=initial_values.get(name) or ""
            )

    def values(self) -> dict[str, str]:
        return {name: self.cleaned_data[f"c{index}"] for index, name in enumerate(self.names)}


class FirstPasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput, min_length=10)
    confirm = forms.CharField(label=_("Repeat the password"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("confirm"):
            raise forms.ValidationError(_("The two passwords differ."))
        return data
