"""Forms of the import pages: the upload, a mapping profile, the correction of a quarantined row, the first
password."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from perfloop.core.months import Month, MonthError
from perfloop.imports.labels import SOURCE_KIND_LABELS, word
from perfloop.imports.models import Source
from perfloop.imports.profiles import PROFILE_LABEL_MAX
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


class MappingProfileForm(forms.Form):
    """A company profile: its name (a new one only: a profile keeps its name), label, the kind of source it
    reads and its spec as JSON text. The name, the spec's rules and the source kind are the service's to
    check; the form only reads the JSON."""

    name = forms.CharField(
        label=_("Name"),
        max_length=60,
        help_text=_(
            "Lower-case letters, digits and hyphens, for example crm-deals-mine; it cannot change later."
        ),
    )
    label = forms.CharField(label=_("Label"), max_length=PROFILE_LABEL_MAX, required=False)
    source_kind = forms.ChoiceField(
        label=_("Source kind"), required=False
    )  # choices: in the viewer's language
    spec = forms.CharField(
        label=_("Specification (JSON)"),
        strip=False,
        widget=forms.Textarea(
            attrs={
                "class": "imports-profile-spec",
                "rows": 24,
                "spellcheck": "false",
                "autocapitalize": "off",
                "autocomplete": "off",
            }
        ),
    )

    def __init__(self, *args: Any, is_new: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not is_new:
            del self.fields["name"]
        kinds = [
            (kind, str(word(SOURCE_KIND_LABELS, kind, translate=gettext))) for kind in Source.Kind.values
        ]
        self.fields["source_kind"] = forms.ChoiceField(
            label=_("Source kind"), required=False, choices=[("", gettext("Any source")), *kinds]
        )

    def clean_spec(self) -> Any:
        text = self.cleaned_data["spec"]
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("This is not valid JSON: %(reason)s (line %(line)s, column %(column)s)."),
                code="invalid_json",
                params={"reason": exc.msg, "line": exc.lineno, "column": exc.colno},
            ) from exc


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
