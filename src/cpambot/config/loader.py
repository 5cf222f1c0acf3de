"""Configuration: one TOML file, validated into frozen dataclasses.

Keys are French because the professional edits the file. Every problem raises
:class:`~cpambot.errors.ConfigError` naming the key and the line where it stands.
Passwords never live in the TOML itself: each account names an environment
variable or a file that holds the secret, read only when a connection is made.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cpambot.config.document import (
    _DOMAIN_RE,
    _EMAIL_RE,
    _Loader,
    _Section,
    _toml_error_line,
    _translate_toml_error,
)
from cpambot.config.model import (
    ACCOUNT_KINDS,
    CAISSE_KINDS,
    CAISSE_PURPOSES,
    CHANNELS,
    DEFAULT_TIMEZONE,
    PROFESSIONS,
    SECURITY_MODES,
    Account,
    Caisse,
    Config,
    Professional,
    RuleSettings,
    SmtpSettings,
    default_data_dir,
)
from cpambot.config.providers import Provider, Server, providers
from cpambot.config.signin import oauth_settings, smtp_oauth
from cpambot.errors import ConfigError

T = TypeVar("T")

# --------------------------------------------------------------------------- locating keys


# --------------------------------------------------------------------------- typed reading


# --------------------------------------------------------------------------- loading


def load_config(path: Path | str) -> Config:
    """Read and validate the configuration file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"fichier de configuration introuvable : {path} (copiez "
                          "config.example.toml et adaptez-le)") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"le fichier {path} n'est pas encodé en UTF-8 ({exc.reason})") from None
    except OSError as exc:
        raise ConfigError(f"impossible de lire {path} : {exc.strerror or exc}") from None
    return parse_config(text, path=path)


