"""A small OpenID Connect provider for the single sign-on tests: a real HTTP server on a free local port,
answering the token and user-info calls perfloop makes, with HS256 id tokens signed by the client secret."""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import jwt

CLIENT_ID = "perfloop-test"
CLIENT_SECRET = "a-client-secret-long-enough-for-hs256-" + "k" * 16


@dataclass
class Grant:
    claims: dict[str, Any]
    nonce: str
    audience: str = CLIENT_ID
    access_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))


@dataclass
class IdentityProvider:
    """``grant(claims, nonce)`` stands for the person signing in at the provider; it returns the code the
    provider would send the browser back with."""

    base_url: str = ""
    grants: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, Grant] = field(default_factory=dict)
    calls: int = 0  # requests perfloop made to the provider

    def grant(self, claims: dict[str, Any], nonce: str, *, audience: str = CLIENT_ID) -> str:
        code = secrets.token_urlsafe(12)
        self.grants[code] = Grant(claims=claims, nonce=nonce, audience=audience)
        return code

    def settings(self) -> dict[str, Any]:
        return {
            "PERFLOOP_OIDC_ENABLED": True,
            "PERFLOOP_OIDC_LABEL": "Example SSO",
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.base_url}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.base_url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.base_url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": None,
            "OIDC_RP_SIGN_ALGO": "HS256",
        }


def _handler(provider: IdentityProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            provider.calls += 1
            length = int(self.headers.get("Content-Length") or 0)
            form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
            grant = provider.grants.pop(form.get("code", ""), None)
            if self.path != "/token" or grant is None or form.get("client_secret") != CLIENT_SECRET:
                self._answer(400, {"error": "invalid_grant"})
                return
            now = int(time.time())
            id_token = jwt.encode(
                {
                    "iss": provider.base_url,
                    "aud": grant.audience,
                    "sub": grant.claims.get("sub", "x"),
                    "iat": now,
                    "exp": now + 300,
                    "nonce": grant.nonce,
                },
                CLIENT_SECRET,
                algorithm="HS256",
            )
            provider.tokens[grant.access_token] = grant
            self._answer(
                200, {"access_token": grant.access_token, "id_token": id_token, "token_type": "Bearer"}
            )

        def do_GET(self) -> None:
            provider.calls += 1
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            grant = provider.tokens.get(token)
            if self.path != "/userinfo" or grant is None:
                self._answer(401, {"error": "invalid_token"})
                return
            self._answer(200, grant.claims)

    return Handler


def start() -> tuple[IdentityProvider, ThreadingHTTPServer]:
    """The provider, serving on its own thread until ``server.shutdown()`` and ``server.server_close()``."""
    provider = IdentityProvider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return provider, server
