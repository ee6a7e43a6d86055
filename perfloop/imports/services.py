"""Every write of the imports app: bringing files in, fixing quarantined rows, sources, profiles, invitations.

The front doors (``perfloop import``, the web upload, the ingest API, the demo) all call
:func:`import_file` (or its two halves for the web: :func:`import_upload`, then :func:`import_batch_run`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from perfloop.accounts.models import User
from perfloop.audit.services import audit_change, audit_security, recorded_actor
from perfloop.core.errors import DomainError, NotFound, PermissionDenied
from perfloop.core.months import Month, MonthError
from perfloop.imports import people, pipeline
from perfloop.imports.file_check import FileCheck, duplicate_check, file_check_from, refused_check
from perfloop.imports.labels import (
    FIELD_LABELS,
    KIND_LABELS,
    SOURCE_KIND_LABELS,
    TYPE_LABELS,
    UNIT_LABELS,
    word,
)
from perfloop.imports.matching import match_employees
from perfloop.imports.models import (
    ImportBatch,
    ImportFile,
    Invitation,
    MappingProfile,
    QuarantinedRow,
    Source,
)
from perfloop.imports.policies import (
    can_change_profile_of_kind,
    can_import_data,
    can_import_roster,
    can_manage_sources,
)
from perfloop.imports.presets import PRESETS, preset_label
from perfloop.imports.problems import ImportRejected, describe, fix_for
from perfloop.imports.profiles import (
    PROFILE_LABEL_MAX,
    ColumnMapping,
    ProfileSpec,
    is_profile_name,
    map_columns,
    parse_profile,
)
from perfloop.imports.readers import ROW, RawTable
from perfloop.imports.safety import MAX_FILE_BYTES, check_size
from perfloop.imports.selectors import batch_ids_visible_to, profile_list, source_list_for
from perfloop.imports.validation import cell_names
from perfloop.metrics.models import MonthlyTarget, Scorecard
from perfloop.metrics.services import scorecards_recompute
from perfloop.org.models import Employee, OrgUnit

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[str, float], None]
# The standard sources, by code: each named with its kind's words (in English; shown translated).
DEFAULT_SOURCES = {
    code: (SOURCE_KIND_LABELS[kind], kind)
    for code, kind in (
        ("crm", Source.Kind.CRM),
        ("finance", Source.Kind.FINANCE),
        ("lms", Source.Kind.LMS),
        ("hris", Source.Kind.HRIS),
    )
}


class ImportInputError(DomainError):
    code = "invalid_import"


class IdempotencyKeyReusedError(DomainError):
    code = "idempotency_key_reused"
    http_status = 409


@dataclass
class ImportOutcome:
    """What an import did: the batch (applied, rejected or an earlier identical one) and, for a roster, the
    invitation links to hand out (their tokens exist nowhere else)."""

    batch: ImportBatch
    is_duplicate: bool = False
    invitations: list[people.InvitationLink] = field(default_factory=list)

    @property
    def is_applied(self) -> bool:
        return self.batch.status in {ImportBatch.Status.APPLIED, ImportBatch.Status.SUPERSEDED}

    def as_dict(self) -> dict[str, Any]:
        return batch_summary(self.batch) | {
            "duplicate": self.is_duplicate,
            "invitations": len(self.invitations),
        }


def batch_summary(batch: ImportBatch) -> dict[str, Any]:
    """The batch as plain data: what the CLI's ``--json``, the API and the web page show."""
    return {
        "batch": batch.pk,
        "status": batch.status,
        "source": batch.source.code,
        "profile": batch.profile_name,
        "kind": batch.kind,
        "file": batch.file_name,
        "sha256": batch.file_sha256,
        "format": batch.file_format,
        "encoding": batch.encoding,
        "period": {
            "first": str(batch.coverage_first) if batch.coverage_first else None,
            "last": str(batch.coverage_last) if batch.coverage_last else None,
            "declared": batch.is_coverage_declared,
            "kpis": batch.coverage_kpis,
        },
        "rows": {
            "total": batch.rows_total,
            "valid": batch.rows_valid,
            "quarantined": batch.rows_quarantined,
            "blank": batch.rows_blank,
        },
        "facts": {
            "created": batch.facts_created,
            "changed": batch.facts_changed,
            "unchanged": batch.facts_unchanged,
            "removed": batch.facts_removed,
            "zero_filled": batch.facts_zero_filled,
        },
        "restated_batches": batch.restated_batches,
        "people": batch.summary.get("people", {}),
        "warnings": [
            {"code": w["code"], "message": describe(w["code"], w.get("details"))} for w in batch.warnings
        ],
        "error": (
            {"code": batch.error_code, "message": batch.error_message, "details": batch.error_details}
            if batch.error_code
            else None
        ),
    }


# --- sources and profiles -------------------------------------------------------------------------


def source_get(source: Source | str) -> Source:
    """A source by code; the four standard ones (crm, finance, lms, hris) exist on first use."""
    if isinstance(source, Source):
        return source
    found = Source.objects.filter(code=source).first()
    if found is not None:
        return found
    if source in DEFAULT_SOURCES:
        name, kind = DEFAULT_SOURCES[source]
        found, _ = Source.objects.get_or_create(code=source, defaults={"name": name, "kind": kind})
        return found
    raise NotFound(_("Unknown source: %(source)s") % {"source": source}, code="unknown_source", source=source)


@transaction.atomic
def source_create(*, actor: Any, code: str, name: str, kind: str) -> Source:
    """Register another system (a second CRM, a regional finance system …)."""
    if actor is not None and not can_manage_sources(actor):
        raise PermissionDenied(_("Only HR and system administrators manage sources."))
    if kind not in Source.Kind.values:
        raise ImportInputError(
            _("Unknown source kind: %(kind)s") % {"kind": kind}, code="invalid_source", kind=kind
        )
    if Source.objects.filter(code=code).exists():
        raise ImportInputError(
            _("Source %(code)s exists already.") % {"code": code}, code="invalid_source", source=code
        )
    source = Source.objects.create(code=code, name=name, kind=kind)
    audit_change(actor=actor, action="import_source.create", target=source, details={"kind": kind})
    return source


@dataclass(frozen=True)
class SourceCredentials:
    """Shown once: the bearer token and the HMAC key of the ingest endpoint."""

    token: str
    signing_key: str


def source_signing_key(source: Source) -> str:
    """Derived from the server's secret and the source's salt: nothing usable is stored in the database."""
    return hmac.new(
        settings.SECRET_KEY.encode(),
        f"perfloop-ingest:{source.pk}:{source.signing_salt}".encode(),
        hashlib.sha256,
    ).hexdigest()


@transaction.atomic
def source_token_rotate(*, actor: Any, source: Source | str) -> SourceCredentials:
    """Issue (or replace) the source's push token and signing key; the old ones stop working at once."""
    if actor is not None and not can_manage_sources(actor):
        raise PermissionDenied(_("Only HR and system administrators manage sources."))
    source = source_get(source)
    raw = "pfs_" + secrets.token_urlsafe(32)
    source.token_prefix = raw[:12]
    source.token_digest = hashlib.sha256(raw.encode()).hexdigest()
    source.signing_salt = secrets.token_hex(16)
    source.token_created_at = timezone.now()
    source.save()
    audit_change(
        actor=actor, action="import_source.rotate_token", target=source, details={"prefix": raw[:12]}
    )
    return SourceCredentials(token=raw, signing_key=source_signing_key(source))


