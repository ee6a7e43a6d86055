"""Import pages: upload → preview and mapping → confirm → progress → summary, quarantine, error report;
the mapping profiles (presets to copy, the company's own to change).

Every view is parse → access check → service or selector → render. Batches the viewer may not see answer
404 like missing ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from perfloop.accounts.models import User
from perfloop.accounts.selectors import has_second_factor
from perfloop.core.errors import DomainError, NotFound, PermissionDenied
from perfloop.core.months import Month
from perfloop.imports import people, reports
from perfloop.imports.file_check import FileCheck, percent_text
from perfloop.imports.forms import FirstPasswordForm, MappingProfileForm, RowFixForm, UploadForm
from perfloop.imports.labels import FIELD_LABELS, KIND_LABELS, SOURCE_KIND_LABELS, word
from perfloop.imports.models import FactChange, ImportBatch, ImportFile, MappingProfile, QuarantinedRow
from perfloop.imports.policies import can_change_profile_of_kind, can_import_data, can_view_batch
from perfloop.imports.problems import ImportRejected, describe, fix_for
from perfloop.imports.profiles import KINDS
from perfloop.imports.reports import value_text
from perfloop.imports.selectors import (
    batch_duplicate_of,
    batch_get_for,
    batch_ids_visible_to,
    batch_list_for,
    fact_change_list_for,
    profile_get_for,
    profile_list,
    quarantined_row_get_for,
    quarantined_row_list_for,
    upload_check_pending,
)
from perfloop.imports.services import (
    batch_summary,
    import_batch_confirm,
    import_batch_discard,
    import_preview,
    import_upload,
    invitation_accept,
    mapping_profile_save,
    presets_install,
    problem_in_column,
    profile_title,
    quarantine_resubmit,
    quarantined_row_fix,
    upload_options_for,
)
from perfloop.imports.validation import cell_names
from perfloop.metrics.selectors import kpi_list

ROWS_SHOWN = 200
View = Callable[..., HttpResponse]


def importer_only(view: View) -> View:
    """Signed in, allowed to import; domain errors become 404 / 403 pages."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not can_import_data(request.user):
            raise DjangoPermissionDenied
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc.message)) from exc

    return wrapped


