"""A throw-away OAuth2 authorization server on 127.0.0.1, for the sign-in tests: the device-code flow (RFC
8628), refresh tokens that rotate (each one works once), and a token introspection endpoint (RFC 7662)
that Dovecot's oauth2 passdb asks; the SMTP server of the tests asks it too (``user_of``)."""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LOCALHOST = "127.0.0.1"


class OAuthServer:
    """Endpoints: /devicecode, /token, /introspect. ``user`` is whom every code signs in; ``pending``
    how many polls answer « authorization_pending » before she accepts; ``lifetime`` the seconds an access
    token lives. ``revoke()`` makes every refresh token invalid (a password changed, access withdrawn)."""

    def __init__(self, user: str, *, pending: int = 1, lifetime: int = 3600) -> None:
        self.user = user
        self.pending = pending
        self.lifetime = lifetime
        self.access: dict[str, float] = {}  # token → expiry
        self.refresh: set[str] = set()
        self.devices: dict[str, int] = {}  # device code → polls left before acceptance
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.httpd: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self.httpd is not None
        return f"http://{LOCALHOST}:{self.httpd.server_address[1]}"

    def start(self) -> OAuthServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                status, body = server.answer(self.path, form)
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer((LOCALHOST, 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None

    def revoke(self) -> None:
        with self.lock:
            self.refresh.clear()

    def expire_access(self) -> None:
        with self.lock:
            self.access = {token: 0.0 for token in self.access}

    def user_of(self, token: str) -> str | None:
        with self.lock:
            return self.user if self.access.get(token, 0.0) > time.time() else None

    def _grant(self) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self.access[access] = time.time() + self.lifetime
        self.refresh.add(refresh)
        return {"access_token": access, "token_type": "Bearer", "expires_in": self.lifetime,
                "refresh_token": refresh, "scope": "imap smtp"}

    def answer(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.requests.append((path, form))
            if path == "/devicecode":
                code = secrets.token_urlsafe(16)
                self.devices[code] = self.pending
                return 200, {"device_code": code, "user_code": "WXYZ-1234", "expires_in": 900, "interval": 1,
                             "verification_uri": f"{self.base}/device"}
            if path == "/introspect":
                expiry = self.access.get(form.get("token", ""), 0.0)
                return 200, ({"active": True, "username": self.user} if expiry > time.time()
                             else {"active": False})
            if path != "/token":
                return 404, {"error": "not_found"}
            if form.get("grant_type") == "urn:ietf:params:oauth:grant-type:device_code":
                left = self.devices.get(form.get("device_code", ""))
                if left is None:
                    return 400, {"error": "expired_token"}
                if left > 0:
                    self.devices[form["device_code"]] = left - 1
                    return 400, {"error": "authorization_pending"}
                del self.devices[form["device_code"]]
                return 200, self._grant()
            if form.get("grant_type") == "refresh_token":
                if form.get("refresh_token") not in self.refresh:
                    return 400, {"error": "invalid_grant", "error_description": "refresh token revoked"}
                self.refresh.discard(form["refresh_token"])  # (rotated: each works once)
                return 200, self._grant()
            return 400, {"error": "unsupported_grant_type"}