class IngestAuthError(DomainError):
    code = "invalid_token"
    http_status = 401


def ingest_authenticate(*, token: str) -> Source:
    """The active source behind a push token."""
    source = Source.objects.filter(
        token_digest=hashlib.sha256(token.encode()).hexdigest(), is_active=True
    ).first()
    if source is None:
        raise IngestAuthError(_("The source token is unknown or revoked."))
    return source


def ingest_signature_verify(*, source: Source, body: bytes, signature: str) -> None:
    """``X-Perfloop-Signature: sha256=<hex HMAC-SHA256 of the raw body>``, compared in constant time."""
    expected = hmac.new(source_signing_key(source).encode(), body, hashlib.sha256).hexdigest()
    given = signature.removeprefix("sha256=").strip().lower()
    if not given or not hmac.compare_digest(expected, given):
        audit_security(actor=None, action="import_ingest.bad_signature", details={"source": source.code})
        raise IngestAuthError(_("The body signature does not match."), code="invalid_signature")


def presets_install() -> int:
    """Make sure every shipped preset exists as a profile (new presets appear after an upgrade, and an
    existing one takes the release's label)."""
    existing = dict(MappingProfile.objects.filter(is_preset=True).values_list("name", "label"))
    created = 0
    for name, preset in PRESETS.items():
        if name in existing:
            if existing[name] != preset["label"]:
                MappingProfile.objects.filter(name=name, is_preset=True).update(label=preset["label"])
            continue
        MappingProfile.objects.get_or_create(
            name=name,
            defaults={
                "label": preset["label"],
                "kind": preset["spec"]["kind"],
                "source_kind": preset["source_kind"],
                "spec": preset["spec"],
                "is_preset": True,
            },
        )
        created += 1
    return created


@dataclass(frozen=True)
class UploadOptions:
    """What the upload form offers: sources as (code, label) and profiles as (name, label)."""

    sources: list[tuple[str, str]]
    profiles: list[tuple[str, str]]


def upload_options_for(*, viewer: User) -> UploadOptions:
    """The sources the viewer can upload for (the standard four even before their first file) and the
    profiles that fit one of them and that the viewer may import (a roster only with the whole tree)."""
    presets_install()
    active = list(source_list_for(viewer=viewer))
    # A standard source's stored name is the English one it was created with: shown translated.
    sources = [(source.code, f"{_(source.name)} ({source.code})", source.kind) for source in active]
    known = set(Source.objects.values_list("code", flat=True))  # a switched-off source stays off
    sources += [
        (code, f"{_(name)} ({code})", kind)
        for code, (name, kind) in DEFAULT_SOURCES.items()
        if code not in known
    ]
    kinds = {kind for _code, _label, kind in sources}
    profiles = [
        (profile.name, f"{profile_title(profile.name, profile.label)} — {profile.name}")
        for profile in profile_list()
        if (not profile.source_kind or profile.source_kind in kinds)
        and (profile.kind != "roster" or can_import_roster(viewer))
    ]
    return UploadOptions(sources=[(code, label) for code, label, _kind in sources], profiles=profiles)


def profile_title(name: str, label: str = "") -> str:
    """A profile's label in the viewer's language: a shipped preset's own label, translated; the label
    given to a profile of one's own as written (or its name)."""
    preset = preset_label(name)
    if preset is not None:
        return _(preset)
    return label or name


def mapping_profile_get(profile: MappingProfile | str) -> MappingProfile:
    if isinstance(profile, MappingProfile):
        return profile
    found = MappingProfile.objects.filter(name=profile).first()
    if found is None and profile in PRESETS:
        presets_install()
        found = MappingProfile.objects.filter(name=profile).first()
    if found is None:
        raise NotFound(
            _("Unknown mapping profile: %(profile)s") % {"profile": profile},
            code="unknown_profile",
            profile=profile,
        )
    return found


class MappingProfileError(DomainError):
    """A profile that cannot be saved as given: a bad name, source kind or label, a preset, a stale edit."""

    code = "invalid_profile"
    http_status = 422


@dataclass(frozen=True)
class ProfileSaved:
    """What saving a profile did: the profile as stored, whether it is new, whether anything changed."""

    profile: MappingProfile
    is_created: bool
    is_changed: bool


def profile_summary(profile: MappingProfile) -> dict[str, Any]:
    """A profile as plain data: what the API answers and ``perfloop import-profile`` works with."""
    return {
        "name": profile.name,
        "label": profile.label,
        "kind": profile.kind,
        "source_kind": profile.source_kind,
        "is_preset": profile.is_preset,
        "revision": profile.revision,
        "spec": profile.spec,
    }


