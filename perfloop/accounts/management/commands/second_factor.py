"""`perfloop second-factor list|reset`: who has a second factor, and removing one for a lost phone.

A thin wrapper over the accounts selectors and services; people turn their second factor on and off
themselves on the second-factor page.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from perfloop.accounts.models import User
from perfloop.accounts.selectors import second_factor_users
from perfloop.accounts.services import second_factor_reset


class Command(BaseCommand):
    help = "List who has a second factor, or remove one (a lost phone) so that its owner can set it up again."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="users with a second factor, since when, recovery codes left")
        reset = actions.add_parser("reset", help="remove a user's second factor (audited)")
        reset.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            rows = second_factor_users()
            if not rows:
                self.stdout.write("nobody has a second factor")
            for username, since, left in rows:
                on = f"{timezone.localtime(since):%Y-%m-%d}" if since else "?"
                self.stdout.write(f"{username:<24} on since {on}, {left} recovery codes left")
            return
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']}")
        removed = second_factor_reset(actor=None, user=user)
        if not removed:
            raise CommandError(f"{user.username} has no second factor: nothing to remove")
        self.stdout.write(
            f"removed: {user.username} signs in with the password and sets a second factor up again"
        )
