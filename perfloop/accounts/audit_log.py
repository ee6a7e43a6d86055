"""The audit log as people read it: one line per event in words, and the same lines as a workbook — the
layout of events the selectors already read and scoped (no queries here)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from perfloop.audit.labels import action_label
from perfloop.audit.models import AuditEvent
from perfloop.core.workbooks import Cell, Sheet

# Events whose actor is unknown because nobody was signed in (the others without an actor are the system's:
# the server's shell, a scheduled close).
ANONYMOUS_ACTIONS = ("user.sign_in",)
# Read on a page, then in a workbook: more than this many events is a question for the server's shell.
EXPORT_LIMIT = 50_000


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor: str
    kind: str
    action: str
    action_label: str
    target: str
    subject: str
    details: str


def audit_lines(events: Sequence[AuditEvent], subjects: Mapping[int, tuple[str, str]]) -> list[AuditLine]:
    """Each event with its actor's user name (or who else acted), the person it concerns and its details."""
    kinds = {value: str(label) for value, label in AuditEvent.Kind.choices}  # named once, not per event
    lines = []
    for event in events:
        if event.actor is not None:
            actor = event.actor.username
        elif event.action.startswith(ANONYMOUS_ACTIONS):
            actor = _("(not signed in)")
        else:
            actor = _("(system)")
        subject = ""
        if event.subject_employee_id is not None:
            number, name = subjects.get(event.subject_employee_id, ("", ""))
            subject = f"{number} {name}".strip() or f"#{event.subject_employee_id}"
        target = f"{event.target_type} {event.target_id}".strip()
        details = json.dumps(event.details, ensure_ascii=False, sort_keys=True) if event.details else ""
        lines.append(
            AuditLine(
                at=timezone.localtime(event.occurred_at),
                actor=actor,
                kind=kinds.get(event.kind, event.kind),
                action=event.action,
                action_label=action_label(event.action),
                target=target,
                subject=subject,
                details=details,
            )
        )
    return lines


def audit_sheet(lines: Sequence[AuditLine], *, is_cut: bool = False) -> Sheet:
    """The lines as a sheet; ``is_cut``: there were more events than a file holds (its last row says so)."""
    header = [_("When"), _("By"), _("Kind"), _("Action"), _("Record"), _("About"), _("Details")]
    rows: list[list[Cell]] = [
        [
            f"{line.at:%Y-%m-%d %H:%M:%S}",
            line.actor,
            line.kind,
            line.action,
            line.target,
            line.subject,
            line.details,
        ]
        for line in lines
    ]
    if is_cut:
        note = _(
            "Only the newest %(count)s events are in this file: narrow the filters for the older ones."
        ) % {"count": f"{EXPORT_LIMIT:,}"}
        rows.append([note, None, None, None, None, None, None])
    return Sheet(title=_("Audit log"), header=header, rows=rows, widths=(20, 16, 10, 28, 24, 20, 60))