def _viewer(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _upload_form(request: HttpRequest, data: Any = None, files: Any = None) -> UploadForm:
    options = upload_options_for(viewer=_viewer(request))
    return UploadForm(data, files, sources=options.sources, profiles=options.profiles)


def _said(exc: DomainError) -> str:
    """A refusal in the page's language (an import problem is described from its code and details)."""
    if isinstance(exc, ImportRejected):
        return describe(exc.code, exc.details, translate=_)
    return str(exc.message)


# Batches whose row counts say nothing yet (or ever): waiting, being read, discarded, or stopped by a crash.
_NOT_COUNTED = {
    ImportBatch.Status.RECEIVED,
    ImportBatch.Status.PROCESSING,
    ImportBatch.Status.DISCARDED,
    ImportBatch.Status.FAILED,
}


def _batch_rows(viewer: User) -> list[dict[str, Any]]:
    """The latest batches, each with its profile in words and whether its counts mean anything yet."""
    return [
        {
            "batch": batch,
            "source": _(batch.source.name),
            "profile": profile_title(batch.profile_name, batch.profile.label if batch.profile else ""),
            "is_counted": batch.status not in _NOT_COUNTED,
        }
        for batch in batch_list_for(viewer=viewer)[:100]
    ]


@importer_only
def index(request: HttpRequest) -> HttpResponse:
    context = {"batches": _batch_rows(_viewer(request)), "form": _upload_form(request)}
    return render(request, "imports/index.html", context)


@importer_only
def upload(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":  # e.g. switching language on a refused upload: back to the form
        return redirect("imports:index")
    form = _upload_form(request, request.POST, request.FILES)
    if not form.is_valid():
        context = {"batches": _batch_rows(_viewer(request)), "form": form}
        return render(request, "imports/index.html", context, status=400)
    uploaded = form.cleaned_data["file"]
    try:
        outcome = import_upload(
            actor=_viewer(request),
            source=form.cleaned_data["source"],
            profile=form.cleaned_data["profile"],
            data=uploaded.read(),
            file_name=uploaded.name,
            first=form.cleaned_data["first"],
            last=form.cleaned_data["last"],
        )
    except DomainError as exc:
        if isinstance(exc, NotFound | PermissionDenied):
            raise
        form.add_error(None, _said(exc))
        context = {"batches": _batch_rows(_viewer(request)), "form": form}
        return render(request, "imports/index.html", context, status=400)
    if outcome.is_duplicate:
        if not can_view_batch(_viewer(request), outcome.batch):  # another importer's: not named, not opened
            messages.info(
                request, _("This file was already imported with this profile and period; nothing changed.")
            )
            return redirect("imports:index")
        messages.info(
            request,
            _(
                "This file was already imported with this profile and period as batch #%(batch)s; "
                "nothing changed."
            )
            % {"batch": outcome.batch.pk},
        )
    return redirect("imports:batch", batch_id=outcome.batch.pk)


def _problem_rows(rows: list[QuarantinedRow]) -> list[dict[str, Any]]:
    return [
        {
            "pk": row.pk,
            "row_number": row.row_number,
            "column": row.column,
            "raw_value": row.raw_value,
            "fixed_value": (row.fixed_values or {}).get(row.column),
            "code": row.code,
            "message": describe(row.code, row.details, translate=_),
            "fix": fix_for(row.code, translate=_),
            "state": row.get_state_display(),
            "is_open": row.state != QuarantinedRow.State.RESUBMITTED,
        }
        for row in rows
    ]


def _restated(viewer: User, batch_ids: Sequence[int]) -> dict[str, Any]:
    """Restated batches as links — only those the viewer may open; the others are counted, not named."""
    visible = batch_ids_visible_to(viewer=viewer, batch_ids=batch_ids)
    parts = [format_html('<a href="{}">#{}</a>', reverse("imports:batch", args=[pk]), pk) for pk in visible]
    hidden = len(batch_ids) - len(visible)
    if hidden:
        parts.append(
            format_html(
                "{}",
                ngettext("%(count)s outside your scope", "%(count)s outside your scope", hidden)
                % {"count": hidden},
            )
        )
    separator = pgettext("list separator", ", ")
    return {"count": len(batch_ids), "links": format_html_join(separator, "{}", ((part,) for part in parts))}


def _check_shown(check: FileCheck, viewer: User, kpi_name: Callable[[str], str]) -> dict[str, Any]:
    """The whole-file check in the page's language: the verdict, each kind of problem with an example."""
    refusal = check.refusal
    months = [Month.from_int(month) for month in check.months]
    return {
        "is_ready": check.is_ready,
        "rows_total": check.rows_total,
        "rows_with_problems": check.rows_with_problems,
        "facts": check.facts,
        # Counts as money is written, in both languages: 1,000,000 (Django's Chinese format would group by 4).
        "total_text": f"{check.rows_total:,}",
        "applied_text": f"{check.rows_applied:,}",
        "bad_text": f"{check.rows_with_problems:,}",
        "facts_text": f"{check.facts:,}",
        "people": check.people,
        "people_text": f"{check.people:,}",
        "share": percent_text(check.problem_share),
        "limit": percent_text(check.max_error_share),
        "refusal": describe(refusal["code"], refusal["details"], translate=_) if refusal else "",
        "refusal_fix": fix_for(refusal["code"], translate=_) if refusal else "",
        "refusal_code": refusal["code"] if refusal else "",
        "problems": [
            {
                "code": problem.code,
                "example": problem_in_column(
                    problem.column, describe(problem.code, problem.details, translate=_)
                ),
                "fix": fix_for(problem.code, translate=_),
                "rows": problem.rows,
                "rows_text": f"{problem.rows:,}",
                "first_rows": problem.first_rows,
            }
            for problem in check.problems
        ],
        "first": months[0] if months else None,
        "last": months[-1] if months else None,
        "kpis": pgettext("list separator", ", ").join(map(kpi_name, check.kpis)),
        "restated": _restated(viewer, check.restates) if check.restates else None,
        "warnings": [
            describe(warning["code"], warning.get("details"), translate=_) for warning in check.warnings
        ],
    }


@importer_only
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    viewer = _viewer(request)
    batch = batch_get_for(viewer=viewer, batch_id=batch_id)
    summary = batch_summary(batch)
    context: dict[str, Any] = {
        "batch": batch,
        "source": _(batch.source.name),
        "profile": profile_title(batch.profile_name, batch.profile.label if batch.profile else ""),
        "summary": summary,
        "facts_touched": sum(summary["facts"][key] for key in ("created", "changed", "removed")),
    }
    kpis = {kpi.code: kpi for kpi in kpi_list()}
    language = translation.get_language()

    def kpi_name(code: str) -> str:
        return kpis[code].name_for(language) if code in kpis else code

    if batch.status == ImportBatch.Status.RECEIVED:
        upload = ImportFile.objects.filter(batch=batch).first()
        if upload is not None:
            context["preview"] = import_preview(
                data=bytes(upload.content),
                file_name=batch.file_name,
                profile=batch.profile or batch.profile_name,
                actor=viewer,
            )
            if upload.file_check is not None:
                context["check"] = _check_shown(FileCheck.from_dict(upload.file_check), viewer, kpi_name)
            context["checked_at"] = upload.checked_at
            context["is_check_pending"] = upload.checked_at is None
    rows = list(quarantined_row_list_for(viewer=viewer, batch=batch)[:ROWS_SHOWN])
    context["rows"] = _problem_rows(rows)
    context["has_fixed"] = batch.quarantined_rows.filter(state=QuarantinedRow.State.FIXED).exists()

    def shown(change: FactChange, value: Decimal | None) -> str:
        return value_text(value, unit=kpis[change.kpi].unit if change.kpi in kpis else "")

    context["changes"] = [
        {
            "person": change.employee.name,
            "month": change.month,
            "kpi": kpi_name(change.kpi),
            "old": shown(change, change.old_value),
            "new": shown(change, change.new_value),
        }
        for change in fact_change_list_for(viewer=viewer, batch=batch)[:ROWS_SHOWN]
    ]
    context["kpi_list"] = pgettext("list separator", ", ").join(map(kpi_name, summary["period"]["kpis"]))
    if batch.restated_batches:
        context["restated"] = _restated(viewer, batch.restated_batches)
    context["warnings"] = [
        {
            "message": describe(w["code"], w.get("details"), translate=_),
            "fix": fix_for(w["code"], translate=_),
        }
        for w in batch.warnings
    ]
    if batch.error_code == "already_imported":
        # A refused repeat: the earlier batch is named and linked only when the viewer may see it.
        context["duplicate_of"] = batch_duplicate_of(viewer=viewer, batch=batch)
        context["error_message"] = _("The same file was already applied; nothing changed.")
    elif batch.error_code:
        context["error_message"] = describe(batch.error_code, batch.error_details, translate=_)
    if batch.error_code:
        context["error_fix"] = fix_for(batch.error_code, translate=_)
    return render(request, "imports/batch.html", context)


@importer_only
@require_POST
def confirm(request: HttpRequest, batch_id: int) -> HttpResponse:
    viewer = _viewer(request)
    batch = import_batch_confirm(actor=viewer, batch=batch_get_for(viewer=viewer, batch_id=batch_id))
    return redirect("imports:batch", batch_id=batch.pk)


@importer_only
@require_POST
def discard(request: HttpRequest, batch_id: int) -> HttpResponse:
    viewer = _viewer(request)
    try:
        import_batch_discard(actor=viewer, batch=batch_get_for(viewer=viewer, batch_id=batch_id))
    except DomainError as exc:
        if isinstance(exc, NotFound | PermissionDenied):
            raise
        messages.error(request, _said(exc))
        return redirect("imports:batch", batch_id=batch_id)
    messages.info(request, _("The file was discarded; nothing was imported."))
    return redirect("imports:index")


@importer_only
def progress(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = batch_get_for(viewer=_viewer(request), batch_id=batch_id)
    is_check_pending = upload_check_pending(batch=batch)
    context = {"batch": batch, "is_check_pending": is_check_pending}
    response = render(request, "imports/batch.html#progress", context)
    waiting = batch.status == ImportBatch.Status.PROCESSING or (
        batch.status == ImportBatch.Status.RECEIVED and is_check_pending
    )
    if not waiting:  # the import finished, or the whole-file check did: the page shows the outcome
        response["HX-Refresh"] = "true"
    return response


@importer_only
def error_report(request: HttpRequest, batch_id: int) -> HttpResponse:
    viewer = _viewer(request)
    batch = batch_get_for(viewer=viewer, batch_id=batch_id)
    rows = quarantined_row_list_for(viewer=viewer, batch=batch)
    report = reports.error_report_xlsx(
        (
            {
                "row_number": row.row_number,
                "column": row.column,
                "raw_value": row.raw_value,
                "code": row.code,
                "message": describe(row.code, row.details, translate=_),
                "fix": fix_for(row.code, translate=_),
                "raw": row.raw,
            }
            for row in rows.iterator()
        ),
        header=cell_names(batch.header),
        title=f"#{batch.pk} {batch.file_name}",
    )
    response = HttpResponse(
        report, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-errors.xlsx"'
    return response


@importer_only
def rows_export(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The quarantined rows as the file had them (CSV), to fix in a spreadsheet and import again."""
    viewer = _viewer(request)
    batch = batch_get_for(viewer=viewer, batch_id=batch_id)
    header = list(batch.header)
    keys = cell_names(header)  # a repeated column name keeps its own cell
    rows = quarantined_row_list_for(viewer=viewer, batch=batch)
    body = reports.rows_csv(
        ["row", *header],
        ([row.row_number, *[row.raw.get(key) for key in keys]] for row in rows.iterator()),
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-rows.csv"'
    return response


@importer_only
def row_fix(request: HttpRequest, batch_id: int, row_id: int) -> HttpResponse:
    viewer = _viewer(request)
    batch = batch_get_for(viewer=viewer, batch_id=batch_id)
    row = quarantined_row_get_for(viewer=viewer, batch=batch, row_id=row_id)
    current = row.fixed_values or row.raw
    form = RowFixForm(request.POST or None, header=list(batch.header), initial_values=current)
    if request.method == "POST" and form.is_valid():
        try:
            quarantined_row_fix(actor=viewer, row=row, values=form.values())
        except DomainError as exc:
            if isinstance(exc, NotFound | PermissionDenied):
                raise
            form.add_error(None, _said(exc))
        else:
            fixed = _("Row %(row)s is fixed; resubmit the batch's fixes to apply them.")
            messages.success(request, fixed % {"row": row.row_number})
            return redirect("imports:batch", batch_id=batch.pk)
    problems = [
        {**error, "message": describe(error["code"], error.get("details"), translate=_)}
        for error in row.errors
    ]
    context = {
        "batch": batch,
        "row": row,
        "form": form,
        "problems": problems,
        "original_line": (row.raw or {}).get("_line"),  # a line that could not be split into cells
    }
    return render(request, "imports/row_fix.html", context)


@importer_only
@require_POST
def resubmit(request: HttpRequest, batch_id: int) -> HttpResponse:
    viewer = _viewer(request)
    batch = batch_get_for(viewer=viewer, batch_id=batch_id)
    try:
        outcome = quarantine_resubmit(actor=viewer, batch=batch)
    except DomainError as exc:
        if isinstance(exc, NotFound | PermissionDenied):
            raise
        messages.error(request, _said(exc))
        return redirect("imports:batch", batch_id=batch.pk)
    return redirect("imports:batch", batch_id=outcome.batch.pk)


# --- mapping profiles -----------------------------------------------------------------------------

# Where the service's refusals belong on the profile form (the others are said above the fields).
_PROFILE_ERROR_FIELDS = {
    "invalid_profile_name": "name",
    "preset_read_only": "name",
    "profile_exists": "name",
    "invalid_profile_label": "label",
    "invalid_source_kind": "source_kind",
    "invalid_profile": "spec",
    "permission_denied": "spec",  # a roster's mapping, written by HR of one part of the organisation
}
# The start of a profile made from nothing: the kind and its columns are the first things to write.
_BLANK_SPEC: dict[str, Any] = {"kind": "", "match": "auto", "columns": {}}


def _spec_text(spec: Any) -> str:
    return json.dumps(spec, indent=2, ensure_ascii=False)


def _kinds_shown() -> list[dict[str, Any]]:
    """Every kind of file with its fields in the page's language: what a profile's ``columns`` may map."""
    return [
        {
            "name": kind.name,
            "label": word(KIND_LABELS, kind.name, translate=_),
            "fields": [
                {
                    "name": field.name,
                    "label": word(FIELD_LABELS, field.name, translate=_),
                    "required": field.required,
                }
                for field in kind.fields
            ],
        }
        for kind in KINDS.values()
    ]


def _profile_row(profile: MappingProfile, viewer: User) -> dict[str, Any]:
    """A profile in the page's language: its title, the kind of file it reads, the source it fits, and
    whether the viewer may save a copy (a roster's mapping is for HR of the whole organisation)."""
    return {
        "profile": profile,
        "can_copy": can_change_profile_of_kind(viewer, profile.kind),
        "title": profile_title(profile.name, profile.label),
        "kind": word(KIND_LABELS, profile.kind, translate=_),
        "source_kind": (
            word(SOURCE_KIND_LABELS, profile.source_kind, translate=_) if profile.source_kind else None
        ),
    }


def _profile_saved(
    request: HttpRequest, form: MappingProfileForm, *, name: str, expected_revision: int | None
) -> HttpResponse | None:
    """Save the form's profile and redirect to it with what happened, or put the refusal on the form."""
    try:
        saved = mapping_profile_save(
            actor=_viewer(request),
            name=name,
            spec=form.cleaned_data["spec"],
            label=form.cleaned_data["label"],
            source_kind=form.cleaned_data["source_kind"],
            expected_revision=expected_revision,
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        field = _PROFILE_ERROR_FIELDS.get(exc.code)
        form.add_error(field if field in form.fields else None, _said(exc))
        return None
    profile = saved.profile
    values = {"name": profile.name, "revision": profile.revision}
    if saved.is_created:
        messages.success(request, _("Profile %(name)s was created.") % values)
    elif saved.is_changed:
        messages.success(request, _("Profile %(name)s was saved as revision %(revision)s.") % values)
    else:
        messages.info(
            request, _("Nothing changed: profile %(name)s stays at revision %(revision)s.") % values
        )
    return redirect("imports:profile", name=profile.name)


@importer_only
def profiles(request: HttpRequest) -> HttpResponse:
    """The shipped presets and the company's own profiles, and where to start a new one."""
    presets_install()
    rows = [_profile_row(profile, _viewer(request)) for profile in profile_list()]
    own = [row for row in rows if not row["profile"].is_preset]
    presets = [row for row in rows if row["profile"].is_preset]
    context = {"own": own, "presets": presets, "starts": [row for row in own + presets if row["can_copy"]]}
    return render(request, "imports/profiles.html", context)


@importer_only
def profile_new(request: HttpRequest) -> HttpResponse:
    """A new profile, starting from a copy of another one's spec (``?from=NAME``) or from a blank one."""
    viewer = _viewer(request)
    presets_install()
    origin_name = request.GET.get("from", "")
    origin = profile_get_for(viewer=viewer, name=origin_name) if origin_name else None
    initial = {
        "spec": _spec_text(origin.spec if origin is not None else _BLANK_SPEC),
        "source_kind": origin.source_kind if origin is not None else "",
    }
    form = MappingProfileForm(request.POST or None, initial=initial, is_new=True)
    if request.method == "POST" and form.is_valid():
        done = _profile_saved(request, form, name=form.cleaned_data["name"], expected_revision=0)
        if done is not None:
            return done
    context = {
        "form": form,
        "origin": _profile_row(origin, viewer) if origin is not None else None,
        "is_new": True,
        "kinds": _kinds_shown(),
    }
    return render(request, "imports/profile_edit.html", context, status=400 if form.errors else 200)


@importer_only
def profile_edit(request: HttpRequest, name: str) -> HttpResponse:
    """A company profile to change, or a preset (and a roster's profile for HR of one part) to read and
    copy."""
    viewer = _viewer(request)
    presets_install()
    profile = profile_get_for(viewer=viewer, name=name)
    is_editable = not profile.is_preset and can_change_profile_of_kind(viewer, profile.kind)
    if request.method == "POST" and not is_editable:
        raise DjangoPermissionDenied
    initial = {"spec": _spec_text(profile.spec), "label": profile.label, "source_kind": profile.source_kind}
    form = MappingProfileForm(request.POST or None, initial=initial, is_new=False)
    # The revision the editor started from travels with the form: a save over a newer one is refused.
    try:
        started_from: int | None = int(request.POST.get("revision", profile.revision))
    except ValueError:
        started_from = None
    if request.method == "POST" and form.is_valid():
        done = _profile_saved(request, form, name=profile.name, expected_revision=started_from)
        if done is not None:
            return done
    context = {
        "form": form,
        "row": _profile_row(profile, viewer),
        "profile": profile,
        "revision": profile.revision if started_from is None else started_from,
        "is_editable": is_editable,
        "spec_text": _spec_text(profile.spec),
        "is_new": False,
        "kinds": _kinds_shown(),
    }
    return render(request, "imports/profile_edit.html", context, status=400 if form.errors else 200)


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The first sign-in: the invited person chooses a password, then is signed in."""
    pending = people.invitation_token_valid(token)
    if pending is None:
        return render(request, "imports/invitation.html", {"invalid": True}, status=404)
    form = FirstPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(raw_token=token, password=form.cleaned_data["password"])
        except DomainError as exc:
            form.add_error("password", str(exc.message))
        else:
            if has_second_factor(user):  # a second factor is never skipped: sign in with it
                messages.success(
                    request, _("Your password is set: sign in with it and a code from your app.")
                )
                return redirect("accounts:sign_in")
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("home")
    return render(request, "imports/invitation.html", {"form": form, "person": pending.user})