def _profile_checked(
    actor: Any, name: str, spec: Any, label: str, source_kind: str, existing: MappingProfile | None
) -> ProfileSpec:
    """The rules a saved profile obeys, in the order a person fixes them: name, label, spec, source kind."""
    # A profile saved under an older, looser rule keeps its name; only new names must be slugs.
    if existing is None and not is_profile_name(name):
        raise MappingProfileError(
            _(
                "A profile's name is 2 to 60 lower-case letters, digits and hyphens, starting and ending "
                "with a letter or digit (for example crm-deals-mine)."
            ),
            code="invalid_profile_name",
            profile=name,
        )
    if len(label) > PROFILE_LABEL_MAX:
        raise MappingProfileError(
            _("A profile's label has at most %(limit)s characters.") % {"limit": PROFILE_LABEL_MAX},
            code="invalid_profile_label",
            limit=PROFILE_LABEL_MAX,
        )
    if source_kind and source_kind not in Source.Kind.values:
        raise MappingProfileError(
            _("Unknown source kind: %(kind)s") % {"kind": source_kind},
            code="invalid_source_kind",
            source_kind=source_kind,
            allowed=list(Source.Kind.values),
        )
    parsed = parse_profile(spec)
    try:  # stored as JSON on every database: NaN, Infinity or a Python-only value would not load again
        json.dumps(spec, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ImportRejected(
            "invalid_profile", reason="every value must be plain JSON (no NaN or Infinity)"
        ) from exc
    if source_kind and source_kind not in parsed.kind.source_kinds:
        allowed = pgettext("list separator", ", ").join(
            str(word(SOURCE_KIND_LABELS, kind, translate=_)) for kind in parsed.kind.source_kinds
        )
        raise MappingProfileError(
            _("A profile for %(kind)s reads files from %(allowed)s only.")
            % {"kind": word(KIND_LABELS, parsed.kind.name, translate=_), "allowed": allowed},
            code="invalid_source_kind",
            source_kind=source_kind,
            allowed=list(parsed.kind.source_kinds),
        )
    kinds = {parsed.kind.name} | ({existing.kind} if existing is not None else set())
    if actor is not None and not all(can_change_profile_of_kind(actor, kind) for kind in kinds):
        raise PermissionDenied(_("Only HR of the whole organisation changes the HR roster's mapping."))
    return parsed


@transaction.atomic
def mapping_profile_save(
    *,
    actor: Any,
    name: str,
    spec: dict[str, Any],
    label: str | None = None,
    source_kind: str | None = None,
    expected_revision: int | None = None,
) -> ProfileSaved:
    """Create or change a company profile; presets are copied, never edited in place.

    ``label`` and ``source_kind`` left as ``None`` keep the profile's own (a command that changes only the
    spec must not clear them). ``expected_revision`` is the revision the editor started from (0: a new
    profile): a page saved over someone else's change, or a new profile over an existing one, is refused
    instead of silently overwriting it. Saving what is stored already changes nothing (no new revision).
    """
    if actor is not None and not can_import_data(actor):
        raise PermissionDenied(_("Only HR manages mapping profiles."))
    existing = MappingProfile.objects.select_for_update().filter(name=name).first()
    # A preset's name is refused even before the presets are installed: a profile of one's own under it
    # would be taken for the preset (and shown with its label).
    if name in PRESETS or (existing is not None and existing.is_preset):
        raise MappingProfileError(
            _("Shipped presets cannot be changed; save a copy under another name."),
            code="preset_read_only",
            profile=name,
        )
    current = existing.revision if existing is not None else 0
    if expected_revision is not None and expected_revision != current:
        if expected_revision == 0:
            raise MappingProfileError(
                _("A profile named %(profile)s exists already; open it to change it.") % {"profile": name},
                code="profile_exists",
                profile=name,
            )
        raise MappingProfileError(
            _(
                "Profile %(profile)s was changed by someone else (now revision %(revision)s); "
                "open it again to see the change."
            )
            % {"profile": name, "revision": current},
            code="profile_changed",
            profile=name,
            revision=current,
        )
    label = (existing.label if existing else "") if label is None else label.strip()
    source_kind = (existing.source_kind if existing else "") if source_kind is None else source_kind
    parsed = _profile_checked(actor, name, spec, label, source_kind, existing)
    if existing is None:
        try:
            with transaction.atomic():  # two first saves of one name: the second is told, not crashed
                profile = MappingProfile.objects.create(
                    name=name, label=label, kind=parsed.kind.name, source_kind=source_kind, spec=spec
                )
        except IntegrityError as exc:
            raise MappingProfileError(
                _("A profile named %(profile)s exists already; open it to change it.") % {"profile": name},
                code="profile_exists",
                profile=name,
            ) from exc
    elif (existing.spec, existing.label, existing.source_kind) == (spec, label, source_kind):
        return ProfileSaved(profile=existing, is_created=False, is_changed=False)
    else:
        existing.spec, existing.label, existing.kind = spec, label, parsed.kind.name
        existing.source_kind = source_kind
        existing.revision += 1
        existing.save()
        profile = existing
    audit_change(
        actor=actor,
        action="mapping_profile.save",
        target=profile,
        details={
            "revision": profile.revision,
            "kind": profile.kind,
            "source_kind": profile.source_kind,
            "created": existing is None,
        },
    )
    return ProfileSaved(profile=profile, is_created=existing is None, is_changed=True)


# --- importing ------------------------------------------------------------------------------------


@dataclass
class _Input:
    """The file to import, its bytes handed over once (so they can be let go as soon as they are parsed),
    and their parse when it was started early."""

    name: str
    size: int
    digest: str
    data: bytes | None = None
    parsing: Future[tuple[RawTable, ColumnMapping]] | None = None

    def take(self) -> bytes:
        data = self.data if self.data is not None else b""
        self.data = None
        return data


def _input(path_or_bytes: str | Path | bytes, file_name: str | None, spec: ProfileSpec) -> _Input:
    """The file's bytes, read once, and their SHA-256 — computed while Polars already splits the rows on
    its own threads (a file that turns out to be imported already has its parse thrown away)."""
    if isinstance(path_or_bytes, bytes | bytearray | memoryview):
        data = bytes(path_or_bytes)
        check_size(len(data))
        name = file_name or "upload"
    else:
        path = Path(path_or_bytes)
        if not path.is_file():
            raise ImportInputError(
                _("No such file: %(path)s") % {"path": path}, code="file_not_found", path=str(path)
            )
        check_size(path.stat().st_size, limit=MAX_FILE_BYTES)
        data = path.read_bytes()
        name = file_name or path.name
    parsing = pipeline.read_and_map_soon(data, file_name=name[:255], spec=spec)
    return _Input(name, len(data), hashlib.sha256(data).hexdigest(), data=data, parsing=parsing)


def _period(first: Month | str | None, last: Month | str | None) -> tuple[Month | None, Month | None]:
    try:
        low = Month.parse(first) if isinstance(first, str) else first
        high = Month.parse(last) if isinstance(last, str) else last
    except MonthError as exc:
        raise ImportRejected("invalid_period", reason=str(exc)) from exc
    if low is not None and high is None:
        high = low
    if high is not None and low is None:
        low = high
    if low is not None and high is not None and high < low:
        raise ImportRejected("invalid_period", reason=f"{low}..{high} ends before it starts")
    return low, high


def _profile_digest(spec: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _check_allowed(actor: Any, kind: str) -> None:
    if actor is None:
        return
    allowed = can_import_roster(actor) if kind == "roster" else can_import_data(actor)
    if not allowed:
        raise PermissionDenied(_("You may not import this data."))


def _coverage_unit_for(actor: User | None, unit: OrgUnit | None) -> OrgUnit | None:
    """The part of the organisation a file covers. HR of one part imports for that part only: its file's
    period is claimed for that subtree, so a correction can restate that subtree's values and never remove
    (or zero) the values of people the importer may not see."""
    scope = actor.scope_unit if actor is not None and not actor.is_superuser else None
    if scope is None:
        return unit
    if unit is None:
        return scope
    if not unit.path.startswith(scope.path):
        raise PermissionDenied(_("You may import only for your part of the organisation."))
    return unit


def _check_fits(source: Source, profile: MappingProfile, spec: ProfileSpec) -> None:
    if source.kind not in spec.kind.source_kinds:
        raise ImportRejected(
            "profile_kind_mismatch",
            profile=profile.name,
            kind=spec.kind.name,
            source=source.code,
            source_kind=source.kind,
        )


def import_file(
    *,
    actor: User | None,
    source: Source | str,
    profile: MappingProfile | str,
    path_or_bytes: str | Path | bytes,
    file_name: str | None = None,
    first: Month | str | None = None,
    last: Month | str | None = None,
    unit: OrgUnit | None = None,
    zero_fill: bool = True,
    channel: str = ImportBatch.Channel.SERVICE,
    client_key: str | None = None,
    recompute: bool = True,
    progress: ProgressCallback | None = None,
) -> ImportOutcome:
    """Import one file completely or not at all; the same file again is a no-op that says so.

    ``first``/``last`` declare the period the file covers (inside it a person without rows gets a real 0;
    rows outside it are quarantined). Without them the period is the months the rows fall in.
    Raises :class:`ImportRejected` only for problems found before a batch exists (an invalid profile or
    period); a file that cannot be applied is recorded as a rejected batch and returned.
    """
    source_obj = source_get(source)
    profile_obj = mapping_profile_get(profile)
    spec = parse_profile(profile_obj.spec)
    _check_fits(source_obj, profile_obj, spec)
    _check_allowed(actor, spec.kind.name)
    unit = _coverage_unit_for(actor, unit)
    low, high = _period(first, last)
    given = _input(path_or_bytes, file_name, spec)
    digest, name = given.digest, given.name
    if client_key:
        replay = ImportBatch.objects.filter(source=source_obj, client_key=client_key).first()
        if replay is not None:
            if replay.file_sha256 != digest:
                raise IdempotencyKeyReusedError(
                    _("This idempotency key was used for a different body."), batch=replay.pk
                )
            return ImportOutcome(batch=replay, is_duplicate=True)
    same = _applied_same(source_obj, digest, profile_obj.spec, low, high, unit)
    if same is not None:
        audit_change(actor=actor, action="import_batch.duplicate", target=same, details={"sha256": digest})
        return ImportOutcome(batch=same, is_duplicate=True)
    batch = _batch_create(
        actor=actor,
        source=source_obj,
        profile=profile_obj,
        spec=spec,
        name=name,
        size=given.size,
        digest=digest,
        first=low,
        last=high,
        unit=unit,
        zero_fill=zero_fill,
        channel=channel,
        client_key=client_key,
    )
    return import_batch_process(batch=batch, data=given, actor=actor, recompute=recompute, progress=progress)


def _applied_same(
    source: Source,
    digest: str,
    spec: dict[str, Any],
    first: Month | None,
    last: Month | None,
    unit: OrgUnit | None,
) -> ImportBatch | None:
    """An applied batch of the same bytes, read alike, for the same period: importing it again is a no-op."""
    wanted = _profile_digest(spec)
    for batch in ImportBatch.objects.filter(
        source=source, file_sha256=digest, status=ImportBatch.Status.APPLIED, coverage_unit=unit
    ):
        declared = (batch.coverage_first, batch.coverage_last) if batch.is_coverage_declared else (None, None)
        if _profile_digest(batch.profile_spec) == wanted and declared == (first, last):
            return batch
    return None


def _batch_create(
    *,
    actor: User | None,
    source: Source,
    profile: MappingProfile,
    spec: ProfileSpec,
    name: str,
    size: int,
    digest: str,
    first: Month | None,
    last: Month | None,
    unit: OrgUnit | None,
    zero_fill: bool,
    channel: str,
    client_key: str | None,
    status: str = ImportBatch.Status.PROCESSING,
) -> ImportBatch:
    return ImportBatch.objects.create(
        source=source,
        profile=profile,
        profile_name=profile.name,
        profile_spec=profile.spec,
        kind=spec.kind.name,
        file_name=name[:255],
        file_sha256=digest,
        file_size=size,
        coverage_first=first,
        coverage_last=last,
        is_coverage_declared=first is not None,
        coverage_unit=unit,
        is_zero_filled=zero_fill,
        created_by=recorded_actor(actor),
        channel=channel,
        client_key=client_key,
        status=status,
        started_at=timezone.now() if status == ImportBatch.Status.PROCESSING else None,
    )


def _reporter(batch: ImportBatch, callback: ProgressCallback | None) -> ProgressCallback:
    """Progress goes to the caller and, outside the writing transaction, onto the batch for the web page."""

    def report(phase: str, fraction: float) -> None:
        if not connection.in_atomic_block:
            ImportBatch.objects.filter(pk=batch.pk).update(phase=phase, progress=int(fraction * 100))
        if callback is not None:
            callback(phase, fraction)

    return report


def import_batch_process(
    *,
    batch: ImportBatch,
    data: bytes | _Input | None = None,
    table: RawTable | None = None,
    actor: User | None,
    recompute: bool = True,
    progress: ProgressCallback | None = None,
) -> ImportOutcome:
    """Read, check and apply one batch (from the file's bytes, or from a table rebuilt for a resubmission)."""
    report = _reporter(batch, progress)
    spec = parse_profile(batch.profile_spec)
    first, last = (batch.coverage_first, batch.coverage_last) if batch.is_coverage_declared else (None, None)
    try:
        report("reading", 0.05)
        if table is None:
            if data is None:
                raise ImportRejected("empty_file")
            parsing = data.parsing if isinstance(data, _Input) else None
            content = data.take() if isinstance(data, _Input) else data
            data = None  # the bytes are not needed once parsed: a big file's memory goes back now
            if parsing is not None:
                del content
                table, mapping = parsing.result()
            else:
                table, mapping = pipeline.read_and_map(content, file_name=batch.file_name, spec=spec)
                del content
        else:
            mapping = map_columns(table.header, spec)
        _table_facts(batch, table)
        if spec.kind.name == "roster":
            return _process_roster(batch, table, mapping, spec, actor, report)
        plan = pipeline.prepare(
            batch=batch,
            table=table,
            mapping=mapping,
            spec=spec,
            actor=actor,
            first=first,
            last=last,
            unit=batch.coverage_unit,
            progress=report,
        )
    except ImportRejected as exc:
        return _reject(batch, exc, actor)
    except Exception as exc:
        _fail(batch, exc)
        raise
    if plan.rejection is not None:
        return _reject(
            batch, plan.rejection, actor, table=table, errors=plan.errors, rows_total=plan.rows_total
        )
    try:
        with transaction.atomic():
            pipeline.lock_imports()
            if spec.kind.name == "wages":
                _apply_wages(batch, plan, actor, report)
            else:
                _apply_plan(batch, plan, actor, report, recompute=recompute)
    except ImportRejected as exc:
        return _reject(batch, exc, actor)
    except Exception as exc:
        _fail(batch, exc)
        raise
    batch.refresh_from_db()
    return ImportOutcome(batch=batch)


def _table_facts(batch: ImportBatch, table: RawTable) -> None:
    batch.file_format = table.file_format
    batch.encoding = table.encoding or ""
    batch.delimiter = table.delimiter or ""
    batch.sheet = table.sheet or ""
    batch.header_row = table.header_row or None
    batch.header = table.header
    batch.rows_blank = table.blank_rows
    ImportBatch.objects.filter(pk=batch.pk).update(
        file_format=batch.file_format,
        encoding=batch.encoding,
        delimiter=batch.delimiter,
        sheet=batch.sheet,
        header_row=batch.header_row,
        header=batch.header,
        rows_blank=batch.rows_blank,
    )


def _table_warnings(table: RawTable, mapping: ColumnMapping) -> list[dict[str, Any]]:
    warnings: list[dict[str, Any]] = [
        {"code": "unknown_column", "details": {"column": table.header[index]}} for index in mapping.unknown
    ]
    if table.repeated_header_rows:
        warnings.append(
            {
                "code": "repeated_header",
                "details": {"rows": ", ".join(map(str, table.repeated_header_rows[:20]))},
            }
        )
    return warnings


def _apply_plan(
    batch: ImportBatch, plan: pipeline.Plan, actor: User | None, report: ProgressCallback, *, recompute: bool
) -> None:
    now = timezone.now()
    report("writing", 0.75)
    batch.rows_quarantined = pipeline.quarantine_write(batch, plan.table, plan.errors)
    written, touched = pipeline.apply_facts(batch, plan, now)
    data, rows = plan.kept_rows_encoded()
    wins = pipeline.own_first_wins(plan)
    pipeline.events_save(batch, data, rows, first_wins=pipeline.parquet(wins) if wins is not None else None)
    # The point of no return is the commit below: a crash before it (even here) leaves no trace.
    report("committing", 0.9)
    mapping = map_columns(plan.table.header, plan.spec)
    batch.status = ImportBatch.Status.APPLIED
    batch.phase, batch.progress = "done", 100
    batch.rows_total = plan.rows_total
    batch.rows_valid = plan.rows_valid
    batch.coverage_first = Month.from_int(plan.months[0]) if plan.months else None
    batch.coverage_last = Month.from_int(plan.months[-1]) if plan.months else None
    batch.coverage_kpis = plan.kpis
    batch.facts_created, batch.facts_changed = written.created, written.changed
    batch.facts_unchanged, batch.facts_removed = written.unchanged, written.removed
    batch.facts_zero_filled = plan.zero_filled
    batch.restated_batches = sorted(plan.takeovers)
    batch.warnings = _table_warnings(plan.table, mapping) + plan.warnings
    batch.applied_at = batch.finished_at = now
    batch.save()
    ImportFile.objects.filter(batch=batch).delete()
    audit_change(actor=actor, action="import_batch.apply", target=batch, details=_audit_summary(batch))
    if recompute and touched:
        _recompute(actor, touched)


def _recompute(actor: User | None, months: list[int]) -> None:
    """Scorecards of the months the batch touched follow the new facts (late data restates them) — and so do
    the later months already scored, whose streaks run through the restated ones."""
    first, last = Month.from_int(min(months)), Month.from_int(max(months))
    latest = (
        Scorecard.objects.filter(month__gt=last).order_by("-month").values_list("month", flat=True).first()
    )
    if latest is not None:
        last = latest
    has_targets = MonthlyTarget.objects.filter(month__gte=first, month__lte=last).exists()
    has_cards = Scorecard.objects.filter(month__gte=first, month__lte=last).exists()
    if has_targets or has_cards:
        scorecards_recompute(actor=actor, first=first, last=last)


def _audit_summary(batch: ImportBatch) -> dict[str, Any]:
    return {
        "file": batch.file_name,
        "sha256": batch.file_sha256,
        "rows_total": batch.rows_total,
        "rows_quarantined": batch.rows_quarantined,
        "facts_created": batch.facts_created,
        "facts_changed": batch.facts_changed,
        "facts_removed": batch.facts_removed,
        "restated_batches": batch.restated_batches,
    }


def _apply_wages(
    batch: ImportBatch, plan: pipeline.Plan, actor: User | None, report: ProgressCallback
) -> None:
    now = timezone.now()
    report("writing", 0.75)
    batch.rows_quarantined = pipeline.quarantine_write(batch, plan.table, plan.errors)
    events = plan.events
    records = {
        (employee_id, month): amount
        for employee_id, month, amount in events.select("employee_id", "__month", "amount").iter_rows()
    }
    overtime = None
    if "overtime" in events.columns:
        overtime = {
            (employee_id, month): value
            for employee_id, month, value in events.select("employee_id", "__month", "overtime").iter_rows()
            if value is not None
        }
    written = people.wage_records_upsert(records, overtime)
    pipeline.events_write(batch, plan.table, events, None)
    batch.status = ImportBatch.Status.APPLIED
    batch.phase, batch.progress = "done", 100
    batch.rows_total, batch.rows_valid = plan.rows_total, events.height
    batch.summary = {"wages_written": written}
    batch.warnings = _table_warnings(plan.table, map_columns(plan.table.header, plan.spec))
    batch.applied_at = batch.finished_at = now
    batch.save()
    audit_change(actor=actor, action="import_batch.apply", target=batch, details=_audit_summary(batch))


def _process_roster(
    batch: ImportBatch,
    table: RawTable,
    mapping: ColumnMapping,
    spec: ProfileSpec,
    actor: User | None,
    report: ProgressCallback,
) -> ImportOutcome:
    report("validating", 0.3)
    plan = people.roster_prepare(
        table=table, mapping=mapping, spec=spec, context=pipeline.check_context(None, None)
    )
    bad = int(plan.errors[ROW].n_unique()) if plan.errors.height else 0
    refusal = pipeline.error_share_rejection(bad=bad, rows=plan.rows_total, limit=spec.max_error_share)
    if refusal is not None and refusal.code == "no_valid_rows":
        raise refusal
    if refusal is not None:
        return _reject(batch, refusal, actor, table=table, errors=plan.errors, rows_total=plan.rows_total)
    now = timezone.now()
    try:
        with transaction.atomic():
            pipeline.lock_imports()
            report("writing", 0.6)
            batch.rows_quarantined = pipeline.quarantine_write(batch, table, plan.errors)
            result = people.roster_apply(batch=batch, plan=plan, actor=actor, now=now)
            pipeline.events_write(batch, table, plan.people, "employee_number")
            report("committing", 0.9)
            batch.status = ImportBatch.Status.APPLIED
            batch.phase, batch.progress = "done", 100
            batch.rows_total, batch.rows_valid = plan.rows_total, plan.people.height
            batch.summary = {"people": result.as_dict()}
            batch.warnings = _table_warnings(table, mapping) + plan.warnings
            batch.applied_at = batch.finished_at = now
            batch.save()
            ImportFile.objects.filter(batch=batch).delete()
            audit_change(
                actor=actor,
                action="import_batch.apply",
                target=batch,
                details=_audit_summary(batch) | result.as_dict(),
            )
    except ImportRejected as exc:
        return _reject(batch, exc, actor)
    batch.refresh_from_db()
    return ImportOutcome(batch=batch, invitations=result.invitations)


def _reject(
    batch: ImportBatch,
    exc: ImportRejected,
    actor: User | None,
    *,
    table: RawTable | None = None,
    errors: pl.DataFrame | None = None,
    rows_total: int | None = None,
) -> ImportOutcome:
    """Record why the file was refused (with a sample of its bad rows) — and apply nothing."""
    with transaction.atomic():
        if table is not None and errors is not None:
            batch.rows_quarantined = pipeline.quarantine_write(
                batch, table, errors, cap=pipeline._QUARANTINE_CAP_REJECTED
            )
        batch.status = ImportBatch.Status.REJECTED
        batch.error_code = exc.code
        batch.error_message = str(exc.message)
        batch.error_details = json.loads(json.dumps(exc.details, default=str))
        batch.rows_total = rows_total or batch.rows_total
        batch.phase, batch.progress = "rejected", 100
        batch.finished_at = timezone.now()
        batch.save()
        audit_change(
            actor=actor,
            action="import_batch.reject",
            target=batch,
            details={"code": exc.code, "file": batch.file_name},
        )
    return ImportOutcome(batch=batch)


def _fail(batch: ImportBatch, exc: Exception) -> None:
    """An unexpected error: the batch says so (the traceback is in the logs), nothing was applied."""
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.FAILED,
        error_code="internal_error",
        error_message=f"{type(exc).__name__}: {exc}"[:2000],
        finished_at=timezone.now(),
    )


# --- the web's two steps --------------------------------------------------------------------------


def import_upload(
    *,
    actor: User,
    source: Source | str,
    profile: MappingProfile | str,
    data: bytes,
    file_name: str,
    first: Month | str | None = None,
    last: Month | str | None = None,
    unit: OrgUnit | None = None,
) -> ImportOutcome:
    """Keep an uploaded file as a received batch until the importer has seen the preview and confirmed.

    The same bytes already applied with the same profile and period are not kept again: the outcome is that
    earlier batch, as a duplicate (importing it would change nothing). A file that cannot be read at all
    (binary, empty, no header) becomes a rejected batch at once, with its reason, instead of waiting for a
    confirmation that could only fail.
    """
    source_obj = source_get(source)
    profile_obj = mapping_profile_get(profile)
    spec = parse_profile(profile_obj.spec)
    _check_fits(source_obj, profile_obj, spec)
    _check_allowed(actor, spec.kind.name)
    unit = _coverage_unit_for(actor, unit)
    low, high = _period(first, last)
    check_size(len(data))
    digest = hashlib.sha256(data).hexdigest()
    same = _applied_same(source_obj, digest, profile_obj.spec, low, high, unit)
    if same is not None:
        audit_change(actor=actor, action="import_batch.duplicate", target=same, details={"sha256": digest})
        return ImportOutcome(batch=same, is_duplicate=True)
    with transaction.atomic():
        batch = _batch_create(
            actor=actor,
            source=source_obj,
            profile=profile_obj,
            spec=spec,
            name=file_name,
            size=len(data),
            digest=digest,
            first=low,
            last=high,
            unit=unit,
            zero_fill=True,
            channel=ImportBatch.Channel.WEB,
            client_key=None,
            status=ImportBatch.Status.RECEIVED,
        )
        ImportFile.objects.create(batch=batch, content=data)
        audit_change(actor=actor, action="import_batch.upload", target=batch, details={"file": file_name})
    try:
        table, mapping = pipeline.read_and_map(data, file_name=batch.file_name, spec=spec)
    except ImportRejected as exc:
        with transaction.atomic():
            ImportFile.objects.filter(batch=batch).delete()
            return _reject(batch, exc, actor)
    del data, mapping
    _table_facts(batch, table)
    del table
    # The whole file is judged in the background: a large file's preparation must not hold the upload's
    # request, and the page shows the verdict when it is ready.
    from perfloop.imports.tasks import import_upload_check_task

    actor_id = actor.pk if actor is not None else None
    transaction.on_commit(lambda: import_upload_check_task.enqueue(batch.pk, actor_id))
    return ImportOutcome(batch=batch)


def import_upload_check(*, batch_id: int, actor_id: int | None = None) -> FileCheck | None:
    """Judge a received upload as a whole and keep the verdict with it (the task's body). An upload that is
    no longer waiting, or already judged, is left alone; one the checks cannot finish is marked as checked
    without a verdict (the import checks everything again when it runs)."""
    upload = (
        ImportFile.objects.filter(batch_id=batch_id, batch__status=ImportBatch.Status.RECEIVED)
        .select_related("batch__source", "batch__coverage_unit")
        .first()
    )
    if upload is None or upload.checked_at is not None:
        return None
    batch = upload.batch
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    spec = parse_profile(batch.profile_spec)
    check: FileCheck | None
    try:
        data = bytes(upload.content)
        upload.content = b""  # one copy of a large file in memory, not two
        table, mapping = pipeline.read_and_map(data, file_name=batch.file_name, spec=spec)
        del data
        check = file_check_make(batch=batch, table=table, mapping=mapping, spec=spec, actor=actor)
    except ImportRejected as exc:
        check = refused_check(
            code=exc.code, details=exc.details, rows_total=0, max_error_share=spec.max_error_share
        )
    except Exception:
        logger.exception("the whole-file check of batch %s failed", batch.pk)
        check = None
    ImportFile.objects.filter(pk=upload.pk).update(
        file_check=check.as_dict() if check is not None else None, checked_at=timezone.now()
    )
    return check


def import_check(
    *,
    actor: User | None,
    source: Source | str,
    profile: MappingProfile | str,
    path_or_bytes: str | Path | bytes,
    file_name: str | None = None,
    first: Month | str | None = None,
    last: Month | str | None = None,
    unit: OrgUnit | None = None,
    zero_fill: bool = True,
) -> FileCheck:
    """What importing the file would do now — the same checks, limits and scope as ``import_file`` — with
    nothing written: no batch, no audit event, no fact (the command line's and the API's dry run)."""
    source_obj = source_get(source)
    profile_obj = mapping_profile_get(profile)
    spec = parse_profile(profile_obj.spec)
    _check_fits(source_obj, profile_obj, spec)
    _check_allowed(actor, spec.kind.name)
    unit = _coverage_unit_for(actor, unit)
    low, high = _period(first, last)
    given = _input(path_or_bytes, file_name, spec)
    limit = spec.max_error_share
    same = _applied_same(source_obj, given.digest, profile_obj.spec, low, high, unit)
    if same is not None:
        visible = batch_ids_visible_to(viewer=actor, batch_ids=[same.pk])
        return duplicate_check(
            rows_total=same.rows_total if visible else 0,
            max_error_share=limit,
            batch_id=same.pk if visible else None,
        )
    # Never saved: it only tells the preparation which source, period and unit the file would have.
    batch = ImportBatch(
        source=source_obj,
        profile=profile_obj,
        kind=spec.kind.name,
        file_name=given.name[:255],
        coverage_first=low,
        coverage_last=high,
        is_coverage_declared=low is not None,
        coverage_unit=unit,
        is_zero_filled=zero_fill,
    )
    data, parsing = given.take(), given.parsing
    try:
        if parsing is not None:
            table, mapping = parsing.result()
        else:
            table, mapping = pipeline.read_and_map(data, file_name=batch.file_name, spec=spec)
    except ImportRejected as exc:
        return refused_check(code=exc.code, details=exc.details, rows_total=0, max_error_share=limit)
    del data
    return file_check_make(batch=batch, table=table, mapping=mapping, spec=spec, actor=actor)


def file_check_make(
    *, batch: ImportBatch, table: RawTable, mapping: ColumnMapping, spec: ProfileSpec, actor: User | None
) -> FileCheck:
    """Run the whole file through the import's own preparation — every check, the same limits, the
    importer's scope — which reads the database but writes nothing: the verdict the import would reach now."""
    limit = spec.max_error_share
    rows_read = table.frame.height + len({problem.row for problem in table.bad_rows})
    try:
        if spec.kind.name == "roster":
            roster = people.roster_prepare(
                table=table, mapping=mapping, spec=spec, context=pipeline.check_context(None, None)
            )
            bad = int(roster.errors[ROW].n_unique()) if roster.errors.height else 0
            refusal = pipeline.error_share_rejection(bad=bad, rows=roster.rows_total, limit=limit)
            return file_check_from(
                rows_total=roster.rows_total,
                errors=roster.errors,
                max_error_share=limit,
                refusal=(refusal.code, refusal.details) if refusal else None,
                people=roster.people.height,
            )
        declared = batch.is_coverage_declared
        first, last = (batch.coverage_first, batch.coverage_last) if declared else (None, None)
        plan = pipeline.prepare(
            batch=batch,
            table=table,
            mapping=mapping,
            spec=spec,
            actor=actor,
            first=first,
            last=last,
            unit=batch.coverage_unit,
            progress=lambda _phase, _fraction: None,
        )
    except ImportRejected as exc:
        return refused_check(code=exc.code, details=exc.details, rows_total=rows_read, max_error_share=limit)
    wage_people = None
    if spec.kind.name == "wages" and "employee_id" in plan.events.columns:
        wage_people = int(plan.events["employee_id"].n_unique())
    return file_check_from(
        rows_total=plan.rows_total,
        errors=plan.errors,
        max_error_share=limit,
        refusal=(plan.rejection.code, plan.rejection.details) if plan.rejection else None,
        months=plan.months,
        kpis=plan.kpis,
        facts=plan.facts,
        people=wage_people,
        restates=sorted(plan.takeovers),
        warnings=plan.warnings,
    )


QUEUED = "queued"


def import_batch_confirm(*, actor: User, batch: ImportBatch) -> ImportBatch:
    """The importer saw the preview and wants the file applied: queue it for the worker, after commit."""
    from perfloop.imports.tasks import import_batch_task

    if not can_import_data(actor):
        raise PermissionDenied(_("You may not import data."))
    with transaction.atomic():
        updated = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.RECEIVED).update(
            status=ImportBatch.Status.PROCESSING, phase=QUEUED, progress=0
        )
        if updated:
            audit_change(actor=actor, action="import_batch.confirm", target=batch)
            transaction.on_commit(lambda: import_batch_task.enqueue(batch.pk, actor.pk))
    batch.refresh_from_db()
    return batch


