"""Jurisdiction packs by code: the one place front doors look a pack up."""

from __future__ import annotations

from perfloop.separation.law.cn import CHINA
from perfloop.separation.law.errors import LawInputError
from perfloop.separation.law.interface import JurisdictionPack
from perfloop.separation.law.uk import UNITED_KINGDOM

DEFAULT_PACK = "cn"

PACKS: dict[str, JurisdictionPack] = {CHINA.code: CHINA, UNITED_KINGDOM.code: UNITED_KINGDOM}


def get_pack(code: str | None = None) -> JurisdictionPack:
    """The pack for ``code`` (default: mainland China); an unknown code is an input error."""
    key = (code or DEFAULT_PACK).strip().lower()
    try:
        return PACKS[key]
    except KeyError:
        raise LawInputError("unknown_pack", pack=key, known=sorted(PACKS)) from None


def pack_codes() -> list[str]:
    return sorted(PACKS)
