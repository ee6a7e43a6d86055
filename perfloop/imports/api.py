"""The imports API: batches and their quarantine, mapping profiles (read and saved), sources, an upload, and
the signed push ingest.

Push ingest (``POST /api/v1/imports/ingest/{source}``) authenticates the *source*, not a person: a bearer
token issued for that source, an HMAC-SHA256 signature of the exact body, and an idempotency key that
makes a retried push harmless.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from perfloop.accounts.models import User
from perfloop.audit.services import audit_view
from perfloop.core.errors import DomainError, PermissionDenied
from perfloop.core.months import Month
from perfloop.imports.models import ImportBatch
from perfloop.imports.policies import can_import_data, can_manage_sources
from perfloop.imports.problems import describe
from perfloop.imports.safety import MAX_FILE_BYTES
from perfloop.imports.schemas import (
    BatchOut,
    FactRowsOut,
    FileCheckOut,
    ProfileIn,
    ProfileOut,
    QuarantinedRowOut,
    SourceCredentialsOut,
    SourceOut,
)
from perfloop.imports.selectors import (
    batch_get_for,
    batch_ids_visible_to,
    batch_list_for,
    fact_rows_for,
    profile_get_for,
    profile_list,
    quarantined_row_list_for,
    source_list_for,
)
from perfloop.imports.services import (
    ImportOutcome,
    IngestAuthError,
    batch_summary,
    import_check,
    import_file,
    ingest_authenticate,
    ingest_signature_verify,
    mapping_profile_save,
    presets_install,
    profile_summary,
    source_get,
    source_token_rotate,
)

router = Router(tags=["imports"])


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _importer(request: HttpRequest) -> User:
    viewer = _viewer(request)
    if not can_import_data(viewer):
        raise PermissionDenied(_("Imports are for HR."))
    return viewer


class BatchRejectedError(DomainError):
    """A file that was recorded but not applied: the answer carries the batch and the reason."""

    http_status = 422


def _answer(outcome: ImportOutcome) -> Status[BatchOut]:
    body = outcome.as_dict()
    if outcome.batch.status in {ImportBatch.Status.REJECTED, ImportBatch.Status.FAILED}:
        raise BatchRejectedError(
            outcome.batch.error_message or outcome.batch.error_code,
            code=outcome.batch.error_code or "rejected",
            batch=outcome.batch.pk,
            **outcome.batch.error_details,
        )
    return Status(200 if outcome.is_duplicate else 201, BatchOut(**body))


@router.get("/batches", response=list[BatchOut])
@paginate(PageNumberPagination, page_size=100)
def batch_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [batch_summary(batch) for batch in batch_list_for(viewer=_importer(request))]


@router.get("/batches/{batch_id}", response=BatchOut)
def batch_detail(request: HttpRequest, batch_id: int) -> dict[str, Any]:
    return batch_summary(batch_get_for(viewer=_importer(request), batch_id=batch_id))


@router.get("/batches/{batch_id}/quarantine", response=list[QuarantinedRowOut])
@paginate(PageNumberPagination, page_size=200)
def quarantine_list(request: HttpRequest, batch_id: int, state: str | None = None) -> list[dict[str, Any]]:
    viewer = _importer(request)
    batch = batch_get_for(viewer=viewer, batch_id=batch_id)
    # The rows are cells of a file, not yet anyone's record (they never matched or never parsed): one view
    # of the batch's problem rows, not one per person.
    audit_view(
        actor=viewer, action="quarantine.view", target=batch, details={"channel": "api", "state": state}
    )
    return [
        {
            "id": row.pk,
            "row": row.row_number,
            "column": row.column,
            "value": row.raw_value,
            "code": row.code,
            "message": describe(row.code, row.details),
            "state": row.state,
            "errors": row.errors,
            "raw": row.raw,
        }
        for row in quarantined_row_list_for(viewer=viewer, batch=batch, state=state)
    ]


@router.get("/facts/{fact_id}/rows", response=FactRowsOut)
def fact_source_rows(request: HttpRequest, fact_id: int) -> dict[str, Any]:
    """The file rows behind one monthly fact, with their cells as the file had them."""
    viewer = _viewer(request)
    fact, found = fact_rows_for(viewer=viewer, fact_id=fact_id)
    audit_view(
        actor=viewer,
        action="fact_rows.view",
        target=fact,
        subject_employee_id=fact.employee_id,
        details={"channel": "api", "batch": found.batch_id, "rows": len(found.rows)},
    )
    return {
        "fact": fact.pk,
        "employee_id": fact.employee_id,
        "month": str(fact.month),
        "kpi": fact.kpi.code,
        "value": str(fact.value),
        "batch": found.batch_id,
        "header": found.header,
        "recovered": found.is_recovered,
        "rows": found.as_list(),
    }


@router.post("/batches", response={200: BatchOut, 201: BatchOut})
def batch_upload(
    request: HttpRequest,
    file: File[UploadedFile],
    source: Form[str],
    profile: Form[str],
    first: Form[str | None] = None,
    last: Form[str | None] = None,
) -> Status[BatchOut]:
    """Upload and apply a file in one call (for scripts run by HR with a personal API token)."""
    upload = _upload_request(_importer(request), file, source, profile, first, last)
    return _answer(import_file(**upload, channel=ImportBatch.Channel.API))


def _upload_request(
    actor: User, file: UploadedFile, source: str, profile: str, first: str | None, last: str | None
) -> dict[str, Any]:
    """An uploaded file as the import services take it (to apply it, or to check it)."""
    return {
        "actor": actor,
        "source": source,
        "profile": profile,
        "path_or_bytes": file.read(),
        "file_name": file.name or "upload",
        "first": first or None,
        "last": last or None,
    }


@router.post("/checks", response=FileCheckOut)
def file_check(
    request: HttpRequest,
    file: File[UploadedFile],
    source: Form[str],
    profile: Form[str],
    first: Form[str | None] = None,
    last: Form[str | None] = None,
) -> dict[str, Any]:
    """What uploading the file to ``/batches`` would do now (same checks, limits, scope); writes nothing."""
    actor = _importer(request)
    check = import_check(**_upload_request(actor, file, source, profile, first, last))
    refusal = check.refusal
    restates = batch_ids_visible_to(viewer=actor, batch_ids=check.restates)
    return {
        "ready": check.is_ready,
        "duplicate": check.is_duplicate,
        "duplicate_of": check.duplicate_of,
        "rows_total": check.rows_total,
        "rows_applied": check.rows_applied,
        "rows_with_problems": check.rows_with_problems,
        "max_error_share": check.max_error_share,
        "refusal": {
            "code": refusal["code"],
            "message": describe(refusal["code"], refusal["details"]),
            "details": refusal["details"],
        }
        if refusal
        else None,
        "problems": [
            {
                "code": problem.code,
                "message": describe(problem.code, problem.details),
                "rows": problem.rows,
                "first_rows": problem.first_rows,
                "column": problem.column,
            }
            for problem in check.problems
        ],
        "months": [str(Month.from_int(month)) for month in check.months],
        "kpis": check.kpis,
        "facts": check.facts,
        "people": check.people,
        "restates": restates,
        "restates_outside_scope": len(check.restates) - len(restates),
        "warnings": [
            {"code": warning["code"], "message": describe(warning["code"], warning.get("details"))}
            for warning in check.warnings
        ],
    }


@router.get("/profiles", response=list[ProfileOut])
def profile_catalogue(request: HttpRequest) -> list[dict[str, Any]]:
    _importer(request)
    presets_install()
    return [profile_summary(profile) for profile in profile_list()]


@router.get("/profiles/{name}", response=ProfileOut)
def profile_detail(request: HttpRequest, name: str) -> dict[str, Any]:
    """One profile with its spec (a preset's spec is the usual start of a profile of one's own)."""
    viewer = _importer(request)
    presets_install()
    return profile_summary(profile_get_for(viewer=viewer, name=name))


@router.put("/profiles/{name}", response={200: ProfileOut, 201: ProfileOut})
def profile_save(request: HttpRequest, name: str, body: ProfileIn) -> Status[ProfileOut]:
    """Create (201) or replace (200) a company profile: its label, source kind and spec as given."""
    saved = mapping_profile_save(
        actor=_importer(request),
        name=name,
        spec=body.spec,
        label=body.label,
        source_kind=body.source_kind,
    )
    return Status(201 if saved.is_created else 200, ProfileOut(**profile_summary(saved.profile)))


@router.get("/sources", response=list[SourceOut])
def source_catalogue(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "code": s.code,
            "name": s.name,
            "kind": s.kind,
            "has_push_token": bool(s.token_digest),
            "token_prefix": s.token_prefix,
        }
        for s in source_list_for(viewer=_viewer(request))
    ]


@router.post("/sources/{code}/token", response=SourceCredentialsOut)
def source_token(request: HttpRequest, code: str) -> dict[str, str]:
    """Issue the source's push token and signing key — shown once; the previous ones stop working."""
    viewer = _viewer(request)
    if not can_manage_sources(viewer):
        raise PermissionDenied(_("Only HR and system administrators manage sources."))
    credentials = source_token_rotate(actor=viewer, source=source_get(code))
    return {"source": code, "token": credentials.token, "signing_key": credentials.signing_key}


