"""Where a password file is looked for, and what is said of one that others can read."""

from __future__ import annotations

import pytest

from cpambot.config.loader import parse_config
from cpambot.errors import SecretError

CONFIG = """
[professionnel]
nom = "Marie Exemple"
numero_am = "974123456"
email = "marie@example.org"
[approbation]
approbateurs = ["marie@example.org"]
[donnees]
dossier = "donnees"
[[comptes]]
nom = "principal"
hote = "imap.example.org"
utilisateur = "marie@example.org"
mot_de_passe_fichier = "imap.pass"
"""


def test_a_relative_password_file_is_beside_the_configuration(tmp_path, monkeypatch):
    """GIVEN « mot_de_passe_fichier = "imap.pass" » in /etc/cpambot-like folder's config, run from another
    folder that has its own imap.pass WHEN the password is read THEN the one beside the configuration is
    used."""
    etc, elsewhere = tmp_path / "etc", tmp_path / "ailleurs"
    etc.mkdir(), elsewhere.mkdir()
    (etc / "imap.pass").write_text("le-bon\n")
    (etc / "imap.pass").chmod(0o600)
    (elsewhere / "imap.pass").write_text("le-mauvais\n")
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    secret = parse_config(CONFIG, path=etc / "config.toml").accounts[0].secret
    assert secret is not None and secret.read() == "le-bon"


def test_systemd_credentials_come_first(tmp_path, monkeypatch):
    """GIVEN the service under systemd (LoadCredential=, $CREDENTIALS_DIRECTORY) WHEN a relative password
    file is read THEN it is systemd's copy; a missing one is a French error naming the path."""
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "imap.pass").write_text("depuis-systemd")
    (creds / "imap.pass").chmod(0o400)
    (tmp_path / "imap.pass").write_text("a-cote")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    secret = parse_config(CONFIG, path=tmp_path / "config.toml").accounts[0].secret
    assert secret is not None and secret.read() == "depuis-systemd"
    (creds / "imap.pass").unlink()
    with pytest.raises(SecretError, match=r"impossible de lire le fichier de mot de passe .*creds/imap.pass"):
        secret.read()


def test_a_password_file_others_can_read_is_used_and_said_once(tmp_path, monkeypatch, caplog):
    """GIVEN a password file with mode 0644 WHEN it is read twice THEN the password is used and the journal
    says once, in French, how to fix it."""
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    (tmp_path / "imap.pass").write_text("secret")
    (tmp_path / "imap.pass").chmod(0o644)
    secret = parse_config(CONFIG, path=tmp_path / "config.toml").accounts[0].secret
    assert secret is not None and secret.read() == "secret" and secret.read() == "secret"
    assert caplog.text.count("lisible par d'autres utilisateurs (droits 0644) : « chmod 600") == 1
    assert "secret" not in caplog.text.replace("mot de passe", "")
