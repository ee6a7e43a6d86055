"""The bilingual catalogue."""

from __future__ import annotations

import string

import pytest

from perfloop.separation.law import messages
from perfloop.separation.law.messages import CATALOGUE, BilingualText, city_label, message


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_text_has_both_languages_with_the_same_placeholders():
    for key, (zh, en) in CATALOGUE.items():
        assert zh.strip(), key
        assert en.strip(), key
        assert _placeholders(zh) == _placeholders(en), key


def test_bilingual_values_fill_each_language_with_its_own_side():
    text = message("finding.protected_at_notice", kind=message("protected.medical_treatment_period"))
    assert "医疗期" in text.zh
    assert "medical treatment period" in text.en


def test_it_renders_in_the_language_the_web_layer_reports():
    text = BilingualText(zh="中", en="en")
    try:
        messages.use_language_resolver(lambda: "zh-hans")
        assert str(text) == "中"
        messages.use_language_resolver(lambda: None)
        assert str(text) == "en"
    finally:
        messages.use_language_resolver(None)
    assert str(text) == "en"


def test_unknown_ids_and_missing_placeholders_are_programming_errors():
    with pytest.raises(KeyError):
        message("nope")
    with pytest.raises(KeyError):
        message("finding.protected_at_notice")


def test_city_labels_fall_back_to_the_key():
    assert city_label("shanghai").zh == "上海市"
    assert city_label("wuhan").en == "wuhan"
