"""A mailbox that takes no password (Outlook.com, Microsoft 365), end to end against a real Dovecot whose
oauth2 passdb asks a token introspection endpoint, a real SMTP server taking XOAUTH2, and a throw-away
authorization server on 127.0.0.1: « cpambot login » once, then the mail read and the digest sent with
tokens renewed alone; a renewal the provider refuses is told in the digest, with what to do."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from datetime import timedelta

import pytest
from mailflow import APPROVER, NOW, REJECT, poll, text_of
from oauthserver import OAuthServer
from servers import DovecotServer, SmtpCapture

from cpambot.cli.main import main
from cpambot.config.loader import load_config

USER = "marie@outlook.example"


@pytest.fixture
def idp() -> Iterator[OAuthServer]:
    server = OAuthServer(USER, pending=1).start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(idp) -> Iterator[DovecotServer]:
    with DovecotServer(oauth_introspection=f"{idp.base}/introspect") as dovecot:
        yield dovecot


def write_config(tmp_path, idp, dovecot, smtp, *, smtp_oauth: bool):
    sending = ('oauth2 = "pro"\n' if smtp_oauth
               else f'utilisateur = "bot"\nmot_de_passe_fichier = "{tmp_path / "smtp.pass"}"\n')
    (tmp_path / "smtp.pass").write_text("smtp-secret")
    (tmp_path / "smtp.pass").chmod(0o600)
    text = f"""
[professionnel]
nom = "Marie Exemple"
numero_am = "974123456"
email = "{APPROVER}"

[approbation]
approbateurs = ["{APPROVER}"]

[donnees]
dossier = "{tmp_path / 'data'}"

[[comptes]]
nom = "pro"
hote = "{dovecot.host}"
port = {dovecot.tls_port}
securite = "tls"
certificat_ca = "{dovecot.cafile}"
utilisateur = "{USER}"
[comptes.oauth2]
client_id = "cpambot-tests"
url_appareil = "{idp.base}/devicecode"
url_jeton = "{idp.base}/token"
portees = ["offline_access", "imap", "smtp"]

