"""Configuration: valid files load; every mistake names its key and line, in French."""

from pathlib import Path

import pytest
from paths import ROOT

from cpambot.config.loader import load_config, parse_config
from cpambot.errors import ConfigError, SecretError

EXAMPLE = (ROOT / "config.example.toml").read_text(encoding="utf-8")

MINIMAL = """
[professionnel]
nom = "Marie Exemple"
numero_am = "974123456"
email = "marie@example.org"

[approbation]
approbateurs = ["Marie@Example.org"]

[[comptes]]
nom = "principal"
hote = "imap.example.org"
utilisateur = "marie"
mot_de_passe_env = "CPAMBOT_TEST_PW"
"""


def test_example_config_is_valid():
    """GIVEN the shipped config.example.toml WHEN it is loaded THEN every section is read."""
    config = load_config(ROOT / "config.example.toml")
    assert config.professional.numero_am == "974123456"
    assert config.accounts[0].port == 993 and config.accounts[0].security == "tls"
    assert config.caisses[0].addresses["cra"] == "commission-recours-amiable@cgss.re"
    assert config.smtp is not None and config.smtp.port == 587
    assert config.approvers == ("marie.exemple@example.org",)


def test_minimal_config_defaults():
    """GIVEN a minimal file WHEN parsed THEN defaults apply and approvers are lower-cased."""
    config = parse_config(MINIMAL, path=Path("/etc/cpambot/config.toml"))
    account = config.accounts[0]
    assert account.folders == ("INBOX",)
    assert account.port == 993
    assert config.approvers == ("marie@example.org",)
    assert config.professional.profession == "infirmier"


