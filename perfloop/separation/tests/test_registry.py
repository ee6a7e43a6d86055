"""Packs by code."""

from __future__ import annotations

import json

import pytest

from perfloop.separation.law.errors import LawInputError
from perfloop.separation.law.interface import JurisdictionPack, describe_pack
from perfloop.separation.law.registry import PACKS, get_pack, pack_codes


def test_it_finds_packs_by_code_with_cn_as_default():
    assert get_pack().code == "cn"
    assert get_pack(" UK ").code == "uk"
    assert pack_codes() == ["cn", "uk"]


def test_every_pack_fulfils_the_interface_and_describes_itself_as_json():
    for pack in PACKS.values():
        assert isinstance(pack, JurisdictionPack)
        description = describe_pack(pack)
        json.dumps(description, ensure_ascii=False)
        assert description["rules"]
        assert description["grounds"]
        assert description["procedure"]


def test_unknown_pack_is_an_input_error():
    with pytest.raises(LawInputError) as raised:
        get_pack("de")
    assert raised.value.code == "unknown_pack"
    assert raised.value.details["known"] == ["cn", "uk"]