def import_batch_discard(*, actor: User, batch: ImportBatch) -> ImportBatch:
    """The importer saw the preview and does not want the file: its bytes go, the batch stays as a record."""
    if not can_import_data(actor):
        raise PermissionDenied(_("You may not import data."))
    with transaction.atomic():
        discarded = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.RECEIVED).update(
            status=ImportBatch.Status.DISCARDED, phase="", finished_at=timezone.now()
        )
        if not discarded:
            raise ImportInputError(
                _("Only a file that is waiting for its confirmation can be discarded."),
                code="batch_not_waiting",
                batch=batch.pk,
            )
        ImportFile.objects.filter(batch=batch).delete()
        audit_change(
            actor=actor, action="import_batch.discard", target=batch, details={"file": batch.file_name}
        )
    batch.refresh_from_db()
    return batch


def import_batch_run(*, batch_id: int, actor_id: int | None = None) -> ImportOutcome:
    """Process a confirmed upload (the task's body); a batch already processed is left alone."""
    batch = ImportBatch.objects.select_related("source", "coverage_unit").get(pk=batch_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    claimed = ImportBatch.objects.filter(
        pk=batch.pk, status=ImportBatch.Status.PROCESSING, phase=QUEUED
    ).update(phase="reading", started_at=timezone.now())
    if not claimed:
        return ImportOutcome(batch=batch, is_duplicate=True)
    upload = ImportFile.objects.filter(batch=batch).first()
    if upload is None:
        raise NotFound(_("The uploaded file is gone."), code="upload_missing", batch=batch.pk)
    data = bytes(upload.content)
    same = _applied_same(
        batch.source,
        batch.file_sha256,
        batch.profile_spec,
        batch.coverage_first if batch.is_coverage_declared else None,
        batch.coverage_last if batch.is_coverage_declared else None,
        batch.coverage_unit,
    )
    if same is not None:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.REJECTED,
            error_code="already_imported",
            error_message=describe("already_imported", {"batch": same.pk}),
            error_details={"batch": same.pk},
            finished_at=timezone.now(),
        )
        ImportFile.objects.filter(batch=batch).delete()
        return ImportOutcome(batch=same, is_duplicate=True)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.PROCESSING, started_at=timezone.now()
    )
    batch.status = ImportBatch.Status.PROCESSING
    return import_batch_process(batch=batch, data=data, actor=actor)


