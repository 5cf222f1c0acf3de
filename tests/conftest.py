"""Shared pytest fixtures for the cpambot test suite."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from servers import DovecotServer, ImapUser, SmtpCapture, ensure_dovecot

# --- real servers ---
# A real Dovecot (one per session: it starts in ~0.1 s but takes ~1-2 s to
# stop) and real aiosmtpd capture servers (one per test). No mocks.


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """One Dovecot IMAP server (plain/STARTTLS + IMAPS) for the whole session."""
    ensure_dovecot()
    with DovecotServer() as server:
        yield server


@pytest.fixture
def imap_user(dovecot: DovecotServer) -> ImapUser:
    """A fresh user with a random name and its own empty Maildir."""
    name = f"user-{secrets.token_hex(6)}@example.org"
    return dovecot.add_user(name, secrets.token_urlsafe(12))


@pytest.fixture
def smtp_server() -> Iterator[SmtpCapture]:
    """A plain SMTP capture server (no TLS, no AUTH, no faults)."""
    with SmtpCapture() as server:
        yield server


@pytest.fixture
def smtp_server_factory() -> Iterator[Callable[..., SmtpCapture]]:
    """Start SmtpCapture(**options) servers; all are stopped after the test.

    Example: smtp_server_factory(starttls=True, auth=("bot", "pw"), fail_mode="tempfail")
    """
    started: list[SmtpCapture] = []

    def start(**options: Any) -> SmtpCapture:
        server = SmtpCapture(**options).start()
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        server.stop()


# --- end of real servers ---


# --- cpambot configuration for a test user ---

CONFIG_TEMPLATE = """
[professionnel]
nom = "Marie Exemple"
numero_am = "974123456"
email = "marie.exemple@example.org"
telephone = "0262 00 00 00"

[approbation]
approbateurs = ["marie.exemple@example.org"]

[donnees]
dossier = "{data_dir}"

[[comptes]]
nom = "principal"
hote = "{host}"
port = {port}
securite = "{security}"
utilisateur = "{username}"
mot_de_passe_fichier = "{password_file}"
certificat_ca = "{cafile}"
dossiers = {folders}
delai_reseau = 20
"""


@pytest.fixture
def bot_config(tmp_path, imap_user):
    """Write a cpambot config for ``imap_user``; returns a function (folders, security, port)."""
    from cpambot.config.loader import load_config

    def make(folders=("INBOX",), security="aucune", port=None, password=None, extra=""):
        pw = tmp_path / "imap.pass"
        pw.write_text(password if password is not None else imap_user.password)
        pw.chmod(0o600)
        text = CONFIG_TEMPLATE.format(
            data_dir=tmp_path / "data", host=imap_user.host,
            port=port or (imap_user.tls_port if security == "tls" else imap_user.port),
            security=security, username=imap_user.username, password_file=pw,
            cafile=imap_user.cafile, folders="[" + ", ".join(f'"{f}"' for f in folders) + "]",
        ) + extra
        path = tmp_path / "config.toml"
        path.write_text(text)
        return load_config(path)

    return make