def parse_config(text: str, *, path: Path | None = None, base_dir: Path | None = None) -> Config:
    """Validate configuration ``text``; relative paths are resolved against the file's folder."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise ConfigError(f"syntaxe TOML invalide ({_translate_toml_error(str(exc))})",
                          line=line, path=str(path) if path else None) from None
    loader = _Loader(text, path)
    root = _Section(data, (), loader)
    base = base_dir or (path.parent if path else Path.cwd())

    pro = _professional(root.section("professionnel"))  # type: ignore[arg-type]
    approval = root.section("approbation")
    assert approval is not None
    approvers = approval.str_list("approbateurs", item_pattern=_EMAIL_RE, lower=True,
                                  hint="adresse électronique attendue")
    bot_address = approval.email("adresse_robot", required=False)
    authserv_ids = approval.str_list("authserv_id", required=False, lower=True)
    token_days = approval.integer("validite_jours", default=7, minimum=1, maximum=60)
    digest_time = approval.text("heure_recapitulatif", default="07:30",
                               pattern=re.compile(r"^([01]\d|2[0-3]):[0-5]\d$"),
                               hint="heure au format HH:MM, par exemple 07:30")
    reminder_days = approval.integer("rappel_agenda_jours", default=3, minimum=0, maximum=60)
    approval.finish()

    data_section = root.section("donnees", required=False)
    data_dir = default_data_dir()
    if data_section is not None:
        folder = data_section.text("dossier", required=False)
        if folder:
            data_dir = _resolve(base, folder)
        data_section.finish()

    accounts = tuple(_account(s, base, data_dir) for s in root.sections("comptes"))
    names = [a.name for a in accounts]
    for i, name in enumerate(names):
        if names.index(name) != i:
            raise loader.error(("comptes", i, "nom"), f"le nom de compte « {name} » est déjà utilisé")

    caisses = tuple(_caisse(s) for s in root.sections("caisses", required=False))
    senders = root.section("expediteurs", required=False)
    caisse_domains: tuple[str, ...] = ()
    amc_domains: tuple[str, ...] = ()
    forwarders: tuple[str, ...] = ()
    if senders is not None:
        caisse_domains = senders.str_list("domaines_caisse", required=False, lower=True,
                                          item_pattern=_DOMAIN_RE, hint="nom de domaine attendu")
        amc_domains = senders.str_list("domaines_complementaires", required=False, lower=True,
                                       item_pattern=_DOMAIN_RE, hint="nom de domaine attendu")
        forwarders = senders.str_list("adresses_transfert", required=False, lower=True,
                                      item_pattern=_EMAIL_RE, hint="adresse électronique attendue")
        senders.finish()

    smtp = None
    smtp_section = root.section("envoi", required=False)
    if smtp_section is not None:
        smtp = _smtp(smtp_section, base, accounts)

    sched = root.section("planification", required=False)
    poll_interval = 300
    stale_alert_hours = 24
    horizon_days = 60
    timezone = DEFAULT_TIMEZONE
    if sched is not None:
        poll_interval = sched.integer("intervalle_releve", default=300, minimum=30, maximum=86400)
        stale_alert_hours = sched.integer("alerte_sans_lecture_heures", default=24, minimum=1, maximum=720)
        horizon_days = sched.integer("horizon_jours", default=60, minimum=1, maximum=3650)
        timezone = sched.text("fuseau_horaire", default=DEFAULT_TIMEZONE)
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise sched.fail("fuseau_horaire", f"fuseau horaire « {timezone} » inconnu (exemples : "
                             "Europe/Paris, Indian/Reunion, America/Martinique, America/Guadeloupe, "
                             "America/Cayenne, Indian/Mayotte)") from None
        sched.finish()
    statement_columns: dict[str, str] = {}
    bank = root.section("rapprochement", required=False)
    if bank is not None:
        for key in ("date", "libelle", "montant", "debit", "credit"):
            name = bank.text(f"colonne_{key}", required=False)
            if name:
                statement_columns[key] = name
        bank.finish()
    rules = RuleSettings()
    rules_section = root.section("regles", required=False)
    if rules_section is not None:
        rules = _rules(rules_section)
    root.finish()
    return Config(path=path, professional=pro, accounts=accounts, approvers=approvers,
                  data_dir=data_dir, caisses=caisses, caisse_domains=caisse_domains,
                  amc_domains=amc_domains, forwarders=forwarders, smtp=smtp, poll_interval=poll_interval,
                  bot_address=bot_address, rules=rules, authserv_ids=authserv_ids,
                  token_days=token_days, digest_time=digest_time, timezone=timezone,
                  stale_alert_hours=stale_alert_hours, horizon_days=horizon_days,
                  calendar_reminder_days=reminder_days,
                  statement_columns=tuple(statement_columns.items()))


def _rules(s: _Section) -> RuleSettings:
    r1_from = s.integer("relance1_apres_jours", default=15, minimum=1, maximum=120)
    r1_by = s.integer("relance1_au_plus_tard_jours", default=30, minimum=1, maximum=180)
    r2_from = s.integer("relance2_apres_jours", default=10, minimum=1, maximum=120)
    r2_by = s.integer("relance2_au_plus_tard_jours", default=15, minimum=1, maximum=180)
    if r1_by < r1_from:
        raise s.fail("relance1_au_plus_tard_jours", "doit être supérieur ou égal à relance1_apres_jours")
    if r2_by < r2_from:
        raise s.fail("relance2_au_plus_tard_jours", "doit être supérieur ou égal à relance2_apres_jours")
    rules = RuleSettings(
        payment_watch_days=s.integer("delai_paiement_jours_ouvres", default=7, minimum=1, maximum=60),
        recheck_days=s.integer("revoir_facture_differee_jours_ouvres", default=10, minimum=1, maximum=60),
        pieces_days=s.integer("delai_pieces_jours", default=15, minimum=1, maximum=90),
        conciliateur_weeks=s.integer("conciliateur_apres_semaines", default=3, minimum=1, maximum=26),
        relance1_days=(r1_from, r1_by), relance2_days=(r2_from, r2_by),
    )
    s.finish()
    return rules


def _professional(s: _Section) -> Professional:
    pro = Professional(
        nom=s.text("nom"),
        profession=s.text("profession", default="infirmier", choices=PROFESSIONS),
        numero_am=s.text("numero_am", pattern=re.compile(r"^\d{8,9}$"),
                        hint="le n° AM / Adeli compte 9 chiffres"),
        email=s.email("email"),
        rpps=s.text("rpps", required=False, pattern=re.compile(r"^\d{11}$"),
                   hint="le n° RPPS compte 11 chiffres"),
        siret=s.text("siret", required=False, pattern=re.compile(r"^\d{14}$"),
                    hint="le SIRET compte 14 chiffres, sans espaces"),
        adresse=s.text("adresse", required=False),
        telephone=s.text("telephone", required=False),
        civilite=s.text("civilite", required=False, choices=("Madame", "Monsieur")),
    )
    s.finish()
    return pro


def _account(s: _Section, base: Path, data_dir: Path) -> Account:
    name = s.text("nom", pattern=re.compile(r"^[A-Za-z0-9_.-]{1,40}$"),
                 hint="lettres, chiffres, . _ - (40 caractères au plus)")
    kind = s.text("type", default="imap", choices=ACCOUNT_KINDS)
    folders = s.str_list("dossiers", required=False, default=("INBOX",))
    timeout = s.integer("delai_reseau", default=60, minimum=5, maximum=600)
    if kind == "maildir":
        path = _resolve(base, s.text("chemin"))
        s.finish()
        return Account(name=name, kind=kind, folders=folders, path=path, timeout=timeout)
    provider = _provider(s)
    host, port, security = _server(s, provider.imap if provider else None, "tls", 993, 143)
    oauth = oauth_settings(s, name, provider, data_dir)
    account = Account(
        name=name, kind=kind, folders=folders, host=host, port=port, security=security,
        provider=provider.code if provider else None, oauth=oauth,
        username=s.text("utilisateur"),
        secret=s.secret(f"compte « {name} »", base=base, required=oauth is None),
        cafile=_opt_path(base, s.text("certificat_ca", required=False)),
        sent_folder=s.text("dossier_envoyes", required=False),
        timeout=timeout,
    )
    s.finish()
    return account


def _server(s: _Section, preset: Server | None, security: str, tls_port: int,
            other_port: int) -> tuple[str, int, str]:
    """Host, port and security: as written, else the provider's (``preset``), else the usual ports."""
    security = s.text("securite", default=preset.security if preset else security, choices=SECURITY_MODES)
    port = preset.port if preset and preset.security == security else (tls_port if security == "tls"
                                                                          else other_port)
    host = s.text("hote", default=preset.host if preset else None)
    return host, s.integer("port", default=port, minimum=1, maximum=65535), security