def problem_in_column(column: str | None, message: str) -> str:
    """``column: message``, unless the message already names the column (punctuated per language)."""
    if not column or column in message:
        return message
    return pgettext("a problem in a column", "%(column)s: %(message)s") % {
        "column": column,
        "message": message,
    }


@dataclass
class Preview:
    """The first rows of a file as perfloop reads them, and which column feeds which field."""

    header: list[str]
    header_row: int
    file_format: str
    encoding: str
    sheet: str
    columns: list[dict[str, Any]]  # field, column, type, required
    unknown: list[str]
    rows: list[dict[str, Any]]  # row number, cells, problems
    rejection: dict[str, Any] | None = None


def import_preview(
    *,
    data: bytes,
    file_name: str,
    profile: MappingProfile | str,
    limit: int = 10,
    actor: User | None = None,
) -> Preview:
    """Read a file without importing it: the mapping and the first rows with the problems they have (the
    people they name looked up among those ``actor`` may import for, when given)."""
    profile_obj = mapping_profile_get(profile)
    spec = parse_profile(profile_obj.spec)
    try:
        table, mapping = pipeline.read_and_map(data, file_name=file_name, spec=spec)
    except ImportRejected as exc:
        rejection = {
            **exc.as_dict(),
            "message": describe(exc.code, exc.details, translate=_),
            "fix": fix_for(exc.code, translate=_),
        }
        return Preview([], 0, "", "", "", [], [], [], rejection=rejection)
    last_row = int(table.frame[ROW].head(limit).max() or 0)  # type: ignore[arg-type]
    head = RawTable(
        frame=table.frame.head(limit),
        header=table.header,
        header_row=table.header_row,
        file_format=table.file_format,
        bad_rows=[problem for problem in table.bad_rows if problem.row <= last_row],
    )
    checked = pipeline.check_table(head, spec, mapping, pipeline.check_context(None, None))
    problems: dict[int, list[str]] = {}
    for row, column, code, details in checked.errors.select(ROW, "column", "code", "details").iter_rows():
        message = describe(code, json.loads(details or "{}"), translate=_)
        problems.setdefault(int(row), []).append(problem_in_column(column, message))
    employee_field = next((name for name in pipeline.EMPLOYEE_FIELD if name in checked.values.columns), None)
    if actor is not None and employee_field is not None:
        column = table.header[mapping.columns[employee_field]]
        matched = match_employees(
            checked.values[employee_field], pipeline.directory_for(actor), mode=spec.match
        )
        for row, code, details in zip(checked.values[ROW], matched["code"], matched["details"], strict=True):
            if code is not None:
                message = describe(code, json.loads(details or "{}"), translate=_)
                problems.setdefault(int(row), []).append(problem_in_column(column, message))
    columns = []
    for field_spec in spec.fields:
        unit = mapping.units.get(field_spec.name, field_spec.unit if field_spec.type == "money" else "")
        index = mapping.columns.get(field_spec.name)
        columns.append(
            {
                "field": field_spec.name,
                "label": word(FIELD_LABELS, field_spec.name, translate=_),
                "column": table.header[index] if index is not None else None,
                "type": field_spec.type,
                "type_label": word(TYPE_LABELS, field_spec.type, translate=_),
                "required": field_spec.required,
                "unit": word(UNIT_LABELS, unit, translate=_),  # a unit written in the header stays as written
            }
        )
    rows = [
        {"row": int(values[0]), "cells": list(values[1:]), "problems": problems.get(int(values[0]), [])}
        for values in head.frame.iter_rows()
    ]
    return Preview(
        header=table.header,
        header_row=table.header_row,
        file_format=table.file_format,
        encoding=table.encoding or "",
        sheet=table.sheet or "",
        columns=columns,
        unknown=[table.header[index] for index in mapping.unknown],
        rows=rows,
    )


