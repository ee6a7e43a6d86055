"""`perfloop api-token issue|list|revoke`: API tokens for integrations, from the server's shell.

A thin wrapper over the accounts services. The raw token is printed once, at issue; only its digest is
kept. Tokens issued here expire (90 days unless ``--days`` says otherwise): a forgotten token must not
work for ever.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from perfloop.accounts.models import ApiToken, User
from perfloop.accounts.services import SecondFactorMissingError, api_token_create, api_token_revoke

DEFAULT_DAYS = 90


class Command(BaseCommand):
    help = "Issue, list or revoke API tokens (the raw token is shown once, at issue)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        issue = actions.add_parser("issue", help="issue a token for a user")
        issue.add_argument("username")
        issue.add_argument("--name", required=True, help="what the token is for, e.g. 'BI export'")
        issue.add_argument("--write", action="store_true", help="allow writes (default: read only)")
        issue.add_argument(
            "--days", type=int, default=DEFAULT_DAYS, help=f"lifetime (default {DEFAULT_DAYS})"
        )
        listing = actions.add_parser("list", help="list tokens (never their values)")
        listing.add_argument("username", nargs="?")
        revoke = actions.add_parser("revoke", help="revoke a token by its prefix (pfl_…)")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "issue":
            self._issue(options["username"], options["name"], options["write"], options["days"])
        elif action == "list":
            self._list(options.get("username"))
        else:
            self._revoke(options["prefix"])

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username}")
        return user

    def _issue(self, username: str, name: str, write: bool, days: int) -> None:
        if days < 1:
            raise CommandError("--days must be at least 1")
        user = self._user(username)
        if not user.is_active:
            raise CommandError(f"{username} is deactivated: a token would not work")
        scopes = ["read", "write"] if write else ["read"]
        expires_at = timezone.now() + dt.timedelta(days=days)
        try:
            token, raw = api_token_create(
                actor=None, user=user, name=name, scopes=scopes, expires_at=expires_at
            )
        except SecondFactorMissingError as exc:
            raise CommandError(
                f"{username}'s role must use a second factor and none is set up: a token would not work "
                "until they set one up on the second-factor page"
            ) from exc
        self.stdout.write(raw)
        self.stderr.write(
            f"token {token.prefix}… for {username} ({', '.join(scopes)}), expires {expires_at:%Y-%m-%d}: "
            "shown once, keep it in the integration's secret store"
        )

    def _list(self, username: str | None) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if username:
            tokens = tokens.filter(user=self._user(username))
        now = timezone.now()
        for token in tokens:
            if token.revoked_at is not None:
                state = f"revoked {token.revoked_at:%Y-%m-%d}"
            elif token.expires_at is not None and token.expires_at <= now:
                state = f"expired {token.expires_at:%Y-%m-%d}"
            else:
                state = "active" + (
                    f" until {token.expires_at:%Y-%m-%d}" if token.expires_at else ", no expiry"
                )
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.prefix}…  {token.user.username:<16} {token.name:<24} {','.join(token.scopes):<11} "
                f"{state}; last used {used}"
            )

    def _revoke(self, prefix: str) -> None:
        matches = list(ApiToken.objects.filter(prefix=prefix[:12]))
        if not matches:
            raise CommandError(f"No token {prefix}")
        if len(matches) > 1:
            raise CommandError(f"{len(matches)} tokens start with {prefix}: give the whole prefix")
        token = api_token_revoke(actor=None, token=matches[0])
        self.stdout.write(f"token {token.prefix}… revoked at {token.revoked_at:%Y-%m-%d %H:%M}")