@router.post("/ingest/{source}", auth=None, response={200: BatchOut, 201: BatchOut})
def ingest(
    request: HttpRequest,
    source: str,
    profile: str,
    first: str | None = None,
    last: str | None = None,
    filename: str | None = None,
) -> Status[BatchOut]:
    """Push a file, signed: ``Authorization: Bearer pfs_…``, ``X-Perfloop-Signature: sha256=<hex>`` and
    ``Idempotency-Key`` headers.

    The body is the file itself (CSV, JSON, JSON lines or XLSX).
    """
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise IngestAuthError(_("Send the source's token as Authorization: Bearer …"))
    pushed_by = ingest_authenticate(token=header.removeprefix("Bearer ").strip())
    if pushed_by.code != source:
        raise IngestAuthError(_("The token belongs to another source."))
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 120:
        raise DomainError(
            _("Send an Idempotency-Key header (1-120 characters)."), code="idempotency_key_required"
        )
    body = request.read(MAX_FILE_BYTES + 1)
    ingest_signature_verify(
        source=pushed_by, body=body, signature=request.headers.get("X-Perfloop-Signature", "")
    )
    outcome = import_file(
        actor=None,
        source=pushed_by,
        profile=profile,
        path_or_bytes=body,
        file_name=filename or f"push-{key}",
        first=first,
        last=last,
        channel=ImportBatch.Channel.API,
        client_key=key,
    )
    return _answer(outcome)