# --- quarantine: fix and resubmit -----------------------------------------------------------------


@transaction.atomic
def quarantined_row_fix(*, actor: User, row: QuarantinedRow, values: dict[str, str]) -> QuarantinedRow:
    """Store a person's correction of a quarantined row (applied when the batch's fixes are resubmitted)."""
    if not can_import_data(actor):
        raise PermissionDenied(_("Only HR fixes import rows."))
    if row.state == QuarantinedRow.State.RESUBMITTED:
        raise ImportInputError(_("This row was resubmitted already."), code="row_resubmitted", row=row.pk)
    if row.batch.status != ImportBatch.Status.APPLIED:
        raise ImportInputError(_("Only an applied batch can take corrections."), code="batch_not_applied")
    header = cell_names(row.batch.header)
    unknown = sorted(set(values) - set(header))
    if unknown:
        raise ImportInputError(
            _("Unknown columns: %(columns)s") % {"columns": ", ".join(unknown)},
            code="unknown_column",
            columns=unknown,
        )
    base = (
        {name: row.raw.get(name) for name in header}
        if row.raw and "_line" not in row.raw
        else dict.fromkeys(header)
    )
    fixed = {**base, **{name: (value if value != "" else None) for name, value in values.items()}}
    errors = pipeline.row_errors(row.batch, fixed)
    if errors.height:
        problems = [
            {
                "column": column,
                "code": code,
                "message": describe(code, json.loads(details or "{}"), translate=_),
            }
            for column, code, details in errors.select("column", "code", "details").iter_rows()
        ]
        raise ImportInputError(
            _("The corrected row still has problems: %(problems)s")
            % {
                "problems": pgettext("list of problems", "; ").join(
                    problem_in_column(problem["column"], problem["message"]) for problem in problems
                )
            },
            code="row_still_invalid",
            problems=problems,
        )
    row.fixed_values = fixed
    row.state = QuarantinedRow.State.FIXED
    row.fixed_by = actor
    row.fixed_at = timezone.now()
    row.save()
    audit_change(actor=actor, action="quarantined_row.fix", target=row, details={"batch": row.batch_id})
    return row


