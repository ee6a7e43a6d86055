"""The law engine over HTTP, mounted at ``/api/v1/law/``: the same services as the CLI and the page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from perfloop.core.errors import PermissionDenied
from perfloop.separation import selectors, services
from perfloop.separation.law.interface import describe_pack
from perfloop.separation.law.registry import PACKS
from perfloop.separation.schemas import EligibilityIn, EligibilityOut, PackOut, SeveranceIn, SeveranceOut

router = Router(tags=["law"])


def _require_calculator(request: HttpRequest) -> None:
    if not selectors.law_calculator_allowed_for(viewer=request.user):
        raise PermissionDenied("Only HR, legal and managers may use the law calculators.")


@router.post("/severance", response=SeveranceOut, summary="Exit costs with their working")
def severance(request: HttpRequest, payload: SeveranceIn) -> dict[str, Any]:
    """Severance, pay in lieu, damages (2N), N + x and the last working day; each figure carries its steps."""
    _require_calculator(request)
    bundle = services.exit_costs_calculate(data=payload.model_dump(exclude_none=True))
    return bundle.as_dict()


@router.post("/eligibility", response=EligibilityOut, summary="Allowed routes, blocking reasons and warnings")
def eligibility(request: HttpRequest, payload: EligibilityIn) -> dict[str, Any]:
    """Advisory only: a named person decides (PIPL Art. 24)."""
    _require_calculator(request)
    result = services.eligibility_check(data=payload.model_dump(exclude_none=True))
    return result.as_dict()


@router.get("/packs", response=list[PackOut], summary="Jurisdiction packs and their rules")
def packs(request: HttpRequest) -> list[dict[str, Any]]:
    """Every pack's declarations: rules, grounds, protected categories, procedure, money, retention."""
    return [describe_pack(pack) for _, pack in sorted(PACKS.items())]