[envoi]
hote = "{smtp.host}"
port = {smtp.port}
securite = "aucune"
expediteur = "{APPROVER}"
{sending}"""
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def digests(smtp):
    return [m for m in smtp.messages if APPROVER in m.rcpt_tos and b"capitulatif" in m.content]


def test_signed_in_once_then_read_and_sent_with_oauth2(tmp_path, idp, mailbox, capsys):
    """GIVEN an account and sending that sign in with OAuth2 WHEN « cpambot login pro » runs THEN it shows
    the address and the code to type, waits for her, and keeps the tokens owner-only; WHEN the bot polls
    THEN Dovecot lets it in with the access token (XOAUTH2), the caisse's message is read, and the digest
    is sent through SMTP signed in with the same token — no password anywhere."""
    user = mailbox.add_user(USER, "not-used-by-the-bot")
    with SmtpCapture(oauth=idp.user_of) as smtp:
        path = write_config(tmp_path, idp, mailbox, smtp, smtp_oauth=True)
        assert main(["-c", str(path), "login", "pro"]) == 0
        out = capsys.readouterr().out
        assert f"ouvrez {idp.base}/device" in out and "saisissez le code WXYZ-1234" in out
        assert "Connexion enregistrée pour « pro »" in out
        tokens = tmp_path / "data" / "oauth" / "pro.json"
        assert stat.S_IMODE(tokens.stat().st_mode) == 0o600
        assert [p for p, _ in idp.requests] == ["/devicecode", "/token", "/token"]  # (one poll pending)
        user.append("INBOX", REJECT)
        report = poll(load_config(path), NOW)
        assert report.ok and report.processing.processed == 1
        (digest,) = digests(smtp)
        assert digest.auth_login == USER


def test_an_expired_token_is_renewed_and_its_refresh_token_rotated(tmp_path, idp, mailbox):
    """GIVEN a sign-in whose access token has expired WHEN the bot polls THEN it gets a new one with the
    refresh token before connecting, saves the new refresh token in place of the old (which the provider
    no longer takes), and reads the mailbox."""
    user = mailbox.add_user(USER, "not-used-by-the-bot")
    with SmtpCapture(oauth=idp.user_of) as smtp:
        path = write_config(tmp_path, idp, mailbox, smtp, smtp_oauth=True)
        assert main(["-c", str(path), "login", "pro"]) == 0
        tokens = tmp_path / "data" / "oauth" / "pro.json"
        first = json.loads(tokens.read_text())
        idp.expire_access()
        tokens.write_text(json.dumps({**first, "expires_at": 0}))
        user.append("INBOX", REJECT)
        report = poll(load_config(path), NOW)
        assert report.ok and report.processing.processed == 1
        renewed = json.loads(tokens.read_text())
        assert renewed["refresh_token"] != first["refresh_token"]
        assert first["refresh_token"] not in idp.refresh
        assert ("/token", "refresh_token") in [(p, f.get("grant_type")) for p, f in idp.requests]


def test_a_renewal_the_provider_refuses_is_told_in_the_digest(tmp_path, idp, mailbox):
    """GIVEN a mailbox signed in with OAuth2 (sending with a password) WHEN the provider revokes the access
    and the token expires THEN the mailbox is not read, and the next digest says it can no longer be read
    and to run « cpambot login pro »."""
    user = mailbox.add_user(USER, "not-used-by-the-bot")
    with SmtpCapture(auth=("bot", "smtp-secret")) as smtp:
        path = write_config(tmp_path, idp, mailbox, smtp, smtp_oauth=False)
        assert main(["-c", str(path), "login", "pro"]) == 0
        assert poll(load_config(path), NOW).ok
        idp.revoke()
        idp.expire_access()
        tokens = tmp_path / "data" / "oauth" / "pro.json"
        tokens.write_text(json.dumps({**json.loads(tokens.read_text()), "expires_at": 0}))
        user.append("INBOX", REJECT)
        report = poll(load_config(path), NOW + timedelta(days=1))
        assert not report.ok
        text = text_of(digests(smtp)[-1].content)
        assert "« pro » ne peut plus être lue" in text and "cpambot login pro" in text


def test_a_token_the_server_refuses_before_its_time_is_renewed_once(tmp_path, idp, mailbox):
    """GIVEN a saved access token that still looks valid but that the provider withdrew WHEN the bot polls
    THEN Dovecot refuses it, the bot renews it once and is let in."""
    user = mailbox.add_user(USER, "not-used-by-the-bot")
    with SmtpCapture(oauth=idp.user_of) as smtp:
        path = write_config(tmp_path, idp, mailbox, smtp, smtp_oauth=True)
        assert main(["-c", str(path), "login", "pro"]) == 0
        idp.expire_access()  # (the file still says an hour)
        user.append("INBOX", REJECT)
        report = poll(load_config(path), NOW)
        assert report.ok and report.processing.processed == 1


def test_a_refused_xoauth2_at_sending_says_so(tmp_path, idp, mailbox):
    """GIVEN sending signed in with OAuth2 WHEN the SMTP server refuses the token THEN the error says the
    OAuth2 sign-in was refused and to run « cpambot login », not that a password was wrong."""
    import asyncio

    from cpambot.errors import SendSessionError
    from cpambot.sending.smtp import transmit

    with SmtpCapture(oauth=lambda token: None) as smtp:
        path = write_config(tmp_path, idp, mailbox, smtp, smtp_oauth=True)
        settings = load_config(path).smtp
        assert settings is not None
        with pytest.raises(SendSessionError, match=r"connexion OAuth2 refusée.*cpambot login pro"):
            asyncio.run(transmit(settings, "a-token", [APPROVER], b"Subject: x\r\n\r\nx\r\n",
                                 lambda: None, lambda _reply: None))
