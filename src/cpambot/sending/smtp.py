"""The SMTP transport: one message, step by step, and what each failure means for it.

:func:`transmit` raises a :class:`~cpambot.errors.SendError` subclass that tells the outbox
what to do next: retry later (4xx, network failure before DATA, session not set up), never
retry (5xx), or ask a human (no reply once DATA started). Every message is French.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable, Iterable

import aiosmtplib

from cpambot.config.model import SmtpSettings
from cpambot.config.providers import refused_hint
from cpambot.errors import (
    SendError,
    SendRejectedError,
    SendSessionError,
    SendTemporaryError,
    SendUncertainError,
)
from cpambot.mailbox.imap import tls_context
from cpambot.mailbox.oauth import access_token


def smtp_credential(settings: SmtpSettings) -> str | None:
    """What the sending server is signed in with: a fresh OAuth2 access token when it takes one, else the
    password (a CpambotError, in French, when neither can be had)."""
    if settings.oauth is not None and settings.oauth_account:
        return access_token(settings.oauth_account, settings.oauth)
    return settings.secret.read() if settings.secret else None


async def transmit(settings: SmtpSettings, password: str | None, recipients: list[str], raw: bytes,
                   mark_data: Callable[[], None], mark_sent: Callable[[str], None]) -> None:
    """Send one message step by step; raise a SendError subclass unless the server said 250.

    ``mark_data`` is called just before the DATA command, ``mark_sent`` with the server's
    reply as soon as it accepted the message (before QUIT): nothing later can blur it.
    """
    where = f"{settings.host}:{settings.port}"
    client = aiosmtplib.SMTP(
        hostname=settings.host, port=settings.port,
        use_tls=settings.security == "tls", start_tls=settings.security == "starttls",
        tls_context=tls_context(settings.cafile) if settings.security != "aucune" else None,
        timeout=settings.timeout)
    try:
        # Session: connection, EHLO, STARTTLS, AUTH. Nothing about this message is sent yet.
        try:
            await client.connect()
            if settings.username and settings.oauth is not None:
                await client.auth_xoauth2(settings.username, password or "")  # (an OAuth2 access token)
            elif settings.username:
                await client.login(settings.username, password or "")
        except (aiosmtplib.SMTPException, OSError, ssl.SSLError) as exc:
            raise SendSessionError(_session_reason(exc, settings), reply=_reply_of(exc)) from exc
        # Envelope: MAIL FROM, RCPT TO. A failure here is certain: no DATA was sent.
        try:
            await client.mail(settings.sender)
            for recipient in recipients:
                await client.rcpt(recipient)
        except aiosmtplib.SMTPResponseException as exc:
            raise _reply_error(exc, where, _envelope_what(exc)) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise SendTemporaryError(f"échange interrompu avec le serveur d'envoi {where} avant la "
                                     f"transmission du message ({detail(exc)})") from exc
        # DATA: from here on, a failure without a reply is ambiguous.
        mark_data()
        try:
            response = await client.data(raw)
        except aiosmtplib.SMTPResponseException as exc:
            if 400 <= exc.code < 600:  # the server answered: the message was not accepted
                raise _reply_error(exc, where, "le message") from exc
            raise _uncertain(where, exc) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise _uncertain(where, exc) from exc
        mark_sent(reply_text(response.code, response.message))
    finally:
        await _quit_quietly(client)


def reply_text(code: int, message: str) -> str:
    text = " / ".join(line.strip() for line in (message or "").splitlines() if line.strip())
    return f"{code} {text}".strip()


def _cause_chain(exc: BaseException) -> Iterable[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def detail(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{exc.__class__.__name__} : {text}" if text else exc.__class__.__name__


def _reply_of(exc: BaseException) -> str | None:
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return reply_text(exc.code, exc.message)
    return None


def _envelope_what(exc: aiosmtplib.SMTPResponseException) -> str:
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        return f"l'expéditeur {exc.sender}"
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused):
        return f"le destinataire {exc.recipient}"
    return "l'enveloppe du message"


def _reply_error(exc: aiosmtplib.SMTPResponseException, where: str, what: str) -> SendError:
    reply = reply_text(exc.code, exc.message)
    if 400 <= exc.code < 500:
        return SendTemporaryError(f"refus temporaire du serveur d'envoi {where} pour {what} ({reply})",
                                  reply=reply)
    return SendRejectedError(f"refus définitif du serveur d'envoi {where} pour {what} ({reply}) ; "
                             "le courriel ne sera pas renvoyé", reply=reply)


def _uncertain(where: str, exc: BaseException) -> SendUncertainError:
    if isinstance(exc, TimeoutError):
        what = "le serveur d'envoi n'a pas répondu à temps"
    else:
        what = "la connexion a été coupée"
    return SendUncertainError(
        f"{what} ({where}) pendant la transmission du message, sans confirmation : il a peut-être été "
        f"accepté ({detail(exc)}). Il ne sera pas renvoyé automatiquement : vérifiez auprès du "
        "destinataire ou dans « Envoyés », puis confirmez le renvoi si nécessaire.")


def _session_reason(exc: BaseException, settings: SmtpSettings) -> str:
    where = f"{settings.host}:{settings.port}"
    for item in _cause_chain(exc):
        if isinstance(item, ssl.SSLCertVerificationError):
            return (f"certificat TLS refusé pour le serveur d'envoi {where} ({item.verify_message}) ; "
                    "indiquez « certificat_ca » si le serveur utilise une autorité privée")
        if isinstance(item, ConnectionRefusedError):
            return f"connexion refusée par le serveur d'envoi {where}"
        if isinstance(item, socket.gaierror):
            return f"serveur d'envoi {settings.host} introuvable (nom inconnu ou pas de réseau)"
    if isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        if settings.oauth is not None:
            return (f"connexion OAuth2 refusée par le serveur d'envoi {where} pour {settings.username} "
                    f"({reply_text(exc.code, exc.message)}) ; lancez « cpambot login "
                    f"{settings.oauth_account} » pour vous identifier à nouveau")
        return (f"identifiant ou mot de passe refusé par le serveur d'envoi {where} pour {settings.username} "
                f"({reply_text(exc.code, exc.message)}){refused_hint(settings.provider)}")
    if isinstance(exc, ssl.SSLError):
        return (f"échec de la négociation TLS avec le serveur d'envoi {where} ({exc.reason or exc}) ; "
                "vérifiez « securite » et « port »")
    if isinstance(exc, TimeoutError):
        return f"le serveur d'envoi {where} ne répond pas (délai dépassé)"
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"le serveur d'envoi {where} refuse la connexion ({reply_text(exc.code, exc.message)})"
    if isinstance(exc, aiosmtplib.SMTPNotSupported):
        return f"le serveur d'envoi {where} ne propose pas ce qui est demandé ({exc}) ; vérifiez « securite »"
    return f"connexion impossible au serveur d'envoi {where} ({detail(exc)})"


async def _quit_quietly(client: aiosmtplib.SMTP) -> None:
    if not client.is_connected:
        client.close()
        return
    try:
        await client.quit()
    except Exception:  # noqa: BLE001 - the message's fate is already known
        pass
    finally:
        client.close()
