"""`perfloop import-profile show|save|list`: mapping profiles from the server's shell.

A thin wrapper over the imports services. ``show`` prints only the spec on standard output, so that
``perfloop import-profile show crm-deals-cn > mine.json`` gives a preset to copy, and ``save`` reads it back
(``-``: standard input). The command runs as the system, like every command.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from perfloop.core.errors import DomainError
from perfloop.imports.management.commands._profiles import write_profile_list
from perfloop.imports.models import Source
from perfloop.imports.services import mapping_profile_get, mapping_profile_save


class Command(BaseCommand):
    help = "Show, save or list mapping profiles (how an export's columns map onto perfloop's fields)."
    stealth_options = ("stdin",)  # call_command(…, stdin=…) for `save NAME -`

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        show = actions.add_parser("show", help="print a profile's spec as JSON (a preset to copy, too)")
        show.add_argument("name")
        save = actions.add_parser("save", help="create or change a company profile from a JSON file")
        save.add_argument("name", help="2-60 lower-case letters, digits and hyphens, e.g. crm-deals-mine")
        save.add_argument("file", help="the profile's spec as JSON (UTF-8); - reads standard input")
        save.add_argument("--label", help="what the pages call it (default: keep the current label)")
        save.add_argument(
            "--source-kind",
            help=f"the kind of source it reads: {', '.join(Source.Kind.values)}, or '' for any "
            "(default: keep the current one)",
        )
        listing = actions.add_parser("list", help="list the profiles (as perfloop import --list-profiles)")
        listing.add_argument("--json", action="store_true", help="print one JSON array")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "show":
            self._show(options["name"])
        elif action == "save":
            text = self._read(options["file"], options.get("stdin"))
            self._save(options["name"], options["file"], text, options["label"], options["source_kind"])
        else:
            write_profile_list(self.stdout, as_json=options["json"])

    def _show(self, name: str) -> None:
        try:
            profile = mapping_profile_get(name)
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        self.stdout.write(json.dumps(profile.spec, indent=2, ensure_ascii=False))
        kind = "preset" if profile.is_preset else f"revision {profile.revision}"
        self.stderr.write(
            f"{profile.name}: {profile.label or '—'} ({profile.kind}, source {profile.source_kind or 'any'}, "
            f"{kind})"
        )

    def _read(self, path: str, stdin: Any) -> str:
        """The file's text (``-``: standard input), UTF-8 with or without a byte-order mark."""
        try:
            if path == "-":
                stream = stdin if stdin is not None else sys.stdin
                raw = stream.buffer.read() if hasattr(stream, "buffer") else stream.read()
            else:
                raw = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"file_not_found: cannot read {path}: {exc.strerror}") from exc
        if isinstance(raw, str):
            return raw.removeprefix("\ufeff")
        try:
            return str(raw.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise CommandError(f"invalid_json: {path} is not UTF-8 text (byte {exc.start})") from exc

    def _save(self, name: str, path: str, text: str, label: str | None, source_kind: str | None) -> None:
        where = "standard input" if path == "-" else path
        try:
            spec = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"invalid_json: {where} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from exc
        try:
            saved = mapping_profile_save(
                actor=None, name=name, spec=spec, label=label, source_kind=source_kind
            )
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        outcome = "created" if saved.is_created else "updated" if saved.is_changed else "unchanged"
        self.stdout.write(f"{outcome} {saved.profile.name}, revision {saved.profile.revision}")
