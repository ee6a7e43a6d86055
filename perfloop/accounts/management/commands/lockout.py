"""`perfloop lockout list|clear`: sign-in lockouts, from the server's shell.

A thin wrapper over the accounts selectors and services. A username is locked out from one address after
``PERFLOOP_SIGN_IN_FAILURES`` wrong passwords and unlocks by itself after
``PERFLOOP_SIGN_IN_LOCKOUT_MINUTES``; ``clear`` lifts it at once (audited), for someone who has proved who
they are another way.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from perfloop.accounts.selectors import sign_in_lockouts
from perfloop.accounts.services import sign_in_lockout_clear


class Command(BaseCommand):
    help = "List recent wrong-password tries and lockouts, or lift a username's lockout."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="usernames and addresses with recent wrong passwords, locked first")
        clear = actions.add_parser("clear", help="lift a username's lockout from every address")
        clear.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            self._list()
        else:
            self._clear(options["username"])

    def _list(self) -> None:
        lockouts = sign_in_lockouts()
        if not lockouts:
            self.stdout.write("no wrong passwords inside the lockout window")
            return
        for lockout in lockouts:
            state = "LOCKED" if lockout.is_locked else "tries"
            at = timezone.localtime(lockout.last_failure_at)
            self.stdout.write(
                f"{state:<7} {lockout.username:<24} {lockout.ip:<39} {lockout.failures:>3} wrong, "
                f"last at {at:%Y-%m-%d %H:%M}"
            )

    def _clear(self, username: str) -> None:
        cleared = sign_in_lockout_clear(actor=None, username=username)
        if not cleared:
            raise CommandError(f"{username} has no wrong passwords on record: nothing to lift")
        self.stdout.write(f"lifted: {username} may sign in again ({cleared} address(es) cleared)")