def quarantine_resubmit(*, actor: User | None, batch: ImportBatch) -> ImportOutcome:
    """Re-run a batch with its fixed rows: a new batch restates the old one (facts move, versions rise)."""
    if actor is not None and not can_import_data(actor):
        raise PermissionDenied(_("Only HR resubmits import rows."))
    if batch.status != ImportBatch.Status.APPLIED:
        raise ImportInputError(_("Only an applied batch can take corrections."), code="batch_not_applied")
    fixed = list(batch.quarantined_rows.filter(state=QuarantinedRow.State.FIXED))
    if not fixed:
        raise ImportInputError(_("No fixed rows to resubmit."), code="nothing_to_resubmit", batch=batch.pk)
    stored = pipeline.stored_table(batch)
    if stored is None:
        raise ImportInputError(
            _("The batch's rows are not available."), code="batch_rows_missing", batch=batch.pk
        )
    header = list(batch.header)
    keys = cell_names(header)  # how the row's cells are keyed: a repeated column name numbered
    names = [f"c{index}" for index in range(len(header))]
    open_rows = [
        r
        for r in batch.quarantined_rows.filter(state=QuarantinedRow.State.OPEN)
        if r.raw and "_line" not in r.raw
    ]
    extra = [
        (r.row_number, [r.fixed_values.get(key) if r.fixed_values else None for key in keys]) for r in fixed
    ]
    extra += [(r.row_number, [r.raw.get(key) for key in keys]) for r in open_rows]
    added = pl.DataFrame(
        {
            ROW: [number for number, _ in extra],
            **{name: [cells[i] for _, cells in extra] for i, name in enumerate(names)},
        },
        schema={ROW: pl.Int64, **dict.fromkeys(names, pl.String)},
    )
    frame = pl.concat([stored.frame, added]).sort(ROW)
    table = RawTable(frame=frame, header=header, header_row=stored.header_row, file_format=batch.file_format)
    digest = hashlib.sha256(frame.write_csv().encode()).hexdigest()
    with transaction.atomic():
        new = _batch_create(
            actor=actor,
            source=batch.source,
            profile=batch.profile or mapping_profile_get(batch.profile_name),
            spec=parse_profile(batch.profile_spec),
            name=batch.file_name,  # the page says which batch it restates, in the reader's language
            size=0,
            digest=digest,
            first=batch.coverage_first,
            last=batch.coverage_last,
            unit=batch.coverage_unit,
            zero_fill=batch.is_zero_filled,
            channel=ImportBatch.Channel.WEB if actor else ImportBatch.Channel.SERVICE,
            client_key=None,
        )
        new.profile_spec = batch.profile_spec
        new.save(update_fields=["profile_spec"])
    outcome = import_batch_process(batch=new, table=table, actor=actor)
    if outcome.is_applied:
        resubmitted = [r.pk for r in fixed] + [r.pk for r in open_rows]
        QuarantinedRow.objects.filter(pk__in=resubmitted).update(
            state=QuarantinedRow.State.RESUBMITTED, resubmitted_at=timezone.now()
        )
        if batch.kind == "roster":
            ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.SUPERSEDED)
    return outcome


