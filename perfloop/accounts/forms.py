"""Forms of the accounts pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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
