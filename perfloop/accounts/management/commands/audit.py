"""`perfloop audit list`: the audit log from the server's shell, filtered, as lines or JSON lines.

A thin wrapper over the accounts selector, run as the system (it reads every event); HR of the whole
organisation and the system administrator read the same log on its page.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from perfloop.accounts.audit_log import audit_lines
from perfloop.accounts.selectors import AuditQuery, audit_event_list_all, audit_subjects
from perfloop.audit.models import AuditEvent


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from exc


class Command(BaseCommand):
    help = "List audit events, newest first, filtered by kind, action, user, person or dates."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action_name", required=True)
        listing = actions.add_parser("list", help="audit events, newest first")
        listing.add_argument("--kind", choices=list(AuditEvent.Kind.values))
        listing.add_argument(
            "--action", default="", help="an action prefix, e.g. user. or import_batch.apply"
        )
        listing.add_argument("--actor", default="", help="the user name of who acted")
        listing.add_argument("--employee", default="", help="the employee number of whom it concerns")
        listing.add_argument("--since", type=_date, help="from this local date (YYYY-MM-DD)")
        listing.add_argument("--until", type=_date, help="to this local date, included")
        listing.add_argument("--limit", type=int, default=100, help="at most this many events (default 100)")
        listing.add_argument("--json", action="store_true", help="one JSON object per line")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] < 1:
            raise CommandError("--limit must be at least 1")
        since, until = options.get("since"), options.get("until")
        if since and until and until < since:
            raise CommandError("--until is before --since")
        query = AuditQuery(
            kind=options.get("kind") or "",
            action=options["action"],
            actor=options["actor"],
            employee=options["employee"],
            since=since,
            until=until,
        )
        events = list(audit_event_list_all(query=query)[: options["limit"]])
        for event, line in zip(events, audit_lines(events, audit_subjects(events)), strict=True):
            if options["json"]:
                record = {
                    "at": timezone.localtime(event.occurred_at).isoformat(),
                    "actor": event.actor.username if event.actor else None,
                    "kind": event.kind,
                    "action": event.action,
                    "target": line.target,
                    "subject": line.subject,
                    "details": event.details,
                }
                self.stdout.write(json.dumps(record, ensure_ascii=False))
            else:
                self.stdout.write(
                    f"{line.at:%Y-%m-%d %H:%M:%S}  {line.actor:<16} {event.kind:<8} {line.action:<32} "
                    f"{line.subject:<20} {line.details}"
                )