# --- invitations ----------------------------------------------------------------------------------


class InvitationError(DomainError):
    code = "invalid_invitation"
    http_status = 404


@transaction.atomic
def invitation_accept(*, raw_token: str, password: str) -> User:
    """The invited person sets their own password; the link then stops working."""
    invitation = people.invitation_token_valid(raw_token)
    if invitation is None:
        raise InvitationError(_("This invitation link is invalid, used or expired."))
    user = invitation.user
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ImportInputError(" ".join(exc.messages), code="weak_password") from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    Invitation.objects.filter(user=user, used_at__isnull=True).update(used_at=invitation.used_at)
    audit_security(actor=user, action="user.invitation_accept")
    return user


@transaction.atomic
def invitation_renew(*, actor: User | None, employee: Employee) -> people.InvitationLink:
    """A new link for someone who lost theirs (earlier links stop working)."""
    if actor is not None and not can_import_roster(actor):
        raise PermissionDenied(_("Only HR issues invitations."))
    if employee.user is None:
        raise ImportInputError(_("This person has no account."), code="no_account")
    if employee.user.has_usable_password():
        raise ImportInputError(_("This person has set a password already."), code="already_active")
    now = timezone.now()
    Invitation.objects.filter(user=employee.user, used_at__isnull=True).update(used_at=now)
    raw = secrets.token_urlsafe(32)
    Invitation.objects.create(
        user=employee.user,
        token_digest=people.invitation_digest(raw),
        created_by=recorded_actor(actor),
        expires_at=now + dt.timedelta(days=people.INVITATION_DAYS),
    )
    audit_change(
        actor=actor, action="invitation.renew", target=employee.user, subject_employee_id=employee.pk
    )
    return people.InvitationLink(
        employee.employee_number, employee.name, employee.email, people.invitation_path(raw)
    )