def _provider(s: _Section) -> Provider | None:
    """The provider the section names (``fournisseur``)."""
    known = providers()
    code = s.text("fournisseur", required=False, choices=sorted(known))
    return known[code] if code else None


def _smtp(s: _Section, base: Path, accounts: tuple[Account, ...]) -> SmtpSettings:
    provider = _provider(s)
    host, port, security = _server(s, provider.smtp if provider else None, "starttls", 465, 587)
    oauth_account, oauth = smtp_oauth(s, provider, accounts)
    username = s.text("utilisateur", required=False) or (oauth_account.username if oauth_account else None)
    settings = SmtpSettings(
        provider=provider.code if provider else None, host=host, port=port, security=security,
        sender=s.email("expediteur"), oauth=oauth,
        oauth_account=oauth_account.name if oauth_account else None,
        username=username,
        secret=s.secret("envoi (SMTP)", required=bool(username) and oauth is None, base=base),
        cafile=_opt_path(base, s.text("certificat_ca", required=False)),
        timeout=s.integer("delai_reseau", default=60, minimum=5, maximum=600),
    )
    s.finish()
    return settings


def _caisse(s: _Section) -> Caisse:
    declared = s.data.get("type")
    if declared == "amc":  # a complementary insurer's platform, named like the bot names it
        code = s.text("code", pattern=re.compile(r"^[a-z][a-z0-9-]{1,30}$"),
                     hint="nom de la plateforme en minuscules (ex. viamedis, almerys, spsante)")
    else:
        code = s.text("code", pattern=re.compile(r"^\d{3}$"),
                     hint="code de caisse à 3 chiffres (ex. 511, 974)")
    name = s.text("nom")
    kind = s.text("type", default="cgss" if code.startswith("97") else "cpam", choices=CAISSE_KINDS)
    regime = s.text("regime", default="01", pattern=re.compile(r"^\d{2}$"),
                   hint="grand régime sur 2 chiffres (01 = régime général)")
    addresses = _by_purpose(s, "adresses", lambda sec, purpose: sec.email(purpose))
    channels = _by_purpose(s, "canaux", _channel)
    postal = _by_purpose(s, "adresses_postales", lambda sec, purpose: tuple(
        sec.str_list(purpose, hint="une ligne de l'adresse par élément")))
    domains = s.str_list("domaines", required=False, lower=True, item_pattern=_DOMAIN_RE,
                         hint="nom de domaine attendu")
    s.finish()
    return Caisse(code=code, name=name, kind=kind, regime=regime, addresses=addresses,
                  domains=domains, channels=channels, postal=postal)


def _channel(s: _Section, purpose: str) -> str:
    channel = s.text(purpose, choices=CHANNELS)
    if purpose == "annulation" and channel == "courrier":
        raise s.fail(purpose, "une annulation de facture part le jour même de la télétransmission : par "
                     "courriel ou sur amelipro, pas par courrier")
    return channel


def _by_purpose(s: _Section, key: str, read: Callable[[_Section, str], T]) -> dict[str, T]:
    """A caisse's table keyed by purpose (``adresses``, ``canaux``, ``adresses_postales``): each key must be
    a known purpose, each value is what ``read`` makes of it."""
    found: dict[str, T] = {}
    section = s.section(key, required=False)
    if section is not None:
        for purpose in list(section.data):
            if purpose not in CAISSE_PURPOSES:
                raise section.fail(purpose, "usage inconnu ; usages possibles : "
                                   + ", ".join(CAISSE_PURPOSES))
            found[purpose] = read(section, purpose)
        section.finish()
    return found


def _resolve(base: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def _opt_path(base: Path, value: str | None) -> Path | None:
    return _resolve(base, value) if value else None