def _error(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_config(text, path=Path("c.toml"))
    return info.value


def test_wrong_type_names_key_and_line():
    """GIVEN a port written as text WHEN parsed THEN the error names comptes[1].port and its line."""
    text = MINIMAL + 'port = "993"\n'
    err = _error(text)
    assert err.key == "comptes[1].port"
    assert err.line == text.splitlines().index('port = "993"') + 1
    assert "nombre entier" in str(err) and f"ligne {err.line}" in str(err)
    assert err.exit_code == 2


def test_password_in_toml_is_refused():
    """GIVEN a password written in the file WHEN parsed THEN it is refused, naming the key."""
    err = _error(MINIMAL.replace('mot_de_passe_env = "CPAMBOT_TEST_PW"', 'mot_de_passe = "x"'))
    assert err.key == "comptes[1].mot_de_passe"
    assert "jamais" in str(err)


def test_typo_suggests_the_right_key():
    """GIVEN a misspelt key WHEN parsed THEN the error suggests the right one."""
    err = _error(MINIMAL.replace("utilisateur", "utilisatuer"))
    assert err.key == "comptes[1].utilisatuer"
    assert "utilisateur" in str(err)


def test_unknown_key_in_section():
    """GIVEN an unknown key WHEN parsed THEN it is reported rather than ignored."""
    err = _error(MINIMAL.replace('nom = "Marie Exemple"', 'nom = "Marie Exemple"\nprenom = "x"'))
    assert err.key == "professionnel.prenom" and err.line == 4


def test_missing_section_and_bad_values():
    """GIVEN missing or malformed values WHEN parsed THEN each error is specific."""
    assert "approbation" in str(_error(MINIMAL.split("[approbation]")[0]))
    err = _error(MINIMAL.replace('"974123456"', '"12"'))
    assert err.key == "professionnel.numero_am" and "9 chiffres" in str(err)
    err = _error(MINIMAL.replace('["Marie@Example.org"]', '["pas-une-adresse"]'))
    assert err.key == "approbation.approbateurs"
    err = _error(MINIMAL + 'securite = "ssl"\n')
    assert "tls, starttls, aucune" in str(err)


def test_toml_syntax_error_has_line():
    """GIVEN broken TOML WHEN parsed THEN the French message carries the line number."""
    err = _error("[professionnel]\nnom = \"Marie\n")
    assert err.line == 2 and "syntaxe TOML invalide" in str(err)


def test_second_account_line_is_found():
    """GIVEN two [[comptes]] WHEN the second is wrong THEN the line of the second is reported."""
    text = MINIMAL + '\n[[comptes]]\nnom = "b"\ntype = "maildir"\n'
    err = _error(text)
    assert err.key == "comptes[2]" and "chemin" in str(err)
    assert err.line == text.splitlines().index("[[comptes]]", 10) + 1


def test_duplicate_account_names():
    """GIVEN two accounts with the same name WHEN parsed THEN it is refused."""
    err = _error(MINIMAL + '\n[[comptes]]\nnom = "principal"\ntype = "maildir"\nchemin = "m"\n')
    assert err.key == "comptes[2].nom"


def test_secret_from_env_and_file(tmp_path, monkeypatch):
    """GIVEN a password in an env var or a file WHEN read THEN it is returned; absent → SecretError."""
    config = parse_config(MINIMAL)
    secret = config.accounts[0].secret
    monkeypatch.delenv("CPAMBOT_TEST_PW", raising=False)
    with pytest.raises(SecretError, match="CPAMBOT_TEST_PW"):
        secret.read()
    monkeypatch.setenv("CPAMBOT_TEST_PW", "s3cret")
    assert secret.read() == "s3cret"
    pw = tmp_path / "pw"
    pw.write_text("from-file\n")
    config = parse_config(MINIMAL.replace('mot_de_passe_env = "CPAMBOT_TEST_PW"',
                                          f'mot_de_passe_fichier = "{pw}"'))
    assert config.accounts[0].secret.read() == "from-file"


def test_missing_file_is_a_config_error(tmp_path):
    """GIVEN no file WHEN loaded THEN a French ConfigError (exit 2) says so."""
    with pytest.raises(ConfigError, match="introuvable"):
        load_config(tmp_path / "absent.toml")


def test_calendar_reminder_days():
    """GIVEN « rappel_agenda_jours » absent, set to 7 or 0, or to 90 WHEN loaded THEN 3 by default, 7, 0 (no
    alarm), and 90 is refused with its key named."""
    assert parse_config(MINIMAL).calendar_reminder_days == 3
    for days in (7, 0):
        text = MINIMAL.replace('approbateurs = ["Marie@Example.org"]',
                               f'approbateurs = ["Marie@Example.org"]\nrappel_agenda_jours = {days}')
        assert parse_config(text).calendar_reminder_days == days
    with pytest.raises(ConfigError, match="rappel_agenda_jours"):
        parse_config(MINIMAL.replace('approbateurs = ["Marie@Example.org"]',
                                     'approbateurs = ["Marie@Example.org"]\nrappel_agenda_jours = 90'))


def test_a_provider_fills_the_servers():
    """GIVEN an account and the sending section naming their provider (« gmail ») without servers WHEN
    loaded THEN the provider's IMAP and SMTP servers, ports and security are used; a port written by hand
    wins."""
    text = MINIMAL.replace('hote = "imap.example.org"\n', 'fournisseur = "gmail"\n') + (
        '\n[envoi]\nfournisseur = "gmail"\nexpediteur = "marie@example.org"\nport = 587\n'
        'securite = "starttls"\nutilisateur = "marie@gmail.com"\nmot_de_passe_env = "CPAMBOT_TEST_PW"\n')
    config = parse_config(text)
    account = config.accounts[0]
    assert (account.host, account.port, account.security) == ("imap.gmail.com", 993, "tls")
    assert account.provider == "gmail"
    assert config.smtp is not None
    assert (config.smtp.host, config.smtp.port, config.smtp.security) == ("smtp.gmail.com", 587, "starttls")


def test_an_unknown_provider_lists_the_known_ones():
    """GIVEN « fournisseur = "wanadoo-pro" » WHEN loaded THEN the error names the key and the providers
    known."""
    with pytest.raises(ConfigError, match=r"fournisseur.*wanadoo-pro.*gmail"):
        parse_config(MINIMAL.replace('hote = "imap.example.org"\n', 'fournisseur = "wanadoo-pro"\n'))


def test_a_provider_that_only_takes_oauth2_asks_for_its_oauth2_table():
    """GIVEN an account at Outlook.com without an oauth2 table WHEN loaded THEN it is refused with what to
    do (a client_id, then « cpambot login »); Microsoft 365's SMTP, where an administrator may still allow
    a password, is accepted with one."""
    with pytest.raises(ConfigError, match=r"Outlook.com \(Hotmail, Live\) n'accepte qu'une connexion "
                                          r"OAuth2 pour IMAP.*client_id.*cpambot login principal"):
        parse_config(MINIMAL.replace('hote = "imap.example.org"\n', 'fournisseur = "outlook"\n'))
    text = MINIMAL + ('\n[envoi]\nfournisseur = "microsoft365"\nexpediteur = "marie@example.org"\n'
                      'utilisateur = "marie@example.org"\n'
                      'mot_de_passe_env = "CPAMBOT_TEST_PW"\n')
    smtp = parse_config(text).smtp
    assert smtp is not None and smtp.oauth is None
    assert (smtp.host, smtp.port, smtp.security) == ("smtp.office365.com", 587, "starttls")


OUTLOOK = MINIMAL.replace('hote = "imap.example.org"\n', 'fournisseur = "outlook"\n').replace(
    'mot_de_passe_env = "CPAMBOT_TEST_PW"\n', '[comptes.oauth2]\nclient_id = "0a1b2c3d-cpambot"\n')


def test_an_oauth2_account_takes_its_providers_endpoints_and_needs_no_password(tmp_path):
    """GIVEN an Outlook.com account with its oauth2 table (a client_id only) and sending through it WHEN
    loaded THEN no password is asked; the endpoints are Microsoft's for personal accounts (« consumers »),
    the scopes read mail and send it, the tokens go under the data folder; sending signs in with the
    account's tokens as its user."""
    text = OUTLOOK + (f'\n[donnees]\ndossier = "{tmp_path}"\n[envoi]\nfournisseur = "outlook"\n'
                      'expediteur = "marie@example.org"\noauth2 = "principal"\n')
    config = parse_config(text)
    oauth = config.accounts[0].oauth
    assert oauth is not None and config.accounts[0].secret is None
    assert oauth.device_url == "https://login.microsoftonline.com/consumers/oauth2/v2.0/devicecode"
    assert oauth.token_url.endswith("/consumers/oauth2/v2.0/token")
    assert {"https://outlook.office.com/IMAP.AccessAsUser.All", "offline_access"} <= set(oauth.scopes)
    assert oauth.token_file == tmp_path / "oauth" / "principal.json"
    assert config.smtp is not None and config.smtp.oauth == oauth
    smtp = config.smtp
    assert (smtp.oauth_account, smtp.username, smtp.secret) == ("principal", "marie", None)


def test_oauth2_mistakes_are_named():
    """GIVEN sending through an account that has no oauth2 table, an Outlook.com SMTP without it, a
    generic provider without its endpoints, and a plain-HTTP endpoint WHEN loaded THEN each is refused
    with the key named."""
    with pytest.raises(ConfigError, match=r"oauth2.*« principal » n'est pas un compte connecté par OAuth2"):
        parse_config(MINIMAL + '[envoi]\nhote = "smtp.example.org"\nexpediteur = "m@example.org"\n'
                     'oauth2 = "principal"\n')
    with pytest.raises(ConfigError, match=r"n'accepte qu'une connexion OAuth2 pour l'envoi"):
        parse_config(OUTLOOK + '[envoi]\nfournisseur = "outlook"\nexpediteur = "m@example.org"\n')
    generic = MINIMAL.replace('mot_de_passe_env = "CPAMBOT_TEST_PW"\n',
                              '[comptes.oauth2]\nclient_id = "abcdefgh1"\n')
    with pytest.raises(ConfigError, match=r"url_appareil"):
        parse_config(generic)
    with pytest.raises(ConfigError, match=r"HTTPS obligatoire"):
        parse_config(generic + 'url_appareil = "http://idp.example.org/device"\n'
                     'url_jeton = "https://idp.example.org/token"\nportees = ["mail"]\n')


def test_every_provider_is_complete():
    """GIVEN the providers' data WHEN read THEN each has both servers on a usual port with a known security
    and authentication, French advice and an https source."""
    from cpambot.config.providers import AUTH_KINDS, providers
    assert {"orange", "free", "sfr", "laposte", "gmail", "outlook", "microsoft365", "ovh", "ionos",
            "infomaniak"} <= set(providers())
    for provider in providers().values():
        for server in (provider.imap, provider.smtp):
            assert server.security in ("tls", "starttls") and server.auth in AUTH_KINDS
            assert server.port in (993, 143, 465, 587)
        assert provider.source.startswith("https://") and provider.advice[0].isupper()


def test_a_caisse_channel():
    """GIVEN a caisse whose réclamations go through amelipro WHEN loaded THEN its channel is kept; an
    unknown channel or purpose is refused with the key named, and so is an annulation by post (it must
    leave the same day)."""
    caisse = '\n[[caisses]]\ncode = "511"\nnom = "CPAM de la Marne"\n[caisses.canaux]\n'
    config = parse_config(MINIMAL + caisse + 'reclamation = "amelipro"\n')
    assert config.caisses[0].channels == {"reclamation": "amelipro"}
    with pytest.raises(ConfigError, match=r"reclamation.*« pigeon » inconnue"):
        parse_config(MINIMAL + caisse + 'reclamation = "pigeon"\n')
    with pytest.raises(ConfigError, match="usage inconnu"):
        parse_config(MINIMAL + caisse + 'fax = "amelipro"\n')
    with pytest.raises(ConfigError, match="annulation.*le jour même.*pas par courrier"):
        parse_config(MINIMAL + caisse + 'annulation = "courrier"\n')
