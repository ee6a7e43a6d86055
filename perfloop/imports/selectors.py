"""Reads of the imports app, each scoped to the viewer (HR of one part sees the batches of that part; HR of
the whole organisation sees all)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from perfloop.accounts.models import User
from perfloop.accounts.selectors import employee_scope_for
from perfloop.core.errors import NotFound, PermissionDenied
from perfloop.imports.lineage import FactRows, fact_rows
from perfloop.imports.models import (
    FactChange,
    ImportBatch,
    ImportFile,
    MappingProfile,
    QuarantinedRow,
    Source,
)
from perfloop.imports.policies import can_import_data, can_manage_sources, can_view_batch
from perfloop.metrics.models import MonthlyFact


def batch_list_for(*, viewer: User) -> QuerySet[ImportBatch]:
    """Batches the viewer may see, newest first."""
    if not can_import_data(viewer):
        return ImportBatch.objects.none()
    batches = ImportBatch.objects.select_related("source", "profile", "created_by", "coverage_unit")
    scope = viewer.scope_unit
    if viewer.is_superuser or scope is None:
        return batches
    # The importer's own batches are among these: a scoped importer's file always covers their part.
    return batches.filter(coverage_unit__path__startswith=scope.path)


def batch_ids_visible_to(*, viewer: User | None, batch_ids: Sequence[int]) -> list[int]:
    """Which of these batches the viewer may open (the system, ``None``, may open every one)."""
    if viewer is None:
        return sorted(batch_ids)
    batches = batch_list_for(viewer=viewer).filter(pk__in=list(batch_ids))
    return sorted(batch.pk for batch in batches if can_view_batch(viewer, batch))


def batch_get_for(*, viewer: User, batch_id: int) -> ImportBatch:
    """One batch, or NotFound — the same answer whether it does not exist or is not the viewer's to see."""
    batch = batch_list_for(viewer=viewer).filter(pk=batch_id).first()
    if batch is None or not can_view_batch(viewer, batch):
        raise NotFound(_("No such import batch."), code="not_found")
    return batch


def batch_duplicate_of(*, viewer: User, batch: ImportBatch) -> ImportBatch | None:
    """The applied batch a refused duplicate repeats, when the viewer may see it."""
    other = (batch.error_details or {}).get("batch")
    if not isinstance(other, int):
        return None
    return batch_list_for(viewer=viewer).filter(pk=other).first()


def quarantined_row_list_for(
    *, viewer: User, batch: ImportBatch, state: str | None = None
) -> QuerySet[QuarantinedRow]:
    rows = batch_get_for(viewer=viewer, batch_id=batch.pk).quarantined_rows.all()
    if state:
        rows = rows.filter(state=state)
    return rows.order_by("row_number")


def quarantined_row_get_for(*, viewer: User, batch: ImportBatch, row_id: int) -> QuarantinedRow:
    row = quarantined_row_list_for(viewer=viewer, batch=batch).filter(pk=row_id).first()
    if row is None:
        raise NotFound(_("No such row."), code="not_found")
    return row


def fact_change_list_for(*, viewer: User, batch: ImportBatch) -> QuerySet[FactChange]:
    """What a restatement changed (old → new), for the people the viewer may see."""
    batch_get_for(viewer=viewer, batch_id=batch.pk)
    return (
        FactChange.objects.filter(batch=batch, employee__in=employee_scope_for(viewer=viewer))
        .select_related("employee")
        .order_by("employee__employee_number", "month", "kpi")
    )


def fact_rows_for(*, viewer: User, fact_id: int) -> tuple[MonthlyFact, FactRows]:
    """The file rows and cells behind one fact, for whoever may see the person's facts (NotFound otherwise:
    the same answer whether the fact does not exist or is someone else's)."""
    fact = (
        MonthlyFact.objects.filter(pk=fact_id, employee__in=employee_scope_for(viewer=viewer))
        .select_related("kpi")
        .first()
    )
    if fact is None:
        raise NotFound(_("No such fact."), code="not_found")
    return fact, fact_rows(fact)


def profile_list() -> QuerySet[MappingProfile]:
    """Mapping profiles are company configuration: the shipped presets and the company's own."""
    return MappingProfile.objects.all()


def profile_get_for(*, viewer: User, name: str) -> MappingProfile:
    """One mapping profile by name, for whoever may import (a profile names the columns of people's data
    exports, not people: everyone who imports may read every profile)."""
    if not can_import_data(viewer):
        raise PermissionDenied(_("Imports are for HR."))
    profile = profile_list().filter(name=name).first()
    if profile is None:
        raise NotFound(
            _("Unknown mapping profile: %(profile)s") % {"profile": name},
            code="unknown_profile",
            profile=name,
        )
    return profile


def source_list_for(*, viewer: User) -> QuerySet[Source]:
    if not (can_import_data(viewer) or can_manage_sources(viewer)):
        return Source.objects.none()
    return Source.objects.filter(is_active=True)


def upload_check_pending(*, batch: ImportBatch) -> bool:
    """A received upload whose whole-file check has not finished yet (the batch is already the viewer's)."""
    return ImportFile.objects.filter(batch=batch, checked_at__isnull=True).exists()
