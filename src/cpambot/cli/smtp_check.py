"""A connection test for the SMTP server (EHLO, STARTTLS, AUTH), sending nothing."""

from __future__ import annotations

import asyncio
import ssl

import aiosmtplib

from cpambot.config.model import SmtpSettings
from cpambot.config.providers import refused_hint
from cpambot.errors import SecretError
from cpambot.sending.smtp import smtp_credential


async def _probe(settings: SmtpSettings) -> str:
    context = ssl.create_default_context(cafile=str(settings.cafile) if settings.cafile else None)
    client = aiosmtplib.SMTP(hostname=settings.host, port=settings.port,
                             use_tls=settings.security == "tls",
                             start_tls=settings.security == "starttls",
                             tls_context=context, timeout=settings.timeout)
    await client.connect()
    try:
        if settings.username and settings.oauth is not None:
            await client.auth_xoauth2(settings.username, smtp_credential(settings) or "")
        elif settings.username and settings.secret:
            await client.login(settings.username, settings.secret.read())
        features = sorted(client.esmtp_extensions)
    finally:
        try:
            await client.quit()
        except aiosmtplib.SMTPException:
            pass
    return ", ".join(f.upper() for f in features)


def check_smtp(settings: SmtpSettings) -> tuple[bool, str]:
    where = f"{settings.host}:{settings.port}"
    try:
        features = asyncio.run(_probe(settings))
    except SecretError as exc:
        return False, str(exc)
    except aiosmtplib.SMTPAuthenticationError:
        hint = refused_hint(settings.provider)
        return False, f"envoi (SMTP) : identifiant ou mot de passe refusé par {where}{hint}"
    except (aiosmtplib.SMTPException, OSError) as exc:
        return False, f"envoi (SMTP) : connexion impossible à {where} ({exc})"
    return True, f"envoi (SMTP) : connexion réussie à {where} — extensions : {features}"
