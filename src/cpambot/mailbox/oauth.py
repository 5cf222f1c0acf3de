"""OAuth2 sign-in for mailboxes that take no password (Outlook.com, Microsoft 365): the device-code flow
once (``cpambot login COMPTE``: a code to type on any phone or computer), then a fresh access token before
each connection, refreshed with the saved refresh token, which is rotated and saved again.

oauthlib (maintained, pure Python) writes the requests and reads the answers of RFC 6749 and RFC 8628; the
HTTP is the standard library's. Tokens live in ``<data>/oauth/<account>.json``, owner-only: they open her
mailbox. A token never reaches a log.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cpambot.config.model import OAuthSettings
from cpambot.errors import AuthenticationError, MailboxError
from cpambot.store.files import atomic_write

LOG = logging.getLogger(__name__)

MARGIN = 300  # seconds: a token that expires sooner is refreshed before connecting
GRANT_DEVICE = "urn:ietf:params:oauth:grant-type:device_code"
LOOPBACK = ("127.0.0.1", "localhost", "::1")

Post = Callable[[str, dict[str, str]], dict[str, Any]]


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str | None
    expires_at: float

    def to_doc(self) -> dict[str, Any]:
        return {"access_token": self.access_token, "refresh_token": self.refresh_token,
                "expires_at": self.expires_at}


def load_tokens(path: Path) -> Tokens | None:
    """The saved tokens; None when there are none yet; a French error when the file cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AuthenticationError(f"jetons OAuth2 illisibles ({path} : {exc.strerror})") from exc
    if path.stat().st_mode & 0o077:
        LOG.warning("jetons OAuth2 lisibles par d'autres que vous : %s (chmod 600)", path)
    try:
        doc = json.loads(text)
        return Tokens(str(doc["access_token"]), doc.get("refresh_token"), float(doc["expires_at"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise AuthenticationError(f"jetons OAuth2 abîmés ({path}) : relancez « cpambot login »") from exc


def save_tokens(path: Path, tokens: Tokens) -> None:
    """Written whole (a stop in the middle leaves the old file), owner-only; callers hold the account's
    lock (:func:`_held`), so that two writers never share the temporary file."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    atomic_write(path, json.dumps(tokens.to_doc()).encode())


_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def _held(path: Path) -> Iterator[None]:
    """The account's tokens to oneself: the mailbox job, the IDLE watcher and the outbox (threads), or a
    command run beside the service (processes) never refresh at once — a refresh token works once, and a
    provider that sees one used twice may revoke the sign-in."""
    with _LOCKS_GUARD:
        lock = _LOCKS.setdefault(path, threading.Lock())
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with lock, open(path.with_suffix(".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def post_form(url: str, form: dict[str, str], *, timeout: float = 30.0) -> dict[str, Any]:
    """POST ``form`` to ``url``; the JSON answer, an error's included (OAuth2 errors come with 400)."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme != "https" and not (parsed.scheme == "http" and parsed.hostname in LOOPBACK):
        raise MailboxError(f"adresse du serveur d'identification refusée (HTTPS obligatoire) : {url}")
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(), method="POST",
                                     headers={"Accept": "application/json",
                                              "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=timeout,  # noqa: S310 - the scheme is checked above
                                    context=ssl.create_default_context()) as answer:
            body = answer.read()
    except urllib.error.HTTPError as exc:
        body = exc.read()
    except (urllib.error.URLError, OSError) as exc:
        raise MailboxError(f"serveur d'identification {parsed.hostname} injoignable ({exc})") from exc
    try:
        doc = json.loads(body)
    except ValueError as exc:
        raise MailboxError(f"réponse illisible du serveur d'identification {parsed.hostname}") from exc
    if not isinstance(doc, dict):
        raise MailboxError(f"réponse illisible du serveur d'identification {parsed.hostname}")
    return doc


def _tokens(answer: dict[str, Any], previous: str | None = None) -> Tokens:
    """The tokens of a token endpoint's answer (an OAuth2 error raised as oauthlib's)."""
    from oauthlib.oauth2 import DeviceClient

    token = DeviceClient("cpambot").parse_request_body_response(json.dumps(answer))
    return Tokens(str(token["access_token"]), token.get("refresh_token") or previous,
                  float(token.get("expires_at") or time.time() + 3600))


# the refusals that only a new sign-in cures; any other error of the token endpoint is tried again later
SIGN_IN_AGAIN = ("invalid_grant", "interaction_required", "invalid_client", "unauthorized_client",
                 "consent_required", "login_required")


def access_token(account: str, settings: OAuthSettings, *, post: Post = post_form,
                 now: Callable[[], float] = time.time, force: bool = False) -> str:
    """A valid access token for ``account``: the saved one, or a new one from the refresh token (the new
    refresh token saved in its place); ``force``: a new one even if the saved one looks valid (the server
    refused it). A refusal tells her to sign in again."""
    with _held(settings.token_file):
        return _access_token(account, settings, post=post, now=now, force=force)


def _access_token(account: str, settings: OAuthSettings, *, post: Post, now: Callable[[], float],
                  force: bool) -> str:
    from oauthlib.oauth2 import DeviceClient, OAuth2Error

    tokens = load_tokens(settings.token_file)  # (read again once held: another may have refreshed it)
    if tokens is None:
        raise AuthenticationError(f"compte « {account} » : pas encore de connexion OAuth2 ; lancez "
                                  f"« cpambot login {account} » une fois")
    if tokens.expires_at - now() > MARGIN and not force:
        return tokens.access_token
    if not tokens.refresh_token:
        raise AuthenticationError(f"compte « {account} » : la connexion OAuth2 a expiré ; lancez "
                                  f"« cpambot login {account} »")
    body = DeviceClient(settings.client_id).prepare_refresh_body(
        refresh_token=tokens.refresh_token, scope=list(settings.scopes), client_id=settings.client_id)
    try:
        fresh = _tokens(post(settings.token_url, dict(urllib.parse.parse_qsl(body))), tokens.refresh_token)
    except OAuth2Error as exc:
        if exc.error not in SIGN_IN_AGAIN:  # (the provider's trouble: tried again at the next connection)
            raise MailboxError(f"compte « {account} » : renouvellement de la connexion OAuth2 impossible "
                               f"pour l'instant ({exc.error}), nouvel essai à la prochaine relève") from exc
        raise AuthenticationError(f"compte « {account} » : le renouvellement de la connexion OAuth2 est "
                                  f"refusé ({exc.error}) ; lancez « cpambot login {account} » pour vous "
                                  "identifier à nouveau") from exc
    save_tokens(settings.token_file, fresh)
    LOG.info("compte %s : jeton OAuth2 renouvelé", account)
    return fresh.access_token


@dataclass(frozen=True)
class DeviceCode:
    device_code: str
    user_code: str
    verification_uri: str
    interval: float
    expires_at: float


def start_device_login(settings: OAuthSettings, *, post: Post = post_form,
                       now: Callable[[], float] = time.time) -> DeviceCode:
    answer = post(settings.device_url, {"client_id": settings.client_id, "scope": " ".join(settings.scopes)})
    try:
        return DeviceCode(str(answer["device_code"]), str(answer["user_code"]),
                          str(answer.get("verification_uri") or answer["verification_url"]),
                          float(answer.get("interval") or 5), now() + float(answer.get("expires_in") or 900))
    except (KeyError, ValueError, TypeError) as exc:
        why = answer.get("error_description") or answer.get("error") or "réponse incomplète"
        raise AuthenticationError(f"demande de code refusée par le serveur d'identification : {why}") from exc


def finish_device_login(account: str, settings: OAuthSettings, code: DeviceCode, *, post: Post = post_form,
                        sleep: Callable[[float], None] = time.sleep,
                        now: Callable[[], float] = time.time) -> Tokens:
    """Wait for her to type the code and accept; the tokens saved (owner-only)."""
    from oauthlib.oauth2 import DeviceClient, OAuth2Error

    client = DeviceClient(settings.client_id)
    interval = code.interval
    while now() < code.expires_at:
        body = client.prepare_request_body(code.device_code, include_client_id=True)
        try:
            tokens = _tokens(post(settings.token_url, dict(urllib.parse.parse_qsl(body))))
        except OAuth2Error as exc:
            if exc.error == "authorization_pending":
                sleep(interval)
                continue
            if exc.error == "slow_down":
                interval += 5
                sleep(interval)
                continue
            what = {"access_denied": "vous avez refusé l'accès", "authorization_declined": "vous avez refusé "
                    "l'accès", "expired_token": "le code a expiré", "bad_verification_code": "code inconnu",
                    "invalid_client": "application inconnue ou sans « flux de clients publics » autorisé "
                    "(vérifiez « client_id »)"}
            raise AuthenticationError(f"compte « {account} » : connexion OAuth2 refusée "
                                      f"({what.get(exc.error, exc.error)})") from exc
        with _held(settings.token_file):
            save_tokens(settings.token_file, tokens)
        return tokens
    raise AuthenticationError(f"compte « {account} » : le code n'a pas été saisi à temps ; relancez "
                              f"« cpambot login {account} »")
